"""The one way newscrawl replaces a file: write a temporary file beside it, fsync, rename.

A reader (or a crash) never sees half a file; on any error the temporary file is removed and the
error raised, so nothing partial is left (a full disk leaves the old file as it was).
"""

from __future__ import annotations

import errno
import json
import logging
import os
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)


def errno_name(exc: OSError) -> str:
    """The symbolic name of an OSError's errno (``ENOSPC``), else its class name: the last part
    of the ``newscrawl/write_error/<writer>/<errno>`` stats."""
    return errno.errorcode.get(exc.errno or 0, type(exc).__name__)


def write_text_atomic(path: Path, content: str) -> None:
    """Replace ``path`` with ``content`` (UTF-8) through ``.<name>.tmp`` in the same folder."""
    tmp = path.with_name(f".{path.name}.tmp")
    data = memoryview(content.encode("utf-8"))
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            while data:  # os.write may write less than asked (a disk at its edge)
                data = data[os.write(fd, data):]
            os.fsync(fd)
        finally:
            os.close(fd)
        tmp.replace(path)
    except BaseException:
        try:
            tmp.unlink(missing_ok=True)
        except OSError as exc:
            logger.error("Cannot remove the partial file %(tmp)s: %(exc)s", {"tmp": tmp, "exc": exc})
        raise


def write_json_atomic(path: Path, data: dict[str, Any]) -> None:
    """Replace ``path`` with ``data`` as indented JSON (run manifests), its folder created."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n")
