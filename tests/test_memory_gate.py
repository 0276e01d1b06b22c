"""Sitemaps of a sitemap index are scheduled one at a time, after the articles already found
(issue 7: a whole index fetched at once kept ~16,000 article requests in memory). Nothing is
lost: every sitemap is fetched, also when one fails, is dropped, or ends unseen."""

from __future__ import annotations

import pytest
from scrapy.exceptions import DontCloseSpider, IgnoreRequest
from scrapy.http import Request, XmlResponse
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from newscrawl.gate import SitemapGateMiddleware
from newscrawl.localsite import LocalSite, Page
from spiders._base import DISCOVERY_PRIORITY
from spiders.franceinfo import FranceinfoSpider

FI = "https://www.franceinfo.fr"


def sitemap_index(urls):
    rows = "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in urls)
    return f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</sitemapindex>'


def urlset(urls):
    rows = "".join(f"<url><loc>{u}</loc></url>" for u in urls)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</urlset>'


class FakeEngine:
    """engine.crawl() as the real one does it: request_scheduled first (the gate may hold the
    request), then the scheduler (counted in the stats, as Scrapy's scheduler does). ``gate``:
    the spider middleware newscrawl.gate.SitemapGateMiddleware of the crawl."""

    def __init__(self, spider, stats, gate):
        self.spider, self.stats, self.gate, self.queue = spider, stats, gate, []

    def crawl(self, request):
        try:
            self.gate.scheduled(request, self.spider)
        except IgnoreRequest:
            return
        self.queue.append(request)
        self.stats.inc_value("scheduler/enqueued")

    def dequeue(self, n):
        for _ in range(n):
            self.queue.pop(0)
            self.stats.inc_value("scheduler/dequeued")


def make(settings=None):
    crawler = get_crawler(FranceinfoSpider, {"NEWSCRAWL_STATS_FILE": "", "CONCURRENT_REQUESTS": 4, **(settings or {})})
    spider = FranceinfoSpider.from_crawler(crawler)
    crawler.spider = spider
    crawler.stats.open_spider()
    gate = SitemapGateMiddleware.from_crawler(crawler)  # as SPIDER_MIDDLEWARES builds it
    engine = crawler.engine = FakeEngine(spider, crawler.stats, gate)
    spider.gate = gate  # the tests reach it through the spider they hold
    return spider, engine


def discovery_output(spider, response):
    """parse_discovery's output as the engine gets it: through the gate middleware."""
    return spider.gate.process_spider_output(response, spider.parse_discovery(response))


def index_children(spider, n):
    url = f"{FI}/sitemaps/index.xml"
    response = XmlResponse(url, body=sitemap_index([f"{FI}/sitemaps/{i}.xml" for i in range(n)]).encode(),
                           request=Request(url))
    return list(discovery_output(spider, response))


def read(spider, request, articles=0, engine=None):
    """The sitemap's response read by parse_discovery: its article requests come out, each
    scheduled as it comes (as Scrapy's scraper does) when an engine is given."""
    body = urlset([f"{FI}/societe/essai-{request.url[-5]}-{i}_{7000000 + i}.html" for i in range(articles)])
    out = []
    for child in discovery_output(spider, XmlResponse(request.url, body=body.encode(), request=request)):
        out.append(child)
        if engine is not None:
            engine.crawl(child)
    return out



def started(n: int):
    """A spider whose index named ``n`` sitemaps, all sent to the engine, the first one dequeued."""
    spider, engine = make()
    children = index_children(spider, n)
    for request in children:
        engine.crawl(request)
    engine.dequeue(1)
    return spider, engine, children

def test_index_children_are_discovery_requests_after_the_articles():
    spider, _engine = make()
    children = index_children(spider, 3)
    assert [r.url for r in children] == [f"{FI}/sitemaps/{i}.xml" for i in range(3)]
    assert all(r.callback == spider.parse_discovery and r.priority == DISCOVERY_PRIORITY for r in children)
    assert len({r.meta["newscrawl_gate"] for r in children}) == 3
    article = read(spider, children[0], articles=1)[0]
    assert article.priority == 0
    assert "newscrawl_gate" not in article.meta


def test_one_sitemap_at_a_time_the_next_when_the_scheduler_is_low():
    spider, engine = make()
    children = index_children(spider, 3)
    for request in children:  # what the engine does with the index's output
        engine.crawl(request)
    assert engine.queue == children[:1]  # the others wait in the spider
    engine.dequeue(1)
    read(spider, children[0], articles=10, engine=engine)
    assert len(engine.queue) == 10  # the articles; sitemap 1 still waits: 10 requests > CONCURRENT_REQUESTS
    engine.dequeue(5)
    spider.gate.pump()  # a response came in: 5 left, still above 4
    assert children[1] not in engine.queue
    engine.dequeue(1)
    spider.gate.pump()
    assert engine.queue[-1] is children[1]  # 4 left: the next sitemap goes
    spider.gate.pump()
    assert children[2] not in engine.queue  # only one open at a time


def test_a_sitemap_whose_articles_were_all_filtered_lets_the_next_one_go():
    spider, engine, children = started(2)
    read(spider, children[0], articles=10)  # e.g. all collected before: none reaches the scheduler
    assert engine.queue == [children[1]]


def test_a_failed_or_dropped_sitemap_gives_its_place():
    spider, engine, children = started(3)

    failure = Failure(IgnoreRequest("Forbidden by robots.txt"))
    failure.request = children[0]
    spider.on_error(failure)  # errback: the next sitemap is scheduled
    assert engine.queue == [children[1]]
    engine.dequeue(1)
    spider.gate.dropped(children[1])  # e.g. the dupefilter refused it
    assert engine.queue == [children[2]]


def drive(agen):
    """Run an async generator that awaits nothing (the test reactor owns the loop) to its end."""
    out = []
    while True:
        try:
            agen.__anext__().send(None)
        except StopIteration as done:
            out.append(done.value)
        except StopAsyncIteration:
            return out


def test_async_spider_output_marks_and_releases_the_same_way():
    """Scrapy hands the gate an async iterable when a middleware before it is async-only."""

    async def as_async(iterable):
        for value in iterable:
            yield value

    spider, engine = make()
    url = f"{FI}/sitemaps/index.xml"
    index = XmlResponse(url, body=sitemap_index([f"{FI}/sitemaps/{i}.xml" for i in range(2)]).encode(),
                        request=Request(url))
    children = drive(spider.gate.process_spider_output_async(index, as_async(spider.parse_discovery(index))))
    assert len({r.meta["newscrawl_gate"] for r in children}) == 2
    for request in children:
        engine.crawl(request)
    engine.dequeue(1)
    assert engine.queue == []  # sitemap 1 waits
    response = XmlResponse(children[0].url, body=urlset([]).encode(), request=children[0])
    drive(spider.gate.process_spider_output_async(response, as_async(spider.parse_discovery(response))))
    assert engine.queue == [children[1]]  # sitemap 0 read: the next one goes


def test_retries_and_redirects_of_an_open_sitemap_pass():
    _spider, engine, children = started(2)
    retry = children[0].replace(url=children[0].url + "?retry", dont_filter=True)
    engine.crawl(retry)  # same token: not held behind the waiting sitemap
    assert engine.queue == [retry]


def test_idle_with_sitemaps_waiting_releases_them():
    spider, engine = make()
    children = index_children(spider, 2)
    for request in children:
        engine.crawl(request)
    engine.dequeue(1)  # sitemap 0 is never answered (it cannot happen; the spider must not hang on it)
    with pytest.raises(DontCloseSpider):
        spider.gate.idle()
    assert engine.queue == [children[1]]
    spider.gate.idle()  # nothing waiting: the crawl may close


def test_no_gate_with_a_shared_redis_queue():
    spider, engine = make({"NEWSCRAWL_REDIS_URL": "redis://127.0.0.1:1/0"})
    assert spider.gate.in_flight == 0
    children = index_children(spider, 3)
    for request in children:
        engine.crawl(request)
    assert engine.queue == children


def test_sitemaps_in_flight_setting():
    spider, engine = make({"NEWSCRAWL_SITEMAPS_IN_FLIGHT": "2"})
    assert spider.gate.in_flight == 2
    children = index_children(spider, 4)
    for request in children:
        engine.crawl(request)
    assert engine.queue == children[:2]  # two open, two held
    spider, engine = make({"NEWSCRAWL_SITEMAPS_IN_FLIGHT": "0"})  # no gate
    children = index_children(spider, 3)
    for request in children:
        engine.crawl(request)
    assert engine.queue == children
    with pytest.raises(ValueError, match="many"):
        make({"NEWSCRAWL_SITEMAPS_IN_FLIGHT": "many"})


@pytest.mark.e2e
def test_crawl_fetches_every_sitemap_each_after_the_articles_before_it(tmp_path):
    from tests.e2e_support import crawl

    sitemaps, per_sitemap = 5, 30
    page = Page(b"<html><head><title>x</title></head><body><p>Rien.</p></body></html>")
    site = LocalSite(fallback=lambda path: page if path.startswith("/societe/") else None)
    site.pages["/sitemaps/index.xml"] = Page(sitemap_index([site.url(f"/sitemaps/{k}.xml") for k in range(sitemaps)]),
                                             content_type="application/xml")
    for k in range(sitemaps):
        site.pages[f"/sitemaps/{k}.xml"] = Page(urlset(
            [site.url(f"/societe/essai-{k}-{i}_{7000000 + k * 1000 + i}.html") for i in range(per_sitemap)]),
            content_type="application/xml")
    site.start()
    try:
        result = crawl("franceinfo", [site.url("/sitemaps/index.xml")], tmp_path, "CONCURRENT_REQUESTS=4",
                       "CONCURRENT_REQUESTS_PER_DOMAIN=4", "NEWSCRAWL_MONITOR_ENABLED=0")
    finally:
        site.stop()
    assert result.returncode == 0, result.log[-3000:]
    articles = [hit.path for hit in site.log if hit.path.startswith("/societe/")]
    assert len(articles) == len(set(articles)) == sitemaps * per_sitemap  # every article, once
    order = [hit.path for hit in site.log]
    for k in range(1, sitemaps):
        at = order.index(f"/sitemaps/{k}.xml")
        before = sum(1 for path in order[:at] if path.startswith("/societe/"))
        # Sitemap k is fetched once the scheduler is down to CONCURRENT_REQUESTS (4) requests: the
        # articles of the sitemaps before it are fetched or in flight (4 more at most).
        assert before >= k * per_sitemap - 8, (k, before)
    assert "sitemap(s) waiting" not in result.log
