"""The sitemap gate: the sitemaps named in a sitemap index are scheduled a few at a time
(NEWSCRAWL_SITEMAPS_IN_FLIGHT, default 1), after the articles already found.

A sitemap index names up to 50,000 sitemaps of up to 50,000 URLs each, and each sitemap read adds
up to 50,000 article requests: a whole index fetched at once (16 sitemaps for 16 concurrent
requests) kept 16,000 requests in memory at the start of a crawl.

The spider asks for each sitemap of an index as for any document (spiders/_base.py
``discovery_request``, depth >= 1); this spider middleware gives each such request a token
(``meta["newscrawl_gate"]``) as it leaves the spider. At the scheduler (``request_scheduled``),
beyond NEWSCRAWL_SITEMAPS_IN_FLIGHT open ones, they are held here, and one is handed back to the
engine when an open one is done (read, failed or dropped) and the scheduler is down to
CONCURRENT_REQUESTS requests (checked at each response). Retries and redirects of an open sitemap
carry its token and stay open. Nothing is dropped: at worst, the crawl is idle with sitemaps
waiting (a sitemap request that ended with no callback, errback or drop), and they are released
then.

A sitemap is done when its response has been read (the output of its callback is exhausted:
every request read from it is with the engine, a dozen at most not scheduled yet), when its
request is dropped (``request_dropped``), or when it fails: errbacks do not go through spider
middlewares, so the spider's errback sends :data:`request_failed`.

With a shared Redis scheduler (NEWSCRAWL_REDIS_URL) there is no gate: a sitemap held by this
worker would be lost with it, and the queue is not this process's to measure.

Settings read: NEWSCRAWL_SITEMAPS_IN_FLIGHT (0: no limit), CONCURRENT_REQUESTS, NEWSCRAWL_REDIS_URL.
"""

from __future__ import annotations

import itertools
import logging
from collections import deque
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Self

from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider, IgnoreRequest

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

GATE_META = "newscrawl_gate"
"""Request meta key: the token of a sitemap named in a sitemap index (kept by its retries and
redirects)."""

request_failed = object()
"""Signal (``request=``) the spider sends from its errback: a request failed, and a sitemap
among them gives its place. Errback output does not go through spider middlewares."""

DEFAULT_IN_FLIGHT = 1


class SitemapGateMiddleware:
    """Holds the sitemaps of a sitemap index beyond ``in_flight`` open ones (see the module
    docstring). ``in_flight`` 0: no gate, the middleware does nothing."""

    def __init__(self, crawler: Crawler, in_flight: int = DEFAULT_IN_FLIGHT, low_water: int = 16) -> None:
        self.crawler = crawler
        self.in_flight = in_flight
        self.low_water = low_water
        self.waiting: deque[Request] = deque()
        self.open: set[int] = set()
        self._tokens = itertools.count(1)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        in_flight = max(settings.getint("NEWSCRAWL_SITEMAPS_IN_FLIGHT", DEFAULT_IN_FLIGHT), 0)
        if settings.get("NEWSCRAWL_REDIS_URL"):
            in_flight = 0  # shared queue: see the module docstring
        gate = cls(crawler, in_flight, max(settings.getint("CONCURRENT_REQUESTS", 16), 1))
        if in_flight > 0:
            crawler.signals.connect(gate.scheduled, signal=signals.request_scheduled)
            crawler.signals.connect(gate.dropped, signal=signals.request_dropped)
            crawler.signals.connect(gate.pump, signal=signals.response_received)
            crawler.signals.connect(gate.idle, signal=signals.spider_idle)
            crawler.signals.connect(gate.failed, signal=request_failed)
        return gate

    # ---------------------------------------------------------------- spider output
    def _mark(self, item: Any) -> Any:
        """A sitemap named in an index (a discovery request of depth >= 1) gets its token."""
        if (isinstance(item, Request) and item.meta.get("newscrawl_discovery") and item.cb_kwargs.get("depth")
                and GATE_META not in item.meta):
            item.meta[GATE_META] = next(self._tokens)
        return item

    def process_spider_output(self, response: Response, result: Iterable[Any]) -> Iterator[Any]:
        if self.in_flight <= 0:
            yield from result
            return
        try:
            for item in result:
                yield self._mark(item)
        finally:  # the document is read: a sitemap gives its place
            if response.meta.get("newscrawl_discovery"):
                self.done(response.request)

    async def process_spider_output_async(self, response: Response, result: AsyncIterator[Any]) -> AsyncIterator[Any]:
        if self.in_flight <= 0:
            async for item in result:
                yield item
            return
        try:
            async for item in result:
                yield self._mark(item)
        finally:
            if response.meta.get("newscrawl_discovery"):
                self.done(response.request)

    # ---------------------------------------------------------------- signals
    def _other_spider(self, spider: Any) -> bool:
        own = getattr(self.crawler, "spider", None)
        return spider is not None and own is not None and spider is not own

    def scheduled(self, request: Request, spider: Any = None) -> None:
        """request_scheduled: hold a sitemap beyond ``in_flight`` open ones (IgnoreRequest keeps
        it out of the scheduler; it is handed back to the engine later)."""
        token = request.meta.get(GATE_META)
        if token is None or token in self.open or self.in_flight <= 0 or self._other_spider(spider):
            return
        if len(self.open) < self.in_flight and not self.waiting:
            self.open.add(token)
            return
        self.waiting.append(request)
        raise IgnoreRequest("sitemap held until the articles found so far are scheduled")

    def done(self, request: Request | None) -> None:
        """A request is done (read, failed or dropped): a sitemap gives its place to the next one,
        and any request leaving the scheduler may make room."""
        token = request.meta.get(GATE_META) if request is not None else None
        self.open.discard(token)  # type: ignore[arg-type]  # None is never in the set
        self.pump()

    def dropped(self, request: Request, spider: Any = None) -> None:
        self.done(request)

    def failed(self, request: Request | None = None, **kwargs: Any) -> None:
        self.done(request)

    def _scheduler_backlog(self) -> int:
        stats = self.crawler.stats
        assert stats is not None
        return int(stats.get_value("scheduler/enqueued", 0)) - int(stats.get_value("scheduler/dequeued", 0))

    def pump(self, *args: Any, **kwargs: Any) -> None:
        """Hand waiting sitemaps back to the engine while there is room."""
        while self.waiting and len(self.open) < self.in_flight and self._scheduler_backlog() <= self.low_water:
            request = self.waiting.popleft()
            self.open.add(request.meta[GATE_META])
            assert self.crawler.engine is not None
            self.crawler.engine.crawl(request)

    def idle(self, spider: Any = None) -> None:
        if not self.waiting:
            return
        if self.open:  # only when a sitemap request ended unseen: never lose the others
            logger.warning("Crawl idle with %(n)d sitemap(s) waiting and %(open)d never answered: "
                           "releasing the next one", {"n": len(self.waiting), "open": len(self.open)})
            self.open.clear()
        self.pump()
        raise DontCloseSpider
