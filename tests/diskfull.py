"""``python tests/diskfull.py crawl ...``: ``python -m newscrawl`` on a disk that fills up.

A test helper, run as a real crawl subprocess. NEWSCRAWL_TEST_DISKFULL='{"match": "...",
"whole": N}': writes (os.write) to files whose path contains ``match`` succeed N times; the
next one writes half its bytes (a short write, as at the edge of a full disk) and every later
one fails with ENOSPC; ``os.fsync`` of those files succeeds N times, then fails with ENOSPC
(what a buffered writer meets). Other files (dedup state, manifest) are not affected.
"""

from __future__ import annotations

import errno
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def install(match: str, whole: int) -> None:
    real_write, real_fsync = os.write, os.fsync
    calls = {"n": 0, "fsync": 0}

    def matches(fd: int) -> bool:
        try:
            return match in os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            return False

    def fsync(fd: int) -> None:
        if matches(fd):
            calls["fsync"] += 1
            if calls["fsync"] > whole:
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real_fsync(fd)

    def write(fd: int, data: bytes) -> int:
        if not matches(fd):
            return real_write(fd, data)
        calls["n"] += 1
        if calls["n"] <= whole:
            return real_write(fd, data)
        if calls["n"] == whole + 1 and len(data) > 1:
            return real_write(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    os.write = write
    os.fsync = fsync


if __name__ == "__main__":
    config = json.loads(os.environ["NEWSCRAWL_TEST_DISKFULL"])
    install(config["match"], int(config["whole"]))
    sys.path.insert(0, str(ROOT))
    from newscrawl.__main__ import main

    sys.exit(main(sys.argv[1:]))
