"""Issue 12: a run that could not write what it collected says so. A disk that fills up under
the JSONL output or the text records: the record being written is rolled back whole, the
article is not marked seen, the run exits 1 with the write errors in its summary, checks and
manifest, and the next run collects what was lost. Real crawl subprocesses; the full disk is
injected by tests/diskfull.py (ENOSPC after a short write)."""

from __future__ import annotations

import json
import os
import subprocess

import pytest

from newscrawl.localsite import LocalSite
from tests.cronsite import ROOT, article_hits, crawl_cmd, jsonl_lines, manifest, run_crawl, site_pages

pytestmark = pytest.mark.e2e
N = 4


def run_on_full_disk(site_url, tmp_path, match, whole=1):
    """A crawl whose writes to files matching ``match`` fail after ``whole`` of them (tests/diskfull.py)."""
    cmd = crawl_cmd(site_url, tmp_path, "-s", "CONCURRENT_REQUESTS=1")
    assert cmd[1:3] == ["-m", "newscrawl"]
    cmd[1:3] = [str(ROOT / "tests" / "diskfull.py")]
    env = {**os.environ, "PYTHONPATH": str(ROOT),
           "NEWSCRAWL_TEST_DISKFULL": json.dumps({"match": match, "whole": whole})}
    return subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False)


def check_failed_run(result, out, writer):
    assert result.returncode == 1, result.stderr[-3000:]
    assert "FAIL write_errors" in result.stdout  # the summary table
    assert f"franceinfo: {N - 1} record(s) could not be written ({writer}/ENOSPC {N - 1})" in result.stdout
    m = manifest(out)
    assert m["status"] == "failed"
    assert m["exit_code"] == 1
    entry = m["sites_report"]["franceinfo"]
    assert entry["counts"]["write_errors"] == {f"{writer}/ENOSPC": N - 1}
    assert [c["check"] for c in entry["checks"] if not c["ok"]] == ["write_errors"]
    assert "Cannot write" in result.stderr
    assert "not marked seen" in result.stderr


def check_next_run_collects_the_rest(site, tmp_path, out):
    hits = article_hits(site)
    again = run_crawl(site.base, tmp_path)
    assert again.returncode == 0, again.stderr[-3000:]
    assert article_hits(site) == hits + N - 1  # the lost articles were not marked seen
    lines = jsonl_lines(out)
    ids = [json.loads(line)["id"] for line in lines]  # every line is whole JSON
    assert len(ids) == len(set(ids)) == N
    texts = sorted(p.name for p in (out / "franceinfo" / "text").iterdir())
    assert [name.split("_")[0] for name in texts] == [f"{i:03d}" for i in range(N)]  # no number reused or skipped
    assert len({name.split("_", 1)[1] for name in texts}) == N


def test_full_disk_under_the_jsonl_output_rolls_back_the_torn_line_and_exits_1(tmp_path):
    out = tmp_path / "out"
    with LocalSite(site_pages(N)) as site:
        result = run_on_full_disk(site.base, tmp_path, match=".jsonl")
        check_failed_run(result, out, "jsonl")
        [path] = (out / "franceinfo").glob("*.jsonl")
        raw = path.read_bytes()
        assert raw.endswith(b"\n")  # truncated to its last complete line
        assert len(raw.splitlines()) == 1
        json.loads(raw)
        check_next_run_collects_the_rest(site, tmp_path, out)


def test_full_disk_under_the_text_records_leaves_no_partial_record_and_exits_1(tmp_path):
    out = tmp_path / "out"
    with LocalSite(site_pages(N)) as site:
        result = run_on_full_disk(site.base, tmp_path, match="/text/")
        check_failed_run(result, out, "records")
        assert [p.name for p in (out / "franceinfo" / "text").iterdir() if not p.name.startswith("000_")] == []
        assert len(jsonl_lines(out)) == 1  # an article whose text record failed is not in the JSONL either
        check_next_run_collects_the_rest(site, tmp_path, out)


def test_a_manifest_that_cannot_be_written_fails_the_run_without_a_traceback(tmp_path):
    out = tmp_path / "out"
    with LocalSite(site_pages(2)) as site:
        result = run_on_full_disk(site.base, tmp_path, match="/runs/")  # the start manifest fits, not the last
    assert result.returncode == 1, result.stderr[-3000:]
    assert "FAILED: cannot write the manifest" in result.stdout
    assert "Traceback" not in result.stderr
    assert [p.name for p in (out / "runs").iterdir() if p.name.startswith(".")] == []  # no partial file
    assert len(jsonl_lines(out)) == 2  # the records themselves were written
