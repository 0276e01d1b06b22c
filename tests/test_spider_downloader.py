"""newscrawl/downloader.py (Retry-After, redirect loops, the identifying User-Agent) and the
polite defaults of newscrawl/settings.py, as documented in docs/spiders.md."""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime

import pytest
from scrapy import Spider
from scrapy.http import Request, Response
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

from newscrawl.downloader import (
    FetchRefused,
    IdentifyingUserAgentMiddleware,
    PoliteRetryMiddleware,
    RedirectGuardMiddleware,
    retry_after_seconds,
    user_agent_from,
)

URL = "http://127.0.0.1:8765/articles/a.html"


@pytest.mark.parametrize(("value", "want"), [
    (b"120", 120.0),
    ("0", 0.0),
    (" 5 ", 5.0),
    ("Thu, 12 Jun 2025 12:01:00 GMT", 60.0),
    ("Thu, 12 Jun 2025 11:00:00 GMT", 0.0),  # in the past: no wait
    ("bientôt", None),
    ("", None),
    (None, None),
])
def test_retry_after_seconds(value, want):
    assert retry_after_seconds(value, now=datetime(2025, 6, 12, 12, 0, tzinfo=UTC)) == want


def retry_mw(**settings):
    crawler = get_crawler(Spider, {"RETRY_TIMES": 2, **settings})
    crawler.spider = crawler._create_spider("test")
    crawler.stats.open_spider()
    return build_from_crawler(PoliteRetryMiddleware, crawler), crawler.stats


def response(status, headers=None):
    return Response(URL, status=status, headers=headers or {}, request=Request(URL))


def test_retry_after_delays_the_retry(caplog):
    mw, stats = retry_mw()
    caplog.set_level(logging.INFO)
    before = time.monotonic()
    new = mw.process_response(Request(URL), response(429, {"Retry-After": "30"}))
    assert isinstance(new, Request)
    assert new.url == URL
    assert new.dont_filter
    assert 29 <= new.meta["newscrawl_not_before"] - before <= 31
    assert stats.get_value("newscrawl/fetch/retry_after") == 1
    assert stats.get_value("newscrawl/fetch/retry/http_429") == 1
    assert any(URL in r.getMessage() and "Retry-After" in r.getMessage() for r in caplog.records)


def test_retry_after_over_the_maximum_gives_up_at_once(caplog):
    mw, stats = retry_mw(NEWSCRAWL_RETRY_AFTER_MAX="60s")
    resp = response(503, {"Retry-After": "3600"})
    assert mw.process_response(Request(URL), resp) is resp
    assert stats.get_value("newscrawl/fetch/retry_after_too_long") == 1
    assert stats.get_value("retry/count") is None
    assert any(URL in r.getMessage() and "3600" in r.getMessage() for r in caplog.records)


def test_server_errors_are_retried_then_given_up():
    mw, stats = retry_mw()
    request = Request(URL)
    for _ in range(2):
        request = mw.process_response(request, response(500))
        assert isinstance(request, Request)
        assert "newscrawl_not_before" not in request.meta
    last = response(500)
    assert mw.process_response(request, last) is last
    assert stats.get_value("newscrawl/fetch/retry/http_500") == 2
    assert stats.get_value("retry/max_reached") == 1


def test_success_and_dont_retry_pass_through():
    mw, _ = retry_mw()
    ok = response(200)
    assert mw.process_response(Request(URL), ok) is ok
    busy = response(503)
    assert mw.process_response(Request(URL, meta={"dont_retry": True}), busy) is busy


def guard():
    return build_from_crawler(RedirectGuardMiddleware, get_crawler(Spider, {"REDIRECT_MAX_TIMES": 3}))


def redirect(location, request):
    return Response(request.url, status=302, headers={"Location": location}, request=request)


def test_redirect_loop_is_refused():
    mw = guard()
    second = Request("http://127.0.0.1:8765/b", meta={"redirect_urls": ["http://127.0.0.1:8765/a"]})
    with pytest.raises(FetchRefused) as err:
        mw.process_response(second, redirect("/a", second))
    assert err.value.reason == "redirect_loop"
    assert "http://127.0.0.1:8765/a -> http://127.0.0.1:8765/b -> http://127.0.0.1:8765/a" in err.value.detail


def test_self_redirect_is_a_loop():
    request = Request("http://127.0.0.1:8765/a")
    with pytest.raises(FetchRefused):
        guard().process_response(request, redirect("http://127.0.0.1:8765/a#x", request))


def test_long_redirect_chain_is_refused():
    request = Request("http://127.0.0.1:8765/e", meta={"redirect_urls": [f"http://127.0.0.1:8765/{c}" for c in "abcd"]})
    with pytest.raises(FetchRefused) as err:
        guard().process_response(request, redirect("/f", request))
    assert err.value.reason == "too_many_redirects"


def test_ordinary_redirects_pass():
    request = Request("http://www.francetvinfo.fr/a_7380000.html")
    resp = redirect("https://www.franceinfo.fr/a_7380000.html", request)
    assert guard().process_response(request, resp) is resp


def test_user_agent_names_the_contact_url():
    crawler = get_crawler(Spider, {**get_project_settings(), "NEWSCRAWL_CONTACT_URL": "https://exemple.org/bot"})
    mw = IdentifyingUserAgentMiddleware.from_crawler(crawler)
    request = Request(URL)
    mw.process_request(request)
    ua = request.headers[b"User-Agent"].decode()
    assert ua.startswith("newscrawl/")
    assert "+https://exemple.org/bot" in ua
    assert "{" not in ua


@pytest.mark.parametrize(("template", "contact", "want"), [
    ("bot/1 (+{contact_url}; corpus)", "https://c.example", "bot/1 (+https://c.example; corpus)"),
    ("bot/1 (+{contact_url}; corpus)", "", "bot/1 (corpus)"),
    ("custom agent", "https://c.example", "custom agent"),
])
def test_user_agent_from(template, contact, want):
    assert user_agent_from(template, contact) == want


# ---------------------------------------------------------------------------- polite defaults
def test_polite_defaults_are_as_documented():
    s = get_project_settings()
    assert s.getbool("ROBOTSTXT_OBEY") is True
    assert s.getbool("AUTOTHROTTLE_ENABLED") is True
    # At least 1 s between two requests to one domain, jitter included; AutoThrottle never goes lower.
    assert s.getfloat("DOWNLOAD_DELAY") * (1 - s.getfloat("DOWNLOAD_DELAY_JITTER")) >= 1.0
    assert s.getfloat("AUTOTHROTTLE_START_DELAY") >= s.getfloat("DOWNLOAD_DELAY")
    assert s.getint("CONCURRENT_REQUESTS_PER_DOMAIN") <= 2
    ua = user_agent_from(s.get("USER_AGENT"), s.get("NEWSCRAWL_CONTACT_URL"))
    assert ua.startswith("newscrawl/")
    assert s.get("NEWSCRAWL_CONTACT_URL") in ua
    assert s.get("NEWSCRAWL_CONTACT_URL").startswith("https://")
    headers = s.getdict("DEFAULT_REQUEST_HEADERS")
    assert headers["Accept"].startswith("text/html")
    assert headers["Accept-Language"].startswith("fr")
    assert s.getint("DOWNLOAD_MAXSIZE") == 8 * 1024 * 1024
    mws = s.getdict("DOWNLOADER_MIDDLEWARES")
    assert mws["newscrawl.downloader.PoliteRetryMiddleware"]
    assert mws["scrapy.downloadermiddlewares.retry.RetryMiddleware"] is None
    assert mws["newscrawl.downloader.IdentifyingUserAgentMiddleware"]
    assert mws["newscrawl.downloader.RedirectGuardMiddleware"] > 600  # sees redirects before RedirectMiddleware


def test_spider_settings_have_defaults():
    s = get_project_settings()
    for name in ("NEWSCRAWL_MAX_SITEMAP_URLS", "NEWSCRAWL_MAX_SITEMAP_DEPTH", "NEWSCRAWL_MAX_SITEMAP_BYTES",
                 "NEWSCRAWL_MAX_DISCOVERY_DOCUMENTS", "NEWSCRAWL_FUTURE_DATE_TOLERANCE", "NEWSCRAWL_RETRY_AFTER_MAX",
                 "NEWSCRAWL_INCLUDE_LIVE", "NEWSCRAWL_MAX_AGE"):
        assert name in s, name
