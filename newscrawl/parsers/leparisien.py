"""Le Parisien (www.leparisien.fr): Arc XP / Fusion, React server-side rendered.

Two template generations share one parser: the lead is ``h2.subheadline`` in April 2023 and
``p.subheadline`` from November 2023 (``.subheadline`` takes both). Live blogs
(``LiveBlogPosting``, ``#live-container``) are read as their updates: heading + paragraphs.

Dates: JSON-LD and ``article:*_time`` metas are UTC (``Z``) to the millisecond; the visible
``div.timestamp`` ("Le 7 avril 2023 à 18h39, modifié le ...") is Paris time to the minute, so it
is the last fallback here (the only one without seconds). React's ``<!-- -->`` markers inside
text nodes are skipped by ``node_text`` (comments contribute only their tail).

See docs/parsers/leparisien.md.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import ClassVar
from urllib.parse import urlsplit

from newscrawl.parsers.base import ArticleParser, _unique
from newscrawl.text.blocks import html_blocks, node_text, texts
from newscrawl.text.dates import parse_french, parse_iso
from newscrawl.text.markup import ld_breadcrumb_first, ld_keywords
from newscrawl.text.normalize import clean_text

# ", correspondante à Bordeaux (Gironde)", ", envoyé spécial à Kiev": a role after the name
# (seen in the byline link text and in JSON-LD author names).
_AUTHOR_ROLE = re.compile(r",\s+(?=[a-zà-ÿ]).*$")
# "Le 28 mars 2023 à 05h55, modifié le 28 mars 2023 à 22h40"
_MODIFIED_SPLIT = re.compile(r"\b(?:modifié|mis à jour)\s+le\b", re.IGNORECASE)
# A keyword that is a section slug: "economie", "faits-divers", "gironde-33", "ma-ville".
_SLUG = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
# JSON-LD live update that is the "L'essentiel" summary card, not an update.
_ESSENTIAL = re.compile(r"^l\s*['’]?\s*essentiel$", re.IGNORECASE)


def _path_slugs(path: str) -> set[str]:
    """Slugs of a section path, with the département number dropped too ("paris-75" -> "paris")."""
    out: set[str] = set()
    for seg in path.strip("/").split("/"):
        if seg:
            out.add(seg.lower())
            out.add(re.sub(r"-\d{2,3}$", "", seg.lower()))
    return out


def section_keywords_dropped(keywords: list[str], section_slugs: set[str]) -> list[str]:
    """Drop the leading JSON-LD keywords that are section slugs, keep the rest in order.

    A leading keyword is a slug when it is lowercase ``[a-z0-9-]`` and either names one of the
    page's sections (``section_slugs``) or contains a hyphen ("departements-horsidfo",
    "ma-ville"). The first keyword that is not a slug ends the run: later keywords are kept
    even when they look like slugs.
    """
    start = 0
    for kw in keywords:
        slug = kw.strip()
        if _SLUG.match(slug) and (slug in section_slugs or "-" in slug):
            start += 1
            continue
        break
    return keywords[start:]


class LeParisienParser(ArticleParser):
    """Le Parisien articles, paywalled teasers and live blogs (2023 templates)."""

    key: ClassVar[str] = "leparisien"
    publisher_name: ClassVar[str | None] = "Le Parisien"  # og:site_name says "leparisien.fr"
    #: 1: first version (2023-04 and 2023-11 templates, paywalled teasers, live blogs).
    #: 2: the subscribe box alone marks a page paywalled.
    version: ClassVar[int] = 2

    # header.article_header > h1.title_xl (verified on the 2023 reference pages)
    title_css = ("header.article_header h1", "article.article-full h1")
    # h2.subheadline (Apr 2023, verified), p.subheadline (the Nov 2023 template)
    lead_css = ("header.article_header .subheadline", "article.article-full .subheadline")
    # span.byline > span.author > "Par " + a.author_link (verified); plain span on agency /
    # live pages ("Le Parisien", "Le Parisien avec AFP", verified); the whole span as last try.
    author_css = (
        "span.byline span.author a.author_link",
        "span.byline span.author > span",
        "span.byline span.author",
    )
    # div.timestamp: "Le <!-- -->7 avril 2023 à 18h24" (verified); read in _timestamp()
    timestamp_css: ClassVar[tuple[str, ...]] = ("span.byline div.timestamp", "div.timestamp")
    # section#left div.article-section > section.content > p.paragraph | h2.inline_title
    # (verified; paywalled pages add div.paywall-article-section > section.content.paywall-abo)
    body_css = (
        "div.article-section section.content > p.paragraph, "
        "div.article-section section.content > h2.inline_title",
        "article.article-full section.content > p, article.article-full section.content > h2",
    )
    # #live-container: per update div.card-date + div.standard-card_container with
    # div.standard-card_container_element > h2 / p (verified on the 2023 live page)
    live_css: ClassVar[str] = (
        "#live-container div.standard-card_container_element > h2, "
        "#live-container div.standard-card_container_element > h3, "
        "#live-container div.standard-card_container_element > p, "
        "#live-container div.standard-card_container_element > ul > li, "
        "#live-container div.standard-card_container_element > blockquote"
    )
    # div.breadcrumb > a.tag_breadcrumb "Économie<!-- -->," then "Consommation" (verified)
    section_css = ("div.breadcrumb a.tag_breadcrumb", "a.tag_breadcrumb")
    # div.lead-art > figure > div > img.image (relative /resizer/ URL, verified)
    image_css = ("div.lead-art figure img",)
    strip_css = (
        # in body: "À lire aussi" box, a div holding a.article-read-also_link
        "div.article-read-also_container",
        # in body: span[data-filled] > div.ad_element > div.arcad.in-read-arcads (verified)
        "div.ad_element", "div.ad_element_sticky", "div.arcad", "[id^=arcAds]",
        # in body: dataviz embeds (div[data-id=dataviz…]) and Dailymotion players
        "div[data-id^=dataviz]", "iframe.dailymotion-player", "[class*=dailymotion]",
        # in body: newsletter insert span > div#nlpartial-<uuid> (verified)
        "[id^=nlpartial]",
        # embeds in body (tweets, Instagram, TikTok)
        "blockquote.twitter-tweet", "blockquote.instagram-media", "blockquote.tiktok-embed",
        # teaser box after a paywalled first paragraph: "S'abonner pour lire la suite" (verified)
        "div.paywall",
        # share bar with the comment count; live cards' footers (verified)
        "div.share-tools", "div.standard-card_footer",
        # live "Alerte" label before an update heading (verified)
        "span.card-title.alert",
        # "Dans la rubrique ..." links, comments button (verified)
        "div.article-links", "#comments-section",
        # right rail "Les plus lus", "Journal du jour" (verified)
        "#right_rail", "div.article-most-read", "div.article-newspaper-thumbnail",
        # story cards + Outbrain under the article (verified)
        "section#bottom",
        # footer box "Profitez des avantages de l'offre numérique" (verified)
        "div.footerSubscribe",
        # "Info Le Parisien" labels and padlock markers on the story cards around the article
        "span.tag.label.info", "span.story-marker-p",
        # "Décryptage", "Live" markers next to the breadcrumb (verified)
        "div.article_marker", "div.article_marker_text", "div.live-marker",
        # site chrome
        "header.header", "nav.nav", "footer#footer",
    )
    # Page-level paywall markers that survive strip_css (verified on 3 premium pages)
    paywall_css = ("div.paywall-article-section", "section.content.paywall-abo")
    #: The teaser box after the first paragraph (div.paywall > a.btn-subscribe "S'abonner pour lire
    #: la suite", verified on 3 premium pages, absent from the 3 free ones): a marker too, read
    #: before strip_css drops the box.
    paywall_box_css: ClassVar[tuple[str, ...]] = (
        "div.paywall a.btn-subscribe",
        "div.paywall a[href*='abonnement.leparisien.fr']",
    )

    def strip(self) -> None:
        self.paywall_box = any(self.sel.css(css) for css in self.paywall_box_css)
        super().strip()

    # ------------------------------------------------------------------ fields
    def lead(self) -> str | None:
        # meta description is cut at ~255 chars and og:description at ~140 (verified): last.
        return (
            self.css_text(self.lead_css)
            or self.ld_text("description")
            or self.ld_text("alternativeHeadline")
            or self.meta("description", "og:description", "twitter:description")
        )

    @staticmethod
    def clean_author(name: str) -> str:
        name = ArticleParser.clean_author(name)
        return _AUTHOR_ROLE.sub("", name).strip(" ,")

    def _timestamp(self) -> tuple[datetime | None, datetime | None]:
        """(published, modified) from the visible French timestamp, Paris time."""
        for css in self.timestamp_css:
            for node in self.sel.css(css):
                raw = node_text(node)
                if not raw:
                    continue
                parts = _MODIFIED_SPLIT.split(raw, maxsplit=1)
                published = parse_french(parts[0])
                if published:
                    return published, parse_french(parts[1]) if len(parts) > 1 else None
        return None, None

    def published(self) -> datetime | None:
        return (
            parse_iso(self.ld_text("datePublished"))
            or parse_iso(self.meta("article:published_time"))
            or parse_iso(self.ld_text("coverageStartTime"))  # LiveBlogPosting has no datePublished
            or self._timestamp()[0]
            or parse_iso(self.hints.get("published"))
        )

    def modified(self) -> datetime | None:
        return (
            parse_iso(self.ld_text("dateModified"))
            or parse_iso(self.meta("article:modified_time"))
            or self._timestamp()[1]
        )

    def body(self) -> list[str]:
        if self.is_live():
            lines = texts(self.sel.css(self.live_css))
            if lines:
                self.body_source = "dom"
                return lines
            lines = self.live_ld_lines()
            if lines:
                self.body_source = "jsonld"
                return lines
        return super().body()

    def live_ld_lines(self) -> list[str]:
        """The JSON-LD ``liveBlogUpdate`` entries: headline then body blocks, page order."""
        updates = self.ld.get("liveBlogUpdate")
        lines: list[str] = []
        for update in updates if isinstance(updates, list) else []:
            if not isinstance(update, dict):
                continue
            headline = clean_text(update.get("headline")) if isinstance(update.get("headline"), str) else ""
            if _ESSENTIAL.match(headline):
                continue
            if headline:
                lines.append(headline)
            body = update.get("articleBody")
            if isinstance(body, str):
                lines.extend(html_blocks(body))
        return lines

    def section(self) -> str | None:
        """Top-level section name: breadcrumb, JSON-LD BreadcrumbList, meta slug, articleSection."""
        value = self.css_text(self.section_css)
        if not value:
            value = ld_breadcrumb_first(self.ld_all)
        if not value:
            path = self.meta("article:section")
            value = path.strip("/").split("/")[0] if path else None
        if not value:
            raw = self.ld.get("articleSection")
            value = clean_text(raw) if isinstance(raw, str) else None
        return value.strip(" ,/") or None if value else None

    def _section_slugs(self) -> set[str]:
        slugs = _path_slugs(urlsplit(self.url).path.rsplit("/", 1)[0])
        slugs |= _path_slugs(self.meta("article:section") or "")
        for href in self.sel.css("a.tag_breadcrumb::attr(href)").getall():
            slugs |= _path_slugs(urlsplit(href).path)
        raw = self.ld.get("articleSection")
        if isinstance(raw, str):
            slugs |= _path_slugs(raw)
        return slugs

    def tags(self) -> list[str]:
        """JSON-LD ``keywords`` without the leading section slugs (see section_keywords_dropped)."""
        kw = self.ld.get("keywords")
        if not isinstance(kw, str | list):
            return super().tags()
        return _unique(section_keywords_dropped(ld_keywords(kw), self._section_slugs()))

    def paywalled(self) -> bool:
        """JSON-LD ``isAccessibleForFree: "False"`` / ``hasPart``, the paywalled section classes, or
        the subscribe box (seen before stripping)."""
        return super().paywalled() or self.paywall_box

    def is_live(self) -> bool:
        return super().is_live() or bool(self.sel.css("#live-container"))
