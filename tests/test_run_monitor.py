"""Health checks: counts from stats, thresholds from settings, verdicts."""

from __future__ import annotations

import pytest
from scrapy import Spider
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response
from scrapy.settings import Settings
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from newscrawl.monitor import (
    FetchOutcomeMiddleware,
    MonitorExtension,
    Thresholds,
    check_site,
    site_counts,
    thresholds_for,
    validate_settings,
)

HEALTHY = {
    "newscrawl/discovery/requested": 12,
    "newscrawl/requests/article/total": 10, "newscrawl/requests/article/ok": 10,
    "newscrawl/requests/discovery/total": 2, "newscrawl/requests/discovery/ok": 2,
    "newscrawl/parse/items": 10, "newscrawl/jsonl/written": 9, "newscrawl/jsonl/parser/franceinfo/2": 9,
    "item_dropped_reasons_count/DuplicateContent": 1, "newscrawl/jsonl/paywalled": 2,
    "newscrawl/jsonl/missing/published": 1,
}  # fmt: skip


def failed(stats, **limits):
    return [r.check for r in check_site("franceinfo", site_counts(stats), Thresholds(**limits)) if not r.ok]


def test_counts_for_the_manifest():
    counts = site_counts({**HEALTHY, "newscrawl/page/dropped/no_body": 2, "newscrawl/dropped/no_title": 1,
                          "newscrawl/requests/article/error/http_404": 1, "newscrawl/requests/article/total": 11,
                          "item_dropped_reasons_count/NotAnArticle": 1})
    assert counts["discovered"] == 12
    assert counts["fetched"] == 10
    assert counts["records"] == 9
    assert counts["duplicates"] == 1
    assert counts["paywalled"] == 2
    assert counts["dropped"] == {"no_body": 2, "no_title": 1}  # NotAnArticle is no_title, not counted twice
    assert counts["errors"] == {"article/http_404": 1}
    assert counts["error_rate"] == round(1 / 13, 4)
    assert counts["parsed"] == 12
    assert counts["missing"]["text"] == 2
    assert counts["parser_versions"] == {"franceinfo/2": 9}


def test_healthy_site_passes():
    assert failed(HEALTHY) == []


def test_a_site_with_nothing_new_but_articles_already_seen_is_healthy():
    stats = {"newscrawl/discovery/requested": 0, "newscrawl/dedup/skipped_seen": 25,
             "newscrawl/requests/discovery/total": 1, "newscrawl/requests/discovery/ok": 1}
    assert failed(stats) == []


@pytest.mark.parametrize(("stats", "expected"), [
    ({}, ["articles"]),  # nothing at all: a broken feed, a moved sitemap
    ({"newscrawl/requests/discovery/total": 2, "newscrawl/requests/discovery/ok": 2}, ["articles"]),
])
def test_zero_articles_fails(stats, expected):
    assert failed(stats) == expected


def test_coverage_below_threshold_fails_only_past_the_sample_size():
    lost_body = {**HEALTHY, "newscrawl/page/dropped/no_body": 3}  # 3 of 9 written + 3 dropped = 25%
    assert failed(lost_body) == ["coverage/text"]
    assert failed(lost_body, min_sample=50) == []  # too few pages to judge
    no_dates = {**HEALTHY, "newscrawl/jsonl/missing/published": 5}  # 5 of 9 records
    assert failed(no_dates) == []  # 9 pages < min_sample 10
    assert failed(no_dates, min_sample=9) == ["coverage/published"]
    assert failed(no_dates, min_sample=9, max_missing={"published": 0.6}) == []


def test_coverage_without_the_jsonl_writer_uses_the_parse_counts():
    """``scrapy crawl -O``: no dated output, FinalizePipeline's field counts serve."""
    stats = {"newscrawl/parse/items": 10, "item_scraped_count": 10, "newscrawl/field/published/missing": 3,
             "newscrawl/requests/article/total": 10, "newscrawl/requests/article/ok": 10}
    counts = site_counts(stats)
    assert counts["records"] == 10
    assert counts["parsed"] == 10
    assert counts["missing"]["published"] == 3
    assert failed(stats) == ["coverage/published"]


def test_items_held_back_and_released_by_dedup_are_not_drops():
    counts = site_counts({**HEALTHY, "item_dropped_reasons_count/DeferredCopy": 0})
    assert counts["dropped"] == {}


def test_error_rate_above_threshold_fails():
    stats = {**HEALTHY, "newscrawl/requests/article/total": 15, "newscrawl/requests/article/error/TimeoutError": 5}
    assert failed(stats) == ["error_rate"]  # 5/17 > 25%
    assert failed(stats, max_error_rate=0.3) == []


def test_messages_say_what_and_how_much():
    [result] = [r for r in check_site("lefigaro", site_counts({}), Thresholds()) if not r.ok]
    assert "lefigaro" in result.message
    assert "0 article(s)" in result.message


def test_thresholds_per_site_override_the_defaults():
    settings = Settings({
        "NEWSCRAWL_MONITOR_MAX_MISSING": {"title": 0.1, "published": 0.2},
        "NEWSCRAWL_MONITOR_MAX_ERROR_RATE": "0.3",
        "NEWSCRAWL_MONITOR_SITES": '{"daily8": {"max_missing": {"published": 0.5}, "min_articles": 0}}',
    })
    assert thresholds_for(settings, "franceinfo") == Thresholds(
        min_articles=1, max_missing={"title": 0.1, "published": 0.2}, max_error_rate=0.3)
    daily8 = thresholds_for(settings, "daily8")
    assert daily8.max_missing == {"title": 0.1, "published": 0.5}
    assert daily8.min_articles == 0


@pytest.mark.parametrize("settings", [
    {"NEWSCRAWL_MONITOR_MAX_ERROR_RATE": "lots"},
    {"NEWSCRAWL_MONITOR_MAX_ERROR_RATE": 2},
    {"NEWSCRAWL_MONITOR_MIN_ARTICLES": -1},
    {"NEWSCRAWL_MONITOR_SITES": {"nosuchsite": {"min_articles": 1}}},
    {"NEWSCRAWL_MONITOR_SITES": {"daily8": {"max_eror_rate": 0.1}}},
    {"NEWSCRAWL_MONITOR_SITES": "{not json"},
])
def test_bad_threshold_settings_are_configuration_errors(settings):
    with pytest.raises(ValueError):  # noqa: PT011 (several messages)
        validate_settings(Settings(settings), ["franceinfo", "daily8"])


class FranceinfoSpider(Spider):
    name = "franceinfo"


def test_fetch_outcomes_are_counted_once_per_request():
    crawler = get_crawler(FranceinfoSpider)
    mw = build_from_crawler(FetchOutcomeMiddleware, crawler)
    article = Request("https://www.franceinfo.fr/a_1234567.html", meta={"newscrawl_article": True})
    feed = Request("https://www.franceinfo.fr/titres.rss", meta={"newscrawl_discovery": True})
    mw.process_response(article, Response(article.url, status=200))
    mw.process_response(article, Response(article.url, status=503))
    mw.process_response(feed, Response(feed.url, status=200))
    mw.process_exception(article, TimeoutError())
    mw.process_exception(article, IgnoreRequest("robots.txt"))
    mw.process_response(Request("https://www.franceinfo.fr/robots.txt"), Response("https://x", status=404))
    stats = crawler.stats.get_stats()
    assert stats["newscrawl/requests/article/total"] == 3
    assert stats["newscrawl/requests/article/error/http_503"] == 1
    assert stats["newscrawl/requests/article/error/TimeoutError"] == 1
    assert stats["newscrawl/requests/article/ignored"] == 1
    assert stats["newscrawl/requests/discovery/ok"] == 1
    assert not any("robots" in k for k in stats)


def test_monitor_extension_logs_failures(caplog):
    crawler = get_crawler(FranceinfoSpider)
    ext = build_from_crawler(MonitorExtension, crawler)
    with caplog.at_level("WARNING", logger="newscrawl.monitor"):
        ext.spider_closed(FranceinfoSpider(), "finished")
    assert crawler.stats.get_value("newscrawl/monitor/failed/articles") == 1
    assert "Monitor check failed: franceinfo: 0 article(s)" in caplog.text
