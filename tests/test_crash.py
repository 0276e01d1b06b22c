"""Nothing lost, nothing twice: kill -9 in the middle of a run, then run again."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

import pytest

from newscrawl.localsite import LocalSite
from tests.cronsite import ROOT, crawl_cmd, jsonl_lines, run_crawl, site_pages

N = 8


@pytest.mark.e2e
def test_kill_9_mid_crawl_then_rerun_loses_nothing_and_writes_nothing_twice(tmp_path):
    out = tmp_path / "out"
    with LocalSite(site_pages(N)) as site:
        # One article every 0.3 s. (With DOWNLOAD_DELAY=0, Scrapy 2.19 does not hold
        # CONCURRENT_REQUESTS_PER_DOMAIN: its download loop drains the slot queue at once.)
        proc = subprocess.Popen(
            crawl_cmd(site.base, tmp_path, "-s", "DOWNLOAD_DELAY=0.3"),
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 40
            while len(jsonl_lines(out)) < 2:
                assert proc.poll() is None, "the crawl ended before it could be killed"
                assert time.monotonic() < deadline, "no record written in time"
                time.sleep(0.05)
            os.kill(proc.pid, signal.SIGKILL)
        finally:
            proc.kill()
            proc.wait()
        assert proc.returncode == -signal.SIGKILL
        killed_lines = jsonl_lines(out)
        assert 2 <= len(killed_lines) < N, "kill -9 came too late to test anything"
        for line in killed_lines:
            json.loads(line)  # every line is whole JSON, even right after the kill
        [manifest_path] = (out / "runs").glob("*.json")
        assert json.loads(manifest_path.read_text())["status"] == "running"  # a dead run is visible

        again = run_crawl(site.base, tmp_path)
        assert again.returncode == 0, again.stderr[-3000:]
        assert "Taking over a stale lock" in again.stderr

    lines = jsonl_lines(out)
    ids = [json.loads(line)["id"] for line in lines]  # all valid JSON
    assert len(ids) == N, f"{len(ids)} records for {N} articles"  # none lost, none twice
    assert len(set(ids)) == N
    assert lines[: len(killed_lines)] == killed_lines  # what was written stays as it was
    texts = sorted((out / "franceinfo" / "text").iterdir())
    assert len({p.name.split("_", 1)[1] for p in texts}) == len(texts) == N
