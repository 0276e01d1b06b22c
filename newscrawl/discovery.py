"""Reading discovery documents: RSS/Atom feeds, sitemaps, Google News sitemaps, sitemap indexes.

Scrapy's SitemapSpider keeps only the direct children of ``<url>``, so it drops
``news:publication_date`` and ``news:title``; this reader keeps them (they become the parser's
last-resort title and date). Pure functions of bytes, no Scrapy.

Reading is streamed and bounded, so a hostile or broken document costs little:
- at most ``max_entries`` entries are read (a sitemap index of a million URLs stops there);
- at most ``max_bytes`` bytes are inflated from a ``.xml.gz`` body and parsed (gzip bombs);
- a broken or truncated document gives the entries read before the break, flagged ``broken``;
- a body that is not XML at all (HTML error page, JSON, binary) raises ``NotAFeed`` with the
  reason, except HTML, which is reported as kind ``html`` (the caller reads it as a listing).
"""

from __future__ import annotations

import heapq
import io
import re
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Literal

from lxml import etree

from newscrawl.text.dates import is_news_date, parse_any, parse_iso
from newscrawl.text.markup import wide_encoding
from newscrawl.text.normalize import clean_text

Kind = Literal["urlset", "sitemapindex", "feed", "html"]

CHUNK = 64 * 1024
FEED_ROOTS = {"rss", "feed", "rdf"}
SITEMAP_ROOTS = {"urlset", "sitemapindex"}
ENTRY_TAGS = {"url", "sitemap", "item", "entry"}
LIBXML2_MAX_DEPTH = 255
"""Nesting at which libxml2 (without huge_tree) stops reading a document."""


@dataclass
class Entry:
    url: str
    title: str | None = None
    """news:title of a news sitemap, or the feed item's title."""
    published: datetime | None = None
    """news:publication_date, pubDate, published/updated, or lastmod (the best date known)."""
    lastmod: datetime | None = None
    """A sitemap entry's ``<lastmod>`` (its last change; ``published`` when there is no other date)."""


@dataclass
class Document:
    kind: Kind
    entries: list[Entry] = field(default_factory=list)
    """Newest first (by date; undated entries after, in document order)."""
    truncated: Literal["entries", "bytes"] | None = None
    """Why reading stopped early: the entry limit or the byte limit (None: read whole)."""
    broken: str | None = None
    """The document is not well-formed (cut short, bad XML): what was wrong; entries read
    before the break are kept."""
    read: int = 0
    """Entries read (accepted or not)."""
    too_deep: bool = False
    """libxml2 stopped at its nesting limit (256 levels): newscrawl.flatxml read it again."""
    cut: int = 0
    """Entries accepted but not kept: older than the ``keep`` newest."""


class Newest:
    """The ``keep`` newest entries seen (0: all), in a heap of at most ``keep``: a document of
    100,000 entries costs ``keep`` entries of memory. Newest by date; undated entries rank
    after every dated one, earlier in the document first."""

    def __init__(self, keep: int = 0) -> None:
        self.keep = max(keep, 0)
        self.heap: list[tuple[tuple[int, float, int], Entry]] = []
        self.count = 0
        self.cut = 0

    def add(self, entry: Entry) -> None:
        self.count += 1
        when = entry.published.timestamp() if entry.published is not None else None
        key = (1, when, -self.count) if when is not None else (0, 0.0, -self.count)
        if not self.keep:
            self.heap.append((key, entry))
        elif len(self.heap) < self.keep:
            heapq.heappush(self.heap, (key, entry))
        else:
            self.cut += 1
            if key > self.heap[0][0]:
                heapq.heapreplace(self.heap, (key, entry))

    def entries(self) -> list[Entry]:
        return [entry for _, entry in sorted(self.heap, key=lambda pair: pair[0], reverse=True)]


class NotAFeed(ValueError):
    """The document is neither a feed, a sitemap nor an HTML page (JSON, binary, garbage...).
    ``code`` is a short slug for stats (empty, json, binary, not_xml, bad_root, corrupt_gzip)."""

    def __init__(self, message: str, code: str = "not_a_feed") -> None:
        super().__init__(message)
        self.code = code


def over_byte_cap(meta: dict, data: bytes, max_bytes: int) -> bool:
    """Count a chunk of a document's download in ``meta["newscrawl_bytes"]``; True once
    ``max_bytes`` (NEWSCRAWL_MAX_SITEMAP_BYTES) are received: the download stops there and the
    part read is parsed."""
    received = meta.get("newscrawl_bytes", 0) + len(data)
    meta["newscrawl_bytes"] = received
    return received >= max_bytes


def too_old(entry: Entry, max_age: timedelta | None, now: datetime) -> bool:
    """An entry whose date says it is older than ``max_age`` (NEWSCRAWL_MAX_AGE; None or 0: no
    limit). An undated entry is not too old: its page is fetched and dated."""
    if not max_age or entry.published is None:
        return False
    return entry.published < now - max_age


_XML_ENCODING = re.compile(r"""(<\?xml[^>]*?encoding\s*=\s*["'])[\w-]+(["'])""", re.IGNORECASE)


def _local(tag: object) -> str:
    return tag.rsplit("}", 1)[-1].lower() if isinstance(tag, str) else ""


class _Gunzip:
    """``read(n)`` over gzip data inflated on the fly, giving every byte it can inflate: a
    ``.xml.gz`` cut short gives its inflated start, then EOFError (GzipFile raised at once on
    a body shorter than one read, so a small cut sitemap lost all its entries)."""

    def __init__(self, body: bytes) -> None:
        self.body = body
        self.pos = 0
        self.inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)
        self.pending = b""
        """Compressed bytes the inflater has not consumed yet (its output was capped)."""

    def read(self, size: int = CHUNK) -> bytes:
        out: list[bytes] = []
        want = max(size, 1)
        while want > 0:
            if self.inflater.eof:
                rest = self.inflater.unused_data
                if not rest.lstrip(b"\x00"):  # the end, or NUL padding after it
                    break
                self.inflater = zlib.decompressobj(16 + zlib.MAX_WBITS)  # a concatenated member
                self.pending = rest
            if not self.pending:
                if self.pos >= len(self.body):
                    if any(out):
                        break
                    raise EOFError("Compressed file ended before the end-of-stream marker was reached")
                self.pending = self.body[self.pos:self.pos + CHUNK]
                self.pos += len(self.pending)
            data = self.inflater.decompress(self.pending, want)
            self.pending = self.inflater.unconsumed_tail
            out.append(data)
            want -= len(data)
        return b"".join(out)


def open_body(body: bytes) -> io.BufferedIOBase | _Gunzip:
    """A file object over ``body``, gunzipped on the fly when it is gzip data (``.xml.gz``)."""
    return _Gunzip(body) if body[:2] == b"\x1f\x8b" else io.BytesIO(body)


def sniff(head: bytes) -> Kind | None:
    """Classify a document from its first bytes: a feed/sitemap kind, ``html``, or None
    (XML whose root is not known yet). Raises NotAFeed when it is not markup at all."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if not text:
        raise NotAFeed("empty document", "empty")
    if b"\x00" in text[:1024]:
        raise NotAFeed("binary data, not XML", "binary")
    if text[:1] in (b"{", b"["):
        raise NotAFeed("JSON, not XML", "json")
    if text[:1] != b"<":
        raise NotAFeed(f"not XML (starts with {text[:20]!r})", "not_xml")
    low = text[:4096].lower()
    for marker, kind in ((b"<urlset", "urlset"), (b"<sitemapindex", "sitemapindex"), (b"<rss", "feed"),
                         (b"<feed", "feed"), (b"<rdf:rdf", "feed")):
        pos = low.find(marker)
        if pos >= 0 and not (0 <= low.find(b"<html") < pos):
            return kind  # type: ignore[return-value]  # the literal strings above are Kind values
    if b"<html" in low or b"<!doctype html" in low:
        return "html"
    return None


def _child_text(el: etree._Element, *names: str) -> str | None:
    """Text of the first descendant named like one of ``names`` (any namespace)."""
    for child in el.iter():
        if child is not el and _local(child.tag) in names and (child.text or "").strip():
            return str(child.text).strip()
    return None


def parse_date(raw: str | None) -> datetime | None:
    """Feed and sitemap dates: ISO 8601 (W3C, news sitemaps, Atom) or RFC 822 (RSS 2.0).

    An impossible date (offset +99:00, year 0 or 99999, before 1900, garbage) is None: it costs
    the entry its date, never the document."""
    if not raw:
        return None
    try:
        value = _parse_date(raw)
    except Exception:  # a date is one value of one entry: whatever it is, not the document's end
        return None
    return value if is_news_date(value) else None


def _parse_date(raw: str) -> datetime | None:
    value = parse_iso(raw)
    if value:
        return value
    try:
        value = parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError, OverflowError):
        value = None
    if value is not None and value.tzinfo is not None:
        return value
    return parse_any(raw)


def _sitemap_entry(el: etree._Element) -> Entry | None:
    loc = _child_text(el, "loc")
    if not loc:
        return None
    title = None
    for child in el.iter():  # news:title (not image:title / video:title)
        if _local(child.tag) == "title" and _local(child.getparent().tag) == "news":
            title = child.text
            break
    lastmod = parse_date(_child_text(el, "lastmod"))
    return Entry(
        url=loc,
        title=clean_text(title) or None,
        published=parse_date(_child_text(el, "publication_date")) or lastmod,
        lastmod=lastmod,
    )


def _feed_link(el: etree._Element) -> str | None:
    for child in el:
        name = _local(child.tag)
        if name == "link":
            href = child.get("href")
            if href and child.get("rel") in (None, "alternate"):
                return str(href).strip()
            if not href and (child.text or "").strip():
                return str(child.text).strip()
        elif name == "origlink" and (child.text or "").strip():  # feedburner:origLink
            return str(child.text).strip()
    guid = _child_text(el, "guid", "id")
    if guid and guid.startswith(("http://", "https://")):
        return guid
    about = el.get("{http://www.w3.org/1999/02/22-rdf-syntax-ns#}about")  # RSS 1.0 item
    return about.strip() if about else None


def _feed_entry(el: etree._Element) -> Entry | None:
    link = _feed_link(el)
    if not link:
        return None
    raw_date = _child_text(el, "pubdate", "published", "date", "updated", "issued")
    return Entry(url=link, title=clean_text(_child_text(el, "title")) or None, published=parse_date(raw_date))


def _chunks(fh: io.BufferedIOBase | _Gunzip, first: bytes, max_bytes: int) -> Iterator[bytes]:
    """``first`` then the rest of ``fh`` in chunks; stops after ``max_bytes`` in total."""
    total = len(first)
    yield first
    while total < max_bytes:
        chunk = fh.read(min(CHUNK, max_bytes - total))
        if not chunk:
            return
        total += len(chunk)
        yield chunk


def read_document(body: bytes, *, max_entries: int = 50_000, max_bytes: int = 50 * 1024 * 1024,
                  keep: int = 0, accept: Callable[[Entry], bool] | None = None) -> Document:
    """Read a feed, a sitemap or a sitemap index from ``body`` (plain or gzip), streaming.

    Entries come newest first (:class:`Newest`). For a feed or a sitemap of articles, only
    the entries ``accept`` takes (all without it) are ranked, and only the ``keep`` newest of
    them are kept (0: all): the buffer holds ``keep`` entries whatever the document's size.
    A sitemap index keeps all its entries (at most ``max_entries``), newest first.

    Returns kind ``html`` (no entries) for an HTML page. Raises NotAFeed for anything that is
    not markup (empty, JSON, binary, corrupt gzip).
    """
    ranked: list[Newest] = []  # set by _read once the root tells the kind
    wide = (wide_encoding(body[:4096]) or _xml_layout(body[:32])) if body[:2] != b"\x1f\x8b" else None
    if wide is not None:  # a UTF-16/32 feed: read as the UTF-8 it is re-encoded to
        text = body[: max_bytes * 4].decode(wide, errors="replace").lstrip("\ufeff")
        body = _XML_ENCODING.sub(r"\1utf-8\2", text, count=1).encode("utf-8")
    elif body[:2] != b"\x1f\x8b":
        body = _honest_encoding(body)
    doc = _read(body, max_entries, max_bytes, keep, accept, ranked)
    if doc.too_deep:  # one entry nested too deep must not cost the entries after it
        flat_ranked: list[Newest] = []
        flat = _read_flat(body, max_entries, max_bytes, keep, accept, flat_ranked)
        if flat is not None and flat.read > doc.read:
            doc, ranked = flat, flat_ranked
    if ranked:
        doc.entries = ranked[0].entries()
        doc.cut = ranked[0].cut
    return doc


_UTF8 = frozenset({"utf-8", "utf8"})
_DECODED_NON_ASCII = re.compile("[^\x00-\x7f\ufffd]")
"""A character a UTF-8 reader did decode beyond ASCII (not a replaced byte)."""
_XML_LAYOUTS = tuple((codec, "<?xml".encode(codec)) for codec in ("utf-32-le", "utf-32-be", "utf-16-le", "utf-16-be"))


def _xml_layout(head: bytes) -> str | None:
    """The UTF-16/32 codec an XML declaration is written in, whatever its label says (the XML
    specification's appendix F: ``<?xml`` in two or four bytes a character tells)."""
    return next((codec for codec, marker in _XML_LAYOUTS if head.startswith(marker)), None)


def _honest_encoding(body: bytes) -> bytes:
    """``body`` with an XML declaration that does not lie about an 8-bit document, read the
    way pages are (newscrawl.text.markup.decode_html: strict UTF-8 first):

    - labelled ISO-8859-1 / windows-1252 (any 8-bit charset) but valid UTF-8 with non-ASCII
      text: it is UTF-8 (read as labelled, every accent became two characters);
    - labelled UTF-8 (or not labelled) but with no valid UTF-8 sequence at all, only bytes a
      UTF-8 reader cannot decode: it is cp1252 (read as labelled, every accent was lost).
    A body that is pure ASCII, or mixed (some valid UTF-8, some not), is left as it is."""
    m = _XML_ENCODING.search(body[:512].decode("latin-1"))
    label = m.group(0).rsplit("=", 1)[1].strip("\"' ").lower() if m else "utf-8"
    if body.isascii():
        return body
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        valid_utf8 = False
    else:
        valid_utf8 = True
    if label not in _UTF8:
        if not valid_utf8:
            return body
        return _XML_ENCODING.sub(r"\1utf-8\2", body[:512].decode("latin-1"), count=1).encode("latin-1") + body[512:]
    if valid_utf8:
        return body
    text = body.decode("utf-8", errors="replace")
    if _DECODED_NON_ASCII.search(text):
        return body  # mostly UTF-8 with a stray byte: libxml2 replaces that byte only
    decoded = body.decode("cp1252", errors="replace")
    if m:
        decoded = _XML_ENCODING.sub(r"\1utf-8\2", decoded, count=1)
    return decoded.encode("utf-8")


def _read_flat(body: bytes, max_entries: int, max_bytes: int, keep: int,
               accept: Callable[[Entry], bool] | None, ranked: list[Newest]) -> Document | None:
    """The document read again by newscrawl.flatxml (no depth limit); None when it cannot."""
    from newscrawl.flatxml import FlatReader, ReadErrors, entry_values

    state: dict[str, Document] = {}

    def on_entry(root: str, fields: Any) -> bool:
        if "doc" not in state:
            kind = root if root in SITEMAP_ROOTS else "feed"
            state["doc"] = Document(kind=kind, too_deep=True)  # type: ignore[arg-type]
            ranked.append(Newest(keep if kind != "sitemapindex" else 0))
        doc = state["doc"]
        values = entry_values(root, fields)
        if values is None:
            return True
        lastmod = parse_date(values["lastmod_raw"])
        entry = Entry(url=values["url"], title=values["title"],
                      published=parse_date(values["published_raw"]) or lastmod, lastmod=lastmod)
        doc.read += 1
        if doc.kind == "sitemapindex" or accept is None or accept(entry):
            ranked[0].add(entry)
        if doc.read >= max_entries:
            doc.truncated = "entries"
            return False
        return True

    reader = FlatReader(on_entry)
    broken = None
    try:
        fh = open_body(body)
        for chunk in _chunks(fh, fh.read(CHUNK), max_bytes):
            reader.feed(chunk)
            if reader.stop:
                break
        if not reader.stop:
            reader.feed(b"", final=True)
    except ReadErrors as exc:
        broken = f"not well-formed XML ({exc})"
    doc = state.get("doc")
    if doc is None:
        return None
    if reader.stop:
        return doc
    if broken is not None or not reader.closed:
        doc.broken = broken or f"document ends before </{reader.root}>"
    return doc


def _read(body: bytes, max_entries: int, max_bytes: int, keep: int,
          accept: Callable[[Entry], bool] | None, ranked: list[Newest]) -> Document:
    fh = open_body(body)
    try:
        first = fh.read(CHUNK)
    except (OSError, EOFError, zlib.error) as exc:
        raise NotAFeed(f"corrupt gzip data ({exc})", "corrupt_gzip") from exc
    kind = sniff(first)
    if kind == "html":
        return Document(kind="html")
    parser = etree.XMLPullParser(events=("start", "end"), recover=True, no_network=True,
                                 resolve_entities=False, huge_tree=False)
    doc: Document | None = None
    articles = True
    root: etree._Element | None = None
    closed = False
    total = depth = deepest = 0
    try:
        for chunk in _chunks(fh, first, max_bytes):
            total += len(chunk)
            parser.feed(chunk)
            for event, el in parser.read_events():
                if event == "start":
                    depth += 1
                    deepest = max(deepest, depth)
                else:
                    depth -= 1
                if root is None:
                    root = el
                    name = _local(el.tag)
                    if name in SITEMAP_ROOTS:
                        doc = Document(kind=name)  # type: ignore[arg-type]  # checked just above
                    elif name in FEED_ROOTS:
                        doc = Document(kind="feed")
                    elif name == "html":
                        return Document(kind="html")
                    else:
                        raise NotAFeed(f"XML root <{name}> is neither a feed nor a sitemap", "bad_root")
                    articles = doc.kind != "sitemapindex"
                    ranked.append(Newest(keep if articles else 0))
                    continue
                assert doc is not None
                if event != "end":
                    continue
                if el is root:
                    closed = True
                    continue
                name = _local(el.tag)
                if name not in ENTRY_TAGS:
                    continue
                if doc.kind == "feed":
                    entry = _feed_entry(el) if name in ("item", "entry") else None
                elif name in ("url", "sitemap") and el.getparent() is root:
                    entry = _sitemap_entry(el)
                else:
                    continue
                # Free what was read: a million-entry document must not build a million nodes.
                el.clear()
                while el.getprevious() is not None:
                    del el.getparent()[0]
                if entry is not None:
                    doc.read += 1
                    if not articles or accept is None or accept(entry):
                        ranked[0].add(entry)
                    if doc.read >= max_entries:
                        doc.truncated = "entries"
                        return doc
    except (OSError, EOFError, zlib.error) as exc:  # gzip cut short or corrupt mid-stream
        if doc is None:
            raise NotAFeed(f"corrupt gzip data ({exc})", "corrupt_gzip") from exc
        doc.broken = f"corrupt gzip data ({exc})"
        return doc
    except etree.XMLSyntaxError as exc:
        if doc is None:
            raise NotAFeed(f"not well-formed XML ({exc})", "not_xml") from exc
        doc.broken = f"not well-formed XML ({exc})"
        return doc
    if doc is None:
        raise NotAFeed("no XML root element", "not_xml")
    # libxml2 stops silently (recover=True) at its nesting limit: 256 open elements.
    doc.too_deep = not closed and deepest >= LIBXML2_MAX_DEPTH
    if total >= max_bytes and fh.read(1):
        doc.truncated = "bytes"
    elif not closed:
        doc.broken = f"document ends before </{_local(root.tag) if root is not None else '?'}>"
    return doc
