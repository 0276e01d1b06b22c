"""The base spider: discovery (feeds, news sitemaps, sitemap indexes, listing pages) and
scheduling. Extraction is not here: the article callback hands the page to the site's parser.

Every spider takes ``-a start_urls=URL[,URL...]`` (feeds, sitemaps or article pages) in place of
its registry defaults. Start URLs on another host (a mirror, a local test server) make that
host allowed, and the site's article patterns then apply to the URL path.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit

import scrapy
from scrapy.http import Response

from newscrawl.discovery import Entry, NotAFeed, maybe_gunzip, parse_feed, parse_sitemap, sniff
from newscrawl.parsers import parse_page
from newscrawl.publishers import PUBLISHERS, Publisher, publisher_for_url
from newscrawl.text.dates import parse_duration
from newscrawl.text.urls import canonical_url

HTML_TYPES = (b"text/html", b"application/xhtml+xml")


class NewsSpider(scrapy.Spider):
    """Base spider of the site named by ``name`` (a key of the publisher registry).

    Settings read: NEWSCRAWL_MAX_AGE, NEWSCRAWL_INCLUDE_LIVE, NEWSCRAWL_MAX_SITEMAP_URLS,
    NEWSCRAWL_MAX_SITEMAP_DEPTH, DOWNLOAD_MAXSIZE.
    Stats written: newscrawl/discovery/{documents,entries,bad_document,too_old,duplicate_entry,
    offsite,skipped/<reason>}, newscrawl/articles/requested, newscrawl/bad_input/<reason>,
    newscrawl/parse/{items,field_error/<field>,body_source/<source>}.
    """

    name: ClassVar[str] = "generic"

    def __init__(self, *args: Any, start_urls: str | list[str] | None = None,
                 max_age: str | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if isinstance(start_urls, str):
            start_urls = [u.strip() for u in start_urls.split(",") if u.strip()]
        self.publisher: Publisher = PUBLISHERS[self.name]
        self.start_urls = list(start_urls or self.publisher.start_urls)
        self._max_age_arg = max_age
        hosts = {urlsplit(u).hostname for u in self.start_urls if urlsplit(u).hostname}
        self.mirror_hosts = {h for h in hosts if not any(h == d or h.endswith("." + d) for d in self.publisher.domains)}
        self.allowed_domains = sorted({*self.publisher.domains, *hosts}) if self.publisher.domains else []
        self._seen_entries: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Any, *args: Any, **kwargs: Any) -> NewsSpider:
        spider: NewsSpider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        spider.max_age = parse_duration(spider._max_age_arg or settings.get("NEWSCRAWL_MAX_AGE") or None)
        spider.include_live = settings.getbool("NEWSCRAWL_INCLUDE_LIVE")
        spider.max_entries = settings.getint("NEWSCRAWL_MAX_SITEMAP_URLS", 50_000)
        spider.max_depth = settings.getint("NEWSCRAWL_MAX_SITEMAP_DEPTH", 3)
        spider.max_size = settings.getint("DOWNLOAD_MAXSIZE", 8 * 1024 * 1024) or 64 * 1024 * 1024
        if not spider.start_urls:
            spider.logger.error("No start URL: pass -a start_urls=URL[,URL...]")
        return spider

    # ---------------------------------------------------------------- helpers
    def inc(self, key: str, n: int = 1) -> None:
        self.crawler.stats.inc_value(f"newscrawl/{key}", n)

    def publisher_of(self, url: str) -> Publisher:
        """The site whose patterns apply to ``url``: its owner, or this spider's site for a mirror."""
        if (urlsplit(url).hostname or "") in self.mirror_hosts:
            return self.publisher
        return publisher_for_url(url) or self.publisher

    def classify(self, url: str) -> str:
        host = urlsplit(url).hostname or ""
        if self.publisher.domains and not (host in self.mirror_hosts or self.publisher.owns(url)):
            return "offsite"
        return self.publisher_of(url).classify(url)

    def article_request(self, url: str, entry: Entry | None = None, live: bool = False) -> scrapy.Request:
        hints = {}
        if entry is not None:
            hints = {"title": entry.title, "published": entry.published.isoformat() if entry.published else None}
        self.inc("articles/requested")
        return scrapy.Request(
            url,
            callback=self.parse_article,
            errback=self.on_error,
            cb_kwargs={"hints": hints},
            meta={"newscrawl_article": True, "newscrawl_live": live,
                  "newscrawl_canonical": canonical_url(url)},
        )

    def discovery_request(self, url: str, depth: int = 0) -> scrapy.Request:
        return scrapy.Request(url, callback=self.parse_discovery, errback=self.on_error,
                              cb_kwargs={"depth": depth}, meta={"newscrawl_discovery": True})

    async def on_error(self, failure: Any) -> None:
        request = failure.request if hasattr(failure, "request") else None
        url = request.url if request is not None else "?"
        reason = failure.type.__name__ if hasattr(failure, "type") and failure.type else "error"
        if hasattr(failure.value, "response") and getattr(failure.value, "response", None) is not None:
            reason = f"http_{failure.value.response.status}"
        self.logger.warning("Request failed: %(url)s (%(reason)s)", {"url": url, "reason": reason})
        self.inc(f"errors/{reason}")

    # ---------------------------------------------------------------- discovery
    async def start(self) -> AsyncIterator[scrapy.Request]:
        for url in self.start_urls:
            verdict = self.publisher_of(url).classify(url)
            if verdict == "article" or (verdict == "live" and self.include_live):
                yield self.article_request(url, live=verdict == "live")
            else:
                yield self.discovery_request(url)

    def parse_discovery(self, response: Response, depth: int = 0) -> Iterator[scrapy.Request]:
        self.inc("discovery/documents")
        try:
            body = maybe_gunzip(response.body, self.max_size)
        except (NotAFeed, OSError, EOFError) as exc:
            yield from self._bad_document(response, str(exc))
            return
        kind = sniff(body)
        try:
            if kind in ("urlset", "sitemapindex"):
                kind, entries = parse_sitemap(body, self.max_entries)
            elif kind == "feed":
                entries = parse_feed(body, self.max_entries)
            elif kind == "html" or response.headers.get(b"Content-Type", b"").startswith(HTML_TYPES):
                yield from self.parse_listing(response)
                return
            else:
                raise NotAFeed("neither a feed, a sitemap nor an HTML page")
        except NotAFeed as exc:
            yield from self._bad_document(response, str(exc))
            return
        self.inc("discovery/entries", len(entries))
        for entry in entries:
            if kind == "sitemapindex":
                if depth >= self.max_depth:
                    self.inc("discovery/too_deep")
                    continue
                if self._too_old(entry):
                    continue
                yield self.discovery_request(response.urljoin(entry.url), depth + 1)
            else:
                entry.url = response.urljoin(entry.url)
                yield from self.consider(entry)

    def _bad_document(self, response: Response, reason: str) -> Iterator[scrapy.Request]:
        self.logger.warning("Not a feed or sitemap: %(url)s (%(reason)s)", {"url": response.url, "reason": reason})
        self.inc("discovery/bad_document")
        return iter(())

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        """An HTML listing (section page, day archive): follow links that match article patterns."""
        for href in response.css("a::attr(href)").getall():
            url = response.urljoin(href)
            if urlsplit(url).scheme in ("http", "https"):
                verdict = self.classify(url)
                if verdict == "article":
                    yield from self.consider(Entry(url=url))

    def _too_old(self, entry: Entry) -> bool:
        if self.max_age and entry.published and entry.published < datetime.now(UTC) - self.max_age:
            self.inc("discovery/too_old")
            return True
        return False

    def consider(self, entry: Entry) -> Iterator[scrapy.Request]:
        """Request ``entry`` if it is an article URL of this site, recent enough, not yet seen."""
        verdict = self.classify(entry.url)
        if verdict == "live" and self.include_live:
            verdict = "live_ok"
        if verdict not in ("article", "live_ok"):
            self.inc(f"discovery/skipped/{verdict}")
            self.logger.debug("Skipped %(url)s (%(reason)s)", {"url": entry.url, "reason": verdict})
            return
        if self._too_old(entry):
            return
        key = canonical_url(entry.url)
        if key in self._seen_entries:
            self.inc("discovery/duplicate_entry")
            return
        self._seen_entries.add(key)
        yield self.article_request(entry.url, entry, live=verdict == "live_ok")

    # ---------------------------------------------------------------- articles
    def parse_article(self, response: Response, hints: dict[str, Any] | None = None) -> Iterator[Any]:
        """Hand the page to its parser; bad input is logged and counted, never raised."""
        ctype = response.headers.get(b"Content-Type", b"").split(b";")[0].strip().lower()
        if ctype and ctype not in HTML_TYPES:
            return self._bad_input(response, "not_html", ctype.decode("latin-1"))
        if not response.body.strip():
            return self._bad_input(response, "empty_body", "empty body")
        if response.body[:5] == b"%PDF-" or response.body[:4] in (b"\x89PNG", b"GIF8") or response.body[:3] == b"\xff\xd8\xff":
            return self._bad_input(response, "not_html", "binary content served as HTML")
        try:
            item, parser = parse_page(
                response.url, response.body, datetime.now(UTC), source=self.publisher_of(response.url).key,
                encoding=getattr(response, "encoding", None), hints=hints,
            )
        except Exception as exc:  # component boundary: one bad page never stops the crawl
            self.logger.error("Parser failed on %(url)s: %(exc)r", {"url": response.url, "exc": exc}, exc_info=True)
            return self._bad_input(response, "parser_error", repr(exc))
        for name in parser.field_errors:
            self.inc(f"parse/field_error/{name}")
        self.inc(f"parse/body_source/{parser.body_source}")
        if response.meta.get("newscrawl_live") or parser.is_live():
            self.inc("parse/live")
        if not item.title:
            return self._bad_input(response, "no_title", "no title found")
        if not item.text:
            return self._bad_input(response, "no_body", "no body found")
        self.inc("parse/items")
        return iter([item])

    def _bad_input(self, response: Response, reason: str, detail: str) -> Iterator[Any]:
        self.logger.warning("Dropped %(url)s: %(reason)s (%(detail)s)",
                            {"url": response.url, "reason": reason, "detail": detail})
        self.inc(f"bad_input/{reason}")
        return iter(())
