"""Daily8 parser (www.daily8.com, an aggregator that republishes other publishers' articles).

No real Daily8 HTML was available when it was written, only flattened page
text. So the parser does not trust class names. It reads the page the way a reader sees it, as a
sequence of text blocks (block elements, ``<br>`` and images split blocks; inline elements glue),
and relies on the boilerplate TEXT, the stable signal:

1. the headline (printed twice), then the source + date line, glued ("Le Figaro7 days ago",
   "Le Parisien13-07-2025") or split over two blocks (with a clock image whose alt is "time");
2. the republished text, up to the first boilerplate block: the AI promo ("Orange background"
   image, "Essayez nos fonctionnalités IA" / "Try Our AI Features"), "Commentaires"/"Comments",
   "Articles connexes"/"Related Articles", "Hashtags", the app banner.

Inside the text, copied artefacts are dropped: "Publicité", photo credits and the caption just
above them, glued video titles ("VidéoLa Corée..."), the "Réservé aux abonnés" line (which sets
``paywalled``), "Lire l'article original" links.

When that DOM body is empty (a client-rendered shell), the article comes from embedded data:
``script#__NEXT_DATA__`` JSON, then Next.js RSC chunks ``self.__next_f.push([1,"..."])``
(``body_source = "embedded"``). Neither gives an empty text (the spider counts ``no_body``).

Record: ``source`` and ``via`` are "daily8"; ``publisher`` is the original publisher's display
name (registry name when known, else as written); ``canonical_url`` stays on Daily8 (an off-site
rel=canonical is the original URL, not this page's); ``lead`` is always null (Daily8 marks no
standfirst). Decisions are documented in docs/parsers/daily8.md.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from functools import cached_property
from itertools import pairwise
from typing import Any, ClassVar
from urllib.parse import urljoin, urlsplit

from lxml import etree
from parsel import Selector

from newscrawl.parsers.base import ArticleParser, _unique
from newscrawl.publishers import PUBLISHERS, publisher_by_name, publisher_for_url
from newscrawl.text.dates import parse_french, parse_iso, parse_relative
from newscrawl.text.depth import MAX_JSON_DEPTH, bound_depth, nesting
from newscrawl.text.depth import loads as depth_loads
from newscrawl.text.language import guess_language
from newscrawl.text.normalize import clean_text, fold_for_match
from newscrawl.text.urls import canonical_url

# ---------------------------------------------------------------------------- page text signals

#: Boilerplate blocks that end the article text (folded: lowercase, no accents or punctuation).
_STOP = re.compile(
    r"^(?:essayez nos fonctionnalites ia|try our ai features"
    r"|decouvrez ce que daily8 ia peut faire pour vous|explore what daily8 ai can do for you"
    r"|commentaires?(?: \d+)?|comments(?: \d+)?|aucun commentaire pour le moment|no comments yet"
    r"|articles connexes|related articles|articles similaires|hashtags(?: .*)?"
    r"|telecharger l'application|download the app|telechargez l'application daily8"
    r"|commencez des maintenant telechargez l'application|get started now download the app)$"
)
#: Image alt texts that end the article text (the AI promo block's background).
_STOP_IMG = {"orange background"}

_ADVERT = {"publicite", "advertisement", "ad", "pub"}
#: The page's own premium marker, alone on its line (or glued in front of the teaser).
_PREMIUM = re.compile(r"^(?:reserve aux abonnes|reserved for subscribers|subscribers only)$")
_PREMIUM_PREFIX = re.compile(r"^(?:Réservé aux abonnés|Reserved for subscribers|Subscribers only)\s*[-:\u2013]?\s+(?=\S)")
#: Links (and their lines) that point to the original article.
_ORIGINAL_LINK = re.compile(
    r"^(?:lire l'article (?:original|complet|sur .{2,40})|voir l'article original|article original"
    r"|lire la suite sur .{2,40}|source|voir la source|read (?:the )?(?:original|full) article"
    r"|read more on .{2,40}|original article|view original(?: article)?)$"
)
#: A video embed's label glued to its title: "VidéoLa Corée du Nord rend hommage...".
_GLUED_VIDEO = re.compile(r"^(?:Vidéo|VIDÉO|Video|VIDEO)(?=[A-ZÀ-ÖØ-Þ«“\"])")
#: Photo credits: "Lafargue Raphael/ABACA", "LP/Camille Roussel", "© AFP", "Photo : X/AFP".
_CREDIT_PREFIX = re.compile(r"^(?:©|\(c\)|Photo\s*:|Photos\s*:|Crédits?\s*(?:photo)?\s*:|Illustration\s*:)", re.IGNORECASE)
_AGENCY_SIDE = re.compile(r"^[A-ZÀ-Ý][A-ZÀ-Ý0-9 .&'\u2019-]{1,24}$")
#: Most words a caption (the line above a credit) may have.
CAPTION_MAX_WORDS = 25

_DATE = (
    r"(?P<date>\d{1,2}-\d{1,2}-\d{4}"
    r"|(?:an?|one|\d{1,2})\s+(?:second|minute|hour|day|week|month|year)s?\s+ago"
    r"|il y a\s+(?:une?|\d{1,2})\s+(?:seconde|minute|heure|jour|semaine|mois|an)s?)"
)
_BARE_DATE = re.compile(rf"^(?:time\s*)?{_DATE}$", re.IGNORECASE)
_GLUED_META = re.compile(rf"^(?P<src>.{{1,60}}?)\s*{_DATE}$", re.IGNORECASE)
_TITLE_SUFFIX = re.compile(r"\s+[|\u2013\u2014-]\s+Daily\s?8(?:\s+\w+)?\s*$", re.IGNORECASE)
#: Sources whose Daily8 copies of premium articles are cut with an ellipsis.
PREMIUM_ELLIPSIS_SOURCES = frozenset({"lefigaro"})
#: Hosts that are never the original article (app stores, social networks).
_NOT_ORIGINAL_HOSTS = (
    "apps.apple.com", "play.google.com", "facebook.com", "twitter.com", "x.com", "instagram.com",
    "linkedin.com", "whatsapp.com", "t.me", "youtube.com", "tiktok.com",
)  # fmt: skip

_SKIP_TAGS = {"script", "style", "noscript", "template", "svg", "head", "title", "iframe", "video", "audio"}
_BLOCK_TAGS = {
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "section",
    "article", "main", "header", "footer", "aside", "nav", "figure", "figcaption", "table", "tr",
    "td", "th", "dd", "dt", "dl", "form", "picture", "hr",
}  # fmt: skip


@dataclass(frozen=True)
class Block:
    """One line of the page as a reader sees it; ``img`` blocks hold an image's alt text."""

    text: str
    img: bool = False
    pos: int = 0
    """Document order of the element the block starts in."""


@dataclass(frozen=True)
class Anchor:
    text: str
    href: str
    pos: int


def flatten(root: etree._Element) -> tuple[list[Block], list[Anchor]]:
    """The visible text of ``root`` as blocks, and its links, both in document order."""
    blocks: list[Block] = []
    anchors: list[Anchor] = []
    buf: list[str] = []
    state = {"pos": 0, "start": 0}

    def flush() -> None:
        text = clean_text("".join(buf))
        buf.clear()
        if text:
            blocks.append(Block(text, pos=state["start"]))

    def add(chunk: str | None) -> None:
        if chunk:
            if not "".join(buf).strip():
                state["start"] = state["pos"]
            buf.append(chunk)

    def walk(el: etree._Element) -> None:
        state["pos"] += 1
        tag = el.tag.lower() if isinstance(el.tag, str) else None
        if tag is None or tag in _SKIP_TAGS:  # comments (React's <!-- -->), scripts...
            return
        if tag == "img":
            alt = clean_text(el.get("alt"))
            if alt:
                flush()
                blocks.append(Block(alt, img=True, pos=state["pos"]))
            return
        if tag == "br" or tag in _BLOCK_TAGS:
            flush()
        add(el.text)
        for child in el:
            walk(child)
            add(child.tail)
        if tag == "a" and el.get("href"):
            anchors.append(Anchor(clean_text("".join(el.itertext())), el.get("href", ""), state["pos"]))
        if tag in _BLOCK_TAGS:
            flush()

    walk(root)
    flush()
    return blocks, anchors


def is_stop(block: Block) -> bool:
    folded = fold_for_match(block.text)
    return folded in _STOP_IMG if block.img else bool(_STOP.match(folded))


def split_meta(line: str) -> tuple[str, str] | None:
    """('Le Figaro', '7 days ago') from the glued source + date line, else None."""
    line = clean_text(line)
    if len(line) > 90:
        return None
    folded = line.casefold()
    for pub in PUBLISHERS.values():  # known names first: "France 247 days ago" is ambiguous
        for name in (pub.name, *pub.name_aliases):
            if name and folded.startswith(name.casefold()):
                m = _BARE_DATE.match(line[len(name):].strip())
                if m:
                    return line[: len(name)], m.group("date")
    m = _GLUED_META.match(line)
    if not m:
        return None
    src = m.group("src").strip(" -•·|")
    if not src or src[-1] in ".!?:;,»\"" or len(src.split()) > 6:
        return None
    return src, m.group("date")


def parse_listing_date(raw: str | None, now: datetime) -> datetime | None:
    """Daily8's dates: 'DD-MM-YYYY' (a Paris calendar day) or English/French relative times
    resolved against ``now``, the fetch time."""
    if not raw:
        return None
    raw = clean_text(raw)
    if re.fullmatch(r"\d{1,2}-\d{1,2}-\d{4}", raw):
        return parse_french(raw)
    return parse_relative(raw, now)


def is_credit(line: str) -> bool:
    """A photo credit line: '© AFP', 'Photo : X', 'Lafargue Raphael/ABACA', 'LP/Camille Roussel'."""
    line = clean_text(line)
    if not line or len(line.split()) > 8 or line[-1] in ".!?:»\"":
        return False
    if _CREDIT_PREFIX.match(line):
        return True
    if "/" not in line or "://" in line:
        return False
    sides = [s.strip() for s in line.split("/")]
    return all(sides) and any(_AGENCY_SIDE.match(s) and any(c.isalpha() for c in s) for s in sides)


def clean_blocks(lines: list[str], title: str | None) -> tuple[list[str], bool]:
    """Drop Daily8's copied artefacts from the article lines; also says whether the page's own
    premium marker ("Réservé aux abonnés") was among them."""
    folded_title = fold_for_match(title or "")
    out: list[str] = []
    premium = False
    for line in lines:
        folded = fold_for_match(line)
        if not folded or folded in _ADVERT or (folded_title and folded == folded_title):
            continue
        if _PREMIUM.match(folded):
            premium = True
            continue
        stripped = _PREMIUM_PREFIX.sub("", line)
        if stripped != line:
            premium, line = True, stripped
        if _ORIGINAL_LINK.match(folded) or _GLUED_VIDEO.match(line):
            continue
        if is_credit(line):
            if out and len(out[-1].split()) <= CAPTION_MAX_WORDS:
                out.pop()  # the caption above the credit
            continue
        out.append(line)
    return out, premium


def repeated_headline(blocks: list[Block], window: int = 15) -> str | None:
    """The headline when the page names it nowhere else: printed twice in a row near the top."""
    texts = [b.text for b in blocks[: window * 2] if not b.img][:window]
    for a, b in pairwise(texts):
        if a == b and len(a.split()) >= 3 and not is_stop(Block(a)):
            return a
    return None


def strip_title_suffix(title: str | None) -> str | None:
    return clean_text(_TITLE_SUFFIX.sub("", title)) or None if title else None


# ---------------------------------------------------------------------------- embedded data

_BODY_KEYS = ("content", "body", "articleBody", "contentHtml", "html", "text", "fullText", "description")
_TITLE_KEYS = ("title", "headline", "name")
_SOURCE_KEYS = ("source", "sourceName", "source_name", "publisher", "provider", "feed", "feedName")
_URL_KEYS = ("sourceUrl", "source_url", "originalUrl", "original_url", "articleUrl", "link", "url", "canonicalUrl")
_DATE_KEYS = ("publishedAt", "published_at", "datePublished", "pubDate", "publishDate", "date", "createdAt")
_TAG_KEYS = ("hashtags", "tags", "keywords")
_NEXT_F = re.compile(r"self\.__next_f\.push\(\[\s*1\s*,\s*(\"(?:[^\"\\]|\\.)*\")\s*\]\)", re.DOTALL)
_RSC_ROW = re.compile(r"^[0-9a-zA-Z]+:", re.MULTILINE)


@dataclass
class Embedded:
    """The article as a Next.js page's data holds it."""

    title: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    source: str | None = None
    url: str | None = None
    published: str | None = None
    tags: list[str] = field(default_factory=list)


def _dicts(node: Any) -> Iterator[dict[str, Any]]:
    """Every object of ``node``, depth first in document order; iterative (any nesting)."""
    stack: list[Any] = [node]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            yield node
            stack.extend(reversed(node.values()))
        elif isinstance(node, list):
            stack.extend(reversed(node))


def _first_str(obj: dict[str, Any], keys: tuple[str, ...]) -> str | None:
    for key in keys:
        value = obj.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return None


def text_paragraphs(raw: str) -> list[str]:
    """Paragraphs of an embedded body: HTML (block elements) or plain text (newlines)."""
    if re.search(r"<(?:p|div|h[1-6]|br|li|blockquote)\b", raw, re.IGNORECASE):
        root = Selector(text=f"<div>{raw}</div>").root
        bound_depth(root)
        blocks, _ = flatten(root)
        return [b.text for b in blocks if not b.img]
    return [p for p in (clean_text(x) for x in raw.replace("\r", "\n").split("\n")) if p]


def article_from_data(data: Any, page_id: str | None = None) -> Embedded | None:
    """The object of ``data`` that looks most like the article: one with a title and a body,
    preferring the one holding the page's id, then a full-body key (``content``, ``body``...)
    over a ``description``, then the longest body (related cards carry shorter teasers)."""
    best: tuple[tuple[bool, bool, int], dict[str, Any], str] | None = None
    for obj in _dicts(data):
        if not _first_str(obj, _TITLE_KEYS):
            continue
        for key in _BODY_KEYS:
            body = obj.get(key)
            if isinstance(body, str) and len(body) > 80:
                own = bool(page_id) and page_id in {v for v in obj.values() if isinstance(v, str)}
                score = (own, key != "description", len(body))
                if best is None or score > best[0]:
                    best = (score, obj, body)
                break
    if best is None:
        return None
    _, obj, body = best
    return Embedded(
        title=clean_text(_first_str(obj, _TITLE_KEYS)) or None,
        paragraphs=text_paragraphs(body),
        source=_embedded_source(obj),
        url=_embedded_url(obj),
        published=_first_str(obj, _DATE_KEYS),
        tags=_embedded_tags(obj),
    )


def _embedded_source(obj: dict[str, Any]) -> str | None:
    """The credited publisher: ``source`` as a name or ``{"name": ...}``, or a sibling key."""
    for key in _SOURCE_KEYS:
        value = obj.get(key)
        if isinstance(value, dict):
            value = value.get("name") or value.get("title")
        if isinstance(value, str) and value.strip() and not value.strip().startswith(("http", "/")):
            return clean_text(value)
    return None


def _embedded_url(obj: dict[str, Any]) -> str | None:
    """The original article's URL: a URL key of the article, or of its ``source`` object."""
    for holder in (obj, obj.get("source")):
        if not isinstance(holder, dict):
            continue
        for key in _URL_KEYS:
            value = holder.get(key)
            if isinstance(value, str) and value.startswith(("http://", "https://")):
                return value
    return None


def _embedded_tags(obj: dict[str, Any]) -> list[str]:
    for key in _TAG_KEYS:
        values = obj.get(key)
        if isinstance(values, list):
            names = [v.get("name") if isinstance(v, dict) else v for v in values]
            return [clean_text(n).lstrip("#").strip() for n in names if isinstance(n, str) and n.strip()]
    return []


def rsc_payload(scripts: list[str]) -> str:
    """The concatenated string chunks of ``self.__next_f.push([1, "..."])`` calls."""
    parts = []
    for script in scripts:
        for literal in _NEXT_F.findall(script):
            try:
                parts.append(json.loads(literal))  # a string literal: no nesting
            except json.JSONDecodeError:
                continue
    return "".join(parts)


def rsc_values(payload: str) -> list[Any]:
    """The JSON values of the RSC rows ('1f:{...}', '2:["$","p",null,{...}]'); others skipped."""
    values = []
    rows = list(_RSC_ROW.finditer(payload))
    ends = [m.start() for m in rows[1:]] + [len(payload)]
    for start, end in zip((m.end() for m in rows), ends, strict=False):
        raw = payload[start:end].strip()
        if not raw.startswith(("{", "[", '"')):
            continue  # text ("T...") and module ("I[...") rows
        try:
            value = depth_loads(raw)
        except json.JSONDecodeError:
            continue
        if value is not None and nesting(value) <= MAX_JSON_DEPTH:
            values.append(value)
    return values


def rsc_paragraphs(values: list[Any]) -> list[str]:
    """Text of the ``["$", "p"|"h2"|..., key, {"children": ...}]`` elements of an RSC tree."""
    out: list[str] = []

    def text_of(node: Any) -> str:
        if isinstance(node, str):
            return "" if node.startswith("$") else node
        if isinstance(node, list):
            if len(node) == 4 and node[0] == "$" and isinstance(node[3], dict):
                return text_of(node[3].get("children"))
            return "".join(text_of(n) for n in node)
        return ""

    def walk(node: Any) -> None:
        if isinstance(node, list):
            if len(node) == 4 and node[0] == "$" and node[1] in {"p", "h2", "h3", "blockquote", "li"}:
                text = clean_text(text_of(node[3].get("children") if isinstance(node[3], dict) else None))
                if text:
                    out.append(text)
                return
            for child in node:
                walk(child)
        elif isinstance(node, dict):
            for child in node.values():
                walk(child)

    for value in values:
        walk(value)
    return out


# ---------------------------------------------------------------------------- the parser


@dataclass
class Layout:
    """What the page's text says: where the article is, who published it, when."""

    lines: list[str] = field(default_factory=list)
    source: str | None = None
    date: str | None = None
    premium: bool = False
    title_pos: int = -1
    """Document position of the headline; -1 when the DOM shows no article."""
    head_end: int = 0
    """Document position where the article's region ends (first boilerplate block)."""
    meta_pos: int | None = None
    """Document position of the source + date line."""


class Daily8Parser(ArticleParser):
    """Daily8 article pages (FR/EN UI): the republished text, its source, date and original URL."""

    key: ClassVar[str] = "daily8"
    publisher_name: ClassVar[str | None] = None
    #: 1: text-signal parser (synthetic fixtures; no real Daily8 HTML seen).
    version: ClassVar[int] = 1
    title_css = ("main h1", "article h1", "h1")
    #: Only what is never visible: Daily8's boilerplate is found by its text, so it must stay.
    daily8_strip_css: ClassVar[tuple[str, ...]] = ("script", "style", "noscript", "template", "svg")

    def strip(self) -> None:
        # Embedded data first: the generic strip would drop the scripts that carry it.
        self._next_data = self.sel.css("script#__NEXT_DATA__::text").get()
        self._rsc_scripts = self.sel.xpath('//script[contains(., "self.__next_f.push")]/text()').getall()
        for css in self.daily8_strip_css:
            self.sel.css(css).drop()

    # ------------------------------------------------------------------ analysis
    @cached_property
    def _flat(self) -> tuple[list[Block], list[Anchor]]:
        body = self.sel.xpath("//body")
        return flatten(body[0].root if body else self.sel.root)

    @cached_property
    def _layout(self) -> Layout:
        blocks, _ = self._flat
        title = self._dom_title
        folded_title = fold_for_match(title or "")
        n = len(blocks)
        layout = Layout()
        # 1. The headline: the occurrence followed by the source + date line (the header copy
        #    and menus may come before it), else its first occurrence.
        hits = [k for k, b in enumerate(blocks) if folded_title and not b.img
                and fold_for_match(b.text) == folded_title]
        if hits:  # never a related card showing the same headline: stop at the first boilerplate
            first_stop = next((k for k in range(hits[0], n) if is_stop(blocks[k])), n)
            hits = [k for k in hits if k < first_stop]
        start: int | None = None
        for k in reversed(hits):  # the last copy before the source line (the body may repeat it)
            after = self._skip_title(blocks, k + 1, folded_title)
            meta = self._find_meta(blocks, after)
            if meta is not None:
                layout.title_pos = blocks[k].pos
                layout.source, layout.date, layout.meta_pos, start = meta
                break
        else:
            if hits:
                layout.title_pos, start = blocks[hits[0]].pos, self._skip_title(blocks, hits[0] + 1, folded_title)
            else:  # no headline found: the source + date line may still open the article
                meta = self._find_meta(blocks, 0, window=n)
                if meta is not None:
                    layout.source, layout.date, layout.meta_pos, start = meta
                    layout.title_pos = layout.meta_pos
        if start is None:  # neither headline nor source line: this DOM text is not the article
            return layout
        # 2. The text, up to the first boilerplate block.
        end = next((k for k in range(start, n) if is_stop(blocks[k])), n)
        layout.head_end = blocks[end].pos if end < n else 1 << 62
        layout.lines, layout.premium = clean_blocks([b.text for b in blocks[start:end] if not b.img], title)
        return layout

    @staticmethod
    def _skip_title(blocks: list[Block], k: int, folded_title: str) -> int:
        """Index of the first block from ``k`` that is neither an image nor the headline again."""
        while k < len(blocks) and (blocks[k].img or fold_for_match(blocks[k].text) == folded_title):
            k += 1
        return k

    @staticmethod
    def _find_meta(blocks: list[Block], k: int, window: int = 4) -> tuple[str, str, int, int] | None:
        """(source, date, position, index after it) of the source + date line among the
        ``window`` blocks from ``k``: glued in one block, or a short name block then a date."""
        n = len(blocks)
        for i in range(k, min(k + window, n)):
            block = blocks[i]
            if block.img:
                continue
            if is_stop(block):
                return None
            meta = split_meta(block.text)
            if meta:
                return meta[0], meta[1], block.pos, i + 1
            nxt = next((j for j in range(i + 1, min(i + 3, n)) if not blocks[j].img), None)
            if nxt is not None and len(block.text) <= 60 and len(block.text.split()) <= 6:
                m = _BARE_DATE.match(blocks[nxt].text)
                if m:
                    return block.text.strip(" -•·|"), m.group("date"), block.pos, nxt + 1
        return None

    @cached_property
    def _embedded(self) -> Embedded | None:
        if self._next_data:
            try:
                data = depth_loads(self._next_data)
                found = article_from_data(data, self._page_id) if nesting(data) <= MAX_JSON_DEPTH else None
            except json.JSONDecodeError:
                found = None
            if found and found.paragraphs:
                return found
        if self._rsc_scripts:
            values = rsc_values(rsc_payload(self._rsc_scripts))
            found = article_from_data(values, self._page_id)
            if found and found.paragraphs:
                return found
            paragraphs = rsc_paragraphs(values)
            if paragraphs:
                return Embedded(paragraphs=paragraphs)
        return None

    @property
    def _page_id(self) -> str | None:
        """The 32-hex article id of the page URL (/fr/article/<id>)."""
        m = re.search(r"/article/([0-9a-f]{32})\b", self.url)
        return m.group(1) if m else None

    def _anchors_in_article(self) -> list[Anchor]:
        _, anchors = self._flat
        layout = self._layout
        return [a for a in anchors if 0 <= layout.title_pos <= a.pos < layout.head_end]

    @cached_property
    def _dom_title(self) -> str | None:
        """The headline the page shows: h1, og:title, <title>, else the block printed twice."""
        for title in (
            self.css_text(self.title_css),
            strip_title_suffix(self.meta("og:title", "twitter:title")),
            strip_title_suffix(clean_text(self.sel.xpath("//title/text()").get())),
        ):
            if title and fold_for_match(title) not in {"daily8", "daily 8"}:
                return title
        return repeated_headline(self._flat[0])

    def _offsite(self, href: str | None) -> str | None:
        """``href`` made absolute when it may be the original article: http(s), not Daily8,
        not this page's host, not an app store or social network."""
        try:
            url = urljoin(self.url, href.strip()) if href and href.strip() else None
            if not url or urlsplit(url).scheme not in ("http", "https"):
                return None
            urlsplit(url).port  # noqa: B018  # a port out of range raises here, not later
        except ValueError:  # "http://[::1": an unreadable link is no original article
            return None
        host = (urlsplit(url).hostname or "").lower()
        if PUBLISHERS["daily8"].owns(url) or host == (urlsplit(self.url).hostname or "").lower():
            return None
        if any(host == h or host.endswith("." + h) for h in _NOT_ORIGINAL_HOSTS):
            return None
        return url

    # ------------------------------------------------------------------ fields
    def title(self) -> str | None:
        """The DOM headline; on a client-rendered shell, the embedded article's title first."""
        emb = self._embedded if not self._layout.lines else None
        return (emb.title if emb else None) or self._dom_title or super().title()

    def lead(self) -> str | None:
        return None  # Daily8 marks no standfirst; the original's chapo is the first body line

    def body(self) -> list[str]:
        if self._layout.lines:
            self.body_source = "dom"
            return self._layout.lines
        emb = self._embedded
        if emb:
            lines, _ = clean_blocks(emb.paragraphs, emb.title or self._dom_title)
            if lines:
                self.body_source = "embedded"
                return lines
        self.body_source = "none"
        return []

    def _source_name(self) -> str | None:
        if self._layout.source:
            return self._layout.source
        emb = self._embedded
        return clean_text(emb.source) or None if emb and emb.source else None

    def publisher(self) -> str | None:
        name = self._source_name()
        pub = publisher_by_name(name)
        if pub is not None and pub.kind == "publisher":
            return pub.name
        if name and (pub is None or pub.key != self.key):
            return name
        original = self.original_url()
        pub = publisher_for_url(original) if original else None
        return pub.name if pub is not None and pub.kind == "publisher" else None

    def via(self) -> str | None:
        return self.key

    def original_url(self) -> str | None:
        """The original article, first found of: a "Lire l'article original"/"Source" link, the
        source name's link on the source + date line, an off-site rel=canonical, og:see_also,
        the embedded data's source URL. Canonicalised (tracking parameters dropped)."""
        anchors = self._anchors_in_article()
        name = (self._source_name() or "").casefold()
        candidates = [
            *(a.href for a in anchors if _ORIGINAL_LINK.match(fold_for_match(a.text))),
            *(a.href for a in anchors if name and a.text.casefold() == name),
            *self.sel.xpath('//link[@rel="canonical"]/@href').getall(),
            *(self.meta("og:see_also"),),
            *self.sel.xpath('//meta[@property="og:see_also"]/@content').getall(),
        ]
        emb = self._embedded
        if emb and emb.url:
            candidates.append(emb.url)
        for href in candidates:
            url = self._offsite(href)
            if url:
                return canonical_url(url)
        return None

    def canonical_url(self) -> str:
        """rel=canonical / og:url when they point at a Daily8 article (on Daily8 or this host),
        else the page URL: an off-site canonical names the original article (``original_url``),
        and a canonical to a section ("/fr", a template bug) would fold every article into one."""
        for raw in (*self.sel.xpath('//link[@rel="canonical"]/@href').getall(), self.meta("og:url")):
            if not raw or self._offsite(raw):
                continue
            try:
                url = urljoin(self.url, raw.strip())
            except ValueError:  # an unreadable declared canonical: the next one
                continue
            if urlsplit(url).scheme in ("http", "https") and PUBLISHERS[self.key].classify(url) == "article":
                return canonical_url(url)
        return canonical_url(self.url)

    def published(self) -> datetime | None:
        value = parse_listing_date(self._layout.date, self.fetched_at)
        if value is None:
            emb = self._embedded
            if emb and emb.published:
                value = parse_iso(emb.published) or parse_listing_date(emb.published, self.fetched_at)
        return value or super().published()

    def authors(self) -> list[str]:
        return [a for a in super().authors() if a.casefold() not in {"daily8", "daily 8"}]

    def section(self) -> str | None:
        return self.meta("article:section")

    def tags(self) -> list[str]:
        """The page's hashtags (links to /<lang>/hashtag/<Tag>), else the embedded data's."""
        found = [clean_text(a.text).lstrip("#").strip() for a in self._anchors_before_related()
                 if "/hashtag/" in a.href]
        emb = self._embedded if not found else None
        if emb:
            found = emb.tags
        return _unique(t for t in found if t)

    def _anchors_before_related(self) -> list[Anchor]:
        """Links from the headline down, the hashtags block included (it may come after the
        text's first boilerplate block) but never the related-article cards nor the menus."""
        blocks, anchors = self._flat
        related = next((b.pos for b in blocks if not b.img and fold_for_match(b.text)
                        in {"articles connexes", "related articles", "articles similaires"}), 1 << 62)
        if self._layout.title_pos < 0:
            return []
        return [a for a in anchors if self._layout.title_pos <= a.pos < related]

    def language(self) -> str | None:
        """The text's language (the UI language of /en/ pages is not the article's)."""
        return guess_language(" ".join(self.body()[:20])) or super().language()

    def paywalled(self) -> bool:
        """The page's "Réservé aux abonnés" line, or a premium source's text cut with an
        ellipsis (Le Figaro teasers end with "…"), or the base markers (JSON-LD)."""
        if self._layout.premium:
            return True
        lines = self.body()
        pub = publisher_by_name(self.publisher())
        if lines and pub is not None and pub.key in PREMIUM_ELLIPSIS_SOURCES and lines[-1].endswith(("…", "...")):
            return True
        return super().paywalled()
