"""StripPaywallPipeline: wraps newscrawl.clean.strip_paywall (stub)."""

from __future__ import annotations

from typing import Any

from newscrawl.clean import strip_paywall
from newscrawl.items import ArticleItem


class StripPaywallPipeline:
    def __init__(self, crawler: Any) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> StripPaywallPipeline:
        return cls(crawler)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        for rule, n in strip_paywall(item).items():
            self.stats.inc_value(f"newscrawl/clean/removed/{rule}", n)
        return item
