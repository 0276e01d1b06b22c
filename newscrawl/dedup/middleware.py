"""Skip article requests whose canonical URL was already collected: the second run does not
even download what the first one collected (a DeltaFetch-like spider middleware, Scrapy
>= 2.13 signatures, sharing the dedup store with the content pipelines)."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from newscrawl.dedup.state import DedupState
from newscrawl.defaults import get_bool
from newscrawl.text.dates import parse_duration
from newscrawl.text.urls import canonical_url

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)


class SkipSeenArticlesMiddleware(BaseSpiderMiddleware):
    """Drops article requests (``meta["newscrawl_article"]``) whose canonical URL
    (``meta["newscrawl_canonical"]``, else the request URL's) is in the dedup store, whether it
    was kept or logged as a copy. Exceptions: live pages (``meta["newscrawl_live"]``), URLs
    last fetched longer ago than the re-fetch window, and ``meta["newscrawl_skip_seen"] =
    False``. Other requests (feeds, sitemaps, listings) always pass.

    Settings read: NEWSCRAWL_DEDUP_ENABLED, NEWSCRAWL_DEDUP_SKIP_SEEN,
    NEWSCRAWL_DEDUP_REFETCH_AFTER (+ the store's, see DedupState).
    Stats written: newscrawl/dedup/skipped_seen, newscrawl/dedup/refetch/{live,window},
    newscrawl/dedup/error/<exception>.
    """

    def __init__(self, crawler: Crawler, state: DedupState, refetch_after: float | None) -> None:
        super().__init__(crawler)
        self.state = state
        self.stats = crawler.stats
        self.refetch_after = refetch_after

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        if not get_bool(settings, "NEWSCRAWL_DEDUP_ENABLED") or not get_bool(settings, "NEWSCRAWL_DEDUP_SKIP_SEEN"):
            raise NotConfigured("dedup is off (NEWSCRAWL_DEDUP_ENABLED / NEWSCRAWL_DEDUP_SKIP_SEEN)")
        refetch = parse_duration(settings.get("NEWSCRAWL_DEDUP_REFETCH_AFTER") or None)
        return cls(crawler, DedupState.of(crawler), refetch.total_seconds() if refetch else None)

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        meta = request.meta
        if not meta.get("newscrawl_article") or meta.get("newscrawl_skip_seen") is False:
            return request
        key = meta.get("newscrawl_canonical") or canonical_url(request.url)
        try:
            entry = self.state.store.urls([key]).get(key)
        except Exception as exc:  # component boundary: a store failure must not stop the crawl
            logger.exception("Dedup store lookup failed for %(url)s (%(exc)r): fetching it",
                             {"url": request.url, "exc": exc})
            self._inc(f"error/{type(exc).__name__}")
            return request
        if entry is None:
            return request
        if meta.get("newscrawl_live"):
            self._inc("refetch/live")
            return request
        if self.refetch_after is not None and time.time() - entry.seen_at >= self.refetch_after:
            self._inc("refetch/window")
            return request
        self._inc("skipped_seen")
        # An article URL given by name (-a start_urls=...) deserves a word; feed entries do not.
        level = logging.INFO if meta.get("newscrawl_explicit") else logging.DEBUG
        logger.log(level, "Skipped %(url)s: already collected (cluster %(cluster)s, %(reason)s); "
                   "-s NEWSCRAWL_DEDUP_SKIP_SEEN=0 fetches it again",
                   {"url": request.url, "cluster": entry.cluster, "reason": entry.reason})
        return None

    def _inc(self, key: str) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"newscrawl/dedup/{key}")
