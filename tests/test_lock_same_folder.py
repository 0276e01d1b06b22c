"""One folder named twice by a run (``--output out`` and ``-s NEWSCRAWL_RECORDS_DIR=/abs/out/site``,
or through a symbolic link) is one folder to lock: the run must not find itself holding it and
exit 2 as if another run wrote there."""

from __future__ import annotations

from newscrawl.lock import RunLock


def test_a_folder_named_twice_is_locked_once(tmp_path, monkeypatch):
    (tmp_path / "out" / "site").mkdir(parents=True)
    (tmp_path / "link").symlink_to(tmp_path / "out")
    monkeypatch.chdir(tmp_path)
    folders = ["out/site", tmp_path / "out" / "site", tmp_path / "link" / "site"]
    with RunLock(tmp_path / "state" / "crawl.lock", folders) as lock:
        assert lock.held
    again = RunLock(tmp_path / "state" / "crawl.lock", folders).acquire()  # all released
    again.release()
