"""Issue 12, one writer per output: the lock covers what is written (state folder, each site's
JSONL folder, its text records), not only a lock file. Real crawl subprocesses: a second run on
the same output with another state folder, a ``scrapy crawl`` on a running cron run's state
and records, and a run started after the lock file was deleted mid-run are all refused at once,
and the cron run's output has every record once, with no NNN number reused."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from newscrawl.localsite import LocalSite
from tests.cronsite import ROOT, crawl_cmd, jsonl_lines, manifest, run_crawl, site_pages

pytestmark = pytest.mark.e2e
N = 6


def start_slow_run(site_url, tmp_path):
    """A cron run writing one article about every 0.4 s; returns once it has written one."""
    proc = subprocess.Popen(crawl_cmd(site_url, tmp_path, "-s", "DOWNLOAD_DELAY=0.4"), cwd=ROOT,
                            env={**os.environ, "PYTHONPATH": str(ROOT)},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while not jsonl_lines(tmp_path / "out"):
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise AssertionError("the cron run wrote nothing:\n" + proc.communicate()[1][-3000:])
        time.sleep(0.05)
    return proc


def finish(proc):
    try:
        out, err = proc.communicate(timeout=120)
    except subprocess.TimeoutExpired:
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"the cron run did not end:\n{err[-3000:]}") from None
    assert proc.returncode == 0, err[-3000:]
    return out, err


def check_cron_output(out):
    ids = [json.loads(line)["id"] for line in jsonl_lines(out)]
    assert len(ids) == len(set(ids)) == N  # every article once: none lost, none twice
    texts = sorted(p.name for p in (out / "franceinfo" / "text").iterdir())
    assert [name.split("_")[0] for name in texts] == [f"{i:03d}" for i in range(N)]  # no NNN reused
    assert sorted(name.split("_", 1)[1].removesuffix(".txt") for name in texts) == sorted(ids)


def test_a_second_run_on_the_same_output_with_another_state_folder_is_refused(tmp_path):
    with LocalSite(site_pages(N, delay=0.3)) as site:
        cron = start_slow_run(site.base, tmp_path)
        try:
            other = run_crawl(site.base, tmp_path, "-s", f"NEWSCRAWL_STATE_DIR={tmp_path / 'other-state'}")
        finally:
            finish(cron)
    assert other.returncode == 2, other.stderr[-3000:]
    assert f"{tmp_path / 'out' / 'franceinfo'}: pid {cron.pid} writes to this folder" in other.stderr
    check_cron_output(tmp_path / "out")
    assert manifest(tmp_path / "out")["status"] == "finished"


def test_scrapy_crawl_on_the_state_and_records_of_a_running_cron_run_is_refused(tmp_path):
    with LocalSite(site_pages(N, delay=0.3)) as site:
        cron = start_slow_run(site.base, tmp_path)
        try:
            manual = subprocess.run(
                [sys.executable, "-m", "scrapy", "crawl", "franceinfo", "-a", f"start_urls={site.base}/titres.rss",
                 "-s", f"NEWSCRAWL_STATE_DIR={tmp_path / 'state'}",
                 "-s", f"NEWSCRAWL_RECORDS_DIR={tmp_path / 'out' / 'franceinfo' / 'text'}",
                 "-s", "DOWNLOAD_DELAY=0", "-s", "LOG_LEVEL=INFO"],
                cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120,
                check=False)
        finally:
            finish(cron)
    assert manual.returncode != 0, manual.stderr[-3000:]
    assert "Not crawling: another run holds the lock" in manual.stderr
    assert f"(pid {cron.pid}" in manual.stderr
    check_cron_output(tmp_path / "out")


def test_a_lock_file_deleted_mid_run_does_not_let_a_second_run_in(tmp_path):
    with LocalSite(site_pages(N, delay=0.3)) as site:
        cron = start_slow_run(site.base, tmp_path)
        try:
            (tmp_path / "state" / "crawl.lock").unlink()
            second = run_crawl(site.base, tmp_path)
        finally:
            finish(cron)
    assert second.returncode == 2, second.stderr[-3000:]
    assert f"pid {cron.pid} writes to this folder" in second.stderr
    check_cron_output(tmp_path / "out")
    assert len(list((tmp_path / "out" / "runs").glob("*.json"))) == 1  # the refused run wrote nothing


def scrapy_crawl(site_url, tmp_path, records, *extra):
    return [sys.executable, "-m", "scrapy", "crawl", "franceinfo", "-a", f"start_urls={site_url}/titres.rss",
            "-s", f"NEWSCRAWL_STATE_DIR={tmp_path / 'state'}", "-s", f"NEWSCRAWL_RECORDS_DIR={records}",
            "-s", "LOG_LEVEL=INFO", "-s", "AUTOTHROTTLE_ENABLED=0", *extra]


def test_two_scrapy_crawls_may_share_a_state_but_not_a_records_folder(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    records = tmp_path / "records"
    with LocalSite(site_pages(N, delay=0.3)) as site:
        first = subprocess.Popen(scrapy_crawl(site.base, tmp_path, records, "-s", "DOWNLOAD_DELAY=0.4"),
                                 cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            deadline = time.monotonic() + 60
            while not any(records.glob("*.txt")):
                assert first.poll() is None, first.communicate()[1][-3000:]
                assert time.monotonic() < deadline, "the first crawl wrote nothing"
                time.sleep(0.05)
            same_folder = subprocess.run(scrapy_crawl(site.base, tmp_path, records, "-s", "DOWNLOAD_DELAY=0"),
                                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
            own_folder = subprocess.run(scrapy_crawl(site.base, tmp_path, tmp_path / "records-2", "-s", "DOWNLOAD_DELAY=0"),
                                        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)
        finally:
            _, err = first.communicate(timeout=120)
    assert first.returncode == 0, err[-3000:]
    assert same_folder.returncode != 0, same_folder.stderr[-3000:]
    assert f"{records}: pid {first.pid} writes to this folder" in same_folder.stderr
    assert own_folder.returncode == 0, own_folder.stderr[-3000:]  # a shared dedup state is allowed
    names = sorted(p.name for p in records.iterdir())
    assert [name.split("_")[0] for name in names] == [f"{i:03d}" for i in range(len(names))]  # no NNN reused
    assert len({name.split("_", 1)[1] for name in names}) == len(names)


def test_a_dry_run_still_lists_beside_a_running_cron_run(tmp_path):
    """Not a bug of today's code: a guard that the writers' lock leaves --dry-run (which writes
    nothing) free to run while a cron run holds the locks."""
    with LocalSite(site_pages(N, delay=0.3)) as site:
        cron = start_slow_run(site.base, tmp_path)
        try:
            dry = run_crawl(site.base, tmp_path, "--dry-run")
        finally:
            finish(cron)
    assert dry.returncode == 0, dry.stderr[-3000:]
    assert "article URL(s) would be fetched" in dry.stdout
    check_cron_output(tmp_path / "out")
