"""Issue 12, "A feed of 100,000 entries does not starve the news": entries of a feed or sitemap
are requested newest first (by date, else in document order), at most
NEWSCRAWL_MAX_ARTICLES_PER_DOCUMENT per document (its newest, in a buffer of that size) and
NEWSCRAWL_MAX_ARTICLES_PER_RUN per run (articles already collected do not count), with stats
when a bound cuts."""

from __future__ import annotations

import random
import re
import tracemalloc
from datetime import UTC, datetime, timedelta

import pytest
from scrapy.http import HtmlResponse, Request, XmlResponse
from scrapy.utils.test import get_crawler

from newscrawl.budget import ArticleBudgetMiddleware
from newscrawl.discovery import Entry, Newest, read_document
from newscrawl.localsite import LocalSite, Page
from spiders.generic import GenericSpider
from tests.e2e_support import article_html, crawl, log_lines, news_sitemap, rss

BASE = "http://127.0.0.1:8765"
T0 = datetime(2025, 5, 1, tzinfo=UTC)


def path(i: int) -> str:
    return f"/actualites/2025/05/01/article-numero-{i}-du-flux.html"


def shuffled_items(n: int, seed: int = 12, undated: int = 0):
    """(url, title, ISO date) of n entries dated T0 + i hours, in a shuffled document order,
    then ``undated`` entries without a date."""
    order = list(range(n))
    random.Random(seed).shuffle(order)
    items = [(BASE + path(i), None, (T0 + timedelta(hours=i)).isoformat()) for i in order]
    return items + [(BASE + path(n + k), None, None) for k in range(undated)]


# ---------------------------------------------------------------------------- the reader
@pytest.mark.parametrize("make", [rss, news_sitemap])
def test_entries_come_newest_first_then_undated_in_document_order(make):
    doc = read_document(make(shuffled_items(50, undated=3)).encode())
    assert [e.url for e in doc.entries] == [BASE + path(i) for i in [*range(49, -1, -1), 50, 51, 52]]
    assert doc.read == 53
    assert doc.cut == 0


@pytest.mark.parametrize("make", [rss, news_sitemap])
def test_only_the_newest_accepted_entries_are_kept(make):
    body = make(shuffled_items(200, undated=5)).encode()
    doc = read_document(body, keep=10, accept=lambda e: not e.url.endswith(("-7-du-flux.html", "-199-du-flux.html")))
    assert [e.url for e in doc.entries] == [BASE + path(i) for i in [198, 197, 196, 195, 194, 193, 192, 191, 190, 189]]
    assert doc.read == 205
    assert doc.cut == 205 - 2 - 10


def test_the_buffer_never_holds_more_than_keep():
    newest = Newest(keep=100)
    for i in range(100_000):
        newest.add(Entry(url=f"{BASE}/a/{i}", published=T0 + timedelta(seconds=(i * 7919) % 100_000)))
        assert len(newest.heap) <= 100
    assert newest.cut == 100_000 - 100
    assert [e.published for e in newest.entries()] == [T0 + timedelta(seconds=s) for s in range(99_999, 99_899, -1)]


def test_reading_20000_entries_costs_the_buffer_not_the_document():
    body = rss([(f"{BASE}/a/b/article-{i}.html", f"Titre {i}", (T0 + timedelta(minutes=i)).isoformat())
                for i in range(20_000)]).encode()
    tracemalloc.start()
    try:
        doc = read_document(body, max_entries=200_000, keep=50)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert len(doc.entries) == 50
    assert doc.read == 20_000
    assert doc.entries[0].url.endswith("article-19999.html")
    assert peak < 2 << 20, peak  # ~0.5 MB; 20,000 Entry objects (with their titles) held ~6 MB


# ---------------------------------------------------------------------------- the spider
def spider(**settings):
    crawler = get_crawler(GenericSpider, {"NEWSCRAWL_STATS_FILE": "", **settings})
    sp = GenericSpider.from_crawler(crawler, start_urls=BASE + "/feed.xml")
    crawler.spider = sp
    crawler.stats.open_spider()
    return sp, crawler.stats


def test_a_document_gives_its_newest_articles_first_and_at_most_the_bound():
    sp, stats = spider(NEWSCRAWL_MAX_ARTICLES_PER_DOCUMENT=5)
    response = XmlResponse(BASE + "/feed.xml", body=rss(shuffled_items(40)).encode(), request=Request(BASE + "/feed.xml"))
    requests = list(sp.parse_discovery(response))
    assert [r.url for r in requests] == [BASE + path(i) for i in (39, 38, 37, 36, 35)]
    assert [r.priority for r in requests] == [0, -1, -2, -3, -4]
    assert all(r.meta["newscrawl_discovered"] for r in requests)
    assert stats.get_value("newscrawl/discovery/limit/document") == 35
    assert stats.get_value("newscrawl/discovery/entries") == 40


def test_no_bound_when_zero():
    sp, stats = spider(NEWSCRAWL_MAX_ARTICLES_PER_DOCUMENT=0)
    response = XmlResponse(BASE + "/feed.xml", body=rss(shuffled_items(40)).encode(), request=Request(BASE + "/feed.xml"))
    assert len(list(sp.parse_discovery(response))) == 40
    assert stats.get_value("newscrawl/discovery/limit/document") is None


def test_a_negative_bound_is_a_configuration_error():
    with pytest.raises(ValueError, match="NEWSCRAWL_MAX_ARTICLES_PER_DOCUMENT"):
        spider(NEWSCRAWL_MAX_ARTICLES_PER_DOCUMENT=-1)


def test_entries_the_site_does_not_want_do_not_use_the_bound():
    sp, stats = spider(NEWSCRAWL_MAX_ARTICLES_PER_DOCUMENT=3)
    items = [(f"{BASE}/tag/sujet-{i}/", None, (T0 + timedelta(days=30 + i)).isoformat()) for i in range(10)]
    response = XmlResponse(BASE + "/feed.xml", body=rss(items + shuffled_items(10)).encode(),
                           request=Request(BASE + "/feed.xml"))
    assert [r.url for r in sp.parse_discovery(response)] == [BASE + path(i) for i in (9, 8, 7)]
    assert stats.get_value("newscrawl/discovery/skipped/tag") == 10


def test_a_listing_page_is_bounded_too():
    sp, stats = spider(NEWSCRAWL_MAX_ARTICLES_PER_DOCUMENT=4)
    links = "".join(f'<a href="{path(i)}">Article {i}</a>' for i in range(12))
    response = HtmlResponse(BASE + "/actualites/", body=f"<html><body>{links}</body></html>".encode(),
                            request=Request(BASE + "/actualites/"))
    assert [r.url for r in sp.parse_discovery(response)] == [BASE + path(i) for i in range(4)]
    assert stats.get_value("newscrawl/discovery/limit/document") == 8


def test_the_run_budget_counts_requests_that_pass():
    crawler = get_crawler(GenericSpider, {"NEWSCRAWL_STATS_FILE": "", "NEWSCRAWL_MAX_ARTICLES_PER_RUN": 3})
    crawler.stats.open_spider()
    mw = ArticleBudgetMiddleware.from_crawler(crawler)
    found = [Request(BASE + path(i), meta={"newscrawl_article": True, "newscrawl_discovered": True}) for i in range(5)]
    explicit = Request(BASE + path(99), meta={"newscrawl_article": True})
    out = [mw.get_processed_request(r, None) for r in [*found, explicit]]
    assert out == [*found[:3], None, None, explicit]
    assert crawler.stats.get_value("newscrawl/discovery/limit/run") == 2
    with pytest.raises(ValueError, match="NEWSCRAWL_MAX_ARTICLES_PER_RUN"):
        ArticleBudgetMiddleware.from_crawler(get_crawler(GenericSpider, {"NEWSCRAWL_MAX_ARTICLES_PER_RUN": -2}))


# ---------------------------------------------------------------------------- end to end
def article_page(i: int) -> Page:
    return Page(article_html(f"Article numéro {i} du flux", [
        f"Le conseil du quartier numéro {i} s'est réuni jeudi pour examiner le projet de jardin partagé.",
        f"Les habitants de la rue {i} ont voté pour, à une large majorité des présents.",
    ]))


def news_path(i: int) -> str:
    return f"/actualites/2025/06/12/une-vraie-nouvelle-numero-{i}.html"


def news_site(big: int = 300):
    def fallback(p: str) -> Page | None:
        m = re.search(r"numero-(\d+)", p)
        if p.startswith("/actualites/") and m:
            return article_page(int(m.group(1)) + (10_000 if "nouvelle" in p else 0))
        return None

    site = LocalSite({"/robots.txt": Page("User-agent: *\nAllow: /\n", content_type="text/plain")}, fallback=fallback)
    archive = [(url.replace(BASE, "{{BASE}}"), title, date) for url, title, date in shuffled_items(big)]
    site.pages["/archive.xml"] = Page(news_sitemap(archive), content_type="application/xml")
    site.pages["/news.xml"] = Page(rss([("{{BASE}}" + news_path(k), None, "2025-06-12T08:00:00+02:00")
                                        for k in range(3)]), content_type="application/rss+xml")
    return site.start()


def fetched(site, prefix="/actualites/"):
    return [hit.path for hit in site.log if hit.path.startswith(prefix)]


@pytest.mark.e2e
def test_a_big_sitemap_does_not_starve_the_news(tmp_path):
    site = news_site(300)
    try:
        result = crawl("generic", [site.url("/archive.xml"), site.url("/news.xml")], tmp_path,
                       "CONCURRENT_REQUESTS=1", "CONCURRENT_REQUESTS_PER_DOMAIN=1", "NEWSCRAWL_MAX_ARTICLES_PER_DOCUMENT=20",
                       "NEWSCRAWL_MONITOR_ENABLED=0", "NEWSCRAWL_DEDUP_ENABLED=0")
    finally:
        site.stop()
    assert result.returncode == 0, result.log[-3000:]
    paths = fetched(site)
    archive = [p for p in paths if "article-numero" in p]
    news = [p for p in paths if "nouvelle" in p]
    assert archive == [path(i) for i in range(299, 279, -1)]  # its 20 newest, newest first
    assert sorted(news) == [news_path(k) for k in range(3)]
    assert max(paths.index(p) for p in news) < 8  # the news is not behind the archive
    assert result.stats["newscrawl/discovery/limit/document"] == 280
    assert log_lines(result, "/archive.xml", "280 article entries not requested", "NEWSCRAWL_MAX_ARTICLES_PER_DOCUMENT=20")


@pytest.mark.e2e
def test_the_run_budget_skips_what_is_known_and_goes_on(tmp_path):
    site = news_site(30)
    try:
        first = crawl("generic", [site.url("/archive.xml")], tmp_path, "CONCURRENT_REQUESTS=1",
                      "NEWSCRAWL_MAX_ARTICLES_PER_RUN=10", "NEWSCRAWL_MONITOR_ENABLED=0")
        after_first = len(fetched(site))
        second = crawl("generic", [site.url("/archive.xml")], tmp_path, "CONCURRENT_REQUESTS=1",
                       "NEWSCRAWL_MAX_ARTICLES_PER_RUN=10", "NEWSCRAWL_MONITOR_ENABLED=0")
    finally:
        site.stop()
    assert first.returncode == 0, first.log[-3000:]
    assert second.returncode == 0, second.log[-3000:]
    assert after_first == 10
    assert fetched(site)[:10] == [path(i) for i in range(29, 19, -1)]
    # the 10 collected are skipped before download and do not use the budget: the next 10 come
    assert fetched(site)[10:] == [path(i) for i in range(19, 9, -1)]
    for result in (first, second):
        assert result.stats["newscrawl/discovery/limit/run"] == 20 - (result is second) * 10
        assert log_lines(result, "NEWSCRAWL_MAX_ARTICLES_PER_RUN (10) reached")
    assert second.stats["newscrawl/dedup/skipped_seen"] == 10
    assert len(first.records) == len(second.records) == 10
