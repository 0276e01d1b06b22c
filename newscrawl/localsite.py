"""A local HTTP server for mini-sites: the tests' end-to-end crawls, the benchmarks and the
offline demo. It only ever binds 127.0.0.1.

A site is a mapping of URL paths to ``Page`` objects. ``{{BASE}}`` in a body is replaced by the
server's base URL at serve time, so feeds and sitemaps can point at the server itself.
Pages can misbehave on purpose (status codes, delays, truncated bodies, resets) for fault tests.
"""

from __future__ import annotations

import json
import socket
import struct
import sys
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self
from urllib.parse import urlsplit

CONTENT_TYPES = {
    ".xml": "application/xml; charset=utf-8",
    ".rss": "application/rss+xml; charset=utf-8",
    ".txt": "text/plain; charset=utf-8",
    ".json": "application/json",
    ".gz": "application/gzip",
}


@dataclass
class Page:
    body: bytes | str | Callable[[], bytes] = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    content_type: str = "text/html; charset=utf-8"
    delay: float = 0.0
    """Seconds to wait before answering (timeouts)."""
    fault: str | None = None
    """'reset' (TCP reset, no answer), 'truncate' (announce more bytes than sent, then close)."""
    fail_first: int = 0
    """Answer ``fail_status`` (with ``fail_headers``) to the first N requests, then normally."""
    fail_status: int = 503
    fail_headers: dict[str, str] = field(default_factory=dict)
    stream: Callable[[], Iterable[bytes]] | None = None
    """Send the body as these chunks (chunked transfer, no Content-Length) instead of ``body``:
    big bodies generated on the fly; the server stops when the client hangs up."""

    def render(self, base: str) -> bytes:
        body = self.body() if callable(self.body) else self.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        if b"{{BASE}}" in body:
            body = body.replace(b"{{BASE}}", base.encode("ascii"))
        return body


class _QuietServer(ThreadingHTTPServer):
    """A client hanging up (a crawler cancelling a download) is normal here, not an error."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


@dataclass
class Hit:
    path: str
    headers: dict[str, str]
    at: float
    """time.monotonic() when the request arrived."""


class LocalSite:
    """``with LocalSite(pages) as site: site.url('/feed.xml')``.

    ``site.hits`` counts requests per path (with query), ``site.log`` keeps every request
    (path, headers, arrival time), ``site.sent`` the body bytes sent per path for streamed
    pages. ``fallback(path)`` may return a Page for paths not in ``pages`` (generated sites).
    """

    def __init__(self, pages: dict[str, Page] | None = None, port: int = 0,
                 fallback: Callable[[str], Page | None] | None = None) -> None:
        self.pages: dict[str, Page] = dict(pages or {})
        self.fallback = fallback
        self.hits: dict[str, int] = {}
        self.log: list[Hit] = []
        self.sent: dict[str, int] = {}
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def do_GET(self) -> None:
                site._serve(self)

            def do_HEAD(self) -> None:
                site._serve(self, head=True)

        self.server = _QuietServer(("127.0.0.1", port), Handler)
        self.server.daemon_threads = True
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread: threading.Thread | None = None

    def url(self, path: str) -> str:
        return self.base + path

    def _serve(self, handler: BaseHTTPRequestHandler, head: bool = False) -> None:
        parts = urlsplit(handler.path)
        key = parts.path + (f"?{parts.query}" if parts.query else "")
        with self._lock:
            self.hits[key] = self.hits.get(key, 0) + 1
            count = self.hits[key]
            self.log.append(Hit(key, dict(handler.headers.items()), time.monotonic()))
        page = self.pages.get(key) or self.pages.get(parts.path)
        if page is None and self.fallback is not None:
            page = self.fallback(key)
        if page is None:
            page = Page(b"<html><body><h1>Not found</h1></body></html>", status=404)
        if page.delay:
            time.sleep(page.delay)
        if page.fault == "reset":
            # SO_LINGER with a zero timeout: close() sends a TCP RST, not a FIN.
            handler.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            handler.close_connection = True
            handler.connection.close()
            return
        failing = count <= page.fail_first
        status = page.fail_status if failing else page.status
        handler.send_response(status)
        if page.content_type:
            handler.send_header("Content-Type", page.content_type)
        for name, value in (page.fail_headers if failing else page.headers).items():
            handler.send_header(name, value)
        if page.stream is not None and not failing:
            self._send_stream(handler, key, page, head)
            return
        body = b"" if failing else page.render(self.base)
        declared = len(body) * 2 + 100 if page.fault == "truncate" else len(body)
        handler.send_header("Content-Length", str(declared))
        if page.fault == "truncate":
            handler.send_header("Connection", "close")
            handler.close_connection = True
        handler.end_headers()
        if not head:
            try:
                handler.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                return

    def _send_stream(self, handler: BaseHTTPRequestHandler, key: str, page: Page, head: bool) -> None:
        assert page.stream is not None
        handler.send_header("Transfer-Encoding", "chunked")
        handler.end_headers()
        if head:
            return
        sent = 0
        try:
            base = self.base.encode("ascii")
            for chunk in page.stream():
                if chunk:
                    chunk = chunk.replace(b"{{BASE}}", base)  # chunks must not split the token
                    handler.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
                    sent += len(chunk)
            handler.wfile.write(b"0\r\n\r\n")
        except (BrokenPipeError, ConnectionResetError, ConnectionAbortedError):
            handler.close_connection = True
        finally:
            with self._lock:
                self.sent[key] = self.sent.get(key, 0) + sent

    def start(self) -> Self:
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def content_type_for(path: str) -> str:
    for ext, ctype in CONTENT_TYPES.items():
        if path.endswith(ext):
            return ctype
    return "text/html; charset=utf-8"


def pages_from_folder(root: Path) -> dict[str, Page]:
    """Serve a folder: each file at its relative path; ``page.html.json`` beside a file sets
    its status/headers/content type (``{"status": 404, "content_type": ..., "path": ...}``)."""
    pages: dict[str, Page] = {}
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.name.endswith(".meta.json"):
            continue
        rel = "/" + path.relative_to(root).as_posix()
        meta_path = path.with_name(path.name + ".meta.json")
        meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
        pages[meta.pop("path", rel)] = Page(
            body=path.read_bytes(),
            content_type=meta.pop("content_type", content_type_for(rel)),
            **meta,
        )
    return pages
