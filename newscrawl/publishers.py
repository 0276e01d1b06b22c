"""The publisher registry: the single source of truth for each site.

One key names everything: ``Spider.name``, ``newscrawl/parsers/<key>.py``,
``tests/fixtures/pages/<key>/``, the record's ``source``.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Literal
from urllib.parse import urlsplit

from newscrawl.catalog import CATALOG, CatalogEntry, EntryPoint, validate
from newscrawl.text.urls import TRACKING_PARAMS

if TYPE_CHECKING:
    from newscrawl.parsers.base import ArticleParser

GENERIC_PARSER = "newscrawl.parsers.generic.GenericParser"


def match_path(url: str) -> str:
    """Path + query the patterns are matched on, tracking parameters removed: a feed link
    ``…-20240430?utm_source=rss`` is the article ``…-20240430``."""
    parts = urlsplit(url)
    query = "&".join(
        pair for pair in parts.query.split("&")
        if pair and not TRACKING_PARAMS.match(pair.split("=", 1)[0])
    )
    return parts.path + (f"?{query}" if query else "")


def classify_path(url: str, article_paths: tuple[str, ...], skip_paths: tuple[tuple[str, str], ...],
                  live_paths: tuple[str, ...]) -> str:
    """'article', 'live', or the skip reason ('section', 'author', 'video', 'not_article')."""
    path = match_path(url)
    for reason, pattern in skip_paths:
        if re.search(pattern, path):
            return reason
    if any(re.search(p, path) for p in live_paths):
        return "live"
    if not article_paths or any(re.search(p, path) for p in article_paths):
        return "article"
    return "not_article"


@dataclass(frozen=True)
class Publisher:
    key: str
    name: str
    """Display name, the record's ``publisher``."""
    domains: tuple[str, ...]
    """Hosts of the site (aliases included); article patterns apply to their URLs. The first is
    the site's canonical host."""
    parser: str
    """Dotted path of the parser class (imported lazily)."""
    kind: Literal["publisher", "aggregator"] = "publisher"
    article_paths: tuple[str, ...] = ()
    """Regexes on the URL path (+ query) of article pages."""
    skip_paths: tuple[tuple[str, str], ...] = ()
    """(reason, regex on the path): pages never requested (sections, authors, videos...)."""
    live_paths: tuple[str, ...] = ()
    """Regexes on the path of live pages (skipped unless NEWSCRAWL_INCLUDE_LIVE)."""
    start_urls: tuple[str, ...] = ()
    """Default discovery entry points: feeds and news sitemaps."""
    archive_urls: tuple[str, ...] = ()
    """Archive sitemap indexes: the entry points of a backfill (``--since/--until``), read by
    the dates in their sitemaps' URLs or ``lastmod`` (newscrawl.backfill); never read by a daily
    run. A catalog entry's ``sitemap_index`` entry points land here."""
    host_aliases: tuple[str, ...] = ()
    """Hosts that serve the same articles: canonical URLs (and so record ids and dedup) rewrite
    them to ``domains[0]`` (newscrawl.text.urls.canonical_url)."""
    name_aliases: tuple[str, ...] = field(default=())
    """Other spellings of the display name (how aggregators credit the publisher)."""
    # Catalog entries (newscrawl/catalog.py) fill these; the named sites keep the defaults.
    catalog: bool = False
    """True for an entry of the catalog (read by the generic parser unless it names a site parser)."""
    entry_points: tuple[EntryPoint, ...] = ()
    """Discovery documents with their kind, confirmed flag and source (catalog entries)."""
    paywall_css: tuple[str, ...] = ()
    """Subscriber-teaser markers the generic parser applies to this site's pages."""
    noise_css: tuple[str, ...] = ()
    """Site blocks the generic parser removes from this site's pages."""
    language: str = "fr"
    country: str = "FR"
    group: str = ""
    seen: str = ""
    """Where the catalog entry's patterns and markers come from."""
    examples: tuple[str, ...] = ()
    """Article URLs of the site (catalog entries): they match ``article_paths``."""

    def parser_class(self) -> type[ArticleParser]:
        if self.catalog and self.parser == GENERIC_PARSER:
            from newscrawl.parsers.catalog import catalog_parser

            return catalog_parser(self.key)
        module, _, cls = self.parser.rpartition(".")
        return getattr(importlib.import_module(module), cls)  # type: ignore[no-any-return]

    @property
    def parser_kind(self) -> str:
        """'site' (a parser of its own) or 'generic' (the generic parser, with the entry's markers)."""
        return "generic" if self.parser == GENERIC_PARSER else "site"

    def classify(self, url: str) -> str:
        """'article', 'live', or the skip reason ('section', 'author', 'video', 'not_article')."""
        return classify_path(url, self.article_paths, self.skip_paths, self.live_paths)

    def owns(self, url: str) -> bool:
        return self.owns_host((urlsplit(url).hostname or "").lower())

    def owns_host(self, host: str) -> bool:
        """``host`` (lowercase) is one of the site's domains or a subdomain of one."""
        return any(host == d or host.endswith("." + d) for d in self.domains)


PUBLISHERS: dict[str, Publisher] = {
    p.key: p
    for p in (
        Publisher(
            key="franceinfo",
            name="franceinfo",
            domains=("www.franceinfo.fr", "www.francetvinfo.fr", "franceinfo.fr", "francetvinfo.fr"),
            parser="newscrawl.parsers.franceinfo.FranceinfoParser",
            # /politique/..._7375003.html (verified on 19 pages)
            article_paths=(r"^/(?:[a-z0-9-]+/)+[a-z0-9-]+_\d{6,8}\.html$",),
            skip_paths=(
                ("author", r"^/redaction/"),
                ("video", r"^/(?:replay-jt|videos?)/"),
                ("not_article", r"^/(?:recherche|pictures|esi-block|archives)/"),
            ),
            live_paths=(r"^/en-direct/", r"/direct-[a-z0-9-]*_\d+\.html$", r"/en-direct-[a-z0-9-]*_\d+\.html$"),
            start_urls=("https://www.franceinfo.fr/titres.rss", "https://www.francetvinfo.fr/sitemap_news.xml"),
            # the site's sitemap index (layout of its sitemaps unknown: read by URL date or lastmod)
            archive_urls=("https://www.francetvinfo.fr/sitemap_index.xml",),
            host_aliases=("francetvinfo.fr", "www.francetvinfo.fr", "franceinfo.fr"),
            name_aliases=("France Info", "Franceinfo", "francetvinfo", "France Télévisions"),
        ),
        Publisher(
            key="lefigaro",
            name="Le Figaro",
            domains=("www.lefigaro.fr", "lefigaro.fr"),
            parser="newscrawl.parsers.lefigaro.LeFigaroParser",
            article_paths=(
                r"^/(?:[a-z0-9-]+/){1,2}[a-z0-9-]+-(?:19|20)\d{6}$",  # /international/…-20241122
                r"^/[a-z0-9-]+(?:/[a-z0-9-]+)?/\d{4}/\d{2}/\d{2}/\d+-\d{8}(?:ARTFIG|FILWWW)\d+-[a-z0-9-]+\.php$",
            ),
            skip_paths=(
                ("tag", r"^/tag/"),
                ("section", r"(?:^|/)dossier/"),
                ("not_article", r"^/elections/resultats/"),
            ),
            live_paths=(r"^/live/", r"/live-[a-z0-9-]+-(?:19|20)\d{6}$"),
            start_urls=("https://www.lefigaro.fr/sitemap_news.xml", "https://www.lefigaro.fr/rss/figaro_actualites.xml"),
            # one sitemap per day, articles/YYYY-MM-DD.xml, back to 2012 at least
            archive_urls=("https://sitemaps.lefigaro.fr/lefigaro.fr/articles.xml",),
            host_aliases=("lefigaro.fr", "amp.lefigaro.fr"),
            name_aliases=("lefigaro.fr", "Figaro"),
        ),
        Publisher(
            key="leparisien",
            name="Le Parisien",
            domains=("www.leparisien.fr", "leparisien.fr", "feeds.leparisien.fr"),
            parser="newscrawl.parsers.leparisien.LeParisienParser",
            # /economie/consommation/…-07-04-2023-A5WHN7KLJJGTRIZCMZOHWGDQ54.php
            article_paths=(r"^/(?:[a-z0-9-]+/)+[a-z0-9-]+-\d{2}-\d{2}-\d{4}-(?:[A-Z0-9]{26}|\d{7,8})\.php$",),
            skip_paths=(("author", r"^/auteur/"), ("not_article", r"^/archives/")),
            # "-en-direct-" / "suivez-en-direct" / "live-" as whole slug words (not "olivier")
            live_paths=(r"(?:^|[/-])(?:en-direct|live)-[a-z0-9-]*\d{2}-\d{2}-\d{4}-",),
            start_urls=(
                "https://feeds.leparisien.fr/leparisien/rss",
                "https://www.leparisien.fr/arc/outboundfeeds/sitemapnews/?outputType=xml&from=0",
            ),
            # named in one of the site's sitemap configs (unconfirmed; its layout unknown)
            archive_urls=("https://www.leparisien.fr/sitemap-index.xml",),
            host_aliases=("leparisien.fr", "amp.leparisien.fr"),
            name_aliases=("leparisien.fr", "Le Parisien avec AFP"),
        ),
        Publisher(
            key="daily8",
            name="Daily8",
            domains=("www.daily8.com", "daily8.com", "test.daily8.com"),
            parser="newscrawl.parsers.daily8.Daily8Parser",
            kind="aggregator",
            host_aliases=("daily8.com",),
            article_paths=(r"^/(?:fr|en|ar)/article/[0-9a-f]{32}$",),
            skip_paths=(("tag", r"^/(?:fr|en|ar)/hashtag/"),),
            start_urls=("https://www.daily8.com/sitemap.xml", "https://www.daily8.com/fr"),
        ),
        Publisher(
            key="generic",
            name="",
            domains=(),
            parser="newscrawl.parsers.generic.GenericParser",
            skip_paths=(
                ("tag", r"/(?:tag|tags|hashtag|topics?|mot-cle)/"),
                ("author", r"/(?:auteur|author|authors|redaction)/"),
                ("video", r"/(?:videos?|replay)/"),
                # up to two short segments: /politique/, /monde/europe (an article slug is longer)
                ("section", r"^/(?:[a-z]+(?:-[a-z]+){0,2}/?){0,2}$"),
            ),
            live_paths=(r"/(?:live|en-direct|direct)(?:/|-)",),
        ),
    )
}

SITE_KEYS = tuple(k for k in PUBLISHERS if k != "generic")
"""The named sites (``--all``): those with a parser and a spider module of their own."""


def from_catalog(entry: CatalogEntry) -> Publisher:
    return Publisher(
        key=entry.key, name=entry.name, domains=entry.domains, parser=entry.parser or GENERIC_PARSER,
        article_paths=entry.article_paths, skip_paths=entry.skip_paths, live_paths=entry.live_paths,
        start_urls=entry.start_urls, name_aliases=entry.name_aliases, catalog=True,
        entry_points=entry.entry_points, archive_urls=entry.sitemap_index, paywall_css=entry.paywall_css,
        noise_css=entry.noise_css, language=entry.language, country=entry.country, group=entry.group,
        seen=entry.seen, examples=entry.examples,
    )


# The catalog is checked at import: a broken entry (a duplicate key or host, a pattern that does
# not compile, an entry point off the site, an example that is no article) stops the program.
validate(CATALOG, taken={d: p.key for p in PUBLISHERS.values() for d in p.domains})
PUBLISHERS.update((e.key, from_catalog(e)) for e in CATALOG)
CATALOG_KEYS = tuple(e.key for e in CATALOG)
"""Every catalog entry (``--catalog``), in catalog order."""


@lru_cache(maxsize=4096)
def _owner_of_host(host: str) -> Publisher | None:
    for pub in PUBLISHERS.values():
        if pub.owns_host(host):
            return pub
    return None


def publisher_for_url(url: str) -> Publisher | None:
    """The site that owns ``url``'s host, or None (an unknown site)."""
    return _owner_of_host((urlsplit(url).hostname or "").lower())


def publisher_by_name(name: str | None) -> Publisher | None:
    """Map a credited name ("Le Figaro", "leparisien.fr") to its publisher."""
    if not name:
        return None
    folded = name.strip().casefold()
    for pub in PUBLISHERS.values():
        if pub.name and folded in {pub.name.casefold(), pub.key, *(a.casefold() for a in pub.name_aliases)}:
            return pub
    return None
