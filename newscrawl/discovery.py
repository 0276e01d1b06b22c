"""Reading discovery documents: RSS/Atom feeds, sitemaps, Google News sitemaps, sitemap indexes.

Scrapy's SitemapSpider keeps only the direct children of ``<url>``, so it drops
``news:publication_date`` and ``news:title``; this reader keeps them. Pure functions of bytes.
"""

from __future__ import annotations

import gzip
import io
import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

from lxml import etree

from newscrawl.text.dates import parse_any
from newscrawl.text.normalize import clean_text

logger = logging.getLogger(__name__)

Kind = Literal["urlset", "sitemapindex", "feed", "html", "unknown"]


@dataclass
class Entry:
    url: str
    title: str | None = None
    published: datetime | None = None
    """news:publication_date, pubDate, published/updated, or lastmod (the best date known)."""
    extra: dict[str, str] = field(default_factory=dict)


class NotAFeed(ValueError):
    """The document is neither a feed nor a sitemap (HTML error page, broken XML...)."""


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


def maybe_gunzip(body: bytes, max_size: int) -> bytes:
    """Gunzip ``.xml.gz`` bodies, refusing to inflate past ``max_size`` (gzip bombs)."""
    if body[:2] != b"\x1f\x8b":
        return body
    with gzip.GzipFile(fileobj=io.BytesIO(body)) as fh:
        data = fh.read(max_size + 1)
    if len(data) > max_size:
        raise NotAFeed(f"gzip body inflates past {max_size} bytes")
    return data


def sniff(body: bytes) -> Kind:
    head = body[:2048].lstrip().lower()
    if b"<urlset" in head:
        return "urlset"
    if b"<sitemapindex" in head:
        return "sitemapindex"
    if b"<rss" in head or b"<feed" in head or b"<rdf:rdf" in head:
        return "feed"
    if b"<html" in head or b"<!doctype html" in head:
        return "html"
    return "unknown"


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, recover=True, huge_tree=False)


def _root(body: bytes) -> etree._Element:
    try:
        root = etree.fromstring(body, parser=_PARSER)
    except etree.XMLSyntaxError as exc:
        raise NotAFeed(str(exc)) from exc
    if root is None:
        raise NotAFeed("empty or unparsable XML")
    return root


def _child_text(el: etree._Element, *names: str) -> str | None:
    for child in el.iter():
        if _local(child.tag) in names and (child.text or "").strip():
            return child.text.strip()
    return None


def parse_sitemap(body: bytes, limit: int) -> tuple[Kind, list[Entry]]:
    """Entries of a urlset (news sitemap or plain) or of a sitemap index, ``limit`` at most."""
    root = _root(body)
    kind: Kind = "sitemapindex" if _local(root.tag) == "sitemapindex" else "urlset"
    entries: list[Entry] = []
    for node in root:
        if _local(node.tag) not in {"url", "sitemap"}:
            continue
        loc = _child_text(node, "loc")
        if not loc:
            continue
        news_date = _child_text(node, "publication_date")
        lastmod = _child_text(node, "lastmod")
        entries.append(
            Entry(
                url=loc,
                title=clean_text(_child_text(node, "title")) or None,
                published=parse_any(news_date) or parse_any(lastmod),
            )
        )
        if len(entries) >= limit:
            logger.warning("Sitemap truncated at %d entries", limit)
            break
    return kind, entries


def parse_feed(body: bytes, limit: int) -> list[Entry]:
    """Entries of an RSS 2.0, RSS 1.0 or Atom feed, ``limit`` at most."""
    root = _root(body)
    entries: list[Entry] = []
    for node in root.iter():
        if _local(node.tag) not in {"item", "entry"}:
            continue
        link = None
        for child in node:
            if _local(child.tag) == "link":
                link = (child.get("href") if child.get("rel") in (None, "alternate") else None) or (child.text or "").strip() or link
                if link:
                    break
        if not link:
            guid = _child_text(node, "guid")
            link = guid if guid and guid.startswith("http") else None
        if not link:
            continue
        raw_date = _child_text(node, "pubdate", "published", "updated", "date")
        entries.append(
            Entry(url=link.strip(), title=clean_text(_child_text(node, "title")) or None,
                  published=_parse_feed_date(raw_date))
        )
        if len(entries) >= limit:
            logger.warning("Feed truncated at %d entries", limit)
            break
    return entries


def _parse_feed_date(raw: str | None) -> datetime | None:
    if not raw:
        return None
    value = parse_any(raw)
    if value:
        return value
    from email.utils import parsedate_to_datetime  # RFC 822 dates of RSS 2.0

    try:
        return parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None
