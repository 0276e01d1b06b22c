"""The parser base class: one subclass per publisher, fields named like the record's keys.

A parser is a pure function of ``(url, html bytes, fetched_at)``: no network, no clock, no
Scrapy engine. Every field has a fallback chain (DOM selector -> JSON-LD -> OpenGraph/meta),
and a field that raises yields its default and is reported in ``field_errors`` (``strict=True``
re-raises, for tests).

Subclasses mostly declare selectors (class attributes, tried in order) and override a field
method only where the site needs more than a selector.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from functools import cached_property
from typing import Any, ClassVar
from urllib.parse import urljoin

from lxml import etree

from newscrawl.canonical import vet_canonical
from newscrawl.items import ArticleItem
from newscrawl.text.blocks import first_text, node_text, texts
from newscrawl.text.dates import parse_any, parse_iso, to_iso
from newscrawl.text.depth import MAX_DOM_DEPTH, at_depth, bound_depth, flat_markup, hit_parser_limit
from newscrawl.text.fastcss import IndexedSelector, drop_selected
from newscrawl.text.fulltext import trafilatura_text
from newscrawl.text.guard import ContentGuard
from newscrawl.text.markup import (
    article_ld,
    decode_html,
    jsonld_objects,
    ld_bool,
    ld_keywords,
    ld_names,
    meta_all,
    meta_content,
    types_of,
)
from newscrawl.text.normalize import clean_text, word_count
from newscrawl.text.urls import canonical_url, url_id

logger = logging.getLogger(__name__)

# Containers that are never the article, whatever the site: removed before the body is read.
# Each is a kind of block (related lists, comments, share bars, newsletter/app prompts, ads).
GENERIC_STRIP_CSS: tuple[str, ...] = (
    "script", "style", "noscript", "template", "iframe", "form", "button", "svg", "video", "audio",
    "[aria-hidden=true]", "[hidden]",
    "[class*=newsletter]", "[id*=newsletter]",
    "[class*=social-share]", "[class*=share-bar]", "[class*=sharebar]", "[class*=share-tools]",
    "[class*=related-articles]", "[class*=read-also]", "[class*=lire-aussi]",
    # related/most-read lists and share bars of common CMS (WordPress Jetpack/YARPP/CRP, AddToAny)
    "[class*=related-posts]", "[class*=relatedposts]", "[class*=related-content]", "[class*=yarpp-related]",
    "[class*=crp_related]", "[class*=most-read]", "[class*=mostread]", "[class*=sharedaddy]", "[class*=addtoany]",
    "[class*=comments]", "[id=comments]", "[id*=comment-section]", "[id=respond]", "[class*=comment-respond]",
    "[class*=ad-slot]", "[class*=ad_element]", "[class*=ad-content]", "[class*=advert]",
    "[class*=taboola]", "[id*=taboola]", "[class*=outbrain]", "[class*=smartfeed]",
    "[class*=cookie]", "[id*=cookie]", "[class*=consent]", "[id*=didomi]",
    "[class*=paywall-box]", "[class*=subscribe-box]", "[class*=app-banner]",
)  # fmt: skip


def _unique(values: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for value in values:
        key = value.casefold()
        if value and key not in seen:
            seen.add(key)
            out.append(value)
    return out


class ArticleParser:
    """Base parser: generic HTML article pages (JSON-LD, OpenGraph, ``<article>``)."""

    #: Site key (``source`` of the record) and display name of the publisher.
    key: ClassVar[str] = "generic"
    publisher_name: ClassVar[str | None] = None
    #: Bump when the output of the parser changes for the same page.
    version: ClassVar[int] = 1

    #: Selectors, each tried in order; the first giving a non-empty value wins.
    title_css: ClassVar[tuple[str, ...]] = ("article h1", "h1")
    lead_css: ClassVar[tuple[str, ...]] = ()
    author_css: ClassVar[tuple[str, ...]] = ()
    published_css: ClassVar[tuple[str, ...]] = ()  # elements with @datetime (or a date text)
    modified_css: ClassVar[tuple[str, ...]] = ()
    #: Each entry selects the body blocks (p, h2, blockquote...) in document order.
    body_css: ClassVar[tuple[str, ...]] = ()
    section_css: ClassVar[tuple[str, ...]] = ()
    tags_css: ClassVar[tuple[str, ...]] = ()
    image_css: ClassVar[tuple[str, ...]] = ()  # <img> elements
    #: Site noise removed from the DOM before anything is read (in-body "À lire aussi", ads...).
    strip_css: ClassVar[tuple[str, ...]] = ()
    #: Elements whose presence means the page shows only a subscriber teaser.
    paywall_css: ClassVar[tuple[str, ...]] = ()
    #: Use JSON-LD ``headline`` as a title fallback (franceinfo's is cut at 110 chars: off).
    jsonld_headline: ClassVar[bool] = True
    #: Fall back to trafilatura when neither DOM nor JSON-LD give a body.
    trafilatura_fallback: ClassVar[bool] = True

    def __init__(
        self,
        url: str,
        body: bytes | str,
        fetched_at: datetime | None = None,
        *,
        encoding: str | None = None,
        hints: dict[str, Any] | None = None,
    ) -> None:
        self.url = url
        self.html = decode_html(body, encoding)
        self.fetched_at = (fetched_at or datetime(1970, 1, 1, tzinfo=UTC)).replace(microsecond=0)
        #: What discovery knew about the page (news sitemap / feed title and date): last fallbacks.
        self.hints = hints or {}
        self.sel = IndexedSelector(text=self.html or "<html></html>")
        #: The markup was nested past libxml2's limit (2,048 levels): read again without its
        #: container tags (newscrawl.text.depth); a page with no body then says why.
        self.too_deep = False
        self._bound_depth()
        self.ld_all = jsonld_objects(self.sel)  # before script tags are stripped
        self.ld = article_ld(self.ld_all)
        self.field_errors: list[str] = []
        self.body_source = "dom"
        #: (reason, declared URL) when the page declared a canonical URL that may not stand for
        #: it (newscrawl.canonical.REFUSALS): the record is named after the fetched URL.
        self.canonical_refused: tuple[str, str] | None = None
        self.strip()

    # ------------------------------------------------------------------ helpers
    def _bound_depth(self) -> None:
        """Markup nested deeper than the text walkers may recurse is unwrapped once, here
        (newscrawl.text.depth); trafilatura then reads the bounded tree. Real pages: no-op."""
        root = self.sel.root
        if not isinstance(root, etree._Element) or not at_depth(root, MAX_DOM_DEPTH):
            return
        if hit_parser_limit(root):
            self.too_deep = True
            logger.info("Markup of %s nested past libxml2's depth limit: read without its container tags", self.url)
            self.html = flat_markup(self.html)
            self.sel = IndexedSelector(text=self.html)
        n = bound_depth(self.sel.root)
        logger.info("Markup of %s nested deeper than %d levels: %d subtrees unwrapped", self.url, MAX_DOM_DEPTH, n)
        self.html = etree.tostring(self.sel.root, encoding="unicode", method="html")

    def strip(self) -> None:
        """Remove noise nodes (site ``strip_css`` then generic containers) from the DOM: one walk
        over the tree for all the simple selectors (newscrawl.text.fastcss), same result as
        dropping them one selector at a time. A matched element that holds the page's content
        (html, body, main, most of its paragraph text or of its JSON-LD ``articleBody``:
        newscrawl.text.guard) stays."""
        article_body = self.ld.get("articleBody")
        guard = ContentGuard(self.sel.root, article_body if isinstance(article_body, str) else None)
        drop_selected(self.sel, (*self.strip_css, *GENERIC_STRIP_CSS), keep=guard.keeps)

    def meta(self, *names: str) -> str | None:
        """The first non-blank ``<meta content>`` among ``names`` (property, name or itemprop),
        cleaned. After the strip, from the page's metas read once (:attr:`_metas`); before it (a
        site's ``strip()`` reading metas that the strip may remove), by XPath."""
        if self.sel.index is None:
            return clean_text(meta_content(self.sel, *names)) or None
        first = self._metas[0]
        for name in names:
            value = first.get(name)
            if value and value.strip():
                return clean_text(value) or None
        return None

    def meta_all(self, name: str) -> list[str]:
        """The non-blank contents of every ``<meta>`` whose property or name is ``name``."""
        if self.sel.index is None:
            return meta_all(self.sel, name)
        return list(self._metas[1].get(name, ()))

    @cached_property
    def _metas(self) -> tuple[dict[str, str], dict[str, list[str]]]:
        """The page's ``<meta content>`` after the strip, read once: per name, the content of the
        first meta whose property, name or itemprop it is (what ``meta_content``'s XPath finds
        first), and the non-blank contents of all metas whose property or name it is
        (``meta_all``). Nothing drops elements from the page after the strip."""
        first: dict[str, str] = {}
        every: dict[str, list[str]] = {}
        for el in self.sel.root.iter("meta"):
            content = el.get("content")
            if content is None:
                continue
            prop, name, itemprop = el.get("property"), el.get("name"), el.get("itemprop")
            for key in {prop, name, itemprop}:
                if key is not None:
                    first.setdefault(key, content)
            if content.strip():
                for key in {prop, name}:
                    if key is not None:
                        every.setdefault(key, []).append(content)
        return first, every

    def ld_text(self, key: str) -> str | None:
        value = self.ld.get(key)
        return clean_text(value) or None if isinstance(value, str) else None

    def css_text(self, selectors: Iterable[str]) -> str | None:
        return first_text(self.sel, selectors)

    def css_texts(self, selectors: Iterable[str]) -> list[str]:
        for css in selectors:
            found = texts(self.sel.css(css))
            if found:
                return found
        return []

    def css_datetime(self, selectors: Iterable[str]) -> datetime | None:
        for css in selectors:
            for node in self.sel.css(css):
                raw = node.attrib.get("datetime") or node.attrib.get("content") or node_text(node)
                value = parse_any(raw, self.fetched_at)
                if value:
                    return value
        return None

    def absolute(self, url: str | None) -> str | None:
        """``url`` made absolute against the page's; None when empty or unreadable (a declared
        ``http://[::1`` costs that one value, not the field or the values after it)."""
        if not url or not url.strip():
            return None
        try:
            return urljoin(self.url, url.strip())
        except ValueError:
            return None

    # ------------------------------------------------------------------ fields
    def title(self) -> str | None:
        return (
            self.css_text(self.title_css)
            or self.meta("og:title", "twitter:title")
            or (self.ld_text("headline") if self.jsonld_headline else None)
            or clean_text(self.hints.get("title")) or None
            or clean_text(self.sel.xpath("//title/text()").get()) or None
        )

    def lead(self) -> str | None:
        return (
            self.css_text(self.lead_css)
            or self.ld_text("description")
            or self.meta("og:description", "description", "twitter:description")
        )

    def authors(self) -> list[str]:
        names = self.css_texts(self.author_css) or [clean_text(n) for n in ld_names(self.ld.get("author"))]
        if not names:
            names = [clean_text(n) for n in self.meta_all("article:author") + self.meta_all("author")
                     if not n.startswith("http")]
        return _unique(self.clean_author(n) for n in names if n)

    @staticmethod
    def clean_author(name: str) -> str:
        name = clean_text(name)
        for prefix in ("Par ", "par ", "By ", "De "):
            if name.startswith(prefix):
                name = name[len(prefix):]
        return name.strip(" ,")

    def published(self) -> datetime | None:
        return (
            self.css_datetime(self.published_css)
            or parse_iso(self.ld_text("datePublished"))
            or parse_iso(self.meta("article:published_time", "og:published_time", "datePublished", "date"))
            or parse_iso(self.hints.get("published"))
        )

    def modified(self) -> datetime | None:
        return (
            self.css_datetime(self.modified_css)
            or parse_iso(self.ld_text("dateModified"))
            or parse_iso(self.meta("article:modified_time", "og:updated_time", "dateModified"))
        )

    def body(self) -> list[str]:
        """Body paragraphs and subheadings, one string each, without title or lead."""
        for css in self.body_css:
            blocks = texts(self.sel.css(css))
            if blocks:
                self.body_source = "dom"
                return blocks
        body = self.ld_text_block("articleBody")
        if body:
            self.body_source = "jsonld"
            return body
        if self.trafilatura_fallback:
            blocks = self.trafilatura_body()
            if blocks:
                self.body_source = "trafilatura"
                return blocks
        self.body_source = "none"
        return []

    def ld_text_block(self, key: str) -> list[str]:
        raw = self.ld.get(key)
        if not isinstance(raw, str):
            return []
        return [p for p in (clean_text(line) for line in raw.replace("\r", "\n").split("\n")) if p]

    def trafilatura_body(self) -> list[str]:
        """trafilatura's text of the page (precision mode, no tables), one block a line."""
        text = trafilatura_text(self.html, self.url, tables=False)
        return [p for p in (clean_text(x) for x in text.split("\n")) if p]

    def section(self) -> str | None:
        value = self.css_text(self.section_css) or self.meta("article:section")
        if not value:
            ld_section = self.ld.get("articleSection")
            if isinstance(ld_section, list):
                ld_section = ld_section[0] if ld_section else None
            value = clean_text(ld_section) if isinstance(ld_section, str) else None
        return value.strip(" ,/") or None if value else None

    def tags(self) -> list[str]:
        found = self.css_texts(self.tags_css) or [clean_text(t) for t in self.meta_all("article:tag")]
        if not found:
            found = ld_keywords(self.ld.get("keywords"))
        return _unique(t for t in found if t)

    def language(self) -> str | None:
        raw = (
            self.sel.xpath("/html/@lang").get()
            or self.ld_text("inLanguage")
            or self.meta("og:locale", "language", "content-language")
        )
        return raw.replace("_", "-").split("-")[0].lower() if raw else None

    def image(self) -> str | None:
        for css in self.image_css:
            for img in self.sel.css(css):
                src = img.attrib.get("src") or img.attrib.get("data-src")
                if src and not src.startswith("data:"):
                    return self.absolute(src)
        og = self.meta("og:image", "twitter:image")
        if og:
            return self.absolute(og)
        img = self.ld.get("image")
        if isinstance(img, list):
            img = img[0] if img else None
        if isinstance(img, dict):
            img = img.get("url")
        return self.absolute(img) if isinstance(img, str) else None

    def paywalled(self) -> bool:
        """True when the page itself says it shows only a teaser (JSON-LD, site markers)."""
        if ld_bool(self.ld.get("isAccessibleForFree")) is False:
            return True
        parts = self.ld.get("hasPart")
        for part in parts if isinstance(parts, list) else [parts]:
            if isinstance(part, dict) and ld_bool(part.get("isAccessibleForFree")) is False:
                return True
        return any(self.sel.css(css) for css in self.paywall_css)

    def declared_canonicals(self) -> list[str]:
        """The canonical URLs the page declares, absolute, in order of trust: rel=canonical,
        og:url, the JSON-LD article's ``url`` / ``mainEntityOfPage``."""
        main = self.ld.get("mainEntityOfPage")
        if isinstance(main, dict):
            main = main.get("@id") or main.get("url")
        raws = [self.sel.xpath('//link[@rel="canonical"]/@href').get(), self.meta("og:url"),
                self.ld.get("url"), main]
        return [url for url in (self.absolute(raw) if isinstance(raw, str) else None for raw in raws) if url]

    def canonical_url(self) -> str:
        """The first declared canonical URL that may stand for the page (newscrawl.canonical:
        http(s), same site, an article path), else the fetched URL. A refusal is noted in
        :attr:`canonical_refused` (the spider counts it)."""
        refused: tuple[str, str] | None = None
        for raw in self.declared_canonicals():
            canon, reason = vet_canonical(raw, self.url, self.key)
            if reason is None:
                return canon
            refused = refused or (reason, raw)
        self.canonical_refused = refused
        return canonical_url(self.url)

    def publisher(self) -> str | None:
        return self.publisher_name or self.meta("og:site_name") or (
            ld_names(self.ld.get("publisher"))[:1] or [None])[0]

    def via(self) -> str | None:
        return None

    def original_url(self) -> str | None:
        return None

    def is_live(self) -> bool:
        return any("LiveBlogPosting" in types_of(o) for o in self.ld_all)

    # ------------------------------------------------------------------ assembly
    def _field(self, name: str, default: Any, strict: bool) -> Any:
        getter: Callable[[], Any] = getattr(self, name)
        try:
            return getter()
        except Exception:
            if strict:
                raise
            logger.info("Field %s failed on %s", name, self.url, exc_info=True)
            self.field_errors.append(name)
            return default

    def parse(self, strict: bool = False) -> ArticleItem:
        """The article record of the page, before text-level cleaning."""
        f = self._field
        title = f("title", None, strict)
        lead = f("lead", None, strict)
        lines = f("body", [], strict)
        # The title or lead repeated as the first body line is not body.
        while lines and lines[0] in {title, lead}:
            lines = lines[1:]
        canon = f("canonical_url", canonical_url(self.url), strict)
        # Whatever a parser's canonical_url() found, it names the record only when it may
        # stand for the page (newscrawl.canonical): the rule holds for every parser.
        canon, reason = vet_canonical(canon, self.url, self.key)
        if reason is not None and self.canonical_refused is None:
            self.canonical_refused = (reason, canon)
        text = "\n".join(lines)
        return ArticleItem(
            id=url_id(canon),
            url=self.url,
            canonical_url=canon,
            source=self.key,
            publisher=f("publisher", None, strict),
            via=f("via", None, strict),
            original_url=f("original_url", None, strict),
            title=title,
            lead=lead or None,
            text=text,
            authors=f("authors", [], strict),
            published=to_iso(f("published", None, strict)),
            modified=to_iso(f("modified", None, strict)),
            section=f("section", None, strict),
            tags=f("tags", [], strict),
            language=f("language", None, strict) or "fr",
            image=f("image", None, strict),
            paywalled=bool(f("paywalled", False, strict)),
            word_count=word_count(text),
            crawled_at=to_iso(self.fetched_at.astimezone(UTC)),
            parser=f"{self.key}/{self.version}",
        )

