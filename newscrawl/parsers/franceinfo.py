"""franceinfo parser (www.franceinfo.fr, formerly www.francetvinfo.fr).

Two template generations share the same article skeleton
(``main#base-page__main-content article#js--content.content--classic``):

- 2023 (francetvinfo.fr): ``div.c-chapo``, ``section.c-signature .c-signature__names``,
  ``article:published_time`` written ``+0200`` (no colon), bare ``blockquote.twitter-tweet``.
- 2025 (franceinfo.fr): ``p.c-chapo``, ``div.signature .signature__names``, a bookmark dialog
  and share bar inside ``article`` above the body, tweets in ``div.pic-embed-container``.

Audio pages (``/replay-radio/<emission>/…``) carry the title in ``h1.rf-player-wrapper__title``.

Body: the direct children of ``div.c-body`` (``p``, ``h2.subheader`` / ``h2.bullet``, pull quotes
``blockquote.ftvi_content_quote``). A pull quote reads as ONE line, "quote author source":
its attribution alone ("à franceinfo") is a fragment that would read as noise, and the
annotated reference pages keep quote and attribution together.

Never the JSON-LD ``headline`` (cut at 110 chars). No paywall on this site.
Selectors: checked on the 2023 and 2025 reference pages
(e.g. /culture/musique/…_5755859.html, 2023-04-06; /politique/…_7375003.html, 2025-07-13).
"""

from __future__ import annotations

import logging
import re
from typing import ClassVar

from newscrawl.parsers.base import ArticleParser, _unique
from newscrawl.text.blocks import html_blocks
from newscrawl.text.markup import ld_breadcrumb_first
from newscrawl.text.normalize import clean_text
from newscrawl.text.urls import url_section

logger = logging.getLogger(__name__)

_ARTICLE = "article#js--content"

# "Cet article date de plus d'un an." (old articles; "plus de deux ans" kept for safety): a
# banner, never body text, wherever the template puts it.
_OLD_BANNER = re.compile(r"^Cet article date de plus (?:d['\u2019]un an|de \w+ ans)\s*\.?$", re.IGNORECASE)

# JSON-LD articleBody glues paragraphs with no separator ('en France".Aurélie', 'dit-elle."Malheureu',
# 'préambule.\xa0Peu', 'possible !""Il'): split where sentence-final punctuation (after a lowercase
# letter, digit or closing quote) is followed, with at most NBSPs between, by a capital, '>>' or an
# opening quote (a quote directly followed by a letter). A plain space never splits, and capitals
# before the dot ("U.S.") never match.
# Headings glued without punctuation ('commerçantsLe') stay glued: camel-case splitting would
# break "iPhone" or "YouTube". A fallback: the DOM body is used whenever div.c-body exists.
_GLUED = re.compile(
    r"(?<=[a-zà-ÿ0-9)\]\"»][.!?…])\u00a0*(?=[«>A-ZÀ-Ý]|\"\w)"  # 'France".Aurélie', 'mois.\xa0Le'
    r"|(?<=[a-zà-ÿ0-9][\"»])\u00a0*(?=[«A-ZÀ-Ý]|\"\w)"  # 'financière"Le projet'
    r"|(?<=[.!?…][\"»])\u00a0*(?=«|\"\w)"  # 'possible !""Il' (a quote closes, the next opens)
)


def split_glued_body(raw: str) -> list[str]:
    """Paragraphs of a JSON-LD ``articleBody`` whose paragraphs were concatenated."""
    lines: list[str] = []
    for chunk in raw.replace("\r", "\n").split("\n"):
        lines.extend(clean_text(part) for part in _GLUED.split(chunk))
    return [line for line in lines if line]


def is_old_article_banner(line: str) -> bool:
    return bool(_OLD_BANNER.match(clean_text(line)))


def split_names(raw: str | None) -> list[str]:
    """'Anne Roux, Paul Mas et Lina Ba' -> three names ("franceinfo avec AFP" stays whole)."""
    return [n for n in re.split(r"\s*,\s*|\s+et\s+", clean_text(raw)) if n] if raw else []


class FranceinfoParser(ArticleParser):
    """franceinfo articles, both template generations, and radio replay pages."""

    key: ClassVar[str] = "franceinfo"
    publisher_name: ClassVar[str | None] = "franceinfo"
    #: 1: first version (2023 + 2025 templates, audio pages).
    #: 2: live pages' text from JSON-LD liveBlogUpdate; section from the URL as the last fallback.
    version: ClassVar[int] = 2
    #: The JSON-LD headline is cut at 110 chars (12 of the 19 reference pages): never read.
    jsonld_headline: ClassVar[bool] = False

    title_css = (
        f"{_ARTICLE} h1.c-title",  # 2023 + 2025 articles
        f"{_ARTICLE} h1.rf-player-wrapper__title",  # /replay-radio/ audio pages (2023-03-28)
        "h1.c-title",
        "h1.rf-player-wrapper__title",
    )
    lead_css = (
        f"{_ARTICLE} .c-chapo",  # div.c-chapo (2023, audio: div.c-chapo[> p]), p.c-chapo (2025)
        ".c-chapo",
    )
    author_css = (
        "section.c-signature .c-signature__names a.author-link",  # 2023
        "div.signature .signature__names a.author-link",  # 2025
    )
    #: Signature name containers, read whole when the names are not links (split on , and " et ").
    author_names_css: ClassVar[tuple[str, ...]] = (
        "section.c-signature .c-signature__names",
        "div.signature .signature__names",
    )
    published_css = (".publication-date__published time[datetime]",)  # both templates
    modified_css = (".publication-date__modified time[datetime]",)  # absent when never updated
    body_css = (
        # Direct children only: anything nested (embeds, cards) is not running text.
        ", ".join(
            f"{_ARTICLE} div.c-body > {child}" for child in ("p", "h2", "h3", "blockquote", "ul > li", "ol > li")
        ),
        ", ".join(f"div.c-body > {child}" for child in ("p", "h2", "h3", "blockquote", "ul > li", "ol > li")),
    )
    #: Breadcrumb, home link excluded (2023 + 2025: nav.breadcrumb ol.breadcrumb__list).
    section_css = ("nav.breadcrumb li.breadcrumb__item a.breadcrumb__link:not([title])",)
    tags_css = (
        "section.related-tags a.related-tags__tag-link",  # "les sujets associés" (2023) / "mots-clés" (2025)
        "section.related-tags a.fi-tag",
    )
    image_css = (f"{_ARTICLE} div.c-cover figure img", "div.c-cover figure img")
    strip_css = (
        # --- in the body (children of div.c-body)
        "figure.francetv-player-wrapper",  # video player; its placeholder img alt is the video title
        "[data-cy=francetv-player-wrapper]",
        "div.pic-embed-container",  # 2025 tweet (and other social embeds) wrapper
        "blockquote.twitter-tweet",  # 2023: bare tweet in the body
        "blockquote.instagram-media",
        "blockquote.tiktok-embed",
        "div.c-body > div:has(iframe)",  # anonymous div holding a Dailymotion iframe
        "div.esi-block",  # client-side ESI blocks (same topic, most read, grands formats...), in and
        "[data-esi-url]",  # out of the body; empty *-skeleton placeholders in the raw HTML
        "div.content-banner-nl",  # newsletter banner
        # --- around the body, inside or next to article#js--content
        "section.social-zone",  # "commenter" / "partager" bars; 2025 also holds the bookmark dialog
        "div.bookmark-button-dialog",  # "Pour sauvegarder cet article, connectez-vous…" (2025)
        "div.dialog",  # any other dialog (web-push popin)
        "div.joyride",
        "div.snackbar",
        "div.alert-info",  # top-of-page alert slot (empty on fresh pages)
        "aside.content-smartfeed",  # "contenus sponsorisés" (Outbrain)
        "section.newspilot-rebounds",
        "section.subject-rebound",  # "Prolongez votre lecture autour de ce sujet"
        "section#comments",  # 2023 Coral comments
        "section#comments-embed",  # 2025 comments
        "div.c-signature__images",
        "div.signature__images",
        ".text-only-for-screen-reader",  # "Article rédigé par" (2023)
        ".sr-only",  # "Article rédigé par" (2025)
        "template",
    )
    # section.related-tags is NOT stripped: tags are read from it; the body never reaches it.

    # ------------------------------------------------------------------ fields
    def authors(self) -> list[str]:
        """Signature links; else the signature names as text; else JSON-LD ``author``, meta."""
        names = self.css_texts(self.author_css) or split_names(self.css_text(self.author_names_css))
        if not names:
            return super().authors()
        return _unique(self.clean_author(n) for n in names)

    def body(self) -> list[str]:
        lines = [line for line in super().body() if not is_old_article_banner(line)]
        if self.body_source != "dom":
            logger.info(
                "franceinfo: no div.c-body paragraphs on %(url)s, body from %(source)s",
                {"url": self.url, "source": self.body_source},
            )
        return lines

    def ld_text_block(self, key: str) -> list[str]:
        raw = self.ld.get(key)
        if not isinstance(raw, str):
            return self.live_ld_lines() if key == "articleBody" else []
        return [line for line in split_glued_body(raw) if not is_old_article_banner(line)]

    def live_ld_lines(self) -> list[str]:
        """Live pages (``/…/direct-…_ID.html``) with no ``div.c-body`` and no ``articleBody``: the
        schema.org ``LiveBlogPosting.liveBlogUpdate[]`` entries, headline then body blocks, in the
        JSON-LD's order. No live page's markup was at hand, only its URL: this fallback relies on
        the schema.org shape, not on franceinfo class names."""
        updates = self.ld.get("liveBlogUpdate")
        lines: list[str] = []
        for update in updates if isinstance(updates, list) else []:
            if not isinstance(update, dict):
                continue
            headline = update.get("headline")
            if isinstance(headline, str) and clean_text(headline):
                lines.append(clean_text(headline))
            body = update.get("articleBody")
            if isinstance(body, str) and body.strip():
                lines.extend(html_blocks(body))
        return [line for line in lines if not is_old_article_banner(line)]

    def section(self) -> str | None:
        value = self.css_text(self.section_css) or self.breadcrumb_section()
        return value or super().section() or url_section(self.url)

    def breadcrumb_section(self) -> str | None:
        """First item of the JSON-LD BreadcrumbList (e.g. "Faits-divers" of "Faits-divers > Justice")."""
        return ld_breadcrumb_first(self.ld_all)

    def image(self) -> str | None:
        """Cover ``img`` (never a placeholder: lazy 2025 covers, video posters); else og:image, JSON-LD."""
        for css in self.image_css:
            for img in self.sel.css(css):
                for src in (img.attrib.get("src"), img.attrib.get("data-src")):
                    if src and not src.startswith("data:") and "/placeholder" not in src:
                        return self.absolute(src)
        og = self.meta("og:image", "twitter:image")
        if og:
            return self.absolute(og)
        images = self.ld.get("image")
        first = images[0] if isinstance(images, list) and images else images
        url = first.get("url") if isinstance(first, dict) else first
        return self.absolute(url) if isinstance(url, str) else None

    def paywalled(self) -> bool:
        # franceinfo has no paywall: its pages carry no isAccessibleForFree and no teaser markup.
        return False
