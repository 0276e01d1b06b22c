"""The base spider: discovery (feeds, news sitemaps, sitemap indexes, listing pages) and
scheduling. Extraction is not here: the article callback hands the page to the site's parser.

Every spider takes ``-a start_urls=URL[,URL...]`` (feeds, sitemaps, listing or article pages)
in place of its registry defaults, and ``-a since=``/``-a until=`` for a backfill by date. Start URLs on another host (a mirror, a local test server)
make that host allowed, and the site's article patterns then apply to the URL path.

Bad input never raises: each problem is one log line naming the URL and the reason, and a stat.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import scrapy
from scrapy import signals
from scrapy.exceptions import StopDownload
from scrapy.http import HtmlResponse

from newscrawl import road
from newscrawl.backfill import Window, backfill_bound_given, parse_window
from newscrawl.defaults import get_int, setting_default
from newscrawl.discovery import Document, Entry, NotAFeed, over_byte_cap, read_document, too_old
from newscrawl.gate import request_failed
from newscrawl.memo import compact_key as url_key  # the set of requested URLs holds these
from newscrawl.parsers import parse_page
from newscrawl.publishers import PUBLISHERS, Publisher, publisher_for_url
from newscrawl.safety import refuse_entry
from newscrawl.text.dates import parse_duration, parse_iso, to_iso
from newscrawl.text.urls import TRACKING_PARAMS, canonical_url
from spiders._checks import (
    HTML_TYPES,
    failure_reason,
    media_type,
)

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from newscrawl.items import ArticleItem

# Links of listing pages (day archives, section pages, home page cards), per site: the card
# links each site's listings use. A listing where none matches falls back to every link.
LISTING_CSS: dict[str, tuple[str, ...]] = {
    "franceinfo": ("ul.contents li a", 'article[data-cy="card-article-m"] a.card-article-m__link',
                   "article.card-article-most-read a"),
    "lefigaro": ("article.fig-ranking-profile-container a.fig-ranking-profile-link", "article.fig-profil a"),
    "leparisien": (".story-preview a",),
}
# Request flags of a body cut short (StopDownload, or a connection closed early).
_PARTIAL_FLAGS = road.PARTIAL_FLAGS
# The log's detail of road.page_reason's drops.
PAGE_DROPS = {"no_title": "no title found", "no_body": "no body text found",
              "too_deep": "no body text found in markup nested past 2,048 levels"}
DISCOVERY_PRIORITY = -1_000_000
"""Request priority of the sitemaps named in a sitemap index, below every article's (0 for the
newest entry of a document, then -rank, see rank_priority): the scheduler hands out the articles
already found before the next sitemap."""


def request_url(url: str) -> str:
    """The URL to fetch: fragment and tracking parameters dropped (``#xtor=RSS-3-[lestitres]``),
    host and scheme kept (a mirror must be fetched where it is)."""
    parts = urlsplit(url.strip())
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                       if not TRACKING_PARAMS.match(k)])
    return urlunsplit((parts.scheme, parts.netloc, parts.path or "/", query, ""))


def rank_priority(rank: int) -> int:
    """Request priority of the entry ranked ``rank`` (0: newest) in its document: one priority
    per rank for the first 1,000, then one per 100 ranks (Scrapy's priority queue keeps one
    queue per priority: 50,000 of them would cost a scan of each at every pop)."""
    return -rank if rank < 1000 else -(1000 + (rank - 1000) // 100)


def refine_verdict(verdict: str, url: str) -> str:
    """Name index pages: a site URL that is no article and ends in ``/`` or has no extension is a
    section (``/politique/``, ``/international``); anything else stays ``not_article``."""
    if verdict != "not_article":
        return verdict
    last = urlsplit(url).path.rstrip("/").rsplit("/", 1)[-1]
    return "section" if "." not in last and not urlsplit(url).query else verdict


class NewsSpider(scrapy.Spider):
    """Base of the site spiders; ``name`` is a key of the publisher registry.

    Settings read: NEWSCRAWL_MAX_AGE, NEWSCRAWL_INCLUDE_LIVE, NEWSCRAWL_MAX_SITEMAP_URLS,
    NEWSCRAWL_MAX_SITEMAP_DEPTH, NEWSCRAWL_MAX_SITEMAP_BYTES, NEWSCRAWL_MAX_DISCOVERY_DOCUMENTS,
    NEWSCRAWL_MAX_ARTICLES_PER_DOCUMENT, NEWSCRAWL_FUTURE_DATE_TOLERANCE, NEWSCRAWL_BACKFILL_LASTMOD_SLACK.

    A backfill (``-a since=YYYY-MM-DD -a until=YYYY-MM-DD``) starts from the publisher's
    ``archive_urls`` and reads only the sitemaps and entries that can hold the window
    (newscrawl.backfill); the age limit does not apply.

    Stats written (all under ``newscrawl/``):
    discovery/{documents,listings,entries,requested,duplicate,duplicate_in_document,too_old,too_deep,
    broken,document_limit,bad_entry}, discovery/limit/document (entries past
    NEWSCRAWL_MAX_ARTICLES_PER_DOCUMENT), discovery/entry_point/{total,dead} (start feeds/sitemaps; dead: failed or not a feed),
    discovery/skipped/<reason> (section, author, tag, video, live, not_article, offsite),
    discovery/truncated/<entries|bytes>, discovery/bad_document/<code>,
    fetch/failed/<reason> (see spiders/_checks.failure_reason),
    page/dropped/<reason> (empty_body, binary, not_html, parser_error, no_title, no_body, too_deep, live,
    truncated_body),
    page/warning/<reason> (charset_conflict, charset_wrong, charset_missing, truncated_html,
    truncated_body, content_type, future_date, ancient_date, field_error, canonical_refused),
    page/canonical_refused/<scheme|offsite|not_article> (newscrawl.canonical),
    parse/{items,live}, parse/field_error/<field>, parse/body_source/<source>;
    in a backfill: backfill/{since,until,timezone}, backfill/sitemaps/{selected,read},
    backfill/skipped_sitemap/<period_before|period_after|lastmod_before>,
    backfill/skipped_entry/<before|after|lastmod_before|lastmod_after>, page/dropped/outside_window.
    """

    # No ``name`` here (the subclasses set it): the spider loader only lists the site spiders.
    # The sitemaps of a sitemap index are scheduled a few at a time by the spider middleware
    # newscrawl.gate.SitemapGateMiddleware (NEWSCRAWL_SITEMAPS_IN_FLIGHT).

    def __init__(self, *args: Any, start_urls: str | Iterable[str] | None = None,
                 max_age: str | None = None, since: str | None = None, until: str | None = None,
                 **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if isinstance(start_urls, str):
            start_urls = [u.strip() for u in start_urls.split(",") if u.strip()]
        self.publisher: Publisher = PUBLISHERS[self.name]
        # Backfill (-a since=YYYY-MM-DD -a until=YYYY-MM-DD): the archive sitemap indexes are
        # the default entry points, read by date (newscrawl.backfill).
        self.window: Window | None = None
        self._window_args = (since, until)
        self._window_error: str | None = None
        try:
            self.window = parse_window(since, until)
        except ValueError as exc:
            self._window_error = str(exc)
        defaults = self.publisher.start_urls
        if self.window is not None and self.publisher.archive_urls:
            defaults = self.publisher.archive_urls
        self.start_urls = list(dict.fromkeys(start_urls or defaults))
        self._start_urls_given = bool(start_urls)
        self._max_age_arg = max_age
        hosts = {h for h in (urlsplit(u).hostname for u in self.start_urls) if h}
        # Hosts that are not the site's own: mirrors, a local test server. The site's patterns
        # apply to their paths. The generic spider has no site of its own, hence no mirrors.
        self.mirror_hosts = {h for h in hosts if self.publisher.domains and not self.publisher.owns_host(h)}
        self.allowed_domains = sorted({*self.publisher.domains, *hosts}) if self.publisher.domains else []
        self._requested: set[int] = set()
        """``url_key`` of the canonical URL of every article requested."""
        self._documents = 0
        self.max_age: timedelta | None = None
        self.include_live = False
        # The settings' defaults until from_crawler reads the crawl's settings.
        self.max_entries: int = setting_default("NEWSCRAWL_MAX_SITEMAP_URLS")
        self.max_depth: int = setting_default("NEWSCRAWL_MAX_SITEMAP_DEPTH")
        self.max_doc_bytes: int = setting_default("NEWSCRAWL_MAX_SITEMAP_BYTES")
        self.max_documents: int = setting_default("NEWSCRAWL_MAX_DISCOVERY_DOCUMENTS")
        self.max_per_document: int = setting_default("NEWSCRAWL_MAX_ARTICLES_PER_DOCUMENT")
        self.future_tolerance = parse_duration(setting_default("NEWSCRAWL_FUTURE_DATE_TOLERANCE")) or timedelta(0)

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> NewsSpider:
        spider: NewsSpider = super().from_crawler(crawler, *args, **kwargs)
        settings = crawler.settings
        try:
            spider.max_age = parse_duration(spider._max_age_arg or settings.get("NEWSCRAWL_MAX_AGE") or None)
        except ValueError as exc:  # say which of the two the user wrote
            where = "-a max_age" if spider._max_age_arg else "NEWSCRAWL_MAX_AGE"
            message = f"Configuration error: bad {where}: {exc}"
            spider.logger.error(message)
            raise ValueError(message) from None
        spider.include_live = settings.getbool("NEWSCRAWL_INCLUDE_LIVE")
        spider.max_entries = get_int(settings, "NEWSCRAWL_MAX_SITEMAP_URLS")
        spider.max_depth = get_int(settings, "NEWSCRAWL_MAX_SITEMAP_DEPTH")
        spider.max_doc_bytes = get_int(settings, "NEWSCRAWL_MAX_SITEMAP_BYTES")
        spider.max_documents = get_int(settings, "NEWSCRAWL_MAX_DISCOVERY_DOCUMENTS")
        spider.max_per_document = get_int(settings, "NEWSCRAWL_MAX_ARTICLES_PER_DOCUMENT")
        if spider.max_per_document < 0:
            raise ValueError(f"NEWSCRAWL_MAX_ARTICLES_PER_DOCUMENT must be 0 (no limit) or more, "
                             f"not {spider.max_per_document}")
        if spider.window is not None and not backfill_bound_given(settings, "NEWSCRAWL_MAX_ARTICLES_PER_DOCUMENT"):
            spider.max_per_document = 0  # a backfill wants every entry of its window (bounded by the sitemap)
        spider.future_tolerance = parse_duration(settings.get("NEWSCRAWL_FUTURE_DATE_TOLERANCE")
                                             or setting_default("NEWSCRAWL_FUTURE_DATE_TOLERANCE")) \
            or timedelta(0)
        spider._setup_backfill(settings)
        crawler.signals.connect(spider.on_bytes_received, signal=signals.bytes_received)
        if not spider.start_urls:  # nothing to crawl is an error: the crawl stops, exit non-zero
            message = f"No start URL for {spider.name}: pass -a start_urls=URL[,URL...]"
            spider.logger.error(message)
            raise ValueError(message)
        for url in spider.start_urls:  # "/etc/passwd", "example.fr/feed": a typo, not a URL to skip
            try:
                scrapy.Request(url)
            except ValueError as exc:
                message = (f"Start URL {url[:300]!r} of {spider.name} is not a URL ({exc}): write it with "
                           "http:// or https://; nothing is crawled")
                spider.logger.error(message)
                raise ValueError(message) from None
        return spider

    def _setup_backfill(self, settings: Any) -> None:
        """A window replaces the age limit; a bad window stops the crawl (ValueError, exit non-zero)."""
        if self._window_error is None and self.window is not None:
            try:
                self.window = parse_window(*self._window_args, settings.get("NEWSCRAWL_BACKFILL_LASTMOD_SLACK"))
            except ValueError as exc:
                self._window_error = f"NEWSCRAWL_BACKFILL_LASTMOD_SLACK: {exc}"
        if self._window_error is not None:  # a configuration error: the crawl stops, exit non-zero
            message = f"Bad backfill window (-a since/until): {self._window_error}; nothing is crawled"
            self.logger.error(message)
            raise ValueError(message)
        if self.window is None:
            return
        if self.max_age is not None:
            self.logger.info("Backfill: the age limit (%(age)s) does not apply, the window does",
                             {"age": self._max_age_arg or settings.get("NEWSCRAWL_MAX_AGE")})
            self.max_age = None
        where = ("the start URLs given" if self._start_urls_given else
                 "the archive sitemap index(es)" if self.publisher.archive_urls else
                 "the feeds and news sitemaps (no archive sitemap index is known for this site: "
                 "they only reach back a few days)")
        level = logging.WARNING if where.startswith("the feeds") else logging.INFO
        self.logger.log(level, "Backfill %(name)s %(window)s from %(where)s: %(urls)s",
                        {"name": self.name, "window": self.window.describe(), "where": where,
                         "urls": ", ".join(self.start_urls)})

    # ---------------------------------------------------------------- helpers
    def inc(self, key: str, n: int = 1) -> None:
        self.crawler.stats.inc_value(f"newscrawl/{key}", n)

    def publisher_of(self, url: str) -> Publisher:
        """The site whose patterns and parser apply to ``url``: this spider's site for its own
        hosts and mirrors, the site whose registry hosts include this exact host, else this
        spider's site (generic). Other subdomains of a site (madame.lefigaro.fr,
        la1ere.franceinfo.fr) have other templates: they are not the site."""
        host = (urlsplit(url).hostname or "").lower()
        if host in self.mirror_hosts:
            return self.publisher
        owner = publisher_for_url(url)
        return owner if owner is not None and host in owner.domains else self.publisher

    def classify(self, url: str) -> str:
        """'article', 'live', or why the URL is not requested (section, author, tag, video,
        not_article, offsite)."""
        host = (urlsplit(url).hostname or "").lower()
        if self.publisher.domains and not (host in self.mirror_hosts or host in self.publisher.domains):
            return "offsite"
        return refine_verdict(self.publisher_of(url).classify(url), url)

    def article_request(self, url: str, entry: Entry | None = None, *, live: bool = False,
                        explicit: bool = False) -> scrapy.Request:
        hints: dict[str, Any] = {}
        if entry is not None:
            hints = {"title": entry.title, "published": to_iso(entry.published)}
        self.inc("discovery/requested")
        return scrapy.Request(
            request_url(url),
            callback=self.parse_article,
            errback=self.on_error,
            cb_kwargs={"hints": hints},
            meta={"newscrawl_article": True, "newscrawl_live": live, "newscrawl_explicit": explicit,
                  "newscrawl_canonical": canonical_url(url)},
        )

    def discovery_request(self, url: str, depth: int = 0) -> scrapy.Request | None:
        if self._documents >= self.max_documents:
            if not self.crawler.stats.get_value("newscrawl/discovery/document_limit"):
                self.logger.warning("Not fetching %(url)s: NEWSCRAWL_MAX_DISCOVERY_DOCUMENTS (%(n)d) reached",
                                    {"url": url, "n": self.max_documents})
            self.inc("discovery/document_limit")
            return None
        self._documents += 1
        meta: dict[str, Any] = {"newscrawl_discovery": True, "download_maxsize": 2 * self.max_doc_bytes}
        # depth >= 1: named in a sitemap index, scheduled a few at a time (newscrawl.gate)
        return scrapy.Request(
            url, callback=self.parse_discovery, errback=self.on_error, cb_kwargs={"depth": depth},
            priority=DISCOVERY_PRIORITY if depth else 0,
            # on_bytes_received stops the download at max_doc_bytes and the part read is parsed;
            # download_maxsize is the hard stop above it, and also bounds Content-Encoding
            # decompression (gzip bombs).
            meta=meta,
        )

    def on_bytes_received(self, data: bytes, request: scrapy.Request, spider: Any = None) -> None:
        """Stop reading a feed/sitemap at NEWSCRAWL_MAX_SITEMAP_BYTES: the part read is parsed."""
        if request.meta.get("newscrawl_discovery") and over_byte_cap(request.meta, data, self.max_doc_bytes):
            raise StopDownload(fail=False)

    def on_error(self, failure: Any) -> None:
        """Errback of every request: one log line with the URL and the reason, one stat."""
        request = getattr(failure, "request", None)
        url = request.url if request is not None else "?"
        reason, detail = failure_reason(failure)
        level = logging.INFO if reason == "robots_txt" else logging.WARNING  # obeying robots.txt is no fault
        self.logger.log(level, "Fetch failed: %(url)s (%(reason)s: %(detail)s)",
                        {"url": url, "reason": reason, "detail": detail})
        self.inc(f"fetch/failed/{reason}")
        if request is not None and request.meta.get("newscrawl_start") and reason != "robots_txt":
            self.entry_point_dead(url, f"{reason}: {detail}")
        self.crawler.signals.send_catch_log(request_failed, request=request)  # a sitemap gives its place

    def entry_point_dead(self, url: str, reason: str) -> None:
        """A start URL (feed, sitemap) that failed or is no discovery document: one WARNING
        saying whether the catalog had it confirmed, and the stat the health check
        ``entry_points`` reads (newscrawl/monitor.py)."""
        known = {e.url: e for e in self.publisher.entry_points}.get(url)
        status = ("" if known is None else
                  " (confirmed in the catalog: the site may have moved it)" if known.confirmed else
                  " (an UNCONFIRMED catalog entry point: fix or drop it in newscrawl/catalog.py)")
        self.logger.warning("Dead entry point %(url)s: %(reason)s%(status)s",
                            {"url": url, "reason": reason, "status": status})
        self.inc("discovery/entry_point/dead")

    # ---------------------------------------------------------------- discovery
    async def start(self) -> AsyncIterator[scrapy.Request]:
        for name, value in (self.window.to_dict().items() if self.window is not None else ()):
            self.crawler.stats.set_value(f"newscrawl/backfill/{name}", value)
        for url in self.start_urls:
            publisher = self.publisher_of(url)
            verdict = publisher.classify(url)
            # A site with article URL patterns: an article page asked for by name is fetched as
            # is. Without patterns (generic), only the content tells a feed from an article.
            if verdict in ("article", "live") and publisher.article_paths:
                self._requested.add(url_key(canonical_url(url)))
                yield self.article_request(url, live=verdict == "live", explicit=True)
                continue
            request = self.discovery_request(url)
            if request is not None:
                request.meta["newscrawl_start"] = True
                self.inc("discovery/entry_point/total")
                yield request

    def parse_discovery(self, response: Response, depth: int = 0) -> Iterator[Any]:
        try:
            doc = self._read_entries(response)
        except NotAFeed as exc:
            if exc.code in ("bad_root", "not_xml") and (isinstance(response, HtmlResponse) or media_type(
                    response.headers.get(b"Content-Type")) in HTML_TYPES):
                doc = Document(kind="html")  # an HTML fragment without <html>: still a page
            else:
                self.logger.warning("Not a feed or sitemap: %(url)s (%(reason)s)",
                                    {"url": response.url, "reason": exc})
                self.inc(f"discovery/bad_document/{exc.code}")
                if response.meta.get("newscrawl_start"):
                    self.entry_point_dead(response.url, f"not a feed or sitemap: {exc}")
                return
        if doc.kind == "html" and response.meta.get("newscrawl_start") and self.classify(response.url) in (
                "article", "live"):
            # A start URL of the generic spider that is an HTML page with an article path.
            self._requested.add(url_key(canonical_url(response.url)))
            self.inc("discovery/requested")
            response.meta["newscrawl_explicit"] = True
            yield from self.parse_article(response, hints={})
            return
        self.inc("discovery/documents")
        if doc.kind == "html":
            yield from self.parse_listing(response)
            return
        self._report(response, doc)
        if self.window is not None and depth:
            self.inc("backfill/sitemaps/read")
        self.inc("discovery/entries", doc.read)
        self._report_cut(response, doc.cut)
        for rank, entry in enumerate(doc.entries):  # newest first
            try:
                if doc.kind != "sitemapindex":
                    yield from self.request_entry(entry, rank)
                    continue
                entry.url = response.urljoin(entry.url)
                if depth >= self.max_depth:
                    self.logger.warning("Not following %(url)s: sitemap nesting deeper than %(n)d",
                                        {"url": entry.url, "n": self.max_depth})
                    self.inc("discovery/too_deep")
                elif not self._too_old(entry, sitemap=True):
                    request = self.discovery_request(entry.url, depth + 1)
                    if request is not None:
                        if self.window is not None:
                            self.inc("backfill/sitemaps/selected")
                        yield request
            except ValueError as exc:  # a URL that no request can be made of: that entry only
                self._bad_entry(response, entry.url, exc)

    def _read_entries(self, response: Response) -> Document:
        """The document's entries that this site wants (articles, recent enough, once each), the
        NEWSCRAWL_MAX_ARTICLES_PER_DOCUMENT newest of them (newscrawl.discovery.Newest): the
        rest are judged as they stream by and never held."""
        seen_here: set[int] = set()

        def accept(entry: Entry) -> bool:
            try:
                entry.url = response.urljoin(entry.url)
                if refuse_entry(self.crawler, entry.url, f" (found in {response.url[:300]})"):
                    return False
                key = url_key(canonical_url(entry.url))
                if key in seen_here:
                    self.logger.info("Duplicate entry in %(doc)s: %(url)s (requested once)",
                                     {"doc": response.url, "url": entry.url})
                    self.inc("discovery/duplicate_in_document")
                    return False
                seen_here.add(key)
                return self.wanted(entry) is not None
            except ValueError as exc:  # one entry's URL (http://[::1, a port of 99999...), not the document
                self._bad_entry(response, entry.url, exc)
                return False

        return read_document(response.body, max_entries=self.max_entries, max_bytes=self.max_doc_bytes,
                             keep=self.max_per_document, accept=accept)

    def _bad_entry(self, response: Response, url: str, exc: Exception) -> None:
        self.logger.warning("Bad entry in %(doc)s: %(url)r (%(exc)s); skipped, the rest is read",
                            {"doc": response.url, "url": url[:300], "exc": exc})
        self.inc("discovery/bad_entry")

    def _report_cut(self, response: Response, cut: int) -> None:
        if cut:
            self.logger.warning("Discovery document %(url)s: %(n)d article entries not requested, "
                                "NEWSCRAWL_MAX_ARTICLES_PER_DOCUMENT=%(max)d (the newest are)",
                                {"url": response.url, "n": cut, "max": self.max_per_document})
            self.inc("discovery/limit/document", cut)

    def _report(self, response: Response, doc: Document) -> None:
        if _PARTIAL_FLAGS & set(response.flags):
            doc.truncated, doc.broken = doc.truncated or "bytes", None
        if doc.broken:
            self.logger.warning("Broken discovery document %(url)s (%(reason)s): %(n)d entries read before the break",
                                {"url": response.url, "reason": doc.broken, "n": len(doc.entries)})
            self.inc("discovery/broken")
        if doc.truncated:
            limit = (f"NEWSCRAWL_MAX_SITEMAP_URLS={self.max_entries}" if doc.truncated == "entries"
                     else f"NEWSCRAWL_MAX_SITEMAP_BYTES={self.max_doc_bytes}")
            self.logger.warning("Discovery document %(url)s truncated at %(limit)s (%(n)d entries read)",
                                {"url": response.url, "limit": limit, "n": len(doc.entries)})
            self.inc(f"discovery/truncated/{doc.truncated}")

    def parse_listing(self, response: Response) -> Iterator[scrapy.Request]:
        """An HTML listing (day archive, section page, home page): follow its article links.

        Links picked by the site's listing selectors are all considered (non-articles are
        counted as skipped); without such links, every link to the page's own host is tried and
        non-articles are ignored.
        """
        self.inc("discovery/listings")
        site = self.publisher_of(response.url).key
        hrefs: list[str] = []
        for css in LISTING_CSS.get(site, ()):
            hrefs = response.css(f"{css}::attr(href)").getall()
            if hrefs:
                break
        picked = bool(hrefs)
        if not picked:
            hrefs = response.css("a::attr(href)").getall()
        self.logger.info("Reading %(url)s as an HTML listing (%(n)d links)", {"url": response.url, "n": len(hrefs)})
        own_host = urlsplit(response.url).hostname
        rank = cut = 0
        for href in hrefs:
            try:
                url = response.urljoin(href.strip())
                parts = urlsplit(url)
                if parts.scheme not in ("http", "https"):
                    continue
                # Without listing markup, only the page's own article links (not share buttons,
                # ads or partner sites linked from a home page).
                if not (picked or (parts.hostname == own_host and self.classify(url) == "article")):
                    continue
                entry = Entry(url=url)
                if self.wanted(entry) is None:
                    continue
                if self.max_per_document and rank >= self.max_per_document:  # undated: page order
                    cut += 1
                    continue
                requests = list(self.request_entry(entry, rank))
            except ValueError as exc:  # one link's URL (http://[::1...), not the page
                self._bad_entry(response, href, exc)
                continue
            rank += len(requests)
            yield from requests
        self._report_cut(response, cut)

    def _too_old(self, entry: Entry, *, sitemap: bool = False) -> bool:
        if self.window is not None:  # a backfill: the window, not the age, decides
            reason = (self.window.skip_sitemap(entry.url, entry.lastmod) if sitemap
                      else self.window.skip_entry(entry))
            if reason:
                what = "sitemap" if sitemap else "entry"
                self.inc(f"backfill/skipped_{what}/{reason}")
                self.logger.debug("Skipped %(what)s %(url)s: outside the window (%(reason)s)",
                                  {"what": what, "url": entry.url, "reason": reason})
            return reason is not None
        if too_old(entry, self.max_age, datetime.now(UTC)):
            self.inc("discovery/too_old")
            return True
        return False

    def consider(self, entry: Entry) -> Iterator[scrapy.Request]:
        """Request ``entry`` if it is an article URL of this site, recent enough, not yet seen."""
        if self.wanted(entry) is not None:
            yield from self.request_entry(entry)

    def wanted(self, entry: Entry) -> str | None:
        """'article' or 'live' when this site wants ``entry`` (an article URL of the site, live
        pages only with NEWSCRAWL_INCLUDE_LIVE, recent enough); else None, counted and logged."""
        verdict = self.classify(entry.url)
        if verdict == "live" and self.include_live:
            verdict = "live_ok"
        if verdict not in ("article", "live_ok"):
            self.inc(f"discovery/skipped/{verdict}")
            self.logger.info("Skipped %(url)s (%(reason)s)", {"url": entry.url, "reason": verdict})
            return None
        if self._too_old(entry):
            return None
        return "live" if verdict == "live_ok" else "article"

    def request_entry(self, entry: Entry, rank: int | None = None) -> Iterator[scrapy.Request]:
        """The request of a wanted entry, unless already requested in this run. ``rank`` is its
        place in its document, newest first: its request priority (newest fetched first, and
        the first entries of every document before the later ones of any)."""
        key = url_key(canonical_url(entry.url))
        if key in self._requested:
            self.logger.debug("Already requested: %(url)s", {"url": entry.url})
            self.inc("discovery/duplicate")
            return
        self._requested.add(key)
        request = self.article_request(entry.url, entry, live=self.classify(entry.url) == "live")
        if rank is not None:
            request.meta["newscrawl_discovered"] = True
            request.priority = rank_priority(rank)
        yield request

    # ---------------------------------------------------------------- articles
    def parse_article(self, response: Response, hints: dict[str, Any] | None = None) -> Iterator[ArticleItem]:
        """Hand the page to its parser; bad input is logged and counted, never raised."""
        check = road.check_page(response.body, response.headers.get(b"Content-Type"), flags=response.flags)
        if check.drop:
            return self._drop(response, check.drop, check.detail)
        for reason, detail in check.warnings:
            self._warn(response, reason, detail)
        # A page replayed from a WARC was fetched when it was archived (newscrawl.warc).
        fetched_at = (parse_iso(response.meta.get("newscrawl_archived_at")) or datetime.now(UTC)).replace(microsecond=0)
        try:
            item, parser = parse_page(response.url, check.body, fetched_at,
                                      source=self.publisher_of(response.url).key, encoding=check.encoding, hints=hints)
        except Exception as exc:  # component boundary: one bad page never stops the crawl
            self.logger.exception("Parser failed on %(url)s", {"url": response.url})
            return self._drop(response, "parser_error", repr(exc))
        for name in parser.field_errors:
            self.inc(f"parse/field_error/{name}")
        self.inc(f"parse/body_source/{parser.body_source}")
        refused = getattr(parser, "canonical_refused", None)
        if refused:  # newscrawl.canonical: the record is named after the fetched URL
            self.inc(f"page/canonical_refused/{refused[0]}")
        for reason, detail in road.parse_warnings(item, parser):
            self._warn(response, reason, detail)
        instead = self.after_parse(response, item, parser)
        if instead is not None:  # e.g. daily8: an empty page is fetched again through the browser
            return iter(instead)
        live = bool(response.meta.get("newscrawl_live")) or parser.is_live()
        if live:
            self.inc("parse/live")
            if not (self.include_live or response.meta.get("newscrawl_explicit")):
                return self._drop(response, "live", "a live page (NEWSCRAWL_INCLUDE_LIVE is off)")
        reason = road.page_reason(item, parser)
        if reason:
            return self._drop(response, reason, PAGE_DROPS[reason])
        for reason, detail in road.check_dates(item, fetched_at, self.future_tolerance, hints):
            self._warn(response, reason, detail)
        if self.window is not None and not response.meta.get("newscrawl_explicit"):
            published = parse_iso(item.published)
            where = self.window.position(published) if published else None
            if where:  # an undated entry (or one dated by lastmod) published outside the window
                self.logger.info("Dropped %(url)s: published %(date)s, %(where)s the window %(window)s",
                                 {"url": response.url, "date": item.published, "where": where,
                                  "window": self.window.describe()})
                self.inc("page/dropped/outside_window")
                return iter(())
        self.inc("parse/items")
        return iter([item])

    def after_parse(self, response: Response, item: ArticleItem, parser: Any) -> list[Any] | None:
        """Hook for site spiders, called on every parsed page before the live/title/body checks:
        return requests (or items) to yield instead of the page's item, or None to go on."""
        return None

    def _drop(self, response: Response, reason: str, detail: str) -> Iterator[ArticleItem]:
        self.logger.warning("Dropped %(url)s: %(reason)s (%(detail)s)",
                            {"url": response.url, "reason": reason, "detail": detail})
        self.inc(f"page/dropped/{reason}")
        return iter(())

    def _warn(self, response: Response, reason: str, detail: str) -> None:
        self.logger.warning("Page %(url)s: %(reason)s (%(detail)s); kept",
                            {"url": response.url, "reason": reason, "detail": detail})
        self.inc(f"page/warning/{reason}")
