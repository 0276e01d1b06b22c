"""Backfill by date, in process: the window, dates in sitemap and article URLs, which sitemaps
of an index and which entries of a sitemap are read, the spiders' entry points, progress."""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Request, XmlResponse

from newscrawl.__main__ import main
from newscrawl.backfill import (
    BackfillProgressExtension,
    Window,
    parse_window,
    progress,
    progress_line,
    url_date,
    url_period,
)
from newscrawl.discovery import Entry, read_document
from newscrawl.publishers import PUBLISHERS
from newscrawl.text.dates import PARIS
from spiders.daily8 import Daily8Spider
from spiders.franceinfo import FranceinfoSpider
from spiders.generic import GenericSpider
from spiders.lefigaro import LeFigaroSpider
from spiders.leparisien import LeParisienSpider
from tests.test_spider_discovery import make, start_requests, stats_under

JAN = {"since": "2024-01-01", "until": "2024-01-31"}
SITE = "https://www.example-news.fr"


def xml(url, body):
    return XmlResponse(url, body=body.encode(), request=Request(url))


def index(entries):
    """A sitemap index of (url, lastmod or None)."""
    rows = "".join(f"<sitemap><loc>{u}</loc>" + (f"<lastmod>{m}</lastmod>" if m else "") + "</sitemap>"
                   for u, m in entries)
    return f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</sitemapindex>'


def urlset(entries):
    """A sitemap of (url, lastmod or None, news publication date or None)."""
    rows = []
    for u, lastmod, pub in entries:
        news = (f"<news:news><news:publication_date>{pub}</news:publication_date></news:news>" if pub else "")
        rows.append(f"<url><loc>{u}</loc>" + (f"<lastmod>{lastmod}</lastmod>" if lastmod else "") + news + "</url>")
    return ('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
            f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{"".join(rows)}</urlset>')


# ---------------------------------------------------------------------------- the window
@pytest.mark.parametrize(("since", "until", "first", "last"), [
    ("2024-01-01", "2024-01-31", date(2024, 1, 1), date(2024, 1, 31)),
    ("2024-01", "2024-02", date(2024, 1, 1), date(2024, 2, 29)),
    ("2023", "2023", date(2023, 1, 1), date(2023, 12, 31)),
    ("2024-01-15", None, date(2024, 1, 15), None),
    (None, "2024-01-15", None, date(2024, 1, 15)),
])  # fmt: skip
def test_window_bounds_are_whole_days_both_included(since, until, first, last):
    window = parse_window(since, until)
    assert (window.since, window.until) == (first, last)


def test_no_bound_is_no_backfill():
    assert parse_window(None, "") is None


@pytest.mark.parametrize(("since", "until", "message"), [
    ("2024-02-01", "2024-01-01", "is after"),
    ("2024-13-01", None, "not a date"),
    ("hier", None, "not a date"),
    (None, "2023-02-30", "not a date"),
])  # fmt: skip
def test_bad_window_raises_a_clear_error(since, until, message):
    with pytest.raises(ValueError, match=message):
        parse_window(since, until)


def test_window_instants_are_paris_days():
    window = parse_window("2024-01-01", "2024-01-31")
    assert window.position(datetime(2023, 12, 31, 23, 30, tzinfo=PARIS)) == "before"
    assert window.position(datetime.fromisoformat("2023-12-31T23:30:00+00:00")) is None  # 00:30 in Paris
    assert window.position(datetime.fromisoformat("2024-01-31T23:30:00+00:00")) == "after"  # 1 Feb in Paris
    assert window.position(datetime(2024, 1, 31, 23, 59, tzinfo=PARIS)) is None


# ---------------------------------------------------------------------------- dates in URLs
@pytest.mark.parametrize(("url", "period"), [
    ("https://sitemaps.lefigaro.fr/lefigaro.fr/articles/2024-01-15.xml", ("2024-01-15", "2024-01-15")),
    (f"{SITE}/sitemap-20240115.xml", ("2024-01-15", "2024-01-15")),
    (f"{SITE}/sitemaps/2024/01/15/news.xml", ("2024-01-15", "2024-01-15")),
    (f"{SITE}/sitemap_15-01-2024.xml", ("2024-01-15", "2024-01-15")),
    (f"{SITE}/sitemap-2024-02.xml", ("2024-02-01", "2024-02-29")),
    (f"{SITE}/sitemaps/2024/02/", ("2024-02-01", "2024-02-29")),
    (f"{SITE}/sitemap.xml?yyyy=2024&mm=02&dd=03", ("2024-02-03", "2024-02-03")),
    (f"{SITE}/sitemap.xml?year=2023&month=11", ("2023-11-01", "2023-11-30")),
    (f"{SITE}/sitemap-posts-2023.xml", ("2023-01-01", "2023-12-31")),
    (f"{SITE}/post-sitemap3.xml", None),
    (f"{SITE}/sitemap-page-2010.xml", None),  # a page number, not a year
    ("https://www.leparisien.fr/arc/outboundfeeds/sitemap/?from=2000&outputType=xml", None),  # an offset
    (f"{SITE}/sitemap-2023-02-30.xml", ("2023-02-01", "2023-02-28")),  # no such day: the month
])  # fmt: skip
def test_url_period(url, period):
    expected = (date.fromisoformat(period[0]), date.fromisoformat(period[1])) if period else None
    assert url_period(url) == expected


@pytest.mark.parametrize(("url", "day"), [
    ("https://www.lefigaro.fr/international/londres-policiers-epee-20240430", "2024-04-30"),
    ("https://www.lefigaro.fr/flash-actu/2016/12/23/97001-20161223FILWWW00292-un-titre.php", "2016-12-23"),
    ("https://www.leparisien.fr/economie/un-titre-07-04-2023-A5WHN7KLJJGTRIZCMZOHWGDQ54.php", "2023-04-07"),
    ("https://www.franceinfo.fr/politique/un-titre_7375003.html", None),
    ("https://www.daily8.com/fr/article/ab20240115cd0123456789abcdef012345", None),
    (f"{SITE}/actualites/un-titre.html?date=2024-01-15", None),  # the path only
])  # fmt: skip
def test_url_date(url, day):
    assert url_date(url) == (date.fromisoformat(day) if day else None)


# ---------------------------------------------------------------------------- what is read
@pytest.mark.parametrize(("url", "lastmod", "reason"), [
    (f"{SITE}/sitemap-2024-01-10.xml", None, None),
    (f"{SITE}/sitemap-2023-12-31.xml", None, None),  # one day of margin: UTC days vs Paris days
    (f"{SITE}/sitemap-2023-12-30.xml", None, "period_before"),
    (f"{SITE}/sitemap-2024-02-01.xml", None, None),
    (f"{SITE}/sitemap-2024-02-02.xml", None, "period_after"),
    (f"{SITE}/sitemap-2023-12.xml", None, None),
    (f"{SITE}/sitemap-2023-11.xml", None, "period_before"),
    (f"{SITE}/sitemap-2023.xml", "2024-06-01", None),
    (f"{SITE}/sitemap-2022.xml", "2024-06-01", "period_before"),  # edited since: still 2022's
    (f"{SITE}/post-sitemap3.xml", "2023-12-20T10:00:00+01:00", "lastmod_before"),
    (f"{SITE}/post-sitemap4.xml", "2024-06-01T10:00:00+01:00", None),  # could hold January
    (f"{SITE}/post-sitemap5.xml", None, None),
])  # fmt: skip
def test_skip_sitemap(url, lastmod, reason):
    window = parse_window(**JAN)
    assert window.skip_sitemap(url, datetime.fromisoformat(lastmod) if lastmod else None) == reason


def entry(url, published=None, lastmod=None):
    pub = datetime.fromisoformat(published) if published else None
    mod = datetime.fromisoformat(lastmod) if lastmod else None
    return Entry(url=url, published=pub or mod, lastmod=mod)


@pytest.mark.parametrize(("e", "reason"), [
    (entry(f"{SITE}/a.html", published="2024-01-15T10:00:00+01:00"), None),
    (entry(f"{SITE}/a.html", published="2023-12-31T10:00:00+01:00", lastmod="2024-01-02T10:00:00+01:00"), "before"),
    (entry(f"{SITE}/a.html", published="2024-02-01T00:10:00+01:00"), "after"),
    (entry(f"{SITE}/a-20240115", lastmod="2024-05-01T10:00:00+02:00"), None),  # the URL's date wins over lastmod
    (entry(f"{SITE}/a-20231230", lastmod="2024-01-05T10:00:00+01:00"), "before"),
    (entry(f"{SITE}/a.html", lastmod="2023-12-31T10:00:00+01:00"), "lastmod_before"),
    (entry(f"{SITE}/a.html", lastmod="2024-02-05T10:00:00+01:00"), None),  # edited after: fetched (slack)
    (entry(f"{SITE}/a.html", lastmod="2024-02-09T10:00:00+01:00"), "lastmod_after"),
    (entry(f"{SITE}/a.html"), None),  # no date at all: fetched, the page's date decides
])  # fmt: skip
def test_skip_entry(e, reason):
    assert parse_window(**JAN).skip_entry(e) == reason


def test_sitemap_entries_keep_lastmod_apart_from_the_publication_date():
    doc = read_document(urlset([(f"{SITE}/a.html", "2024-03-01", "2024-01-15T08:00:00+01:00"),
                                (f"{SITE}/b.html", "2024-03-02", None)]).encode())
    by_url = {e.url.rsplit("/", 1)[1]: e for e in doc.entries}  # entries come newest first
    a, b = by_url["a.html"], by_url["b.html"]
    assert a.published == datetime.fromisoformat("2024-01-15T08:00:00+01:00")
    assert a.lastmod is not None
    assert a.lastmod.date() == date(2024, 3, 1)
    assert b.published == b.lastmod


# ---------------------------------------------------------------------------- the spiders
@pytest.mark.parametrize("cls", [FranceinfoSpider, LeFigaroSpider, LeParisienSpider])
def test_a_backfill_starts_from_the_archive_sitemap_index(cls):
    spider, stats = make(cls, **JAN)
    assert spider.start_urls == list(PUBLISHERS[cls.name].archive_urls)
    assert spider.window == parse_window(**JAN)
    start_requests(spider)
    assert stats.get_value("newscrawl/backfill/since") == "2024-01-01"
    plain, _ = make(cls)
    assert plain.start_urls == list(PUBLISHERS[cls.name].start_urls)


@pytest.mark.parametrize("key", [k for k, p in PUBLISHERS.items() if p.catalog and p.archive_urls])
def test_a_catalog_backfill_starts_from_its_sitemap_index_entry_points(key):
    import spiders.catalog

    cls = next(c for c in vars(spiders.catalog).values() if getattr(c, "name", None) == key)
    index = [e.url for e in PUBLISHERS[key].entry_points if e.kind == "sitemap_index"]
    assert index
    spider, _ = make(cls, **JAN)
    assert spider.start_urls == index
    plain, _ = make(cls)
    assert not set(plain.start_urls) & set(index)  # a daily run never reads the archive


def test_lefigaro_archive_is_its_day_sitemap_index():
    assert PUBLISHERS["lefigaro"].archive_urls == ("https://sitemaps.lefigaro.fr/lefigaro.fr/articles.xml",)


def test_a_site_without_archive_backfills_from_its_feeds_with_a_warning(caplog):
    spider, _ = make(Daily8Spider, **JAN)
    assert spider.start_urls == list(PUBLISHERS["daily8"].start_urls)
    assert "no archive sitemap index is known" in caplog.text


def test_max_age_does_not_apply_in_a_backfill(caplog):
    caplog.set_level(logging.INFO)
    spider, _ = make(LeFigaroSpider, {"NEWSCRAWL_MAX_AGE": "2d"}, **JAN)
    assert spider.max_age is None
    assert "does not apply" in caplog.text
    dated, _ = make(LeFigaroSpider, {"NEWSCRAWL_MAX_AGE": "2d"})
    assert dated.max_age == timedelta(days=2)


def test_a_bad_window_stops_the_crawl_with_an_error(caplog):
    with pytest.raises(ValueError, match="Bad backfill window"):
        make(LeFigaroSpider, since="2024-02-30")
    assert "Bad backfill window" in caplog.text
    assert "2024-02-30" in caplog.text


def test_index_of_months_and_days_only_sitemaps_that_can_hold_the_window_are_requested():
    spider, stats = make(LeFigaroSpider, **JAN)
    idx = "https://sitemaps.lefigaro.fr/lefigaro.fr/articles.xml"
    days = [f"https://sitemaps.lefigaro.fr/lefigaro.fr/articles/2024-{m:02d}-{d:02d}.xml"
            for m, d in ((1, 1), (1, 31), (2, 1), (2, 2), (12, 30))]
    months = ["https://sitemaps.lefigaro.fr/lefigaro.fr/articles/2023-11.xml",
              "https://sitemaps.lefigaro.fr/lefigaro.fr/articles/2023-12.xml"]
    out = list(spider.parse_discovery(xml(idx, index([(u, None) for u in days + months])), depth=0))
    assert [r.url for r in out] == [days[0], days[1], days[2], months[1]]
    counts = stats_under(stats, "newscrawl/backfill/")
    assert counts["sitemaps/selected"] == 4
    assert counts["skipped_sitemap/period_after"] == 2
    assert counts["skipped_sitemap/period_before"] == 1


def test_entries_outside_the_window_are_skipped_with_a_stat():
    spider, stats = make(LeFigaroSpider, **JAN)
    url = "https://sitemaps.lefigaro.fr/lefigaro.fr/articles/2024-01-31.xml"
    base = "https://www.lefigaro.fr/actualite-france"
    body = urlset([
        (f"{base}/un-article-du-dernier-jour-20240131", "2024-02-03T08:00:00+01:00", None),
        (f"{base}/un-article-du-lendemain-20240201", "2024-02-01T08:00:00+01:00", None),
        (f"{base}/un-article-de-decembre-20231231", None, None),
    ])
    out = list(spider.parse_discovery(xml(url, body), depth=1))
    assert [r.url for r in out] == [f"{base}/un-article-du-dernier-jour-20240131"]
    assert stats_under(stats, "newscrawl/backfill/skipped_entry/") == {"after": 1, "before": 1}
    assert stats.get_value("newscrawl/backfill/sitemaps/read") == 1


def test_a_page_published_outside_the_window_is_dropped_after_parsing():
    spider, stats = make(GenericSpider, start_urls=f"{SITE}/index.xml", **JAN)
    html = ('<html lang="fr"><head><meta property="og:title" content="Un titre de test assez long">'
            '<meta property="article:published_time" content="2024-02-20T10:00:00+01:00"></head><body><article>'
            "<h1>Un titre de test assez long</h1><p>" + "Un paragraphe inventé pour le test. " * 12 + "</p>"
            "</article></body></html>")
    response = HtmlResponse(f"{SITE}/actualites/un-titre-de-test.html", body=html.encode(),
                            request=Request(f"{SITE}/actualites/un-titre-de-test.html"))
    assert list(spider.parse_article(response, hints={})) == []
    assert stats.get_value("newscrawl/page/dropped/outside_window") == 1
    inside = HtmlResponse(response.url, body=html.replace("2024-02-20", "2024-01-20").encode(), request=response.request)
    assert len(list(spider.parse_article(inside, hints={}))) == 1


# ---------------------------------------------------------------------------- progress
def test_progress_counts_and_time_left():
    stats = {"newscrawl/backfill/sitemaps/selected": 31, "newscrawl/backfill/sitemaps/read": 10,
             "newscrawl/discovery/requested": 1000, "newscrawl/requests/article/total": 600,
             "newscrawl/dedup/skipped_seen": 200}
    p = progress(stats, rate=2.0)
    assert (p["found"], p["done"], p["estimated_total"], p["left"]) == (1000, 800, 3100, 2300)
    assert p["eta_s"] == 1150
    line = progress_line("lefigaro", parse_window(**JAN), p)
    assert line == ("backfill lefigaro 2024-01-01..2024-01-31: sitemaps 10/31, articles 800 done of 1000 found "
                    "(~3100 estimated), 2300 left, 2.00/s, time left ~19m10s")
    assert "time left ~unknown" in progress_line("x", Window(date(2024, 1, 1), None), progress(stats, None))


# ---------------------------------------------------------------------------- the crawl command
@pytest.fixture
def clean_env(monkeypatch):
    monkeypatch.delenv("SCRAPY_SETTINGS_MODULE", raising=False)


@pytest.mark.parametrize(("extra", "message"), [
    (["--since", "2024-02-01", "--until", "2024-01-01"], "is after"),
    (["--since", "janvier"], "not a date"),
    (["--since", "2024-01-01", "-a", "since=2024-01-02"], "contradicts"),
    (["--since", "2024-01-01", "-s", "NEWSCRAWL_BACKFILL_LASTMOD_SLACK=une semaine"], "not a duration"),
])  # fmt: skip
def test_crawl_with_a_bad_window_exits_3(extra, message, capsys, clean_env, tmp_path):
    code = main(["crawl", "lefigaro", *extra, "--output", str(tmp_path / "out"),
                 "-s", f"NEWSCRAWL_STATE_DIR={tmp_path / 'state'}"])
    assert code == 3
    err = capsys.readouterr().err
    assert "configuration error" in err
    assert message in err


def test_progress_extension_logs_counts_rate_and_time_left(caplog, monkeypatch):
    caplog.set_level(logging.INFO, logger="newscrawl.backfill")
    spider, stats = make(LeFigaroSpider, {"NEWSCRAWL_PROGRESS_INTERVAL": 60}, **JAN)
    ext = BackfillProgressExtension.from_crawler(spider.crawler)
    clock = iter([100.0, 160.0])
    monkeypatch.setattr("newscrawl.backfill.time.monotonic", lambda: next(clock))
    ext.samples = [(40.0, 0)]
    stats.set_value("newscrawl/backfill/sitemaps/selected", 31)
    stats.set_value("newscrawl/backfill/sitemaps/read", 1)
    stats.set_value("newscrawl/discovery/requested", 300)
    stats.set_value("newscrawl/requests/article/total", 60)
    ext.log()  # 60 done in 60 s: 1/s; 9,300 estimated, 9,240 left
    assert "sitemaps 1/31, articles 60 done of 300 found (~9300 estimated), 9240 left, 1.00/s, " \
           "time left ~2h34m" in caplog.text
    stats.set_value("newscrawl/dedup/skipped_seen", 60)
    ext.log()  # 60 more in the next 60 s
    assert "120 done of 300 found" in caplog.text
    assert stats.get_value("newscrawl/backfill/eta_s") == 9180


def test_progress_extension_is_off_without_interval_and_silent_without_window(caplog):
    caplog.set_level(logging.INFO, logger="newscrawl.backfill")
    spider, _ = make(LeFigaroSpider, {"NEWSCRAWL_PROGRESS_INTERVAL": 0}, **JAN)
    with pytest.raises(NotConfigured):
        BackfillProgressExtension.from_crawler(spider.crawler)
    plain, _ = make(LeFigaroSpider)
    ext = BackfillProgressExtension.from_crawler(plain.crawler)
    ext.spider_opened(plain)
    ext.spider_closed(plain, "finished")
    assert ext.task is None
    assert "backfill" not in caplog.text


# ------------------------------------------------------------ the cron bounds in a backfill
def _explicit(cls, name, value, project=None, **kwargs):
    """A spider whose setting ``name`` was given on the command line (``-s``), others in the project."""
    from scrapy.crawler import Crawler
    from scrapy.settings import Settings

    settings = Settings({"NEWSCRAWL_STATS_FILE": "", **(project or {})}, priority="project")
    settings.set(name, value, priority="cmdline")
    crawler = Crawler(cls, settings)
    crawler._apply_settings()
    spider = cls.from_crawler(crawler, **kwargs)
    crawler.spider = spider
    crawler.stats.open_spider()
    return spider, crawler


def test_a_backfill_reads_every_entry_of_a_document_unless_the_bound_is_given():
    backfill, _ = make(LeFigaroSpider, **JAN)
    assert backfill.max_per_document == 0  # a month sitemap of 5,000 articles is read whole
    daily, _ = make(LeFigaroSpider)
    assert daily.max_per_document == 1_000
    given, _ = _explicit(LeFigaroSpider, "NEWSCRAWL_MAX_ARTICLES_PER_DOCUMENT", 5, **JAN)
    assert given.max_per_document == 5


@pytest.mark.parametrize(("window", "given", "passed"), [(True, False, 3), (False, False, 1), (True, True, 1)])
def test_the_run_budget_applies_to_a_backfill_only_when_given(window, given, passed):
    from newscrawl.budget import ArticleBudgetMiddleware

    kwargs = JAN if window else {}
    if given:
        _spider, crawler = _explicit(LeFigaroSpider, "NEWSCRAWL_MAX_ARTICLES_PER_RUN", 1, **kwargs)
    else:
        _spider, crawler = _explicit(LeFigaroSpider, "NEWSCRAWL_STATS_FILE", "",
                                    project={"NEWSCRAWL_MAX_ARTICLES_PER_RUN": 1}, **kwargs)
    mw = ArticleBudgetMiddleware.from_crawler(crawler)
    requests = [Request(f"https://www.lefigaro.fr/a/{i}.php", meta={"newscrawl_discovered": True}) for i in range(3)]
    kept = [r for r in requests if mw.get_processed_request(r, None) is not None]
    assert len(kept) == passed
