"""Pure checks the spiders run on what they fetch. The checks on a page (what a body really is,
charset trouble, truncated markup, implausible dates) live in ``newscrawl.pagecheck`` (the
page's road, ``newscrawl.road``) and are re-exported here; why a request failed is here. No
Scrapy engine here, so each check is tested on plain values."""

from __future__ import annotations

import re
from typing import Any

from newscrawl.pagecheck import (  # noqa: F401 (re-exported: the spiders' and tests' names)
    HTML_TYPES,
    binary_kind,
    charset_problem,
    header_charset,
    is_before_news,
    is_future,
    looks_truncated,
    media_type,
    meta_charset,
    normalise_charset,
)


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
