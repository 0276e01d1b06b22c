"""URL canonicalisation and record ids.

The canonical form is what dedup compares and what the record ``id`` hashes, so it must be
stable across runs and library upgrades: every step here is ours, on top of w3lib.
"""

from __future__ import annotations

import hashlib
import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from w3lib.url import canonicalize_url, safe_url_string

# Query parameters that only track the reader: dropped from canonical URLs.
TRACKING_PARAMS = re.compile(
    r"^(utm_\w+|at_\w+|xtor|xtref|xts|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|"
    r"ocid|cmp|cmpid|origin|ref|ref_src|src|amp|outputtype|_ga|_gl|yclid|twclid|sc_cid|"
    r"ns_mchannel|ns_source|ns_campaign|ito|cid|wt\.\w+)$",
    re.IGNORECASE,
)


@lru_cache(maxsize=1)
def host_aliases() -> dict[str, str]:
    """Hosts that are aliases of one site, each mapped to the site's canonical host: read from
    the publisher registry (``Publisher.host_aliases`` fold to ``Publisher.domains[0]``).
    Imported on first use: the registry imports this module's ``TRACKING_PARAMS``."""
    from newscrawl.publishers import PUBLISHERS

    return {alias: pub.domains[0] for pub in PUBLISHERS.values() for alias in pub.host_aliases}


_AMP_PATH = re.compile(r"(?:/amp/?$|^/amp(?=/)|\.amp(?=\.html$|$)|/amp(?=/))", re.IGNORECASE)

# "www.lefigaro.fr/x": a host without scheme nor "//" (copied from a page's text).
_BARE_HOST = re.compile(r"^[a-z0-9-]+(?:\.[a-z0-9-]+)+(?::\d+)?(?:[/?#]|$)", re.IGNORECASE)


@lru_cache(maxsize=4096)  # one page's URL is canonicalised ~10 times (spider, parser, dedup, writers)
def canonical_url(url: str) -> str:
    """Canonical form of an article URL.

    https, lowercase host, host aliases folded (francetvinfo.fr -> franceinfo.fr), tracking
    parameters and fragments dropped (``#xtor=RSS-3-[lestitres]``), AMP variants folded,
    trailing slash dropped, remaining query parameters sorted (w3lib). Never raises: a string
    that cannot be parsed as a URL is returned stripped (a stable key all the same).
    """
    url = url.strip()
    if _BARE_HOST.match(url) and "://" not in url:
        url = "//" + url
    try:
        return _canonical(url)
    except ValueError:  # e.g. "http://[::1": not a URL, keep it as it is
        return url


def _canonical(url: str) -> str:
    url = safe_url_string(url)
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    host = host_aliases().get(host, host)
    port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    scheme = "https" if parts.scheme in ("http", "https", "") else parts.scheme
    if port:  # a local mirror or test server: keep its scheme, it may not speak TLS
        scheme = parts.scheme or "http"
    path = _AMP_PATH.sub("", parts.path) or "/"
    if len(path) > 1:
        path = path.rstrip("/")
    query = urlencode(
        [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
         if not TRACKING_PARAMS.match(k)]
    )
    return canonicalize_url(urlunsplit((scheme, host + port, path, query, "")), keep_fragments=False)


def is_plausible_canonical(declared: str | None, fetched: str) -> bool:
    """Whether a page's declared canonical URL (rel=canonical / og:url) can stand for the
    fetched page in dedup: not empty, http(s), and not a site root or a bare section when
    the fetched URL is deeper (a template bug that would fold every article into one).
    A one-segment path counts as a section unless it holds a digit (ids, dates)."""
    if not declared:
        return False
    parts = urlsplit(canonical_url(declared))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return False
    depth = len([seg for seg in parts.path.split("/") if seg])
    fetched_depth = len([seg for seg in urlsplit(canonical_url(fetched)).path.split("/") if seg])
    if depth == 0:
        return bool(parts.query)  # "/?p=123" names a page; "/" is the home page
    looks_like_section = depth == 1 and not any(c.isdigit() for c in parts.path) and not parts.query
    return not (looks_like_section and fetched_depth > 1)


def url_id(url: str) -> str:
    """16 hex chars, stable: the record id of an article whose canonical URL is ``url``."""
    return hashlib.sha1(canonical_url(url).encode("utf-8")).hexdigest()[:16]


def url_section(url: str) -> str | None:
    """The first path segment of an article URL, a site's last section fallback
    ("/faits-divers/justice-proces/un-titre_5755658.html" -> "faits-divers"); None when the path
    has no section level or the segment is not a plain slug."""
    segments = [seg for seg in urlsplit(url).path.split("/") if seg]
    return segments[0] if len(segments) >= 2 and re.fullmatch(r"[a-z0-9-]+", segments[0]) else None
