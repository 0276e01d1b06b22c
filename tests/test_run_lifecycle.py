"""Issue 12, the run's lifecycle: ``python -m newscrawl crawl`` never hangs and its exit code and
manifest tell the truth (start failures, SIGTERM during an endless download, a killed run's
manifest, the run time limit). Real crawl subprocesses against a local site; a hang shows as
the subprocess timeout of ``run_crawl`` (a hang detector, not a speed assertion)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import time

import pytest

from newscrawl.localsite import LocalSite, Page
from newscrawl.lock import RunLock, read_holder
from tests.cronsite import ROOT, article_path, crawl_cmd, jsonl_lines, manifest, records, run_crawl, site_pages

pytestmark = pytest.mark.e2e


def assert_lock_free(tmp_path):
    lock_path = tmp_path / "state" / "crawl.lock"
    assert read_holder(lock_path) == {}
    with RunLock(lock_path) as lock:  # not held by anyone (the process is gone, nothing leaked)
        assert lock.held


def garbage_state(tmp_path):
    (tmp_path / "state").mkdir(parents=True, exist_ok=True)
    (tmp_path / "state" / "dedup.sqlite").write_bytes(b"\x13\x37 not a database " * 300)


def truncated_state(tmp_path):
    """A real dedup state (one run), cut to its first kilobyte (a disk that filled up, a bad copy)."""
    with LocalSite(site_pages(1)) as site:
        assert run_crawl(site.base, tmp_path / "first").returncode == 0
    src = tmp_path / "first" / "state" / "dedup.sqlite"
    con = sqlite3.connect(src)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()
    (tmp_path / "state").mkdir(parents=True, exist_ok=True)
    (tmp_path / "state" / "dedup.sqlite").write_bytes(src.read_bytes()[:1024])


def output_is_a_file(tmp_path):
    """A folder the run writes to cannot be created (found when the run takes its locks)."""
    (tmp_path / "out").mkdir(parents=True)
    (tmp_path / "out" / "lefigaro").write_text("not a folder")


PIPELINES = json.dumps({"tests.faulty_components.OpenFailsPipeline": 100,
                        "pipelines.write_jsonl.WriteJsonlPipeline": 850})


START_FAULTS = {
    "near_threshold_out_of_range": (None, ("-s", "NEWSCRAWL_DEDUP_NEAR_THRESHOLD=2"), ("franceinfo",),
                                    "NEWSCRAWL_DEDUP_NEAR_THRESHOLD must be in (0, 1]"),
    "corrupt_state_all_sites": (garbage_state, (), ("--all",), "not a usable SQLite database"),
    "truncated_state": (truncated_state, (), ("franceinfo",), "dedup state"),
    "component_fails_opening_all_sites": (None, ("-s", f"ITEM_PIPELINES={PIPELINES}"), ("--all",),
                                          "RuntimeError: the archive of this pipeline cannot be opened"),
}


@pytest.mark.parametrize("fault", sorted(START_FAULTS))
def test_a_crawler_that_fails_to_start_exits_3_and_releases_the_lock(fault, tmp_path):
    prepare, extra, sites, reason = START_FAULTS[fault]
    if prepare:
        prepare(tmp_path)
    with LocalSite(site_pages(2)) as site:
        result = run_crawl(site.base, tmp_path, *extra, sites=sites, timeout=90)  # today: runs for ever
    assert result.returncode == 3, result.stderr[-3000:]
    assert reason in result.stderr
    assert "failed to start" in result.stderr
    assert_lock_free(tmp_path)
    m = manifest(tmp_path / "out")
    assert m["status"] == "failed"
    assert m["exit_code"] == 3
    assert any(reason in f for f in m["failures"])


def test_an_output_folder_that_cannot_be_created_exits_3_before_anything_runs(tmp_path):
    output_is_a_file(tmp_path)
    with LocalSite(site_pages(2)) as site:
        result = run_crawl(site.base, tmp_path, sites=("--all",))
        assert sum(site.hits.values()) == 0
    assert result.returncode == 3, result.stderr[-3000:]
    assert "configuration error: cannot create or lock" in result.stderr
    assert "out/lefigaro" in result.stderr
    assert "Traceback" not in result.stderr
    assert_lock_free(tmp_path)


# ------------------------------------------------------------------------------ SIGTERM
def test_sigterm_during_a_download_that_never_ends_stops_within_the_grace(tmp_path):
    pages = site_pages(3)
    endless = article_path(2)
    pages[endless] = Page(pages[endless].body, delay=600)  # answers in 10 minutes
    out = tmp_path / "out"
    with LocalSite(pages) as site:
        proc = subprocess.Popen(
            crawl_cmd(site.base, tmp_path, "-s", "DOWNLOAD_TIMEOUT=600", "-s", "NEWSCRAWL_STOP_GRACE=1"),
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        try:
            deadline = time.monotonic() + 60
            while not (site.hits.get(endless) and len(jsonl_lines(out)) == 2):
                assert proc.poll() is None, proc.communicate()[1][-3000:]
                assert time.monotonic() < deadline, "the crawl did not reach the endless page"
                time.sleep(0.05)
            proc.send_signal(signal.SIGTERM)
            try:
                _, stderr = proc.communicate(timeout=60)  # a hang detector: today it waits 600 s
            except subprocess.TimeoutExpired:
                proc.kill()
                _, stderr = proc.communicate()
                raise AssertionError(f"still running 60 s after SIGTERM:\n{stderr[-3000:]}") from None
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert proc.returncode == 1, stderr[-3000:]
    assert "of downloads still in flight 1.0 s after the stop" in stderr
    m = manifest(out)
    assert m["status"] == "interrupted"
    assert m["exit_code"] == 1
    assert len(records(out)) == 2  # what was collected is written
    assert_lock_free(tmp_path)


# ------------------------------------------------------------------------------ killed run
def test_a_killed_runs_manifest_is_marked_killed_by_the_next_run(tmp_path):
    out = tmp_path / "out"
    with LocalSite(site_pages(4)) as site:
        proc = subprocess.Popen(crawl_cmd(site.base, tmp_path, "-s", "DOWNLOAD_DELAY=0.3"), cwd=ROOT,
                                env={**os.environ, "PYTHONPATH": str(ROOT)},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 40
            while not list((out / "runs").glob("*.json")):
                assert time.monotonic() < deadline
                assert proc.poll() is None
                time.sleep(0.05)
            proc.kill()
        finally:
            proc.kill()
            proc.wait()
        [killed_path] = (out / "runs").glob("*.json")
        assert json.loads(killed_path.read_text())["status"] == "running"
        again = run_crawl(site.base, tmp_path)
    assert again.returncode == 0, again.stderr[-3000:]
    killed = json.loads(killed_path.read_text())
    assert killed["status"] == "killed"
    latest = manifest(out)
    assert latest["run_id"] != killed["run_id"]
    assert latest["marked_killed"] == [killed["run_id"]]
    assert killed["killed_noticed_by"] == latest["run_id"]
    assert f"Run {killed['run_id']} (pid {proc.pid}) never finished" in again.stderr


# ------------------------------------------------------------------------------ time limit
def test_run_timeout_stops_cleanly_writes_what_it_has_and_exits_1(tmp_path):
    out = tmp_path / "out"
    pages = site_pages(4)
    fast = dict(pages)
    for i in (1, 2, 3):  # answer in 10 minutes: only the time limit ends this run
        pages[article_path(i)] = Page(pages[article_path(i)].body, delay=600)
    with LocalSite(pages) as site:
        result = run_crawl(site.base, tmp_path, "-s", "NEWSCRAWL_RUN_TIMEOUT=5s", "-s", "DOWNLOAD_TIMEOUT=600",
                           "-s", "NEWSCRAWL_STOP_GRACE=0.5", timeout=90)  # a hang detector: today it waits 600 s
        assert result.returncode == 1, result.stderr[-3000:]
        assert len(records(out)) == 1  # what it had collected is written
        m = manifest(out)
        assert m["status"] == "timeout"
        assert m["exit_code"] == 1
        assert "NEWSCRAWL_RUN_TIMEOUT (5s) was reached" in m["stop_reason"]
        assert any("time limit" in f for f in m["failures"])
        assert "time limit" in result.stdout  # the summary says why
        assert_lock_free(tmp_path)

        site.pages.update(fast)  # the server is quick again: the next run collects the rest
        rest = run_crawl(site.base, tmp_path, timeout=90)
        assert rest.returncode == 0, rest.stderr[-3000:]
    ids = [r["id"] for r in records(out)]
    assert len(ids) == len(set(ids)) == 4


@pytest.mark.parametrize("value", ["deux heures", "-5m"])
def test_a_bad_run_timeout_is_a_configuration_error(value, tmp_path):
    result = run_crawl("http://127.0.0.1:9", tmp_path, "-s", f"NEWSCRAWL_RUN_TIMEOUT={value}")
    assert result.returncode == 3
    assert "NEWSCRAWL_RUN_TIMEOUT" in result.stderr
