"""A local HTTP server for mini-sites: the tests' end-to-end crawls, the benchmarks and the
offline demo. It only ever binds 127.0.0.1.

A site is a mapping of URL paths to ``Page`` objects. ``{{BASE}}`` in a body is replaced by the
server's base URL at serve time, so feeds and sitemaps can point at the server itself.
Pages can misbehave on purpose (status codes, delays, truncated bodies, resets) for fault tests.
"""

from __future__ import annotations

import gzip
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
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
    """'reset' (close without answering), 'truncate' (announce more bytes than sent)."""
    fail_first: int = 0
    """Answer ``fail_status`` to the first N requests, then normally."""
    fail_status: int = 503

    def render(self, base: str) -> bytes:
        body = self.body() if callable(self.body) else self.body
        if isinstance(body, str):
            body = body.encode("utf-8")
        if b"{{BASE}}" in body:
            body = body.replace(b"{{BASE}}", base.encode("ascii"))
        return body


class LocalSite:
    """``with LocalSite(pages) as site: site.url('/feed.xml')``; ``site.hits`` counts requests."""

    def __init__(self, pages: dict[str, Page] | None = None, port: int = 0) -> None:
        self.pages: dict[str, Page] = dict(pages or {})
        self.hits: dict[str, int] = {}
        self._lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                return

            def do_GET(self) -> None:  # noqa: N802 (http.server API)
                site._serve(self)

            def do_HEAD(self) -> None:  # noqa: N802
                site._serve(self, head=True)

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
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
        page = self.pages.get(key) or self.pages.get(parts.path)
        if page is None:
            page = Page(b"<html><body><h1>Not found</h1></body></html>", status=404)
        if page.delay:
            time.sleep(page.delay)
        if page.fault == "reset":
            handler.close_connection = True
            handler.connection.close()
            return
        status = page.fail_status if count <= page.fail_first else page.status
        body = page.render(self.base)
        handler.send_response(status)
        handler.send_header("Content-Type", page.content_type)
        for name, value in page.headers.items():
            handler.send_header(name, value)
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

    def start(self) -> LocalSite:
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> LocalSite:
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


def gzip_bytes(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)
