"""StripRelatedPipeline: wraps newscrawl.clean.strip_related (stub)."""

from __future__ import annotations

from typing import Any

from newscrawl.clean import strip_related
from newscrawl.items import ArticleItem


class StripRelatedPipeline:
    def __init__(self, crawler: Any) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> StripRelatedPipeline:
        return cls(crawler)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        for rule, n in strip_related(item).items():
            self.stats.inc_value(f"newscrawl/clean/removed/{rule}", n)
        return item
