"""FinalizePipeline: recompute derived fields after cleaning, drop pages that are not articles,
count missing fields."""

from __future__ import annotations

import logging
from typing import Any

from newscrawl.exceptions import NotAnArticle
from newscrawl.items import COVERAGE_FIELDS, ArticleItem
from newscrawl.text.normalize import word_count

logger = logging.getLogger(__name__)



def finalize(item: ArticleItem) -> str | None:
    """Recompute ``word_count``; the reason the item is not an article, or None."""
    item.text = "\n".join(line for line in item.text.split("\n") if line.strip())
    item.word_count = word_count(item.text)
    if not item.title:
        return "no_title"
    if not item.text:
        return "no_body"
    return None


class FinalizePipeline:
    """Stats written: newscrawl/field/<name>/missing, newscrawl/dropped/<reason>,
    newscrawl/items/paywalled."""

    def __init__(self, crawler: Any) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> FinalizePipeline:
        return cls(crawler)

    def process_item(self, item: ArticleItem) -> ArticleItem:
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
