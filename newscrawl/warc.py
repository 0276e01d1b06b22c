"""WARC archive and replay (warcio).

* :class:`WarcWriterMiddleware` (``NEWSCRAWL_WARC_DIR``) writes every HTTP exchange the crawl
  makes as a ``request`` + ``response`` record pair into size-rotated gzip WARC files,
  ``<dir>/newscrawl-<site>-<UTC time>-<pid>-<NNNNN>.warc.gz``. The response is archived as it
  came off the wire (still gzip-encoded when the server compressed it; redirects included),
  because the middleware sits next to the downloader.
* :class:`WarcReplayMiddleware` (``NEWSCRAWL_REPLAY`` = a WARC file or a folder of them) answers
  every request from the archives and never touches the network: a URL that is not archived
  gets a 404. Replaying a crawl's WARCs through the spiders re-extracts it with the current
  parsers, offline.

Each record pair is compressed in memory and appended with one ``write()``: a crash can only
leave a torn last gzip member, which the replay index skips with a warning.
"""

from __future__ import annotations

import io
import logging
import os
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from http.client import responses as REASONS
from pathlib import Path
from typing import Any
from urllib.parse import urldefrag, urlsplit

from scrapy.exceptions import NotConfigured
from scrapy.http import Request, Response
from scrapy.http.headers import Headers
from scrapy.responsetypes import responsetypes
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newscrawl import __version__
from newscrawl.defaults import get_int

logger = logging.getLogger(__name__)

REPLAY_FLAG = "warc-replay"
# Headers that describe the transfer, not the payload: a replayed body is already decoded.
_TRANSFER_HEADERS = {"transfer-encoding", "content-encoding", "content-length"}
WARC_SUFFIXES = (".warc.gz", ".warc")
RECORD_TYPES = {"warcinfo", "response", "resource", "request", "metadata", "revisit", "conversion", "continuation"}


# ------------------------------------------------------------------------------------ writing
def _header_pairs(headers: Headers | dict[Any, Any]) -> list[tuple[str, str]]:
    pairs = []
    for name, values in headers.items():
        key = name.decode("latin-1") if isinstance(name, bytes) else str(name)
        for value in values if isinstance(values, list | tuple) else [values]:
            pairs.append((key, value.decode("latin-1") if isinstance(value, bytes) else str(value)))
    return pairs


def exchange_records(
    url: str,
    *,
    method: str = "GET",
    request_headers: list[tuple[str, str]] | None = None,
    request_body: bytes = b"",
    status: int,
    response_headers: list[tuple[str, str]],
    body: bytes,
    protocol: str = "HTTP/1.1",
    ip_address: str | None = None,
    warc_date: str | None = None,
) -> bytes:
    """One request + response record pair as gzip WARC bytes (two gzip members)."""
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    req_headers = list(request_headers or [])
    if not any(k.lower() == "host" for k, _ in req_headers):
        req_headers.insert(0, ("Host", parts.netloc))
    # The body is stored de-chunked: a chunked Transfer-Encoding header would lie about it.
    resp_headers = [(k, v) for k, v in response_headers if k.lower() != "transfer-encoding"]
    if not any(k.lower() == "content-length" for k, _ in resp_headers):
        resp_headers.append(("Content-Length", str(len(body))))
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True, warc_version="1.1")
    extra = {"WARC-Date": warc_date} if warc_date else {}
    if ip_address:
        extra["WARC-IP-Address"] = ip_address
    resp = writer.create_warc_record(
        url, "response", payload=io.BytesIO(body), length=len(body), warc_headers_dict=dict(extra),
        http_headers=StatusAndHeaders(f"{status} {REASONS.get(status, 'Unknown')}", resp_headers,
                                      protocol=protocol or "HTTP/1.1"),
    )
    req = writer.create_warc_record(
        url, "request", payload=io.BytesIO(request_body), length=len(request_body),
        warc_headers_dict=dict(extra),
        http_headers=StatusAndHeaders(f"{method} {target} {protocol or 'HTTP/1.1'}", req_headers,
                                      is_http_request=True),
    )
    writer.write_request_response_pair(req, resp)
    return buf.getvalue()


def warcinfo_record(filename: str, info: dict[str, str]) -> bytes:
    buf = io.BytesIO()
    writer = WARCWriter(buf, gzip=True, warc_version="1.1")
    writer.write_record(writer.create_warcinfo_record(filename, info))
    return buf.getvalue()


class RotatingWarcFile:
    """Appends record bytes to ``<folder>/<prefix>-<time>-<pid>-<NNNNN>.warc.gz``, starting a
    new file (with its own warcinfo record) once the current one reaches ``max_size`` bytes."""

    def __init__(self, folder: str | Path, prefix: str, max_size: int, info: dict[str, str] | None = None) -> None:
        self.folder = Path(folder)
        self.prefix = prefix
        self.max_size = max(1, max_size)
        self.info = {"software": f"newscrawl/{__version__} (warcio)", "format": "WARC File Format 1.1",
                     **(info or {})}
        self.stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        self.serial = 0
        self.paths: list[Path] = []
        self._fd: int | None = None
        self._size = 0

    def _open(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.serial += 1
        path = self.folder / f"{self.prefix}-{self.stamp}-{os.getpid()}-{self.serial:05d}.warc.gz"
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
        self._size = os.fstat(self._fd).st_size
        self.paths.append(path)
        self._append(warcinfo_record(path.name, self.info))

    def _append(self, data: bytes) -> None:
        assert self._fd is not None
        view = memoryview(data)
        while view:
            n = os.write(self._fd, view)
            view = view[n:]
        self._size += len(data)

    def write(self, data: bytes) -> None:
        if self._fd is not None and self._size >= self.max_size:
            self.close()
        if self._fd is None:
            self._open()
        self._append(data)

    def close(self) -> None:
        if self._fd is not None:
            os.fsync(self._fd)
            os.close(self._fd)
            self._fd = None


class WarcWriterMiddleware:
    """Downloader middleware: archive every response (and its request) to WARC files.

    Settings read: NEWSCRAWL_WARC_DIR ("" disables), NEWSCRAWL_WARC_MAX_SIZE (bytes per file).
    Stats written: newscrawl/warc/records (exchanges written), newscrawl/warc/bytes,
    newscrawl/warc/files, newscrawl/warc/write_error.
    Responses served by :class:`WarcReplayMiddleware` are never archived again.
    """

    def __init__(self, crawler: Any, folder: str, max_size: int) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.folder = folder
        self.max_size = max_size
        self.out: RotatingWarcFile | None = None
        from scrapy import signals

        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> WarcWriterMiddleware:
        folder = crawler.settings.get("NEWSCRAWL_WARC_DIR")
        if not folder:
            raise NotConfigured
        return cls(crawler, folder, get_int(crawler.settings, "NEWSCRAWL_WARC_MAX_SIZE"))

    def _file(self) -> RotatingWarcFile:
        if self.out is None:
            spider = getattr(self.crawler, "spider", None)
            name = getattr(spider, "name", None) or "crawl"
            robots = "obey" if self.crawler.settings.getbool("ROBOTSTXT_OBEY") else "ignore"
            self.out = RotatingWarcFile(self.folder, f"newscrawl-{name}", self.max_size,
                                        info={"robots": robots, "isPartOf": f"newscrawl {name}"})
        return self.out

    def process_response(self, request: Request, response: Response) -> Response:
        if REPLAY_FLAG in response.flags or urlsplit(response.url).scheme not in ("http", "https"):
            return response
        try:
            data = exchange_records(
                urldefrag(response.url)[0],
                method=request.method,
                request_headers=_header_pairs(request.headers),
                request_body=request.body or b"",
                status=response.status,
                response_headers=_header_pairs(response.headers),
                body=response.body,
                protocol=getattr(response, "protocol", None) or "HTTP/1.1",
                ip_address=str(response.ip_address) if getattr(response, "ip_address", None) else None,
            )
            out = self._file()
            before = len(out.paths)
            out.write(data)
        except OSError as exc:  # a full disk must not stop the crawl: say it, count it
            logger.error("Cannot write WARC record for %(url)s: %(exc)s", {"url": response.url, "exc": exc})
            self.stats.inc_value("newscrawl/warc/write_error")
            return response
        self.stats.inc_value("newscrawl/warc/records")
        self.stats.inc_value("newscrawl/warc/bytes", len(data))
        if len(out.paths) != before:
            self.stats.inc_value("newscrawl/warc/files")
        return response

    def spider_closed(self, spider: Any) -> None:
        if self.out is not None:
            self.out.close()
            for path in self.out.paths:
                logger.info("WARC written: %(path)s", {"path": path})


# ------------------------------------------------------------------------------------ replay
@dataclass(frozen=True)
class Location:
    path: Path
    offset: int


@dataclass
class Archived:
    url: str
    status: int
    headers: list[tuple[str, str]]
    body: bytes
    protocol: str
    date: str | None


def warc_files(target: str | Path) -> list[Path]:
    """The WARC files of ``target`` (a file, or a folder searched recursively), sorted by name."""
    path = Path(target)
    if path.is_dir():
        return sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(WARC_SUFFIXES))
    return [path]


def url_key(url: str) -> str:
    return urldefrag(url)[0]


class WarcIndex:
    """URL -> location of its latest ``response`` record across a set of WARC files."""

    def __init__(self) -> None:
        self.locations: dict[str, Location] = {}
        self.damaged: list[tuple[Path, str]] = []

    @classmethod
    def build(cls, files: Iterable[Path]) -> WarcIndex:
        index = cls()
        for path in files:
            index.add_file(path)
        return index

    def add_file(self, path: Path) -> None:
        try:
            with path.open("rb") as fh:
                records = ArchiveIterator(fh)
                for record in records:
                    if record.rec_type not in RECORD_TYPES:
                        raise ArchiveLoadFailed(f"unreadable record header ({record.rec_type!r})")
                    offset = records.get_record_offset()
                    # warcio yields a record cut short by a crash without complaint: read it
                    # to its end and check that its announced length was there.
                    while record.raw_stream.read(65536):
                        pass
                    if getattr(record.raw_stream, "limit", 0) > 0:
                        raise ArchiveLoadFailed(f"record at offset {offset} is cut short")
                    if record.rec_type == "response":
                        uri = record.rec_headers.get_header("WARC-Target-URI")
                        if uri:
                            self.locations[url_key(uri)] = Location(path, offset)
        except (ArchiveLoadFailed, zlib.error, EOFError, OSError, ValueError) as exc:
            # A torn last record (a crawl killed while writing) or a damaged file: keep what was read.
            logger.warning("WARC %(path)s is damaged after %(n)d indexed URLs: %(exc)s",
                           {"path": path, "n": len(self.locations), "exc": exc})
            self.damaged.append((path, str(exc)))

    def __contains__(self, url: str) -> bool:
        return url_key(url) in self.locations

    def __len__(self) -> int:
        return len(self.locations)

    def urls(self) -> Iterator[str]:
        return iter(self.locations)

    def load(self, url: str) -> Archived | None:
        loc = self.locations.get(url_key(url))
        if loc is None:
            return None
        with loc.path.open("rb") as fh:
            fh.seek(loc.offset)
            record = next(iter(ArchiveIterator(fh)))
            http = record.http_headers
            body = record.content_stream().read()  # de-chunked and decoded (gzip, br...)
            return Archived(
                url=record.rec_headers.get_header("WARC-Target-URI"),
                status=int(http.get_statuscode() or 0),
                headers=[(k, v) for k, v in http.headers if k.lower() not in _TRANSFER_HEADERS],
                body=body,
                protocol=http.protocol or "HTTP/1.1",
                date=record.rec_headers.get_header("WARC-Date"),
            )


_INDEXES: dict[tuple[tuple[str, int, int], ...], WarcIndex] = {}


def replay_response(request: Request, archived: Archived | None) -> Response:
    """The Scrapy response for ``request`` from its archived record (a 404 when not archived)."""
    if archived is None:
        return Response(request.url, status=404, body=b"", request=request,
                        headers={"Content-Type": "text/plain"}, flags=[REPLAY_FLAG, "not-archived"])
    headers = Headers(archived.headers)
    cls = responsetypes.from_args(headers=headers, url=request.url, body=archived.body)
    return cls(url=request.url, status=archived.status, headers=headers, body=archived.body,
               request=request, flags=[REPLAY_FLAG], protocol=archived.protocol)


class WarcReplayMiddleware:
    """Downloader middleware: serve every request from WARC archives, never from the network.

    Settings read: NEWSCRAWL_REPLAY (a WARC file or a folder of them; "" disables).
    Stats written: newscrawl/warc/replay/indexed (URLs in the archives), .../served,
    .../not_archived (answered 404), .../damaged_files.
    """

    def __init__(self, crawler: Any, index: WarcIndex) -> None:
        self.stats = crawler.stats
        self.index = index
        self.stats.set_value("newscrawl/warc/replay/indexed", len(index))
        if index.damaged:
            self.stats.set_value("newscrawl/warc/replay/damaged_files", len(index.damaged))

    @classmethod
    def from_crawler(cls, crawler: Any) -> WarcReplayMiddleware:
        target = crawler.settings.get("NEWSCRAWL_REPLAY")
        if not target:
            raise NotConfigured
        files = warc_files(target)
        missing = [f for f in files if not f.is_file()]
        if missing or not files:
            # Bad configuration: stop here rather than crawl the live sites by mistake.
            raise ValueError(f"NEWSCRAWL_REPLAY={target!r}: no WARC file there")
        key = tuple((str(f.resolve()), f.stat().st_size, f.stat().st_mtime_ns) for f in files)
        index = _INDEXES.get(key)
        if index is None:  # one scan per process: the crawl command's crawlers share it
            index = _INDEXES[key] = WarcIndex.build(files)
        logger.info("Replaying %(n)d archived URLs from %(files)d WARC file(s) in %(target)s",
                    {"n": len(index), "files": len(files), "target": target})
        return cls(crawler, index)

    def process_request(self, request: Request) -> Response | None:
        if urlsplit(request.url).scheme not in ("http", "https"):
            return None  # data:, file: ... never touch the network: let their handlers answer
        try:
            archived = self.index.load(request.url)
        except (ArchiveLoadFailed, zlib.error, EOFError, OSError, ValueError, StopIteration) as exc:
            logger.error("Cannot read the archived response of %(url)s: %(exc)s", {"url": request.url, "exc": exc})
            self.stats.inc_value("newscrawl/warc/replay/read_error")
            archived = None
        if archived is None:
            logger.info("Not in the archive, answering 404: %(url)s", {"url": request.url})
            self.stats.inc_value("newscrawl/warc/replay/not_archived")
        else:
            self.stats.inc_value("newscrawl/warc/replay/served")
            # When the page was really fetched: relative dates ("il y a 3 heures") and the
            # record's crawled_at are read against it, so a replay gives the same records.
            request.meta["newscrawl_archived_at"] = archived.date
        return replay_response(request, archived)
