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

from urllib.parse import urlsplit

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
    for ``site`` (a registry key, or None/"generic"), or None when it may."""
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
    path = parts.path.strip("/")
    if not path and not parts.query:
        return "not_article"  # the home page
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
