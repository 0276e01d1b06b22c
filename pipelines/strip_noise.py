"""StripLineNoisePipeline: wraps newscrawl.clean.strip_line_noise (stub)."""

from __future__ import annotations

from typing import Any

from newscrawl.clean import strip_line_noise
from newscrawl.items import ArticleItem


class StripLineNoisePipeline:
    def __init__(self, crawler: Any) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> StripLineNoisePipeline:
        return cls(crawler)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        for rule, n in strip_line_noise(item).items():
            self.stats.inc_value(f"newscrawl/clean/removed/{rule}", n)
        return item
