"""A second reader of feeds and sitemaps for documents nested too deep for libxml2.

libxml2 (lxml) stops at 256 levels of nesting: one feed item or sitemap entry nested 300 or
3,000 levels deep ended the whole document there, and every entry after it was lost.
This reader walks the same document with expat, which keeps no tree and has no depth limit
(a counter and a stack of names), and reads entries exactly as newscrawl.discovery does:
only the fields it needs, each text capped. It runs only when libxml2 gave up on depth
(newscrawl.discovery.read_document); it does not recover from a broken document (libxml2
does), so the reader that read more entries wins.

Expat resolves no external entity and no parameter entity here, and bounds entity
amplification itself (billion laughs) since 2.4.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from xml.parsers import expat

from newscrawl.text.normalize import clean_text

MAX_TEXT = 8192
"""Characters kept of one element's text (a URL, a title, a date)."""


@dataclass
class _Open:
    name: str
    start: int
    text: list[str] = field(default_factory=list)
    size: int = 0
    has_href: bool = False
    done: bool = False
    """Its ``.text`` (the characters before its first child) is complete."""


@dataclass
class _EntryFields:
    name: str
    depth: int
    about: str | None
    texts: dict[str, tuple[int, str]] = field(default_factory=dict)
    """Local name -> (start order, text) of its first descendant of that name with text."""
    links: list[tuple[str, str]] = field(default_factory=list)
    """Direct children ``link``/``origlink``, in order: ("href" | "text", value)."""
    news_title: str | None = None


def _local(name: str) -> str:
    return name.rsplit(":", 1)[-1].lower()


class FlatReader:
    """Feed expat the document's chunks; ``on_entry(kind, fields)`` for each entry read."""

    def __init__(self, on_entry: Callable[[str, _EntryFields], bool]) -> None:
        self.on_entry = on_entry
        self.root: str | None = None
        self.stack: list[_Open] = []
        self.entry: _EntryFields | None = None
        self.count = 0
        self.closed = False
        self.stop = False
        parser = expat.ParserCreate()
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.buffer_text = True
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self._chars
        self.parser = parser

    def feed(self, chunk: bytes, final: bool = False) -> None:
        self.parser.Parse(chunk, final)

    def _finish_text(self, top: _Open) -> None:
        if top.done:
            return
        top.done = True
        entry = self.entry
        text = "".join(top.text).strip()
        if entry is None or not text or len(self.stack) <= entry.depth:
            return
        if top.name not in entry.texts:
            entry.texts[top.name] = (top.start, text)
        if top.name == "title" and entry.news_title is None and len(self.stack) >= 2 \
                and self.stack[-2].name == "news":
            entry.news_title = text
        if len(self.stack) == entry.depth + 1 and top.name in ("link", "origlink") and (
                top.name == "origlink" or not top.has_href):
                entry.links.append(("text", text))

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        if self.stop:
            return
        if self.stack:
            self._finish_text(self.stack[-1])
        local = _local(name)
        self.count += 1
        self.stack.append(_Open(local, self.count, has_href=bool(attrs.get("href"))))
        depth = len(self.stack)
        if self.root is None:
            self.root = local
            return
        if self.entry is None:
            feed_entry = self.root in ("rss", "feed", "rdf") and local in ("item", "entry")
            sitemap_entry = self.root in ("urlset", "sitemapindex") and depth == 2 and local in ("url", "sitemap")
            if feed_entry or sitemap_entry:
                about = next((v for k, v in attrs.items() if _local(k) == "about"), None)
                self.entry = _EntryFields(local, depth, about)
            return
        if depth == self.entry.depth + 1 and local == "link":
            href = attrs.get("href")
            if href and attrs.get("rel") in (None, "alternate"):
                self.entry.links.append(("href", href.strip()))

    def _chars(self, data: str) -> None:
        if self.stop or not self.stack or self.entry is None:
            return
        top = self.stack[-1]
        if not top.done and top.size < MAX_TEXT:
            top.text.append(data[: MAX_TEXT - top.size])
            top.size += len(data)

    def _end(self, name: str) -> None:
        if self.stop or not self.stack:
            return
        top = self.stack[-1]
        self._finish_text(top)
        self.stack.pop()
        if not self.stack:
            self.closed = True
            return
        entry = self.entry
        if entry is not None and len(self.stack) + 1 == entry.depth:
            self.entry = None
            if not self.on_entry(self.root or "", entry):
                self.stop = True


def entry_values(kind: str, fields: _EntryFields) -> dict[str, Any] | None:
    """The values newscrawl.discovery builds an Entry of: url, title, raw dates; None without a URL."""
    texts = {name: text for name, (_, text) in sorted(fields.texts.items(), key=lambda kv: kv[1][0])}

    def first(*names: str) -> str | None:
        found = [(fields.texts[n][0], fields.texts[n][1]) for n in names if n in fields.texts]
        return min(found)[1] if found else None

    if kind in ("urlset", "sitemapindex"):
        loc = texts.get("loc")
        if not loc:
            return None
        return {"url": loc, "title": clean_text(fields.news_title) or None,
                "published_raw": first("publication_date"), "lastmod_raw": first("lastmod")}
    url = None
    for _how, value in fields.links:
        if value:
            url = value
            break
    if url is None:
        guid = first("guid", "id")
        if guid and guid.startswith(("http://", "https://")):
            url = guid
    if url is None and fields.about:
        url = fields.about.strip()
    if not url:
        return None
    return {"url": url, "title": clean_text(first("title")) or None,
            "published_raw": first("pubdate", "published", "date", "updated", "issued"), "lastmod_raw": None}


ReadErrors = (expat.ExpatError, OSError, EOFError, zlib.error)
