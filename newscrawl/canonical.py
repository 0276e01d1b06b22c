"""Whether a page's declared canonical URL may stand for it (record id, dedup).

A page's ``rel=canonical``, ``og:url`` or JSON-LD ``url`` is a claim written by whoever wrote
the page, not a fact. It names the record (``id`` hashes it) and its dedup cluster, so a wrong
one loses articles: every page of a site whose template declares the home page gets one id
(all but one "already written"), and a third-party page declaring another site's article as
its canonical would be stored under that article's id and suppress the real one.

A declared canonical is used only when it is

- http(s) with a host;
- on the same site as the page: the same host and port (``www.`` or not), or a host of the same
  publisher in the registry (newscrawl/publishers.py: franceinfo.fr for a francetvinfo.fr
  page; the site a mirror stands for, given as ``site``);
- an article path: for a registry site, one its article patterns accept (article or live);
  elsewhere, not the site root and not what the generic patterns call a section, tag, author
  or video index.

Otherwise the fetched URL, canonicalised, is the canonical URL, and the reason is returned
for a stat. Pure functions, no Scrapy.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

from newscrawl.publishers import PUBLISHERS, Publisher, publisher_for_url
from newscrawl.text.urls import canonical_url

REFUSALS = ("scheme", "offsite", "not_article")
"""Why a declared canonical was refused: not http(s) (or no host), another site, not an
article path (site root, section...)."""


def _bare(host: str) -> str:
    return host.removeprefix("www.")


def site_publishers(fetched: str, site: str | None) -> list[Publisher]:
    """The registry sites the page belongs to: the one it was fetched for (``site``, e.g. the
    site a mirror stands for) and the one owning the fetched host."""
    out = []
    named = PUBLISHERS.get(site or "")
    if named is not None and named.domains:
        out.append(named)
    owner = publisher_for_url(fetched)
    if owner is not None and owner not in out:
        out.append(owner)
    return out


def refusal(declared: str, fetched: str, site: str | None = None) -> str | None:
    """Why ``declared`` (absolute, any form) may not stand for the page fetched at ``fetched``
    for ``site`` (a registry key, or None/"generic"), or None when it may. Never raises: a
    declared URL that cannot be read (``http://[::1``, port 99999) is refused as ``scheme``."""
    try:
        return _refusal(declared, fetched, site)
    except ValueError:  # urlsplit's bad IPv6 literal, .port out of range...
        return "scheme"


_INDEX_FILE = re.compile(r"(?:^|/)(?:index|default|home|accueil)\.(?:s?html?|php\d?|aspx?|jsp)$", re.IGNORECASE)
_PAGINATION = re.compile(r"(?:^|/)page/\d+$", re.IGNORECASE)  # not /p/123: a short link to one article
_DATE_ARCHIVE = re.compile(r"^(?:[a-z-]+/)?(?:19|20)\d{2}(?:/\d{1,2}){0,2}$", re.IGNORECASE)
_FEED_OR_SEARCH = re.compile(
    r"(?:^|/)(?:feed|rss|atom|search|recherche|rechercher|sitemap[\w-]*|amp)(?:\.\w+)?$|\.(?:xml|rss|atom|json)$",
    re.IGNORECASE,
)
_INDEX_QUERY = frozenset({"s", "q", "query", "search", "recherche", "page", "paged", "pg", "start", "offset",
                          "lang", "amp", "format", "feed", "orderby", "sort", "cat", "tag", "author"})
"""Query keys of a listing, a search or a pagination, not of one article (``?p=123`` is)."""


def index_like(canon: str) -> bool:
    """Whether ``canon`` names a site's listing rather than an article, on any site: an index
    file (``/index.html``), a pagination (``/page/2``, ``?page=2``), a date archive
    (``/2025/06/``), a feed, a sitemap or a search (``/search?q=``, ``/?s=``), the home page
    with a query of those. Many pages of a site declaring one of these would share its id."""
    parts = urlsplit(canon)
    path = parts.path.strip("/")
    if path and (_INDEX_FILE.search(path) or _PAGINATION.search(path) or _DATE_ARCHIVE.fullmatch(path)
                 or _FEED_OR_SEARCH.search(path)):
        return True
    keys = {k.lower() for k, _ in parse_qsl(parts.query, keep_blank_values=True)}
    if keys & _INDEX_QUERY:
        return True
    return not path and not keys  # the home page


def _refusal(declared: str, fetched: str, site: str | None) -> str | None:
    canon = canonical_url(declared)
    parts = urlsplit(canon)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "scheme"
    fetched_canon = canonical_url(fetched)
    if canon == fetched_canon:
        return None
    host = parts.hostname.lower()
    fetched_parts = urlsplit(fetched_canon)
    pubs = site_publishers(fetched, site)
    if (_bare(host), parts.port) == (_bare((fetched_parts.hostname or "").lower()), fetched_parts.port):  # a mirror's path follows the patterns of the site it stands for
        owner = pubs[0] if pubs else None
    else:
        owner = next((p for p in pubs if host in p.domains), None)
        if owner is None:
            return "offsite"
    if index_like(canon):
        return "not_article"  # the home page, a listing, a feed, a search
    rules = owner if owner is not None and owner.domains else PUBLISHERS["generic"]
    if rules.classify(canon) not in ("article", "live"):
        return "not_article"
    return None


def vet_canonical(declared: str | None, fetched: str, site: str | None = None) -> tuple[str, str | None]:
    """The canonical URL to use for a page and, when ``declared`` was refused, why.

    ``declared`` None or empty: the fetched URL canonicalised, no refusal."""
    fetched_canon = canonical_url(fetched)
    if not declared or not declared.strip():
        return fetched_canon, None
    reason = refusal(declared, fetched, site)
    if reason is not None:
        return fetched_canon, reason
    return canonical_url(declared), None
