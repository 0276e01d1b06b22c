"""Crawl-level extensions."""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.extensions import corestats as scrapy_corestats

from newscrawl.atomic import write_text_atomic
from newscrawl.exceptions import DeferredCopy

logger = logging.getLogger(__name__)


class StatsFileExtension:
    """Write all crawl stats as JSON when the spider closes.

    Settings read: NEWSCRAWL_STATS_FILE (path; empty disables the extension).
    """

    def __init__(self, crawler: Any, path: str) -> None:
        self.crawler = crawler
        self.path = Path(path)

    @classmethod
    def from_crawler(cls, crawler: Any) -> StatsFileExtension:
        path = crawler.settings.get("NEWSCRAWL_STATS_FILE")
        if not path:
            raise NotConfigured
        ext = cls(crawler, path)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_closed(self, spider: Any, reason: str) -> None:
        stats = dict(self.crawler.stats.get_stats())
        stats["finish_reason"] = reason
        self.path.parent.mkdir(parents=True, exist_ok=True)
        write_text_atomic(self.path, json.dumps(stats, default=str, indent=1, sort_keys=True))


class CoreStats(scrapy_corestats.CoreStats):
    """Scrapy's core stats, where an item held back is not a drop: a
    ``newscrawl.exceptions.DeferredCopy`` (an aggregator copy or a teaser the dedup step holds
    until the crawl is idle, then processes again) is counted as ``newscrawl/dedup/deferred``
    only, never in ``item_dropped_count`` / ``item_dropped_reasons_count/*``. Replaces
    ``scrapy.extensions.corestats.CoreStats`` in EXTENSIONS."""

    def item_dropped(self, item: Any, spider: Any, exception: BaseException) -> None:
        if isinstance(exception, DeferredCopy):
            return
        super().item_dropped(item, spider, exception)
