"""The Scrapy adapter shared by the three cleaning pipelines: run one step of the page's road
(``newscrawl.road.clean_step``), count what it did."""

from __future__ import annotations

from collections import Counter
from typing import TYPE_CHECKING, Any, ClassVar

from newscrawl.clean.steps import DEFAULT_MAX_REMOVED_RATIO, GUARD_KEY
from newscrawl.items import ArticleItem
from newscrawl.road import clean_step

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler


class CleaningStepPipeline:
    """Runs one cleaning step of the road (``step``, a name of ``newscrawl.road.CLEANING``) on
    each ArticleItem; other items pass untouched, and so does an item that has already passed
    the step (a deferred copy released by the dedup step comes back cleaned: never cleaned twice).

    Settings read: NEWSCRAWL_CLEAN_MAX_REMOVED_RATIO (the guard's limit, default 0.7; 1 or more
    turns the guard off). Stats written: ``newscrawl/clean/removed/<rule>`` (lines removed per
    rule), ``newscrawl/clean/guard/kept_original`` (items whose original text the guard kept).
    """

    step: ClassVar[str]

    def __init__(self, crawler: Crawler, max_removed_ratio: float = DEFAULT_MAX_REMOVED_RATIO) -> None:
        self.stats = crawler.stats
        self.max_removed_ratio = max_removed_ratio

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        ratio = crawler.settings.getfloat("NEWSCRAWL_CLEAN_MAX_REMOVED_RATIO", DEFAULT_MAX_REMOVED_RATIO)
        return cls(crawler, ratio)

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, ArticleItem):
            return item
        was_paywalled = item.paywalled
        counts: Counter[str] | None = clean_step(self.step, item, self.max_removed_ratio)
        if counts is None:  # already cleaned by this step
            return item
        assert self.stats is not None
        for rule, n in counts.items():
            key = f"newscrawl/clean/{rule}" if rule == GUARD_KEY else f"newscrawl/clean/removed/{rule}"
            self.stats.inc_value(key, n)
        if item.paywalled and not was_paywalled:
            self.stats.inc_value("newscrawl/clean/paywall/flagged")
        return item
