"""Pure checks the spiders run on what they fetch: what a body really is, charset trouble,
truncated markup, implausible dates, and why a request failed. No Scrapy engine here, so each
check is tested on plain values."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any

from newscrawl.text.dates import NEWS_EPOCH, parse_iso

HTML_TYPES = ("text/html", "application/xhtml+xml")

# Magic numbers of what is commonly served by mistake (or on purpose) as text/html.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF document"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"PK\x03\x04", "ZIP archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"ID3", "MP3 audio"),
    (b"\x00\x00\x00", "binary data"),
)
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?(?:charset\s*=\s*["']?|content\s*=\s*["'][^"'>]*?charset\s*=\s*)([\w.:-]+)""",
    re.IGNORECASE,
)
_HTML_END = re.compile(rb"</html\s*>", re.IGNORECASE)
_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)

# Charset labels that name the same decoder.
_ALIASES = {
    "utf8": "utf-8", "latin1": "iso-8859-1", "latin-1": "iso-8859-1", "iso8859-1": "iso-8859-1",
    "l1": "iso-8859-1", "ascii": "us-ascii", "windows1252": "windows-1252", "cp1252": "windows-1252",
    "iso-8859-15": "iso-8859-15", "latin9": "iso-8859-15",
}  # fmt: skip


def media_type(content_type: bytes | str | None) -> str:
    """``text/html; charset=utf-8`` -> ``text/html`` (lowercase, "" when absent)."""
    if not content_type:
        return ""
    value = content_type.decode("latin-1") if isinstance(content_type, bytes) else content_type
    return value.split(";", 1)[0].strip().lower()


def header_charset(content_type: bytes | str | None) -> str | None:
    """The ``charset`` parameter of a Content-Type header, normalised, or None."""
    if not content_type:
        return None
    value = content_type.decode("latin-1") if isinstance(content_type, bytes) else content_type
    m = re.search(r"charset\s*=\s*[\"']?([\w.:-]+)", value, re.IGNORECASE)
    return normalise_charset(m.group(1)) if m else None


def meta_charset(body: bytes) -> str | None:
    """The charset the page declares in ``<meta charset>`` / ``http-equiv`` (first 4 KB)."""
    m = _META_CHARSET.search(body[:4096])
    return normalise_charset(m.group(1).decode("ascii", "ignore")) if m else None


def normalise_charset(label: str) -> str:
    label = label.strip().lower()
    return _ALIASES.get(label, label)


def binary_kind(body: bytes) -> str | None:
    """What a body is when it is not text at all (PDF, image...), judged from its first bytes."""
    head = body[:16]
    for magic, kind in _MAGIC:
        if head.startswith(magic):
            return kind
    if head[:4] == b"RIFF" and body[8:12] == b"WEBP":
        return "WebP image"
    if b"\x00" in body[:512]:
        return "binary data"
    return None


def _is_utf8(body: bytes) -> bool:
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def charset_problem(body: bytes, declared_header: str | None) -> tuple[str, str] | None:
    """Charset trouble of an HTML page, as (reason, detail), or None.

    - ``charset_conflict``: the HTTP header and the page's meta name different charsets;
    - ``charset_wrong``: the charset in force (header, else meta) cannot be the one the bytes are
      in (declared UTF-8 but not valid UTF-8, or a single-byte charset over valid non-ASCII UTF-8);
    - ``charset_missing``: neither the header nor the page says, and the page is not plain ASCII.

    The page is still read (strict UTF-8 first, see newscrawl.text.markup.decode_html); this
    only says that its declaration cannot be trusted.
    """
    header = normalise_charset(declared_header) if declared_header else None
    meta = meta_charset(body)
    utf8 = _is_utf8(body)
    ascii_only = body.isascii()
    if header and meta and header != meta and not ascii_only:
        used = "utf-8" if utf8 else header
        return "charset_conflict", f"header says {header}, page says {meta}; read as {used}"
    declared = header or meta
    if declared is None:
        return None if ascii_only else ("charset_missing", "no charset in header or page; read as "
                                        + ("utf-8" if utf8 else "windows-1252"))
    if ascii_only:
        return None
    if declared == "utf-8" and not utf8:
        return "charset_wrong", "declared utf-8 but the bytes are not UTF-8; read as windows-1252"
    if declared != "utf-8" and utf8:
        return "charset_wrong", f"declared {declared} but the bytes are UTF-8; read as utf-8"
    return None


def looks_truncated(body: bytes) -> bool:
    """The page ends before ``</html>`` or ``</body>`` (cut short, or broken markup)."""
    tail = body[-65536:]
    return not (_HTML_END.search(tail) or _BODY_END.search(tail))


def is_future(value: str | None, now: datetime, tolerance: timedelta) -> bool:
    """An ISO date later than ``now + tolerance`` (a record date that cannot be right)."""
    when = parse_iso(value)
    return when is not None and when > now + tolerance


def is_before_news(value: str | None) -> bool:
    """A record date that is set but is no news date: before 1900 (year 1, a placeholder), or
    not an instant at all (0001-01-01T00:00:00+14:00). Real archive dates (1944) are kept."""
    if not value:
        return False
    when = parse_iso(value)
    return when is None or when < NEWS_EPOCH


def failure_reason(failure: Any) -> tuple[str, str]:
    """Why a request failed, as (reason, detail): the stat key and a human-readable detail.

    Reasons: http_<status>, robots_txt, too_large, timeout, connection_refused, connection_lost,
    truncated, bad_content_length, bad_response, refused_scheme, redirect_no_location, dns,
    redirect_loop, too_many_redirects, retry_after_too_long, offsite, other.
    """
    from scrapy.exceptions import (
        CannotResolveHostError,
        DownloadCancelledError,
        DownloadConnectionRefusedError,
        DownloadFailedError,
        DownloadTimeoutError,
        IgnoreRequest,
        ResponseDataLossError,
    )
    from scrapy.spidermiddlewares.httperror import HttpError
    from twisted.internet import error as twisted_error

    exc = getattr(failure, "value", failure)
    detail = str(exc) or type(exc).__name__
    reason = getattr(exc, "reason", None)
    if isinstance(reason, str):  # newscrawl.downloader.FetchRefused
        return reason, getattr(exc, "detail", detail)
    if isinstance(exc, HttpError):
        status = exc.response.status
        if 300 <= status < 400:
            refused = _redirect_refused(exc.response)
            if refused:
                return refused
        return f"http_{status}", f"HTTP {status}"
    framing = _framing_error(exc)
    if framing:
        return framing
    if isinstance(exc, DownloadCancelledError) or "max size" in detail or "DOWNLOAD_MAXSIZE" in detail:
        return "too_large", _short(detail)
    if isinstance(exc, IgnoreRequest):
        if "robots.txt" in detail:
            return "robots_txt", "forbidden by robots.txt"
        if "max redirections" in detail:
            return "too_many_redirects", detail
        return "ignored", detail
    if isinstance(exc, DownloadTimeoutError | twisted_error.TimeoutError | twisted_error.TCPTimedOutError):
        return "timeout", _short(detail)
    if isinstance(exc, ResponseDataLossError):
        return "truncated", "the connection closed before the end of the body (Content-Length or chunked framing)"
    if isinstance(exc, DownloadConnectionRefusedError | twisted_error.ConnectionRefusedError):
        return "connection_refused", _short(detail)
    if isinstance(exc, CannotResolveHostError | twisted_error.DNSLookupError):
        return "dns", _short(detail)
    if isinstance(exc, DownloadFailedError | twisted_error.ConnectionDone | twisted_error.ConnectionLost
                  | twisted_error.ConnectError):
        return "connection_lost", _short(detail)
    name = type(exc).__name__
    if name in {"ResponseNeverReceived", "ResponseFailed", "_WrapperException"}:
        return "connection_lost", _short(detail)
    return "other", f"{name}: {_short(detail)}"


def _causes(exc: BaseException) -> list[BaseException]:
    """``exc``, what it was raised from, and the reasons of a Twisted ResponseFailed in it."""
    out: list[BaseException] = []
    todo = [exc]
    while todo and len(out) < 32:
        cur = todo.pop()
        if cur in out:
            continue
        out.append(cur)
        todo.extend(c for c in (cur.__cause__, cur.__context__) if c is not None)
        for sub in getattr(cur, "reasons", None) or ():  # ResponseFailed: a list of Failures
            value = getattr(sub, "value", sub)
            if isinstance(value, BaseException):
                todo.append(value)
    return out


def _framing_error(exc: BaseException) -> tuple[str, str] | None:
    """A response whose framing is broken: a body shorter than its Content-Length or chunks
    (``truncated``), an invalid Content-Length header (``bad_content_length``), a response
    that is not HTTP (``bad_response``). Not the connection's fault: not ``connection_lost``."""
    from twisted.web._newclient import ParseError
    from twisted.web.http import _DataLoss

    for cause in _causes(exc):
        text = str(cause)
        if isinstance(cause, _DataLoss):
            return "truncated", "the connection closed before the end of the body (Content-Length or chunked framing)"
        if isinstance(cause, ValueError) and ("Content-Length" in text or "non-decimal digits" in text):
            return "bad_content_length", f"invalid Content-Length header ({_short(text)})"
        if isinstance(cause, ParseError):
            return "bad_response", f"not a valid HTTP response ({_short(text)})"
    return None


def _redirect_refused(response: Any) -> tuple[str, str] | None:
    """A 3xx that was not followed because it leads off the web (file:, ftp:, data:...), or
    leads nowhere (no Location): its reason, rather than ``http_3xx``."""
    from urllib.parse import urljoin, urlsplit

    location = response.headers.get(b"Location")
    if not location:
        return "redirect_no_location", f"HTTP {response.status} without a Location header"
    target = urljoin(response.url, location.decode("latin-1").strip())
    scheme = urlsplit(target).scheme.lower()
    if scheme not in ("http", "https"):
        return "refused_scheme", f"HTTP {response.status} to {_short(target, 120)} refused: only http(s) is followed"
    return None


_TWISTED_FAILURE = re.compile(r"<twisted\.python\.failure\.Failure (?:[\w.]+\.)?(\w+): ([^>]*)>")


def _short(text: str, limit: int = 200) -> str:
    """One line, Twisted's failure reprs reduced to "Name: message", at most ``limit`` chars."""
    text = _TWISTED_FAILURE.sub(r"\1: \2", " ".join(text.split())).strip("[] ")
    return text if len(text) <= limit else text[: limit - 1] + "…"
