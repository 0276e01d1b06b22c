"""Downloader middlewares: a polite retry that honours Retry-After, a redirect-loop guard, and
an identifying User-Agent built from the contact URL setting.

Failures are not logged here but raised (``FetchRefused`` carries a reason) or passed on: the
spider's errback logs each failed URL once, with its reason, under
``newscrawl/fetch/failed/<reason>`` (see spiders/_base.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.useragent import UserAgentMiddleware
from scrapy.exceptions import IgnoreRequest

from newscrawl.defaults import setting_or_default
from newscrawl.text.dates import parse_duration

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

REDIRECT_CODES = {301, 302, 303, 307, 308}


class FetchRefused(IgnoreRequest):
    """A request given up for a known reason (``reason`` is the stat/log key)."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"{reason}: {detail}")
        self.reason = reason
        self.detail = detail


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """The wait asked by a ``Retry-After`` header: delta-seconds or an HTTP date; None when the
    header is absent or unreadable. A date in the past gives 0."""
    if value is None:
        return None
    raw = value.decode("latin-1") if isinstance(value, bytes) else value
    raw = raw.strip()
    if not raw:
        return None
    if raw.isdigit():
        return float(raw)
    try:
        when = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


class PoliteRetryMiddleware(RetryMiddleware):
    """Scrapy's RetryMiddleware, plus: a ``Retry-After`` header on a 429 or 503 pauses the whole
    domain (its download slot) for that long and the retry waits for it; a Retry-After longer
    than NEWSCRAWL_RETRY_AFTER_MAX gives up at once. Retries are logged at INFO with the URL.

    Settings read: RETRY_* (Scrapy's), NEWSCRAWL_RETRY_AFTER_MAX.
    Stats written: newscrawl/fetch/retry/<reason>, newscrawl/fetch/retry_after,
    newscrawl/fetch/retry_after_too_long (plus Scrapy's retry/*).
    """

    def __init__(self, settings: Any) -> None:
        super().__init__(settings)
        max_wait = parse_duration(setting_or_default(settings, "NEWSCRAWL_RETRY_AFTER_MAX"))
        self.max_retry_after = max_wait.total_seconds() if max_wait else 0.0
        self._paused_until: dict[str, float] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        mw = cls(crawler.settings)
        mw.crawler = crawler
        return mw

    def _inc(self, key: str) -> None:
        self.crawler.stats.inc_value(f"newscrawl/fetch/{key}")

    async def process_request(self, request: Request) -> None:
        not_before = request.meta.get("newscrawl_not_before")
        if not_before:
            wait = not_before - time.monotonic()
            if wait > 0:
                await asyncio.sleep(wait)

    # Scrapy >= 2.14 signatures, without the deprecated ``spider`` argument of the base class.
    def process_response(self, request: Request, response: Response) -> Request | Response:  # type: ignore[override]
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        reason = f"http_{response.status}"
        wait = retry_after_seconds(response.headers.get(b"Retry-After")) if response.status in (429, 503) else None
        if wait is not None and wait > self.max_retry_after:
            logger.warning(
                "Giving up on %(url)s: Retry-After %(wait).0f s exceeds NEWSCRAWL_RETRY_AFTER_MAX (%(max).0f s)",
                {"url": request.url, "wait": wait, "max": self.max_retry_after},
            )
            self._inc("retry_after_too_long")
            return response
        new = self._retry(request, reason)
        if new is None:
            return response
        self._inc(f"retry/{reason}")
        if wait:
            self._inc("retry_after")
            new.meta["newscrawl_not_before"] = time.monotonic() + wait
            self._pause_slot(request, wait)
            logger.info("Retrying %(url)s in %(wait).1f s (%(reason)s, Retry-After)",
                        {"url": request.url, "wait": wait, "reason": reason})
        else:
            logger.info("Retrying %(url)s (%(reason)s)", {"url": request.url, "reason": reason})
        return new

    def process_exception(  # type: ignore[override]  # no deprecated spider argument
        self, request: Request, exception: Exception
    ) -> Request | Response | None:
        new = super().process_exception(request, exception)
        if new is not None:
            reason = type(exception).__name__
            self._inc(f"retry/{reason}")
            logger.info("Retrying %(url)s (%(reason)s)", {"url": request.url, "reason": reason})
        return new

    def _pause_slot(self, request: Request, wait: float) -> None:
        """Hold every request to the same domain for ``wait`` seconds (best effort: relies on the
        downloader's slot API; the retried request itself always waits in process_request)."""
        from scrapy.utils.asyncio import call_later

        try:
            assert self.crawler.engine is not None
            downloader = self.crawler.engine.downloader
            key, slot = downloader._get_slot(request)
            until = time.monotonic() + wait
            if until <= self._paused_until.get(key, 0):
                return
            self._paused_until[key] = until
            if slot.latercall:
                slot.latercall.cancel()
            slot.latercall = call_later(wait, downloader._latercall, slot)
        except (AttributeError, TypeError, RuntimeError):  # a Scrapy without these internals
            logger.debug("Cannot pause the download slot of %s", request.url, exc_info=True)


class RedirectGuardMiddleware:
    """Stops redirect loops (A -> B -> A) and over-long redirect chains before Scrapy's
    RedirectMiddleware follows them (it would otherwise end in a silent duplicate filter).

    Settings read: REDIRECT_MAX_TIMES. Raises FetchRefused("redirect_loop" |
    "too_many_redirects" | "bad_location"), counted by the spider's errback.
    """

    def __init__(self, max_times: int) -> None:
        self.max_times = max_times

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls(crawler.settings.getint("REDIRECT_MAX_TIMES", 20))

    def process_response(self, request: Request, response: Response) -> Response:
        location = response.headers.get(b"Location")
        if response.status not in REDIRECT_CODES or not location or request.meta.get("dont_redirect"):
            return response
        raw = location.decode("latin-1").strip()
        try:
            target = urljoin(request.url, raw).split("#", 1)[0]
            urlsplit(target).port  # noqa: B018  # raises on a port out of range
        except ValueError as exc:  # a Location no request can be made of ("http://[::1", port 99999)
            raise FetchRefused("bad_location", f"HTTP {response.status} to an unreadable Location "
                                               f"{raw[:200]!r} ({exc})") from None
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if target in {u.split("#", 1)[0] for u in chain}:
            raise FetchRefused("redirect_loop", " -> ".join([*chain, target]))
        if len(chain) > self.max_times:
            raise FetchRefused("too_many_redirects", f"{len(chain)} redirects, REDIRECT_MAX_TIMES={self.max_times}")
        return response


class IdentifyingUserAgentMiddleware(UserAgentMiddleware):
    """Scrapy's UserAgentMiddleware with ``{contact_url}`` in USER_AGENT replaced by
    NEWSCRAWL_CONTACT_URL, so ``-s NEWSCRAWL_CONTACT_URL=...`` changes the User-Agent sent.

    Settings read: USER_AGENT, NEWSCRAWL_CONTACT_URL.
    """

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        template = crawler.settings.get("USER_AGENT") or ""
        contact = crawler.settings.get("NEWSCRAWL_CONTACT_URL") or ""
        if "{contact_url}" in template and not contact:
            logger.warning("NEWSCRAWL_CONTACT_URL is empty: the User-Agent names no contact")
        return cls(user_agent_from(template, contact))


def user_agent_from(template: str, contact_url: str) -> str:
    """The User-Agent sent: ``template`` with ``{contact_url}`` filled in (or removed)."""
    if "{contact_url}" not in template:
        return template
    if contact_url:
        return template.replace("{contact_url}", contact_url)
    return template.replace("+{contact_url}; ", "").replace("+{contact_url}", "").replace("{contact_url}", "")
