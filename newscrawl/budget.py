"""How many articles one run may request from discovery (NEWSCRAWL_MAX_ARTICLES_PER_RUN).

The per-document bound and the newest-first order are the spider's (spiders/_base.py,
newscrawl.discovery.Newest); this spider middleware bounds the run. It sits on the engine's side
of the seen-URL middleware (550), so articles already collected, skipped before download, do
not use up the run's budget: a cron run over feeds it mostly knows still has its whole budget
for what is new. Requests of article URLs given by name (``-a start_urls``) are not counted. In a
backfill (``-a since/until``) the bound applies only when set explicitly (``-s``/spider settings).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Self

from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from newscrawl.backfill import backfill_bound_given

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

DEFAULT_MAX_PER_RUN = 10_000


class ArticleBudgetMiddleware(BaseSpiderMiddleware):
    """Drops the article requests found by discovery (``meta["newscrawl_discovered"]``) past
    NEWSCRAWL_MAX_ARTICLES_PER_RUN in this crawl (0: no limit), with one warning.

    Settings read: NEWSCRAWL_MAX_ARTICLES_PER_RUN.
    Stats written: newscrawl/discovery/limit/run (requests not made), newscrawl/discovery/budget_used.
    """

    def __init__(self, crawler: Crawler, limit: int) -> None:
        super().__init__(crawler)
        self.stats = crawler.stats
        self.limit = limit
        self.used = 0
        self._checked_backfill = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        raw = crawler.settings.get("NEWSCRAWL_MAX_ARTICLES_PER_RUN", DEFAULT_MAX_PER_RUN)
        try:
            limit = int(raw)
        except (TypeError, ValueError):
            raise ValueError(f"NEWSCRAWL_MAX_ARTICLES_PER_RUN must be a whole number, not {raw!r}") from None
        if limit < 0:
            raise ValueError(f"NEWSCRAWL_MAX_ARTICLES_PER_RUN must be 0 (no limit) or more, not {limit}")
        return cls(crawler, limit)

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        if not request.meta.get("newscrawl_discovered"):
            return request
        if not self._checked_backfill:  # a backfill (spider window) lifts the default bound
            self._checked_backfill = True
            spider = self.crawler.spider
            if getattr(spider, "window", None) is not None and not backfill_bound_given(
                    self.crawler.settings, "NEWSCRAWL_MAX_ARTICLES_PER_RUN"):
                self.limit = 0
        if self.limit and self.used >= self.limit:
            if self.stats is not None:
                if not self.stats.get_value("newscrawl/discovery/limit/run"):
                    logger.warning("NEWSCRAWL_MAX_ARTICLES_PER_RUN (%(n)d) reached: the article URLs found from "
                                   "now on are not requested in this run (first: %(url)s)",
                                   {"n": self.limit, "url": request.url})
                self.stats.inc_value("newscrawl/discovery/limit/run")
            return None
        self.used += 1
        if self.stats is not None:
            self.stats.inc_value("newscrawl/discovery/budget_used")
        return request
