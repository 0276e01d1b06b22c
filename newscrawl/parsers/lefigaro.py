"""Le Figaro (www.lefigaro.fr) article parser.

Two template generations share one parser:

* the 2019+ template (URLs ending in ``-YYYYMMDD``): ``div.fig-main > article``,
  ``h1.fig-headline``, ``p.fig-standfirst``, ``div.fig-content-body > p.fig-paragraph``;
* the legacy template (``/YYYY/MM/DD/nnnnn-YYYYMMDDARTFIGnnnnn-slug.php`` URLs, up to 2019):
  ``article.fig-content``, ``h1.fig-main-title``, ``p.fig-content__chapo``,
  ``div.fig-content__body > p``.

Every field falls back to the JSON-LD ``Article``/``NewsArticle`` object, then to OpenGraph/meta
(base class). Site noise is dropped from the DOM before anything is read (``strip_css`` and the
"LIRE AUSSI" link paragraphs of the legacy body); the facts that live inside noise blocks (the
paywall box, the "Sujets" tag list) are read just before the drop.

Decisions (see docs/parsers/lefigaro.md):

* the lead keeps the page's kicker ("DÉCRYPTAGE - ..."), as the standfirst and the meta
  description both show it;
* ``tags`` are the "Sujets" links when the page has them; otherwise the comma-separated
  ``article:tag`` / JSON-LD ``keywords`` (which append the rubric's SEO keywords);
* ``image`` is ``og:image`` (the DOM cover only has lazy ``srcset`` crops).
"""

from __future__ import annotations

import re
from typing import ClassVar

from newscrawl.parsers.base import ArticleParser, _unique
from newscrawl.text.blocks import node_text, texts
from newscrawl.text.markup import ld_keywords
from newscrawl.text.normalize import clean_text
from newscrawl.text.urls import url_section

# Inline scripts: 2019+ ``window.FFF.isPremium = true;``, legacy ``figAnalytics.init({isPremium: true``.
# Anchored on those two calls: a bare "isPremium: true" may describe a related card.
_PREMIUM_SCRIPT = re.compile(r"\bFFF\.isPremium\s*=\s*true\b|\bfigAnalytics\.init\(\{[^}]*?\bisPremium\s*:\s*true\b")


# The page's own premium state in the inline dataLayer: "gratuit" on free pages (verified);
# "premium" on the premium fixture (the premium value is presumed: no premium page was seen).
_PREMIUM_DATALAYER = re.compile(r'"BU_subscriptionContentType"\s*:\s*"premium"', re.IGNORECASE)
# The paywall box's own text ("Cet article est réservé aux abonnés. Il vous reste NN% à
# découvrir."): a secondary signal when the box's class is one we do not know. Never on a free
# page (the phrase does not occur on the free reference pages; cards show a padlock class only).
_PAYWALL_PHRASE = re.compile(
    r"Il vous reste\s*(?:encore\s*)?\d{1,2}\s*(?:&nbsp;|&#160;|\u00a0|\u202f)?\s*%\s*(?:&agrave;|à)\s*découvrir"
    r"|Cet article est réservé aux abonnés",
    re.IGNORECASE,
)


def match_at_literals(html: str, rx: re.Pattern[str], literals: tuple[str, ...], back: int = 0) -> bool:
    """``rx`` matched only where it can start: at each occurrence of one of ``literals`` (minus
    ``back`` characters, for a pattern opening with a character before its literal). The same
    answer as searching the whole 300 KB page, without running the regex over all of it (a
    leading ``\\b`` makes that slow, docs/benchmarks.md)."""
    for literal in literals:
        at = html.find(literal)
        while at >= 0:
            if rx.match(html, max(at - back, 0)):
                return True
            at = html.find(literal, at + 1)
    return False


def premium_marked_text(html: str) -> bool:
    """The dataLayer says "premium", or the paywall box's text is on the page."""
    return (match_at_literals(html, _PREMIUM_DATALAYER, ("BU_subscriptionContentType",), back=1)  # its quote
            or match_at_literals(html, _PAYWALL_PHRASE, ("Il vous reste", "Cet article est réservé aux abonnés")))


def premium_script(html: str) -> bool:
    """``_PREMIUM_SCRIPT.search(html)``, tried only where a match can start (each pattern begins
    with a literal)."""
    return match_at_literals(html, _PREMIUM_SCRIPT, ("FFF.isPremium", "figAnalytics.init("))


# A byline written as bare text naming several people: "Par Jean Dupont et Marie Curie". Split only
# when every part looks like a person's name (capitalised words, initials) and none is an outlet or
# agency: "Le Figaro et AFP" and "Le Figaro avec AFP" stay one author, as the site credits them.
_AUTHOR_SEP = re.compile(r"\s*,\s*|\s+(?:et|&)\s+")
_PERSON = re.compile(
    r"^(?:[A-ZÀ-Ý][\w'’.-]*)(?:\s+(?:(?:de|du|des|la|le|van|von|d['’])\s*)?[A-ZÀ-Ý][\w'’.-]*){0,3}$"
)
_OUTLET = re.compile(r"\b(?:figaro|afp|ap|reuters|bloomberg|agence|agences|rédaction|redaction|service|avec)\b",
                     re.IGNORECASE)


def split_byline(name: str) -> list[str]:
    """``["Jean Dupont", "Marie Curie"]`` from "Jean Dupont et Marie Curie"; the name whole otherwise."""
    parts = [p.strip() for p in _AUTHOR_SEP.split(name) if p.strip()]
    if len(parts) > 1 and all(_PERSON.match(p) and not _OUTLET.search(p) for p in parts):
        return parts
    return [name]


# Body paragraphs that are only a link to another article: the legacy "» LIRE AUSSI - <a>",
# the 2021 "<strong>À voir aussi</strong> <a>" (p.fig-paragraph). Checked on link paragraphs only.
_RELATED_PARAGRAPH = re.compile(r"^[»>\s]*(?:(?:à|a)\s+)?(?:lire|voir)\s+aussi\b", re.IGNORECASE)


class LeFigaroParser(ArticleParser):
    """Le Figaro pages, 2019+ and legacy (.php) templates."""

    key: ClassVar[str] = "lefigaro"
    publisher_name: ClassVar[str | None] = "Le Figaro"  # legacy og:site_name says "FIGARO"
    #: 1: first version (2019+ and legacy templates).
    #: 2: more paywall markers (box parts, headline banner, dataLayer, box text), "Par X et Y" split
    #: into two authors, meta keywords and the URL's section as fallbacks.
    version: ClassVar[int] = 2

    title_css: ClassVar[tuple[str, ...]] = (
        "div.fig-main > article > h1.fig-headline",  # 2019+ (2024 reference pages)
        "article h1.fig-headline",
        "article.fig-content h1.fig-main-title",  # legacy .php template (2017-2018 pages)
        "h1.fig-main-title",
    )
    lead_css: ClassVar[tuple[str, ...]] = (
        "div.fig-main > article > p.fig-standfirst",  # 2019+, may start with <strong>KICKER</strong> -
        "article p.fig-standfirst",
        "article.fig-content p.fig-content__chapo",  # legacy, kicker as plain text "LE SCAN POLITIQUE - "
        "p.fig-content__chapo",
    )
    author_css: ClassVar[tuple[str, ...]] = (
        # 2019+: <span class="fig-content-metas__authors">Par&nbsp;<span>D.D.</span></span>, an <a>
        # instead of the inner span when the author has a page; legacy: <li ...__authors>Par
        # <a class="fig-content-metas__author">.
        "article .fig-content-metas__authors > a, article .fig-content-metas__authors > span",
        "article .fig-content-metas__author",
        "article .fig-content-metas__authors",  # bare "Par X" text: the "Par " is cut by clean_author
    )
    published_css: ClassVar[tuple[str, ...]] = (
        # 2019+ <span class="fig-content-metas__pub-date"> and legacy <li> of the same class; the
        # visible text is relative ("il y a 2 heures"), so only @datetime is read.
        "article .fig-content-metas__pub-date time[datetime]",
        ".fig-content-metas__pub-date time[datetime]",
    )
    modified_css: ClassVar[tuple[str, ...]] = (
        ".fig-content-metas__pub-maj-date time[datetime]",  # 2019+, absent when never updated
        ".fig-content-metas__maj-date time[datetime]",  # legacy
    )
    body_css: ClassVar[tuple[str, ...]] = (
        # 2019+: paragraphs and subheadings are direct children of the body div; empty
        # p.fig-paragraph (after embeds) are skipped by texts(). Lists: not seen, kept if present.
        (
            "div.fig-content-body > p.fig-paragraph, div.fig-content-body > h2, div.fig-content-body > h3,"
            " div.fig-content-body > ul > li, div.fig-content-body > ol > li"
        ),
        # 2019+ page whose paragraphs lack the class (unseen; noise is already stripped)
        "div.fig-content-body > p, div.fig-content-body > h2, div.fig-content-body > h3",
        # legacy: bare <p> children of div.fig-content__body
        (
            "div.fig-content__body > p, div.fig-content__body > h2, div.fig-content__body > h3,"
            " div.fig-content__body > ul > li, div.fig-content__body > ol > li"
        ),
        "[itemprop=articleBody] > p, [itemprop=articleBody] > h2",  # older microdata pages
    )
    #: Read before the noise is stripped (div.fig-tags is noise for the text).
    tags_css: ClassVar[tuple[str, ...]] = ("div.fig-tags a.fig-tags__link",)
    #: Breadcrumb, last level: after article:section and JSON-LD articleSection.
    breadcrumb_css: ClassVar[tuple[str, ...]] = (
        "nav.fig-breadcrumb li.fig-breadcrumb__item:last-child .fig-breadcrumb__text",  # 2019+
        "ol.fig-breadcrumb li.fig-breadcrumb__item--current span",  # legacy
    )
    strip_css: ClassVar[tuple[str, ...]] = (
        # --- in the body: the site's link, podcast, newsletter and ad inserts
        "p.fig-body-link",  # "À lire aussi" + a.fig-body-link__link (may carry .fig-premium-mark)
        ".fig-crosslinking",  # "À découvrir": podcast and app links (div, or p in some pages)
        "div.fig-newsletter-box",  # newsletter sign-up box (both 2024 reference pages)
        "div.fig-free",  # social/video embed div.fig-free > div.fig-embed > iframe
        "div.fig-embed",  # embeds (legacy tweets inside div.fig-content__body, video covers)
        ".a11y-hidden",  # screen-reader-only labels (legacy breadcrumb "Home")
        # --- in the article, outside the body
        "div.fig-sharebar", "div.fig-share-tools",  # "Lire dans l'app", "Copier le lien", "Partager"
        "div.fig-table-contents",  # "Sommaire" + anchors + "Afficher plus"
        "a.fig-a11y-skip",  # "Passer la publicité", before each ad slot
        "div.fig-ad-content",  # ad slots, placeholder text "Publicité" (also --inarticle*, --pave*)
        "[data-figtag]",  # legacy ad slots (data-figtag="inarticle")
        "div.etx-player",  # audio player ("Écouter cet article")
        ".fig-premium-mark-article",  # "Réservé aux abonnés" banner near (or in) the headline
        "#fig-premium-paywall", "div.fig-premium-paywall",  # the paywall box ("Il vous reste 72% ...")
        "[class*=fig-premium-paywall]",  # its parts: __wrapper, __infos ("% left" line), __button...
        # --- after the article / page chrome
        "div.fig-recommended",  # "La rédaction vous conseille"
        "div.fig-tags",  # "Sujets" (read first by tags())
        "div.fig-comments", ".fig-comments-tabbar",  # server-rendered comments preview
        "div.fig-suggested-resources",  # "À lire aussi" cards (article.fig-ranking-profile-container)
        "section.fig-seo-footer",  # "Plus de services"
        "div.fig-consent-banner",  # "Vous avez choisi de refuser les cookies"
        "#tabbar",  # sticky bar: headline copy, "S'ABONNER", share
        "header#fh", "header#fig-header",  # site header (promos: "BLACK FRIDAY", "Abonnez-vous")
        "div.fig-authors", "div.fig-outbrain", "div.fig-flash",  # legacy bio box, Outbrain, flash ticker
    )  # fmt: skip
    paywall_css: ClassVar[tuple[str, ...]] = (
        'div.fig-content-body[data-premium="true"]',  # 2019+ ("false" verified on free pages)
        "#fig-premium-paywall",  # the paywall box (public scrapers, ophirofox)
        "div.fig-premium-paywall",
        "[class*=fig-premium-paywall__]",  # the box's parts alone (__wrapper: zeeguu; __infos: ophirofox)
        # "Réservé aux abonnés" banner near the headline of the page's own article (public scrapers);
        # never a related card's (article.fig-ranking-profile-container).
        "div.fig-main > article .fig-premium-mark-article",
        "article:not(.fig-ranking-profile-container):not(.fig-profil) .fig-premium-mark-article",
        'article.fig-content[data-is-premium="true"]',  # legacy
        # NOT .fig-premium-mark / .fig-ranking-profile--premium: they mark related cards on every page.
    )

    # ------------------------------------------------------------------ DOM preparation
    def strip(self) -> None:
        """Read what lives inside noise blocks, drop link-only paragraphs, then strip."""
        self.dom_tags = texts(self.sel.css(", ".join(self.tags_css))) if self.tags_css else []
        self.paywall_marked = any(self.sel.css(css) for css in self.paywall_css)
        self.drop_related_paragraphs()
        super().strip()

    def drop_related_paragraphs(self) -> None:
        """Body paragraphs that are only a "LIRE AUSSI / À voir aussi" link to another article."""
        for node in self.sel.css("div.fig-content-body > p, div.fig-content__body > p"):
            if node.css("a") and _RELATED_PARAGRAPH.match(node_text(node)):
                node.drop()

    # ------------------------------------------------------------------ fields
    def authors(self) -> list[str]:
        """Byline children, else its bare text ("Par X et Y" split into people), else JSON-LD/meta."""
        return _unique(part for name in super().authors() for part in split_byline(name))

    def section(self) -> str | None:
        """``article:section``, JSON-LD ``articleSection``, the breadcrumb's last level, else the
        URL's first path segment (the site files every article under its section: /international/…)."""
        return super().section() or self.css_text(self.breadcrumb_css) or url_section(self.url)

    def tags(self) -> list[str]:
        """The "Sujets" links; else ``article:tag`` / JSON-LD ``keywords`` (comma-separated strings here)."""
        if self.dom_tags:
            return _unique(self.dom_tags)
        raw: list[str] = self.meta_all("article:tag")
        if not raw:
            raw = self.meta_all("keywords")  # the page's meta keywords repeat its topics
        if not raw:
            raw = ld_keywords(self.ld.get("keywords"))
        return _unique(clean_text(t) for value in raw for t in value.split(","))

    def paywalled(self) -> bool:
        """JSON-LD ``isAccessibleForFree: false``, a DOM marker (seen before stripping), the
        inline ``isPremium = true`` script, the dataLayer's ``"premium"`` or the paywall box's text."""
        return (super().paywalled() or self.paywall_marked or premium_script(self.html)
                or premium_marked_text(self.html))
