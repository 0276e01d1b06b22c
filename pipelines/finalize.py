"""FinalizePipeline: the road's last step (``newscrawl.road.finalize``): recompute derived
fields after cleaning, drop pages that are not articles, count missing fields."""

from __future__ import annotations

import logging
from typing import Any

from newscrawl.exceptions import NotAnArticle
from newscrawl.items import COVERAGE_FIELDS, ArticleItem
from newscrawl.road import finalize, passed

logger = logging.getLogger(__name__)


__all__ = ["COVERAGE_FIELDS", "FinalizePipeline", "finalize"]


class FinalizePipeline:
    """Stats written: newscrawl/field/<name>/missing, newscrawl/dropped/<reason>,
    newscrawl/items/paywalled."""

    def __init__(self, crawler: Any) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> FinalizePipeline:
        return cls(crawler)

    def process_item(self, item: ArticleItem) -> ArticleItem:
        if passed(item, "finalize"):  # a deferred copy released by the dedup step: done and counted
            return item
        reason = finalize(item)
        for name in COVERAGE_FIELDS:
            if not getattr(item, name):
                self.stats.inc_value(f"newscrawl/field/{name}/missing")
        if reason:
            self.stats.inc_value(f"newscrawl/dropped/{reason}")
            raise NotAnArticle(f"{reason}: {item.url}")
        if item.paywalled:
            self.stats.inc_value("newscrawl/items/paywalled")
        return item
