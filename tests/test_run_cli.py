"""``python -m newscrawl crawl``: exit codes, incremental runs, manifest, dry run, progress."""

from __future__ import annotations

from datetime import timedelta

import pytest

from newscrawl.__main__ import main
from newscrawl.localsite import LocalSite
from newscrawl.run import progress_line, summary_table
from tests.cronsite import article_hits, jsonl_lines, manifest, records, run_crawl, site_pages


@pytest.fixture
def clean_env(monkeypatch):
    """make_plan sets SCRAPY_SETTINGS_MODULE: keep it out of the other tests."""
    monkeypatch.delenv("SCRAPY_SETTINGS_MODULE", raising=False)


@pytest.mark.parametrize(("argv", "message"), [
    (["crawl", "nosuchsite"], "unknown site(s): nosuchsite"),
    (["crawl"], "name the sites to crawl or pass --all"),
    (["crawl", "--all", "franceinfo"], "not both"),
    (["crawl", "franceinfo", "--max-age", "deux jours"], "bad --max-age"),
    (["crawl", "franceinfo", "--max-age", "3d", "-s", "NEWSCRAWL_MAX_AGE=1d"], "contradicts"),
    (["crawl", "generic"], "generic site needs -a start_urls"),
    (["crawl", "franceinfo", "-s", "NOEQUALS"], "NAME=VALUE expected"),
    (["crawl", "franceinfo", "-s", "NEWSCRAWL_REPLAY=/nonexistent/x.warc.gz"], "no WARC file"),
    (["crawl", "franceinfo", "-s", "NEWSCRAWL_MONITOR_MAX_ERROR_RATE=high"], "not a number"),
    (["crawl", "franceinfo", "-s", 'NEWSCRAWL_MONITOR_SITES={"nosuchsite": {}}'], "unknown site(s) ['nosuchsite']"),
])  # fmt: skip
def test_bad_configuration_exits_3_before_anything_runs(argv, message, capsys, clean_env, tmp_path):
    code = main([*argv, "--output", str(tmp_path / "out"), "-s", f"NEWSCRAWL_STATE_DIR={tmp_path / 'state'}"])
    assert code == 3
    err = capsys.readouterr().err
    assert "configuration error" in err
    assert message in err
    assert not (tmp_path / "out").exists()
    assert not (tmp_path / "state").exists()


def test_replay_and_archive_together_are_contradictory(capsys, clean_env, tmp_path):
    warc = tmp_path / "a.warc.gz"
    warc.write_bytes(b"")
    code = main(["crawl", "franceinfo", "-s", f"NEWSCRAWL_REPLAY={warc}", "-s", f"NEWSCRAWL_WARC_DIR={tmp_path}"])
    assert code == 3
    assert "must not archive itself" in capsys.readouterr().err


@pytest.mark.e2e
def test_two_consecutive_runs_the_second_fetches_and_writes_nothing_new(tmp_path):
    out = tmp_path / "out"
    with LocalSite(site_pages(4)) as site:
        first = run_crawl(site.base, tmp_path)
        assert first.returncode == 0, first.stderr[-3000:]
        assert article_hits(site) == 4
        lines_after_first = jsonl_lines(out)
        assert len(lines_after_first) == 4
        texts_after_first = sorted(p.name for p in (out / "franceinfo" / "text").iterdir())
        assert len(texts_after_first) == 4

        m = manifest(out)
        entry = m["sites_report"]["franceinfo"]
        assert m["status"] == "finished"
        assert m["exit_code"] == 0
        assert m["started"] <= m["finished"]
        assert entry["counts"]["discovered"] == 4
        assert entry["counts"]["fetched"] == 4
        assert entry["counts"]["records"] == 4
        assert entry["counts"]["parser_versions"] == {"franceinfo/2": 4}
        assert all(c["ok"] for c in entry["checks"])
        assert entry["files"] == [str(next((out / "franceinfo").glob("*.jsonl")))]
        assert "records:" in first.stdout
        assert "manifest:" in first.stdout
        table = first.stdout.split("site  ", 1)[1].splitlines()  # the summary table
        assert table[1].split()[0] == "franceinfo"
        assert table[1].split()[-1] == "ok"

        second = run_crawl(site.base, tmp_path)
        assert second.returncode == 0, second.stderr[-3000:]
        assert article_hits(site) == 4  # no known article fetched again
        assert site.hits["/titres.rss"] == 2  # the feed itself is read at each run

        dry = run_crawl(site.base, tmp_path, "--dry-run")  # lists after the dedup filter: nothing new
        assert dry.returncode == 0, dry.stderr[-3000:]
        assert "would fetch" not in dry.stdout
        assert "0 article URL(s) would be fetched" in dry.stdout
    assert jsonl_lines(out) == lines_after_first  # no record written
    assert sorted(p.name for p in (out / "franceinfo" / "text").iterdir()) == texts_after_first
    assert len(list((out / "runs").glob("*.json"))) == 2
    counts = manifest(out)["sites_report"]["franceinfo"]["counts"]
    assert counts["records"] == 0
    assert counts["fetched"] == 0
    assert counts["skipped_seen"] == 4


@pytest.mark.e2e
def test_entries_older_than_max_age_are_skipped_and_zero_articles_exits_1(tmp_path):
    with LocalSite(site_pages(2, age=timedelta(days=5))) as site:
        old = run_crawl(site.base, tmp_path)  # default window: 2 days
        assert old.returncode == 1, old.stderr[-3000:]
        assert article_hits(site) == 0
        assert "0 article(s) found" in old.stdout
        m = manifest(tmp_path / "out")
        assert m["max_age"] == "2d"
        assert m["exit_code"] == 1
        assert [c["check"] for c in m["sites_report"]["franceinfo"]["checks"] if not c["ok"]] == ["articles"]

        wider = run_crawl(site.base, tmp_path, "--max-age", "7d")
        assert wider.returncode == 0, wider.stderr[-3000:]
        assert article_hits(site) == 2
    assert len(records(tmp_path / "out")) == 2


@pytest.mark.e2e
def test_pages_that_lost_their_body_fail_coverage_with_exit_1(tmp_path):
    with LocalSite(site_pages(3, body=False, delay=0.3)) as site:
        result = run_crawl(site.base, tmp_path, "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0.2",
                           "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=1")
    assert result.returncode == 1, result.stderr[-3000:]
    failed = [c for c in manifest(tmp_path / "out")["sites_report"]["franceinfo"]["checks"] if not c["ok"]]
    assert "coverage/text" in [c["check"] for c in failed]
    assert "FAILED: franceinfo: 100% of 3 parsed page(s) without text" in result.stdout
    assert "progress: franceinfo: fetched" in result.stderr  # the periodic progress line


@pytest.mark.e2e
def test_dry_run_lists_articles_fetches_none_writes_nothing(tmp_path):
    with LocalSite(site_pages(3)) as site:
        result = run_crawl(site.base, tmp_path, "--dry-run")
        assert result.returncode == 0, result.stderr[-3000:]
        assert article_hits(site) == 0
        assert site.hits["/titres.rss"] == 1
        listed = [line.split("\t") for line in result.stdout.splitlines() if line.startswith("would fetch")]
        assert sorted(url for _, _, url in listed) == sorted(
            f"{site.base}/societe/{slug}" for slug in (p.split("/societe/")[1] for p in site.pages if "/societe/" in p))
        assert "3 article URL(s) would be fetched" in result.stdout
        assert "Fetch failed" not in result.stderr  # dropped quietly, not as failures
    assert not (tmp_path / "out").exists()


def test_progress_line_and_summary_table():
    stats = {"newscrawl/requests/article/ok": 3, "newscrawl/jsonl/written": 2, "newscrawl/dedup/skipped_seen": 5}
    assert progress_line({"franceinfo": stats}) == "franceinfo: fetched 3, records 2, seen 5, dups 0, errors 0"
    from newscrawl.monitor import site_counts

    table = summary_table({"franceinfo": {"counts": site_counts(stats), "checks": [{"check": "articles", "ok": True}]},
                           "lefigaro": {"counts": site_counts({}), "checks": [{"check": "articles", "ok": False}]}})
    header, fi, lf = table.splitlines()
    assert header.split()[:5] == ["site", "discovered", "fetched", "seen", "records"]
    assert fi.split()[-1] == "ok"
    assert lf.endswith("FAIL articles")
