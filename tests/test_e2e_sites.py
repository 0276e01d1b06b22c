"""End to end, for every spider: a real ``scrapy crawl <site> -a start_urls=... -O out.jsonl``
against a mini-site on 127.0.0.1 (feed, news sitemap, listing page, articles, non-article
pages, a 404, a page with broken markup), then the JSONL, the text records, the stats file, the
log and the server's request log are checked.

The articles are the parser fixtures (tests/fixtures/pages/<site>/), served at their URL path,
so the crawl must give the records ``python -m newscrawl extract`` gives, plus the pages of
tests/site/<site>/pages/. See tests/site/README.md.
"""

from __future__ import annotations

from collections import Counter

import pytest
from scrapy.utils.project import get_project_settings

from newscrawl.items import RECORD_FIELDS
from newscrawl.publishers import PUBLISHERS
from newscrawl.text.dates import parse_iso
from newscrawl.text.urls import url_id
from tests.e2e_support import CrawlResult, MiniSite, SitePage, build_site, crawl, log_lines, serve

SITES = ["franceinfo", "lefigaro", "leparisien", "daily8", "generic"]


@pytest.fixture(scope="module", params=SITES)
def crawled(request, tmp_path_factory):
    key = request.param
    site = build_site(key)
    server = serve(site)
    try:
        result = crawl(key, [server.url(p) for p in site.start_paths], tmp_path_factory.mktemp(key))
    finally:
        server.stop()
    return site, server, result


def by_path(site: MiniSite, result: CrawlResult, base: str) -> dict[str, dict]:
    return {row["url"][len(base):]: row for row in result.records if row["url"].startswith(base)}


def to_real(value, page: SitePage, base: str):
    """A URL of the local mirror, written back on the host the page stands for."""
    if isinstance(value, str) and value.startswith(base):
        real = page.real_url.split("/", 3)
        return f"{real[0]}//{real[2]}" + value[len(base):]
    return value


@pytest.mark.e2e
def test_crawl_runs_clean(crawled):
    _site, _server, result = crawled
    assert result.returncode == 0, result.log[-3000:]
    assert "Traceback" not in result.log
    assert result.stats.get("log_count/ERROR", 0) == 0, log_lines(result, "ERROR")
    assert result.stats["finish_reason"] == "finished"


@pytest.mark.e2e
def test_one_record_per_article(crawled):
    site, server, result = crawled
    rows = by_path(site, result, server.base)
    assert sorted(rows) == sorted(p.path for p in site.articles)
    assert len(result.records) == len(site.articles)
    ids = [row["id"] for row in result.records]
    assert len(set(ids)) == len(ids), "duplicate ids"
    for row in result.records:
        assert list(row) == list(RECORD_FIELDS)
        assert row["source"] == site.key
        assert len(row["id"]) == 16
        assert int(row["id"], 16) >= 0
        assert row["title"]
        assert row["text"]
    assert result.stats["newscrawl/parse/items"] == len(site.articles)


@pytest.mark.e2e
def test_records_match_the_expected_extraction(crawled):
    site, server, result = crawled
    rows = by_path(site, result, server.base)
    for page in site.articles:
        row = rows[page.path]
        for name, want in page.expected.items():
            if name in ("url", "crawled_at"):
                continue
            got = to_real(row[name], page, server.base)
            if name == "id" and row["canonical_url"].startswith(server.base):
                # The page names no canonical URL: the id hashes the mirror's URL.
                assert got == url_id(row["canonical_url"]), page.name
                continue
            if name in ("published", "modified") and got != want and page.fetched_at:
                # A relative date ("7 hours ago", Daily8) resolves against the fetch time: the
                # same distance from the fetch time as in the fixture.
                assert parse_iso(got) - parse_iso(row["crawled_at"]) == parse_iso(want) - parse_iso(
                    page.fetched_at), f"{page.name}: {name}"
                continue
            assert got == want, f"{page.name}: {name}"
        lines = row["text"].split("\n")
        positions = [lines.index(line) for line in page.text_lines]  # ValueError: a line is missing
        assert positions == sorted(positions), f"{page.name}: body lines out of order"
        assert row["id"] == url_id(row["canonical_url"])


@pytest.mark.e2e
def test_no_noise_string_in_any_record(crawled):
    site, server, result = crawled
    rows = by_path(site, result, server.base)
    for page in site.articles:
        blob = "\n".join(str(rows[page.path][k]) for k in ("title", "lead", "text"))
        for needle in page.must_not_contain:
            assert needle not in blob, f"{page.name}: {needle!r}"


@pytest.mark.e2e
def test_cleaning_rules_counted_per_rule(crawled):
    """Text-level noise the mini-site carries on purpose is removed and counted under
    newscrawl/clean/removed/<rule>: every rule count equals the lines the pages' sidecars declare
    by hand (``clean_rules``), no more (a rule eating article text) and no less (noise left)."""
    site, _server, result = crawled
    declared: Counter[str] = Counter()
    for page in site.articles:
        declared.update(page.clean_rules)
    crawled_counts = {k.removeprefix("newscrawl/clean/removed/"): v for k, v in result.stats.items()
                      if k.startswith("newscrawl/clean/removed/")}
    assert crawled_counts == {k: v for k, v in declared.items() if v}


@pytest.mark.e2e
def test_text_records_mirror_the_jsonl(crawled):
    _site, _server, result = crawled
    assert len(result.text_names) == len(result.records)
    numbers = sorted(int(name.split("_")[0]) for name in result.text_names)
    assert numbers == list(range(len(numbers))), "running numbers from 000"
    assert result.stats["newscrawl/records/text_written"] == len(result.records)
    for row in result.records:
        lines = result.text_records[row["id"]]
        want = [row["title"], *([row["lead"]] if row["lead"] else []), *row["text"].split("\n")]
        assert lines == want


@pytest.mark.e2e
def test_each_article_fetched_once_and_non_articles_never(crawled):
    site, server, result = crawled
    for page in site.articles:
        assert server.hits.get(page.path) == 1, page.path
    for path, reason in site.skipped:
        assert server.hits.get(path, 0) == 0, path
        assert result.stats.get(f"newscrawl/discovery/skipped/{reason}", 0) >= 1, reason
        assert log_lines(result, "Skipped", path, f"({reason})"), path
    # Listed twice in one feed, and again in the sitemap (and maybe the listing): requested once.
    assert result.stats["newscrawl/discovery/duplicate_in_document"] >= 1
    assert result.stats["newscrawl/discovery/duplicate"] >= 1
    assert log_lines(result, "Duplicate entry", site.duplicated.path)


@pytest.mark.e2e
def test_404_is_logged_and_counted(crawled):
    site, server, result = crawled
    assert server.hits.get(site.missing) == 1
    assert result.stats["newscrawl/fetch/failed/http_404"] == 1
    assert log_lines(result, "Fetch failed", server.url(site.missing), "http_404")


@pytest.mark.e2e
def test_broken_markup_page_is_kept_with_a_warning(crawled):
    site, server, result = crawled
    broken = next(p for p in site.pages if p.name == "broken-markup")
    assert any(row["url"] == server.url(broken.path) for row in result.records)
    assert result.stats["newscrawl/page/warning/truncated_html"] == 1
    assert log_lines(result, server.url(broken.path), "truncated_html")


@pytest.mark.e2e
def test_discovery_read_every_document(crawled):
    site, server, result = crawled
    for path in site.start_paths:
        assert server.hits.get(path) == 1, path
    assert result.stats["newscrawl/discovery/documents"] == len(site.start_paths)
    assert result.stats.get("newscrawl/discovery/listings", 0) == (1 if site.listing else 0)
    assert result.stats["newscrawl/discovery/requested"] == len(site.articles) + 1  # + the 404


@pytest.mark.e2e
def test_polite_request_headers(crawled):
    _site, server, _result = crawled
    assert server.hits.get("/robots.txt") == 1
    settings_contact = get_project_settings().get("NEWSCRAWL_CONTACT_URL")
    for hit in server.log:
        headers = {k.lower(): v for k, v in hit.headers.items()}
        assert headers["user-agent"].startswith("newscrawl/")
        assert settings_contact in headers["user-agent"]
        if hit.path != "/robots.txt":
            assert headers["accept-language"].startswith("fr")
            assert "text/html" in headers["accept"]


def test_sites_cover_every_spider():
    # catalog entries are crawled from their own mirrors in tests/test_catalog.py
    assert set(SITES) == {key for key, pub in PUBLISHERS.items() if not pub.catalog}
