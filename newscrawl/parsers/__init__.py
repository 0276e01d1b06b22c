"""Per-publisher parsers and the entry point that picks one for a page."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from newscrawl.items import ArticleItem
from newscrawl.parsers.base import ArticleParser
from newscrawl.publishers import PUBLISHERS, publisher_for_url


def parser_for(url: str, source: str | None = None) -> type[ArticleParser]:
    """The parser class for a page: the named site's, else the URL host's, else the generic one."""
    pub = PUBLISHERS.get(source or "") if source and source != "generic" else None
    pub = pub or publisher_for_url(url) or PUBLISHERS["generic"]
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
