"""WriteJsonlPipeline: dated JSONL output, ``<NEWSCRAWL_OUTPUT_DIR>/<site>/<YYYY-MM-DD>.jsonl``.

Crash-safe and idempotent, so that "nothing lost, nothing twice" holds across a kill -9:

* each record is one line appended with a single ``write()`` on an ``O_APPEND`` descriptor,
  then ``fsync``-ed, before the item goes on to the MarkSeen pipeline (900) that records it
  in the dedup state: a record is on disk before the state says "seen";
* a line that cannot be written whole (a full disk: ENOSPC, an I/O error) is rolled back, the
  file truncated to its size before the write, and the item is dropped as WriteFailed: it
  never reaches MarkSeen, so the next run collects it; the run counts it as a failure;
* at open, the site's most recent files are checked: a torn last line (the process died
  mid-write) is cut off, and the ids already written are loaded. A page fetched again because
  the previous run died between the write and the state update is therefore not written twice
  (the item still goes on, so the state catches up).

``<site>`` is the spider's name; ``<YYYY-MM-DD>`` is the UTC day of the record's ``crawled_at``.
"""

from __future__ import annotations

import errno
import json
import logging
import os
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from scrapy.exceptions import NotConfigured

from newscrawl.atomic import errno_name
from newscrawl.defaults import get_bool
from newscrawl.exceptions import WriteFailed, WriteRefused
from newscrawl.items import COVERAGE_FIELDS
from newscrawl.memo import compact_key
from newscrawl.text.urls import canonical_url

logger = logging.getLogger(__name__)

_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DAY_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.jsonl$")
RECOVER_FILES = 2
"""How many of the most recent dated files are scanned at open (the last run wrote in them)."""


def record_key(record: dict[str, Any]) -> int:
    """What makes a line a repeat: the same article (id) in the same version (modified); held as
    the ``compact_key`` of ``<id>|<modified>`` (the writer keeps one per record of the run)."""
    return compact_key(f"{record.get('id') or record.get('url')}|{record.get('modified') or ''}")


def page_key(record: dict[str, Any]) -> int:
    """``record_key`` plus the page fetched: tells a page written again after a crash (same page)
    from another page claiming the same record id (a shared canonical URL)."""
    return compact_key(f"{record.get('id') or record.get('url')}|{record.get('modified') or ''}|"
                       f"{canonical_url(str(record.get('url') or ''))}")


def record_day(record: dict[str, Any]) -> str:
    day = str(record.get("crawled_at") or "")[:10]
    return day if _DAY.match(day) else datetime.now(UTC).strftime("%Y-%m-%d")


def repair_tail(path: Path) -> int:
    """Cut a torn last line (no final newline) off ``path``; the number of bytes removed."""
    size = path.stat().st_size
    if size == 0:
        return 0
    with path.open("r+b") as fh:
        fh.seek(size - 1)
        if fh.read(1) == b"\n":
            return 0
        # Walk back to the last newline, a block at a time.
        end = size
        keep = 0
        while end > 0:
            start = max(0, end - 65536)
            fh.seek(start)
            block = fh.read(end - start)
            nl = block.rfind(b"\n")
            if nl >= 0:
                keep = start + nl + 1
                break
            end = start
        fh.truncate(keep)
        fh.flush()
        os.fsync(fh.fileno())
    return size - keep


def read_keys(path: Path, pages: set[int] | None = None) -> tuple[set[int], int]:
    """The record keys of a JSONL file and the number of lines that are not JSON records
    (``pages``, when given, gets the ``page_key`` of each record)."""
    keys: set[int] = set()
    bad = 0
    with path.open("rb") as fh:
        for raw in fh:
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except ValueError:
                bad += 1
                continue
            if isinstance(record, dict):
                keys.add(record_key(record))
                if pages is not None:
                    pages.add(page_key(record))
            else:
                bad += 1
    return keys, bad


class WriteError(OSError):
    """A record could not be written whole; what was written of it was rolled back, unless
    ``torn`` (the rollback failed too: the file is not written to again this run, the next
    run's repair_tail cuts the torn line)."""

    def __init__(self, path: Path, cause: OSError, torn: bool = False) -> None:
        super().__init__(cause.errno, f"{path}: {cause.strerror or cause}" + (" (rollback failed)" if torn else ""))
        self.path = path
        self.cause = cause
        self.torn = torn


class DatedJsonlWriter:
    """The dated JSONL files of one site's folder."""

    def __init__(self, folder: Path, fsync: bool = True, recover_files: int = RECOVER_FILES) -> None:
        self.folder = folder
        self.fsync = fsync
        self.keys: set[int] = set()
        """``record_key`` of every record written, or found at open in the recent files."""
        self.pages: set[int] = set()
        """``page_key`` of the same records: which page each was written for."""
        self.written_paths: set[Path] = set()
        self.repaired: dict[Path, int] = {}
        self.bad_lines = 0
        self.torn: set[Path] = set()
        """Files whose failed write could not be rolled back: not written to again."""
        self._fds: dict[Path, int] = {}
        folder.mkdir(parents=True, exist_ok=True)
        self._recover(recover_files)

    def dated_files(self) -> list[Path]:
        return sorted(p for p in self.folder.iterdir() if p.is_file() and _DAY_FILE.match(p.name))

    def _recover(self, count: int) -> None:
        for path in self.dated_files()[-count:] if count > 0 else []:
            removed = repair_tail(path)
            if removed:
                self.repaired[path] = removed
                logger.warning("Cut a torn last line (%(n)d bytes) off %(path)s: an earlier run died mid-write",
                               {"n": removed, "path": path})
            keys, bad = read_keys(path, self.pages)
            if bad:
                logger.warning("%(path)s has %(bad)d line(s) that are not JSON records", {"path": path, "bad": bad})
            self.bad_lines += bad
            self.keys |= keys

    def _fd(self, path: Path) -> int:
        fd = self._fds.get(path)
        if fd is None:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
            self._fds[path] = fd
        return fd

    def holds_page(self, record: dict[str, Any]) -> bool:
        """Whether the record already written under ``record``'s key is for the same page."""
        return page_key(record) in self.pages

    def write(self, record: dict[str, Any]) -> Path | None:
        """Append ``record``; None (nothing written) when the same record is already there."""
        key = record_key(record)
        if key in self.keys:
            return None
        path = self.folder / f"{record_day(record)}.jsonl"
        line = (json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
        if path in self.torn:
            raise WriteError(path, OSError(errno.EIO, "an earlier failed write could not be rolled back"), torn=True)
        try:
            fd = self._fd(path)
            size = os.fstat(fd).st_size
        except OSError as exc:
            raise WriteError(path, exc) from exc
        view = memoryview(line)
        try:
            while view:  # one write() in practice; a short write is finished, never interleaved (one writer)
                n = os.write(fd, view)
                view = view[n:]
            if self.fsync:
                os.fsync(fd)
        except OSError as exc:
            raise self._rollback(path, fd, size, exc) from exc
        self.keys.add(key)
        self.pages.add(page_key(record))
        self.written_paths.add(path)
        return path

    def _rollback(self, path: Path, fd: int, size: int, exc: OSError) -> WriteError:
        """Truncate ``path`` back to ``size`` (its last complete line) after a failed write."""
        try:
            os.ftruncate(fd, size)
        except OSError as again:
            self.torn.add(path)
            logger.critical("Cannot roll back a failed write in %(path)s (%(exc)s): a torn line stays at its end "
                            "until the next run cuts it; nothing more is written to it this run",
                            {"path": path, "exc": again})
            return WriteError(path, exc, torn=True)
        if self.fsync:
            try:
                os.fsync(fd)
            except OSError as again:  # the file is whole as the kernel sees it; a crash now is repaired at open
                logger.warning("Rolled back %(path)s, but could not fsync it: %(exc)s", {"path": path, "exc": again})
        return WriteError(path, exc)

    def close(self) -> None:
        for fd in self._fds.values():
            os.close(fd)
        self._fds.clear()


class WriteJsonlPipeline:
    """Append each record to ``<NEWSCRAWL_OUTPUT_DIR>/<site>/<YYYY-MM-DD>.jsonl`` (see module doc).

    Settings read: NEWSCRAWL_OUTPUT_DIR ("" disables the pipeline), NEWSCRAWL_JSONL_FSYNC.
    Stats written: newscrawl/jsonl/written, newscrawl/jsonl/already_written (a repeat after a
    crash, not written again), newscrawl/jsonl/refused/id_taken (another page's record has this
    id: dropped with WriteRefused, so never marked seen), newscrawl/write_error/jsonl/<errno> (a record that could not be
    written: rolled back, dropped as WriteFailed, not marked seen), newscrawl/jsonl/paywalled (records written that are teasers),
    newscrawl/jsonl/missing/<field> (records written without it), newscrawl/jsonl/torn_line_repaired,
    newscrawl/jsonl/bad_line,
    newscrawl/jsonl/parser/<parser name>/<version> (records written per parser version).
    """

    def __init__(self, crawler: Any, root: Path, fsync: bool) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.root = root
        self.fsync = fsync
        self.writer: DatedJsonlWriter | None = None

    @classmethod
    def from_crawler(cls, crawler: Any) -> WriteJsonlPipeline:
        root = crawler.settings.get("NEWSCRAWL_OUTPUT_DIR")
        if not root:
            raise NotConfigured
        return cls(crawler, Path(root), get_bool(crawler.settings, "NEWSCRAWL_JSONL_FSYNC"))

    def _writer(self) -> DatedJsonlWriter:
        if self.writer is None:
            site = getattr(self.crawler.spider, "name", None) or "crawl"
            self.writer = DatedJsonlWriter(self.root / site, fsync=self.fsync)
            if self.writer.repaired:
                self.stats.inc_value("newscrawl/jsonl/torn_line_repaired", len(self.writer.repaired))
            if self.writer.bad_lines:
                self.stats.inc_value("newscrawl/jsonl/bad_line", self.writer.bad_lines)
        return self.writer

    def open_spider(self) -> None:
        self._writer()

    def process_item(self, item: Any) -> Any:
        record = item.to_record() if hasattr(item, "to_record") else ItemAdapter(item).asdict()
        writer = self._writer()
        try:
            path = writer.write(record)
        except OSError as exc:
            code = errno_name(exc.cause if isinstance(exc, WriteError) else exc)
            self.stats.inc_value(f"newscrawl/write_error/jsonl/{code}")
            logger.error("Cannot write the record of %(url)s (%(exc)s): rolled back, not marked seen, "
                         "the next run collects it", {"url": record.get("url"), "exc": exc})
            raise WriteFailed(f"JSONL write failed ({code}): {record.get('url')}", log_level="DEBUG") from exc
        if path is None and not writer.holds_page(record):
            # Another page holds this record id (they declare the same canonical URL): this one is
            # not written, so it must not be marked seen either (MarkSeen 900 never sees it).
            logger.warning("Not written: %(url)s has the record id %(id)s of another page already in the "
                           "output (same canonical URL %(canon)s); not marked seen",
                           {"url": record.get("url"), "id": record.get("id"), "canon": record.get("canonical_url")})
            self.stats.inc_value("newscrawl/jsonl/refused/id_taken")
            raise WriteRefused(f"record id {record.get('id')} taken by another page: {record.get('url')}")
        if path is None:
            logger.info("Already in the output, not written again: %(url)s", {"url": record.get("url")})
            self.stats.inc_value("newscrawl/jsonl/already_written")
        else:
            self.stats.inc_value("newscrawl/jsonl/written")
            if record.get("paywalled"):
                self.stats.inc_value("newscrawl/jsonl/paywalled")
            for name in COVERAGE_FIELDS:
                if not record.get(name):
                    self.stats.inc_value(f"newscrawl/jsonl/missing/{name}")
            self.stats.inc_value(f"newscrawl/jsonl/parser/{record.get('parser') or 'unknown'}")
        return item

    def close_spider(self) -> None:
        if self.writer is not None:
            self.writer.close()
