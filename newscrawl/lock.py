"""The run lock: one ``python -m newscrawl crawl`` at a time per state folder.

An exclusive ``flock`` on a lock file, which also holds the owner's pid and start time. The
kernel drops a flock when its process dies, however it dies (kill -9 included), so a lock file
left behind by a dead run is not locked: the next run takes it over and says so. A live
holder is never taken over, even when its pid cannot be read.
"""

from __future__ import annotations

import errno
import fcntl
import json
import logging
import os
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

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


class RunLock:
    """``with RunLock(path): ...``; ``acquire()`` raises :class:`LockHeld` at once if held.

    ``previous`` tells whether a stale lock (a dead run's) was taken over.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._fd: int | None = None
        self.previous: Previous | None = None

    def acquire(self) -> RunLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise LockHeld(self.path, read_holder(self.path)) from None
            raise
        old = read_holder(self.path)
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
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        # Keep the file (deleting it would race with a run opening it); empty it, then unlock.
        try:
            os.ftruncate(self._fd, 0)
        finally:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def __enter__(self) -> RunLock:
        return self.acquire()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.release()
