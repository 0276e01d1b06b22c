"""The run lock: one writer per state folder, per output folder and per records folder.

An exclusive ``flock`` on a lock file, which also holds the owner's pid and start time. The
kernel drops a flock when its process dies, however it dies (kill -9 included), so a lock file
left behind by a dead run is not locked: the next run takes it over and says so. A live
holder is never taken over, even when its pid cannot be read.

The lock also covers what is written: the run flocks each folder it writes to (the state
folder, each site's JSONL folder ``<output>/<site>`` and its text-records folder) through a
descriptor of the folder itself. A lock file deleted mid-run cannot release that (the folder
is still flocked), and two runs on one output folder with different state folders meet on the
site folders. ``scrapy crawl`` takes the same locks (:class:`WriterLockExtension`), so it
cannot write beside a running cron run either (the run's own crawlers do not lock again what
the run holds).
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import stat
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from newscrawl.defaults import get_bool, state_folder

logger = logging.getLogger(__name__)


class LockHeld(RuntimeError):
    """Another live process holds the lock."""

    def __init__(self, path: Path, holder: dict[str, object]) -> None:
        self.path = path
        self.holder = holder
        pid = holder.get("pid", "?")
        since = holder.get("started", "?")
        super().__init__(f"another run holds the lock {path} (pid {pid}, started {since})")


@dataclass
class Previous:
    """What the lock file said when we took it (a run that died without releasing it)."""

    pid: int | None
    started: str | None
    alive: bool


def pid_alive(pid: int) -> bool:
    """True when a process with this pid exists (ours to signal or not)."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def read_holder(path: Path) -> dict[str, object]:
    """The lock file's content (``{"pid": ..., "started": ...}``), ``{}`` when unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _holder_of(fd: int) -> dict[str, object]:
    """The content of the lock file open on ``fd`` (not re-opened by path: it is the file locked)."""
    try:
        data = json.loads(os.pread(fd, 4096, 0).decode("utf-8") or "{}")
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


class FolderBusy(LockHeld):
    """Another live process writes to this folder (holds its flock)."""

    def __init__(self, path: Path, pid: int | None) -> None:
        self.path = path
        self.holder = {"pid": pid} if pid else {}
        RuntimeError.__init__(self, f"another run holds the lock {path}: pid {pid or '?'} writes to this folder")


# Locks held by this process: real path -> descriptor. Not re-entrant (a second holder in the
# process is refused like another process), but known: WriterLockExtension does not lock again
# what the run holds for its crawlers.
_HELD: dict[str, int] = {}


def flock_holder(path: Path) -> int | None:
    """The pid holding a flock on ``path``, from /proc/locks (Linux; None when unknown)."""
    try:
        st = os.stat(path)
        wanted = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
        with open("/proc/locks", encoding="ascii") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) >= 6 and parts[1] == "FLOCK" and parts[5] == wanted:
                    return int(parts[4])
    except (OSError, ValueError):
        return None
    return None


def lock_folder(path: str | Path, shared: bool = False) -> str:
    """Flock the folder ``path`` (created if needed) for this process, exclusively unless
    ``shared``; its key for :func:`unlock_folder`. Raises :class:`FolderBusy` at once when
    another process holds it (exclusively, or at all for an exclusive lock)."""
    folder = Path(path)
    folder.mkdir(parents=True, exist_ok=True)
    key = os.path.realpath(folder)
    if key in _HELD:
        raise FolderBusy(Path(key), os.getpid())
    fd = os.open(key, os.O_RDONLY | os.O_DIRECTORY)
    try:
        fcntl.flock(fd, (fcntl.LOCK_SH if shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
    except OSError as exc:
        os.close(fd)
        if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
            raise FolderBusy(Path(key), flock_holder(Path(key))) from None
        raise
    # A folder that exists but cannot be written (a read-only mount, no permission) fails the
    # run at start, not after every article was fetched for nothing.
    try:
        tempfile.TemporaryFile(dir=key).close()  # O_TMPFILE: no name is ever seen in the folder
    except OSError as exc:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
        raise OSError(exc.errno, f"cannot write in this folder ({exc.strerror})", key) from None
    _HELD[key] = fd
    return key


def unlock_folder(key: str) -> None:
    fd = _HELD.pop(key, None)
    if fd is None:
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def writer_folders(settings: Any, site: str) -> list[Path]:
    """The folders a crawler of ``site`` writes to, from its settings: the state folder (when
    dedup is on), ``<NEWSCRAWL_OUTPUT_DIR>/<site>`` and NEWSCRAWL_RECORDS_DIR (when set)."""
    folders = []
    if get_bool(settings, "NEWSCRAWL_DEDUP_ENABLED"):
        folders.append(state_folder(settings))
    if settings.get("NEWSCRAWL_OUTPUT_DIR"):
        folders.append(Path(str(settings.get("NEWSCRAWL_OUTPUT_DIR"))) / site)
    if settings.get("NEWSCRAWL_RECORDS_DIR"):
        folders.append(Path(str(settings.get("NEWSCRAWL_RECORDS_DIR"))))
    return folders


def open_lock_file(path: Path) -> int:
    """A read-write descriptor on the lock file ``path`` (created if needed), which must be a
    regular file: a FIFO put in its place would block the open (a run hanging for ever before
    it starts), a symbolic link would make the run truncate and write whatever file it points
    to, a device or socket is no lock either. Raises OSError (a configuration error: exit 3)."""
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OSError(errno.ELOOP, "a symbolic link, not a regular file (remove it)", str(path)) from None
        raise
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):
        os.close(fd)
        raise OSError(errno.EINVAL, "not a regular file (a FIFO, socket or device: remove it)", str(path))
    os.set_blocking(fd, True)
    return fd


class RunLock:
    """``with RunLock(path): ...``; ``acquire()`` raises :class:`LockHeld` at once if held.

    ``folders``: the folders written under this lock, flocked too (:func:`lock_folder`).
    ``shared``: the lock file and the ``shared_folders`` are locked shared (several ``scrapy
    crawl`` may share a dedup state, never with a ``python -m newscrawl crawl`` run, which
    locks everything exclusively). ``previous`` tells whether a stale lock (a dead run's) was
    taken over.
    """

    def __init__(self, path: str | Path, folders: Iterable[str | Path] = (), shared: bool = False,
                 shared_folders: Iterable[str | Path] = ()) -> None:
        self.path = Path(path)
        self.folders = [Path(f) for f in folders]
        self.shared = shared
        self.shared_folders = {os.path.realpath(f) for f in shared_folders}
        self._fd: int | None = None
        self._key: str | None = None
        self._folder_keys: list[str] = []
        self.previous: Previous | None = None

    def acquire(self) -> RunLock:
        self._acquire_file()
        try:
            for folder in self.folders:
                if os.path.realpath(folder) in self._folder_keys:  # one folder named twice (a link, ./x, /abs/x)
                    continue
                self._folder_keys.append(lock_folder(folder, shared=os.path.realpath(folder) in self.shared_folders))
        except BaseException:
            self.release()
            raise
        return self

    def _acquire_file(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        key = os.path.realpath(self.path)
        if key in _HELD:  # held by this process, through another RunLock
            raise LockHeld(self.path, read_holder(self.path))
        fd = open_lock_file(self.path)
        try:
            fcntl.flock(fd, (fcntl.LOCK_SH if self.shared else fcntl.LOCK_EX) | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                holder = read_holder(self.path) or {"pid": flock_holder(self.path) or "?"}
                raise LockHeld(self.path, holder) from None
            raise
        if self.shared:  # other holders may share it: the file's content is not ours to change
            self._fd, self._key = fd, key
            _HELD[key] = fd
            return
        old = _holder_of(fd)
        if old.get("pid"):
            pid = old["pid"] if isinstance(old["pid"], int) else None
            self.previous = Previous(pid=pid, started=str(old.get("started") or "") or None,
                                     alive=pid_alive(pid) if pid else False)
            logger.warning(
                "Taking over a stale lock %(path)s left by pid %(pid)s (started %(started)s, %(state)s)",
                {"path": self.path, "pid": pid, "started": old.get("started"),
                 "state": "process gone" if not self.previous.alive else "pid reused by another process"},
            )
        content = json.dumps({"pid": os.getpid(), "started": time.strftime("%Y-%m-%dT%H:%M:%S%z")})
        os.ftruncate(fd, 0)
        os.pwrite(fd, content.encode("utf-8"), 0)
        os.fsync(fd)
        self._fd = fd
        self._key = key
        _HELD[key] = fd

    def release(self) -> None:
        for key in reversed(self._folder_keys):
            unlock_folder(key)
        self._folder_keys = []
        if self._fd is None or self._key is None:
            return
        fd, key = self._fd, self._key
        self._fd = self._key = None
        _HELD.pop(key, None)
        # Keep the file (deleting it would race with a run opening it); empty it, then unlock.
        try:
            if not self.shared:
                os.ftruncate(fd, 0)
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)
            os.close(fd)

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()


class WriterLockExtension:
    """Any crawler (``scrapy crawl`` included) takes the run lock of its state folder and the
    folder locks of what it writes (:func:`writer_folders`) before any component opens them:
    shared for the lock file and the state folder (several ``scrapy crawl`` may share a dedup
    state, as the SQLite store allows), exclusive for its JSONL and records folders (two writers
    there would reuse NNN numbers and repeat lines);
    held by another process, the crawler fails to start with a clear error (``scrapy crawl``
    exits 1; ``python -m newscrawl crawl`` already holds them, so its crawlers go on). Released
    when the engine stops.

    Settings read: NEWSCRAWL_WRITER_LOCK (False: no lock; the crawl command's --dry-run, which
    writes nothing), NEWSCRAWL_STATE_DIR, NEWSCRAWL_LOCK_FILE, NEWSCRAWL_OUTPUT_DIR,
    NEWSCRAWL_RECORDS_DIR, NEWSCRAWL_DEDUP_ENABLED.
    """

    def __init__(self, lock: RunLock) -> None:
        self.lock = lock

    @classmethod
    def from_crawler(cls, crawler: Any) -> WriterLockExtension:
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        settings = crawler.settings
        if not get_bool(settings, "NEWSCRAWL_WRITER_LOCK"):
            raise NotConfigured("NEWSCRAWL_WRITER_LOCK is off")
        folders = writer_folders(settings, getattr(crawler.spidercls, "name", None) or "crawl")
        if not folders:
            raise NotConfigured("this crawler writes no state, output or records")
        state_dir = state_folder(settings)
        lock_path = Path(str(settings.get("NEWSCRAWL_LOCK_FILE") or state_dir / "crawl.lock"))
        if all(os.path.realpath(p) in _HELD for p in (lock_path, *folders)):
            raise NotConfigured("this process holds the locks already (python -m newscrawl crawl)")
        state = [f for f in folders if f == state_folder(settings)]
        lock = RunLock(lock_path, folders, shared=True, shared_folders=state)
        try:
            lock.acquire()
        except LockHeld as exc:
            logger.error("Not crawling: %(exc)s", {"exc": exc})
            raise
        ext = cls(lock)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def engine_stopped(self) -> None:
        self.lock.release()
