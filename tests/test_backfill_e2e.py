"""Backfill end to end: ``python -m newscrawl crawl generic --since ... --until ...`` against local
mirrors (tests/backfillsite.py): a dated sitemap index of months and days with a window across
a month boundary, a ``lastmod``-less index of undated sitemaps, and a backfill killed in the
middle then run again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from urllib.parse import urlsplit

import pytest

from newscrawl.localsite import LocalSite, Page
from tests.backfillsite import ROOT, article_page, backfill_cmd, run, sitemap_index, story, urlset
from tests.conftest import run_scrapy
from tests.cronsite import jsonl_lines, manifest, records
from tests.e2e_support import SitePage, build_site

pytestmark = pytest.mark.e2e


def dated_site():
    """Months 2023-11/12 (lastmod), days of January 2024 (news dates), two undated sitemaps."""
    s = {n: story(n, iso) for n, iso in {
        0: "2023-11-10T09:00:00+01:00", 1: "2023-11-20T09:00:00+01:00",
        2: "2023-12-05T09:00:00+01:00", 3: "2023-12-29T18:00:00+01:00", 4: "2023-12-30T08:00:00+01:00",
        5: "2023-12-31T22:30:00+01:00", 6: "2024-01-01T07:00:00+01:00", 7: "2024-01-01T12:00:00+01:00",
        8: "2024-01-02T10:00:00+01:00", 9: "2024-01-02T23:30:00+01:00", 10: "2024-01-03T00:20:00+01:00",
        11: "2024-01-03T09:00:00+01:00", 12: "2024-01-10T09:00:00+01:00", 13: "2023-05-20T09:00:00+02:00",
        14: "2024-01-01T15:00:00+01:00", 15: "2023-08-01T09:00:00+02:00",
    }.items()}

    def by_lastmod(*ns):
        return urlset([(s[n].path, s[n].iso, None) for n in ns])

    def by_news(*ns):
        return urlset([(s[n].path, None, s[n].iso) for n in ns])

    pages = {
        "/robots.txt": Page("User-agent: *\nAllow: /\n", content_type="text/plain"),
        "/sitemap_index.xml": sitemap_index([
            ("/sitemaps/2023-11.xml", None), ("/sitemaps/2023-12.xml", None),
            ("/sitemaps/2024-01-01.xml", None), ("/sitemaps/2024-01-02.xml", None),
            ("/sitemaps/2024-01-03.xml", None), ("/sitemaps/2024-01-10.xml", None),
            ("/sitemaps/extra-1.xml", "2023-06-01T10:00:00+02:00"), ("/sitemaps/extra-2.xml", "2024-03-01"),
        ]),
        "/sitemaps/2023-11.xml": by_lastmod(0, 1),
        "/sitemaps/2023-12.xml": by_lastmod(2, 3, 4, 5),
        "/sitemaps/2024-01-01.xml": by_news(6, 7),
        # A day of UTC: 10 is published at 00:20 on 3 January in Paris, after the window.
        "/sitemaps/2024-01-02.xml": by_news(8, 9, 10),
        "/sitemaps/2024-01-03.xml": by_news(11),
        "/sitemaps/2024-01-10.xml": by_news(12),
        "/sitemaps/extra-1.xml": by_news(13),
        # 14 was published in the window and edited on 5 January.
        "/sitemaps/extra-2.xml": urlset([(s[14].path, "2024-01-05T10:00:00+01:00", s[14].iso),
                                         (s[15].path, None, s[15].iso)]),
    }
    pages.update({st.path: article_page(st) for st in s.values()})
    return s, pages


def hits(site, paths):
    return {p: site.hits.get(p, 0) for p in paths}


def paths_of(rows):
    return {urlsplit(r["url"]).path for r in rows}


def test_dated_index_of_months_and_days_window_across_a_month_boundary(tmp_path):
    stories, pages = dated_site()
    with LocalSite(pages) as site:
        proc = run(backfill_cmd(site.base, tmp_path, "/sitemap_index.xml", "--since", "2023-12-30",
                                "--until", "2024-01-02", "--max-age", "2d"))
        fetched_sitemaps = {p for p in site.hits if p.startswith("/sitemaps/")}
        article_hits = {p: n for p, n in site.hits.items() if p.startswith("/actualites/")}
    assert proc.returncode == 0, proc.stderr[-4000:]
    expected = {stories[n].path for n in (4, 5, 6, 7, 8, 9, 14)}
    rows = records(tmp_path / "out")
    assert paths_of(rows) == expected
    assert len(rows) == len(expected)
    # Only the sitemaps that can hold the window are fetched (a day of margin on each side).
    assert fetched_sitemaps == {"/sitemaps/2023-12.xml", "/sitemaps/2024-01-01.xml", "/sitemaps/2024-01-02.xml",
                                "/sitemaps/2024-01-03.xml", "/sitemaps/extra-2.xml"}
    assert set(article_hits) == expected  # nothing outside the window is downloaded
    stats = json.loads((tmp_path / "stats.json").read_text())
    assert stats["newscrawl/backfill/skipped_sitemap/period_before"] == 1
    assert stats["newscrawl/backfill/skipped_sitemap/period_after"] == 1
    assert stats["newscrawl/backfill/skipped_sitemap/lastmod_before"] == 1
    assert stats["newscrawl/backfill/skipped_entry/lastmod_before"] == 2  # 5 and 29 December
    assert stats["newscrawl/backfill/skipped_entry/after"] == 2  # 3 January (Paris), twice
    assert stats["newscrawl/backfill/skipped_entry/before"] == 1
    assert stats["newscrawl/backfill/sitemaps/selected"] == stats["newscrawl/backfill/sitemaps/read"] == 5
    run_manifest = manifest(tmp_path / "out")
    assert run_manifest["window"] == {"since": "2023-12-30", "until": "2024-01-02", "timezone": "Europe/Paris"}
    assert run_manifest["max_age"] == "0"
    assert "does not apply in a backfill" in proc.stderr
    assert "done: backfill generic 2023-12-30..2024-01-02: sitemaps 5/5, articles 7 done of 7 found" in proc.stderr


def plain_site():
    """A lastmod-less index of two undated sitemaps; entries with a lastmod or no date."""
    s = {n: story(n, iso) for n, iso in {
        20: "2024-01-10T09:00:00+01:00", 21: "2023-12-15T09:00:00+01:00", 22: "2024-01-15T09:00:00+01:00",
        23: "2024-01-31T20:00:00+01:00", 24: "2024-03-19T09:00:00+01:00", 25: "2024-02-20T09:00:00+01:00",
    }.items()}
    pages = {
        "/robots.txt": Page("User-agent: *\nAllow: /\n", content_type="text/plain"),
        "/plain/index.xml": sitemap_index([("/plain/sitemap-1.xml", None), ("/plain/sitemap-2.xml", None)]),
        "/plain/sitemap-1.xml": urlset([(s[20].path, "2024-01-10", None), (s[21].path, "2023-12-15", None),
                                        (s[22].path, None, None)]),
        # 23 edited three days after the window: fetched (NEWSCRAWL_BACKFILL_LASTMOD_SLACK), kept.
        "/plain/sitemap-2.xml": urlset([(s[23].path, "2024-02-03", None), (s[24].path, "2024-03-20", None),
                                        (s[25].path, None, None)]),
        **{st.path: article_page(st) for st in s.values()},
    }
    return s, pages


def test_lastmod_less_index_of_undated_sitemaps_entries_filtered_by_their_dates(tmp_path):
    s, pages = plain_site()
    with LocalSite(pages) as site:
        proc = run(backfill_cmd(site.base, tmp_path, "/plain/index.xml", "--since", "2024-01-01",
                                "--until", "2024-01-31"))
        fetched = {p for p, n in site.hits.items() if n and p.startswith("/actualites/")}
    assert proc.returncode == 0, proc.stderr[-4000:]
    assert paths_of(records(tmp_path / "out")) == {s[n].path for n in (20, 22, 23)}
    assert fetched == {s[n].path for n in (20, 22, 23, 25)}  # 25 has no date before download
    stats = json.loads((tmp_path / "stats.json").read_text())
    assert stats["newscrawl/backfill/skipped_entry/lastmod_before"] == 1
    assert stats["newscrawl/backfill/skipped_entry/lastmod_after"] == 1
    assert stats["newscrawl/page/dropped/outside_window"] == 1
    assert stats["newscrawl/backfill/sitemaps/read"] == 2


def january_site(per_day=2, days=12):
    stories = [story(n, f"2024-01-{1 + n // per_day:02d}T{8 + n % per_day:02d}:00:00+01:00")
               for n in range(per_day * days)]
    pages = {
        "/robots.txt": Page("User-agent: *\nAllow: /\n", content_type="text/plain"),
        "/sitemap_index.xml": sitemap_index([(f"/sitemaps/2024-01-{d:02d}.xml", None) for d in range(1, days + 1)]),
    }
    for d in range(1, days + 1):
        pages[f"/sitemaps/2024-01-{d:02d}.xml"] = urlset(
            [(st.path, None, st.iso) for st in stories if st.published.day == d])
    pages.update({st.path: article_page(st) for st in stories})
    return stories, pages


def start_and_stop(cmd, out, sig, at_least=3):
    """Start the backfill; once ``at_least`` records are written, send ``sig``."""
    proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while len(jsonl_lines(out)) < at_least:
            assert proc.poll() is None, "the backfill ended before it could be interrupted"
            assert time.monotonic() < deadline, "no record written in time"
            time.sleep(0.05)
        os.kill(proc.pid, sig)
        _, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return proc.returncode, err


@pytest.mark.parametrize("sig", [signal.SIGKILL, signal.SIGINT], ids=["kill-9", "ctrl-c"])
def test_interrupted_backfill_resumes_nothing_lost_nothing_twice(tmp_path, sig):
    stories, pages = january_site()
    out = tmp_path / "out"
    window = ("--since", "2024-01-01", "--until", "2024-01-31")
    with LocalSite(pages) as site:
        # One article every 0.3 s, so the stop comes in the middle.
        # Each article marked seen as soon as it is written (no commit interval): a kill -9 can
        # only catch the few items in the pipelines (CONCURRENT_ITEMS) between the two.
        code, err = start_and_stop(backfill_cmd(site.base, tmp_path, "/sitemap_index.xml", *window,
                                                "-s", "DOWNLOAD_DELAY=0.3", "-s", "NEWSCRAWL_DEDUP_COMMIT_INTERVAL=0"),
                                   out, sig)
        first = records(out)
        assert 3 <= len(first) < len(stories), "the stop came too late to test anything"
        if sig == signal.SIGKILL:
            assert code == -signal.SIGKILL
        else:  # Ctrl-C: a clean stop, reported as interrupted (exit 1)
            assert code == 1, err[-3000:]
            assert manifest(out)["status"] == "interrupted"
        before = dict(site.hits)

        again = run(backfill_cmd(site.base, tmp_path, "/sitemap_index.xml", *window))
        assert again.returncode == 0, again.stderr[-4000:]
        refetched = {p for p in paths_of(first) if site.hits.get(p, 0) > before.get(p, 0)}

    rows = records(out)
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids)) == len(stories)  # none lost, none twice
    assert paths_of(rows) == {st.path for st in stories}
    stats = json.loads((tmp_path / "stats.json").read_text())
    skipped = stats.get("newscrawl/dedup/skipped_seen", 0)
    assert skipped + len(refetched) == len(first)  # each collected article: skipped before download, or fetched again
    if sig == signal.SIGINT:  # a clean stop: everything collected is skipped before download
        assert refetched == set()
    else:  # a kill -9: at most the items between the JSONL write and the seen mark are fetched again, not rewritten
        assert len(refetched) <= 4
    assert "done: backfill generic 2024-01-01..2024-01-31" in again.stderr
    assert manifest(out)["window"]["since"] == "2024-01-01"


def test_scrapy_crawl_takes_the_window_as_spider_arguments(tmp_path):
    s, pages = plain_site()
    with LocalSite(pages) as site:
        proc = run_scrapy(["crawl", "generic", "-a", f"start_urls={site.base}/plain/index.xml",
                           "-a", "since=2024-01-01", "-a", "until=2024-01-31", "-O", str(tmp_path / "out.jsonl"),
                           "-s", f"NEWSCRAWL_STATE_DIR={tmp_path / 'state'}", "-s", "NEWSCRAWL_RECORDS_DIR=",
                           "-s", f"NEWSCRAWL_STATS_FILE={tmp_path / 'stats.json'}"], timeout=90)
    assert proc.returncode == 0, proc.stderr[-4000:]
    rows = [json.loads(line) for line in (tmp_path / "out.jsonl").read_text().splitlines()]
    assert paths_of(rows) == {s[n].path for n in (20, 22, 23)}
    stats = json.loads((tmp_path / "stats.json").read_text())
    assert stats["newscrawl/backfill/since"] == "2024-01-01"
    assert stats["newscrawl/backfill/until"] == "2024-01-31"
    assert "done: backfill generic 2024-01-01..2024-01-31: sitemaps 2/2" in proc.stderr


def test_lefigaro_backfill_of_its_day_sitemap_index_with_the_site_parser(tmp_path):
    """Le Figaro's archive layout (``articles.xml`` -> one ``articles/YYYY-MM-DD.xml`` per day)
    on a mirror of its fixture pages, read by the Le Figaro spider and parser."""
    site = build_site("lefigaro")
    days: dict[str, list[SitePage]] = {}
    for page in site.articles:
        days.setdefault(page.expected["published"][:10], []).append(page)
    pages = {"/robots.txt": Page("User-agent: *\nAllow: /\n", content_type="text/plain"),
             "/lefigaro.fr/articles.xml": sitemap_index([(f"/lefigaro.fr/articles/{d}.xml", None) for d in sorted(days)])}
    for day, listed in days.items():
        pages[f"/lefigaro.fr/articles/{day}.xml"] = urlset([(p.path, p.expected["published"], None) for p in listed])
    pages.update({p.path: Page(p.body, content_type=p.content_type) for p in site.articles})
    inside = [p for p in site.articles if "2024-04-01" <= p.expected["published"][:10] <= "2024-06-30"]
    assert 2 <= len(inside) < len(site.articles)
    with LocalSite(pages) as server:
        proc = run(backfill_cmd(server.base, tmp_path, "/lefigaro.fr/articles.xml", "--since", "2024-04",
                                "--until", "2024-06", site="lefigaro"))
        fetched = {p for p, n in server.hits.items() if n and not p.startswith(("/lefigaro.fr/", "/robots"))}
        sitemaps = {p for p in server.hits if p.startswith("/lefigaro.fr/articles/")}
    assert proc.returncode == 0, proc.stderr[-4000:]
    rows = records(tmp_path / "out")
    assert {urlsplit(r["url"]).path for r in rows} == {p.path for p in inside}
    assert {r["source"] for r in rows} == {"lefigaro"}
    assert fetched == {p.path for p in inside}
    assert sitemaps == {f"/lefigaro.fr/articles/{d}.xml" for d in days if "2024-04-01" <= d <= "2024-06-30"}
