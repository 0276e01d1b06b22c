"""spiders/_checks.py: what a fetched body really is, charset trouble, truncated markup,
implausible dates, and why a request failed (the reasons of newscrawl/fetch/failed/<reason>)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from scrapy.exceptions import (
    CannotResolveHostError,
    DownloadCancelledError,
    DownloadConnectionRefusedError,
    DownloadFailedError,
    DownloadTimeoutError,
    IgnoreRequest,
    ResponseDataLossError,
)
from scrapy.http import Request, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet import error as twisted_error
from twisted.python.failure import Failure

from newscrawl.downloader import FetchRefused
from spiders._checks import (
    binary_kind,
    charset_problem,
    failure_reason,
    header_charset,
    is_future,
    looks_truncated,
    media_type,
    meta_charset,
)

UTF8_PAGE = '<html><head><meta charset="utf-8"></head><body><p>Un été très chaud à Sète.</p></body></html>'


@pytest.mark.parametrize(("body", "kind"), [
    (b"%PDF-1.7\n...", "PDF document"),
    (b"\x89PNG\r\n\x1a\n\0\0", "PNG image"),
    (b"GIF89a\x01\x00", "GIF image"),
    (b"\xff\xd8\xff\xe0\0\x10JFIF", "JPEG image"),
    (b"RIFF\x10\0\0\0WEBPVP8 ", "WebP image"),
    (b"PK\x03\x04zip", "ZIP archive"),
    (b"\x1f\x8b\x08\0", "gzip data"),
    (b"<html>" + b"\0" * 10, "binary data"),
    (b"<!DOCTYPE html><html><body>ok</body></html>", None),
    ("<p>Été</p>".encode("cp1252"), None),
])
def test_binary_kind(body, kind):
    assert binary_kind(body) == kind


@pytest.mark.parametrize(("header", "media", "charset"), [
    (b"text/html; charset=UTF-8", "text/html", "utf-8"),
    ("text/html;charset=\"ISO-8859-1\"", "text/html", "iso-8859-1"),
    (b"Application/XHTML+XML", "application/xhtml+xml", None),
    (None, "", None),
])
def test_content_type_parts(header, media, charset):
    assert media_type(header) == media
    assert header_charset(header) == charset


@pytest.mark.parametrize(("head", "want"), [
    (b'<meta charset="UTF-8">', "utf-8"),
    (b"<meta charset=latin1>", "iso-8859-1"),
    (b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1252">', "windows-1252"),
    (b"<meta name=description content=x>", None),
])
def test_meta_charset(head, want):
    assert meta_charset(b"<html><head>" + head + b"</head></html>") == want


@pytest.mark.parametrize(("body", "header", "reason"), [
    (UTF8_PAGE.encode(), "utf-8", None),
    (UTF8_PAGE.encode(), None, None),  # the page says it
    (UTF8_PAGE.encode(), "iso-8859-1", "charset_conflict"),
    (UTF8_PAGE.replace('<meta charset="utf-8">', "").encode(), None, "charset_missing"),
    (UTF8_PAGE.replace('<meta charset="utf-8">', "").encode("cp1252"), "utf-8", "charset_wrong"),
    (UTF8_PAGE.replace("utf-8", "iso-8859-1").encode(), None, "charset_wrong"),
    (b"<html><body><p>ASCII only</p></body></html>", None, None),
    (b'<html><head><meta charset="iso-8859-1"></head><body>plain</body></html>', "utf-8", None),  # ASCII: harmless
])
def test_charset_problem(body, header, reason):
    problem = charset_problem(body, header)
    assert (problem[0] if problem else None) == reason
    if problem:
        assert "read as" in problem[1]


@pytest.mark.parametrize(("body", "cut"), [
    (b"<html><body><p>x</p></body></html>", False),
    (b"<html><body><p>x</p></body>\n<script>late()</script></html>\n", False),
    (b"<HTML><BODY><P>x</BODY></HTML >", False),
    (b"<html><body><p>x</p>", True),
    (b"<html><body><p>x</p><div class=\"fig", True),
])
def test_looks_truncated(body, cut):
    assert looks_truncated(body) is cut


def test_is_future():
    now = datetime(2025, 6, 12, 12, 0, tzinfo=UTC)
    tolerance = timedelta(hours=6)
    assert is_future("2099-01-01T10:00:00+01:00", now, tolerance)
    assert is_future("2025-06-12T20:00:00+00:00", now, tolerance)
    assert not is_future("2025-06-12T17:00:00+00:00", now, tolerance)  # within the tolerance
    assert not is_future("2025-06-11T17:00:00+02:00", now, tolerance)
    assert not is_future(None, now, tolerance)


def http_error(status):
    request = Request("http://127.0.0.1/x")
    return HttpError(Response(request.url, status=status, request=request), "Ignoring non-200 response")


@pytest.mark.parametrize(("exc", "reason"), [
    (http_error(404), "http_404"),
    (http_error(503), "http_503"),
    (IgnoreRequest("Forbidden by robots.txt"), "robots_txt"),
    (IgnoreRequest("max redirections reached"), "too_many_redirects"),
    (IgnoreRequest("Ignored response <200 x> because its body (20 B compressed, 9000000 B decompressed so far) "
                   "exceeded DOWNLOAD_MAXSIZE (8388608 B) during decompression."), "too_large"),
    (DownloadCancelledError("Expected to receive 10485800 bytes which is larger than download max size (8388608)"),
     "too_large"),
    (DownloadTimeoutError("Getting http://x took longer than 1.0 seconds."), "timeout"),
    (twisted_error.TimeoutError(), "timeout"),
    (ResponseDataLossError(), "truncated"),
    (DownloadConnectionRefusedError(), "connection_refused"),
    (CannotResolveHostError(), "dns"),
    (DownloadFailedError(), "connection_lost"),
    (twisted_error.ConnectionLost(), "connection_lost"),
    (FetchRefused("redirect_loop", "a -> b -> a"), "redirect_loop"),
    (ValueError("something else"), "other"),
])
def test_failure_reason(exc, reason):
    got, detail = failure_reason(Failure(exc))
    assert got == reason
    assert detail
