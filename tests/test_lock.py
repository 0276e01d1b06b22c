"""The run lock: held -> exit 2 at once; a dead run's lock is taken over."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from newscrawl.localsite import LocalSite
from newscrawl.lock import LockHeld, RunLock, pid_alive, read_holder
from tests.cronsite import manifest, records, run_crawl, site_pages


def dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_second_holder_is_refused_with_the_holders_pid(tmp_path):
    path = tmp_path / "state" / "crawl.lock"
    with RunLock(path):
        holder = read_holder(path)
        assert holder["pid"] > 0
        with pytest.raises(LockHeld) as err:
            RunLock(path).acquire()
        assert str(holder["pid"]) in str(err.value)
        assert str(path) in str(err.value)
    # Released: the file stays (no unlink race) and can be taken again.
    assert path.exists()
    with RunLock(path) as again:
        assert again.held
        assert again.previous is None


def test_stale_lock_of_a_dead_pid_is_taken_over(tmp_path, caplog):
    path = tmp_path / "crawl.lock"
    pid = dead_pid()
    assert not pid_alive(pid)
    path.write_text(json.dumps({"pid": pid, "started": "2026-11-20T10:00:00+0000"}))
    with caplog.at_level("WARNING", logger="newscrawl.lock"), RunLock(path) as lock:
        assert lock.previous is not None
        assert lock.previous.pid == pid
        assert not lock.previous.alive
        assert read_holder(path)["pid"] != pid
    assert f"left by pid {pid}" in caplog.text


def test_lock_dies_with_its_process(tmp_path):
    """kill -9 of the holder frees the lock (flock is released by the kernel)."""
    path = tmp_path / "crawl.lock"
    code = (f"import time; from newscrawl.lock import RunLock; RunLock({str(path)!r}).acquire(); "
            "print('locked', flush=True); time.sleep(60)")
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "locked"
        with pytest.raises(LockHeld):
            RunLock(path).acquire()
    finally:
        proc.kill()
        proc.wait()
    with RunLock(path) as lock:
        assert lock.previous is not None
        assert lock.previous.pid == proc.pid


@pytest.mark.e2e
def test_crawl_exits_2_at_once_while_another_run_holds_the_lock(tmp_path):
    with LocalSite(site_pages(2)) as site, RunLock(tmp_path / "state" / "crawl.lock"):
        started = time.monotonic()
        result = run_crawl(site.base, tmp_path)
        elapsed = time.monotonic() - started
        assert result.returncode == 2, result.stderr[-2000:]
        assert "holds the lock" in result.stderr
        assert sum(site.hits.values()) == 0  # nothing fetched
    assert not (tmp_path / "out").exists()  # no manifest, no output
    assert elapsed < 30  # "at once": no crawl, no wait on the lock (generous bound for a loaded CI)


@pytest.mark.e2e
def test_crawl_takes_over_a_stale_lock(tmp_path):
    pid = dead_pid()
    lock_path = tmp_path / "state" / "crawl.lock"
    lock_path.parent.mkdir(parents=True)
    lock_path.write_text(json.dumps({"pid": pid, "started": "2026-11-20T10:00:00+0000"}))
    with LocalSite(site_pages(2)) as site:
        result = run_crawl(site.base, tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f"stale lock {lock_path} left by pid {pid}" in result.stderr
    assert manifest(tmp_path / "out")["lock"]["took_over_pid"] == pid
    assert len(records(tmp_path / "out")) == 2
    assert read_holder(lock_path) == {}  # released at the end
