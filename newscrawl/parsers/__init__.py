"""Per-publisher parsers and the entry point that picks one for a page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from newscrawl.items import ArticleItem
from newscrawl.parsers.base import ArticleParser
from newscrawl.publishers import PUBLISHERS, publisher_for_url


class UnknownSource(ValueError):
    """``source`` names no parser of the registry."""


def check_source(source: str | None) -> None:
    """Raise UnknownSource when ``source`` (a registry key: a site, or "generic") is not None and
    names no parser."""
    if source is not None and source not in PUBLISHERS:
        raise UnknownSource(f"unknown source {source!r} (known: {', '.join(sorted(PUBLISHERS))})")


def parser_for(url: str, source: str | None = None) -> type[ArticleParser]:
    """The parser class for a page: the one ``source`` names (a site's, or "generic": the generic
    parser whatever the URL's host), else the URL host's, else the generic one. An unknown
    ``source`` raises UnknownSource (a typo must not silently pick another parser)."""
    check_source(source)
    pub = PUBLISHERS[source] if source is not None else publisher_for_url(url) or PUBLISHERS["generic"]
    return pub.parser_class()


def parse_page(
    url: str,
    body: bytes | str,
    fetched_at: datetime | None = None,
    *,
    source: str | None = None,
    encoding: str | None = None,
    hints: dict[str, Any] | None = None,
    strict: bool = False,
) -> tuple[ArticleItem, ArticleParser]:
    """Parse one page into a record (before text-level cleaning); returns the parser too,
    whose ``field_errors`` and ``body_source`` the caller may count."""
    parser = parser_for(url, source)(url, body, fetched_at, encoding=encoding, hints=hints)
    return parser.parse(strict=strict), parser
