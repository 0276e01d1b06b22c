"""A compressed body cut short is a truncated download, like a body shorter than its
Content-Length.

A server (or a proxy) that stops a ``Content-Encoding: gzip`` or ``deflate`` body mid-stream
while its Content-Length matches what was sent passes every transport check; Scrapy's
HttpCompressionMiddleware then inflates what it can and says nothing, so the page was
recorded with half its text and marked seen (lost for good), and a feed read as whole.

:class:`TruncatedEncodingMiddleware` sits just outside HttpCompressionMiddleware (it sees the
body still compressed) and inflates it once into nothing to learn whether the stream ends.
When it does not: with DOWNLOAD_FAIL_ON_DATALOSS (Scrapy's default) the request fails with
reason ``truncated`` like any truncated download (not recorded, not marked seen: the next run
collects it); without it, the response goes on flagged ``dataloss`` and the spider drops the
page as ``truncated_body`` or reads the feed as truncated.

Settings read: DOWNLOAD_FAIL_ON_DATALOSS, DOWNLOAD_MAXSIZE (the inflating stops there: the
compression middleware refuses bigger bodies itself).
Stats written: newscrawl/fetch/truncated_encoding (and the errback's newscrawl/fetch/failed/truncated).
"""

from __future__ import annotations

import logging
import zlib
from typing import TYPE_CHECKING

from newscrawl.downloader import FetchRefused

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

_CHUNK = 256 * 1024


def stream_ends(body: bytes, encoding: str, max_size: int = 0) -> bool | None:
    """Whether the ``gzip``/``deflate`` stream ``body`` is whole: True, False (cut short), or
    None (another encoding, or not such a stream at all: not this check's business)."""
    if encoding in ("gzip", "x-gzip"):
        inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
    elif encoding == "deflate":
        # zlib-wrapped, or the raw deflate some servers send
        inflater = zlib.decompressobj() if body[:1] and (body[0] & 0x0F) == 8 else zlib.decompressobj(-15)
    else:
        return None
    total = 0
    data = body
    try:
        while data and not inflater.eof:
            out = inflater.decompress(data, _CHUNK)
            total += len(out)
            if max_size and total > max_size:
                return None  # too big: HttpCompressionMiddleware refuses it itself
            data = inflater.unconsumed_tail
    except zlib.error:
        return None  # not a stream at all: Scrapy's own handling (it raises)
    return inflater.eof


class TruncatedEncodingMiddleware:
    """Downloader middleware at 595 (just outside HttpCompressionMiddleware, 590)."""

    def __init__(self, crawler: Crawler) -> None:
        self.stats = crawler.stats
        self.fail = crawler.settings.getbool("DOWNLOAD_FAIL_ON_DATALOSS", True)
        self.max_size = crawler.settings.getint("DOWNLOAD_MAXSIZE", 0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        encodings = [e.strip().lower() for raw in response.headers.getlist(b"Content-Encoding")
                     for e in raw.decode("latin-1").split(",") if e.strip()]
        if request.method == "HEAD" or len(encodings) != 1 or not response.body:
            return response
        whole = stream_ends(response.body, encodings[0], request.meta.get("download_maxsize", self.max_size))
        if whole is not False:
            return response
        if self.stats is not None:
            self.stats.inc_value("newscrawl/fetch/truncated_encoding")
        detail = (f"the {encodings[0]} body ({len(response.body)} bytes) ends before its end-of-stream marker: "
                  "cut short in transfer")
        if self.fail:
            raise FetchRefused("truncated", detail)
        logger.warning("Truncated download %(url)s: %(detail)s", {"url": response.url, "detail": detail})
        return response.replace(flags=[*response.flags, "dataloss"])
