"""Any news site: JSON-LD, OpenGraph and meta for metadata; the article's container, else trafilatura, for the body.

Precision first. A copy of the DOM is pruned of what is never the article on any site:
navigation, sidebars, share bars, comment areas and forms, author boxes, related-post blocks, and
"À lire aussi :" labels with the link list that follows them; no noise selector removes the
page's content containers (newscrawl.text.guard). Then:

- ``text``: the lines of the page's dominant article container (newscrawl.text.container) when it
  has one that holds the JSON-LD ``articleBody`` (if any); else trafilatura (precision mode, then
  recall mode when its result is short for the page; tables, no comments, no cross-page dedup)
  over the pruned page; the JSON-LD ``articleBody`` replaces it when trafilatura found less than
  half of its words or not its text; the ``<article>`` paragraphs are the last resort. The title
  is never a body line.
- ``lead``: a visible standfirst (``.chapo``, ``.standfirst``...), else JSON-LD ``description`` /
  ``og:description`` / meta description, unless that text is only the first paragraph repeated
  (or its truncated excerpt, "[…]"), which is then no lead at all.
- ``authors``: JSON-LD ``author``, meta ``author``/``article:author``, ``rel=author`` links, byline
  elements, then an "Auteur : X" / "Par X" line.
- ``published`` / ``modified``: JSON-LD, meta, ``<time>`` elements, "Publié le ..." /
  "Date de publication : ..." lines, the feed's date, and htmldate as a last resort (bounded by
  the fetch time, never the clock).

Text-level noise (comment prompts, "L'article est apparu en premier ici", "Auteur :" lines in
the body) is the cleaning step's job (newscrawl/clean), not this parser's.
Decisions are documented in docs/parsers/generic.md.
"""

from __future__ import annotations

import copy
import logging
import re
from collections.abc import Iterable, Iterator
from datetime import datetime
from functools import cached_property, lru_cache
from typing import ClassVar

from lxml import etree
from parsel import Selector

from newscrawl.parsers.base import ArticleParser, _unique
from newscrawl.text.blocks import element_texts, node_text, raw_texts
from newscrawl.text.container import (
    CONTAINER_NOISE_CSS,
    container_lines,
    container_parts,
    dominant_container,
    prune_link_blocks,
)
from newscrawl.text.datefallback import date_languages, find_date
from newscrawl.text.dates import parse_french, parse_iso
from newscrawl.text.fastcss import PageIndex, Simple, compile_subjects, drop_selected, remove_keeping_tail
from newscrawl.text.fulltext import trafilatura_lines
from newscrawl.text.guard import ContentGuard
from newscrawl.text.language import guess_language
from newscrawl.text.markup import ld_names
from newscrawl.text.metadata import byline_names, is_caption, split_keywords, tag_values
from newscrawl.text.normalize import clean_text, fold_for_match, word_count

logger = logging.getLogger(__name__)

# ---------------------------------------------------------------------------- pure helpers

#: Labels of related-article lists ("À lire aussi :", "Sur le même sujet") and of share prompts
#: ("Partager :"), matched folded; the link list that follows a label goes with it.
RELATED_LABEL = re.compile(
    r"^(?:a lire (?:aussi|egalement|sur le meme sujet)|lire aussi|lire egalement|voir aussi"
    r"|sur le meme (?:sujet|theme)|dans la meme rubrique|articles? (?:similaires|connexes|lies|recommandes)"
    r"|nos articles (?:similaires|lies)|a decouvrir (?:aussi|egalement)|vous aimerez aussi"
    r"|vous pourriez (?:aussi |egalement )?aimer|ces articles pourraient vous interesser"
    r"|related posts?|related articles|read also|see also|you may also like|plus d'articles)\b"
    # share prompts: "Partager :", "Partagez cet article", "Share this:"
    r"|^(?:partager|partagez(?: cet article| l'article)?|share(?: this(?: article)?)?)$"
)
#: Most words of a label alone ("À lire aussi :"); longer blocks are a one-line "read also" link.
RELATED_LABEL_MAX_WORDS = 8
#: Longest string RELATED_LABEL reads to match (the longest label and one character for ``\b``):
#: on a longer folded text, it only looks at that many characters.
_LABEL_SPAN = 41
#: Characters of an element's text folded to decide whether it starts with a label.
_LABEL_HEAD = 160


def _related_label(raw: str) -> bool | None:
    """Whether ``fold_for_match(clean_text(raw))`` matches RELATED_LABEL, decided on the start of
    ``raw`` when it is long: False or True when that is certain, None when the whole text must be
    folded (short texts, or a start that is mostly spaces and punctuation).

    Cleaning and folding change each character on its own, except near the cut: an entity or a
    run of spaces or punctuation cut in two, a combining sequence, a final sigma. Those only touch
    the last word of the folded start, so what comes before its last space is a prefix of the
    whole text's fold; when that prefix is longer than anything RELATED_LABEL reads (and than its
    ``$`` branches can match), the match on it is the match on the whole text."""
    if len(raw) <= _LABEL_HEAD:
        return None
    head = fold_for_match(clean_text(raw[:_LABEL_HEAD]))
    safe = head[: head.rfind(" ")] if " " in head else ""
    if len(safe) < _LABEL_SPAN:
        return None
    return RELATED_LABEL.match(safe) is not None

#: The first words of RELATED_LABEL's branches (each followed by a space, or the end).
_LABEL_FIRST_WORDS = frozenset((
    "a", "lire", "voir", "sur", "dans", "article", "articles", "nos", "vous", "ces", "related", "read", "see",
    "you", "plus", "partager", "partagez", "share",
))
#: ASCII characters that cleaning and folding turn into spaces: ASCII whitespace and punctuation,
#: not "&" (an entity), "_" (a word character), "'" or "`" (apostrophes, kept by the fold).
_LABEL_SKIPPED = frozenset(" \t\n\r\x0b\x0c!\"#$%()*+,-./:;<=>?@[\\]^{|}~")


def may_start_a_label(raw: str) -> bool:
    """False when ``fold_for_match(clean_text(raw))`` cannot match RELATED_LABEL: after ASCII
    spaces and punctuation (which fold to nothing there), ``raw`` starts with a word of ASCII
    letters and digits, ended by ASCII space or punctuation or by the end of the text, that is
    none of the labels' first words. Such a word is its own fold, lowercased, and the folded text
    starts with it. Anything else (accents, "&", non-ASCII spaces, "_", apostrophes) is left to
    the pattern. Most elements of a page are decided here without cleaning or folding their text."""
    n = len(raw)
    i = 0
    while i < n and raw[i] in _LABEL_SKIPPED:
        i += 1
    j = i
    while j < n and raw[j].isascii() and raw[j].isalnum():
        j += 1
    if j == i or (j < n and raw[j] not in _LABEL_SKIPPED):
        return True  # no ASCII word first, or one that goes on past ASCII: the pattern decides
    return raw[i:j].lower() in _LABEL_FIRST_WORDS


def ascii_fold_start(raw: str) -> str | None:
    """The first character of ``fold_for_match(clean_text(raw))`` when ``raw`` shows it at once:
    after ASCII spaces and punctuation (which fold to nothing there), an ASCII letter or digit,
    lowercased; None when anything else comes first (accents, "&", "_", apostrophes, non-ASCII
    spaces: only the fold tells) or nothing does."""
    for char in raw:
        if char in _LABEL_SKIPPED:
            continue
        return char.lower() if char.isascii() and char.isalnum() else None
    return None


def may_fold_to(raw: str, folded: str) -> bool:
    """False when ``fold_for_match(raw)`` is certainly not ``folded`` (a non-empty fold): its first
    character, read on ``raw`` (:func:`ascii_fold_start`), is another. Most body lines are told
    from the title without folding them."""
    first = ascii_fold_start(raw)
    return not folded or first is None or first == folded[0]


#: Never the article, on any site: removed from the copy of the page given to trafilatura.
BODY_PRUNE_CSS: tuple[str, ...] = (
    "nav", "aside", "footer", "[role=navigation]", "[role=complementary]", "[role=contentinfo]",
    "[class*=breadcrumb]", "[class*=sidebar]", "[id*=sidebar]", "[class*=widget]",
    "[class*=share]", "[class*=social]", "[class*=sharedaddy]", "[class*=partage]",
    "[class*=related]", "[class*=relatedposts]", "[class*=jp-relatedposts]", "[class*=yarpp]",
    "[class*=comment]", "[id*=comment]", "[id=respond]",
    "[class*=author-box]", "[class*=author-bio]", "[class*=about-author]",
    "[class*=post-navigation]", "[class*=nav-links]", "[class*=entry-footer]", "[class*=tags-links]",
    "[class*=scroll-top]", "[class*=back-to-top]", "[id*=scroll-top]", "[id*=back-to-top]",
    "[class*=subscribe]", "[class*=promo]", "[class*=sponsor]", "[class*=popup]", "[class*=modal]",
    "a[href='#top']", "a[href='#page']", "[class*=skip-link]", "[class*=screen-reader]",
)  # fmt: skip

_AUTHOR_LINE = re.compile(
    r"^(?:Auteur|Autrice|Auteurs|Rédigé par|Écrit par|Publié par)\s*:?\s+(?P<name>.+)$", re.IGNORECASE
)
_PAR_LINE = re.compile(r"^(?:Par|By)\s+(?P<name>[A-ZÀ-Ý][\w'\u2019.-]+(?:\s+[A-ZÀ-Ýa-zà-ÿ][\w'\u2019.-]+){0,4})$")
#: "Par X (avec Y et Z)", "Par X, Y et Z", "By X and Y, Reporter": names, parentheses, commas
#: (no sentence punctuation), read as a byline (:func:`byline_names`) when at most
#: ``_PAR_LINE_MAX_WORDS`` words long.
_PAR_LINE_LONG = re.compile(r"^(?:Par|By)\s+(?P<name>[A-ZÀ-Ý][^.!?:;«»\"]{1,150})$")
_PAR_LINE_MAX_WORDS = 14
_PUBLISHED_LINE = re.compile(
    r"^(?:Publié|Publiée|Mis en ligne|Posté|Postée|Date de publication)\s*(?:le\b|:)?\s*(?P<date>.+)$",
    re.IGNORECASE,
)
_MODIFIED_LINE = re.compile(
    r"^(?:Mis à jour|Modifié|Dernière mise à jour|Actualisé)\s*(?:le\b|:)?\s*(?P<date>.+)$", re.IGNORECASE
)
#: Longest element text read as a byline or date line.
SHORT_LINE_MAX_CHARS = 400
#: What the cleaned text of a byline or date line can start with: the first letters of
#: _AUTHOR_LINE, _PAR_LINE, _PUBLISHED_LINE and _MODIFIED_LINE in either case ("É" of "Écrit" from
#: an "E" and a combining accent), and "&" (an entity that the cleaning decodes).
_LINE_STARTS = frozenset("&aArReEpPbBmMdD")
_NOT_SPACE = re.compile(r"\S")


def may_start_a_line(raw: str) -> bool:
    """False when ``clean_text(raw)`` can start no byline or date line: its first non-space
    character is ASCII and none of :data:`_LINE_STARTS`. Cleaning keeps such a character first
    (entities start with "&"; composition only joins marks after it, and an ASCII letter stays
    the same letter under IGNORECASE); anything else is left to the patterns."""
    first = _NOT_SPACE.search(raw)
    if first is None:
        return False  # only spaces: an empty text
    char = first.group()
    return char >= "\x80" or char in _LINE_STARTS


#: A text longer than this many characters is a line only when the cleaning of its first
#: ``_SHORT_LINE_PREFIX`` characters is at most ``_SHORT_LINE_BOUND`` long: cleaning a text's start
#: gives the start of its cleaning, except over the last characters (an entity, a run of spaces
#: or a combining sequence cut in two: fewer than 40 characters), so a longer one means a cleaned
#: text over SHORT_LINE_MAX_CHARS. The page's big blocks (every wrapper ``div``) are not cleaned whole.
_SHORT_LINE_PREFIX = 1_500
_SHORT_LINE_BOUND = SHORT_LINE_MAX_CHARS + 100
#: Elements read for byline and date lines (``_short_lines``).
_SHORT_LINE_TAGS = ("p", "span", "div", "li", "small", "em", "strong", "time")
#: A JSON-LD ``articleBody`` of at least these many lines and words is the body of a page without
#: a dominant container (JavaScript-rendered pages, text spread over many blocks): trafilatura
#: does not run.
LD_BODY_MIN_LINES = 3
LD_BODY_MIN_WORDS = 150
#: A trafilatura precision result under this many words is short for any article page: its recall
#: mode runs too, and its text is taken when it has more words (a short news brief keeps its text;
#: a page whose text sits in blocks precision mode drops gets the rest of it). Since ``generic/5``.
SHORT_RESULT_WORDS = 100
#: Share of the JSON-LD ``articleBody``'s word 4-grams a body of the page must hold to be that
#: article (its text as the page shows it, whatever the line breaks and markup).
LD_SHARED_SHARE = 0.3
_WORD = re.compile(r"\w+")


def _shingles(text: str) -> set[tuple[str, ...]]:
    words = _WORD.findall(text.casefold())
    return {tuple(words[k:k + 4]) for k in range(max(1, len(words) - 3))} if words else set()


def holds_most_of(lines: list[str], ld_lines: list[str]) -> bool:
    """Whether ``lines`` hold :data:`LD_SHARED_SHARE` of the word 4-grams of the JSON-LD
    ``articleBody``: a body of the page that is not that article (a readers' letters block
    longer than it, a teaser list) does not; True when there is nothing to compare."""
    wanted = _shingles(" ".join(ld_lines))
    if len(wanted) < 10:
        return True
    return len(wanted & _shingles(" ".join(lines))) >= LD_SHARED_SHARE * len(wanted)


def is_excerpt_of(candidate: str, paragraphs: list[str]) -> bool:
    """True when ``candidate`` only repeats the start of the body (whole, or cut: "[…]", "…")."""
    lead = fold_for_match(re.sub(r"\s*(?:\[(?:…|\.\.\.)\]|…|\.\.\.)\s*$", "", candidate))
    if not lead or not paragraphs:
        return False
    start = fold_for_match(" ".join(paragraphs[:3]))
    first = fold_for_match(paragraphs[0])
    if start.startswith(lead) or lead.startswith(first):
        return True
    # The fold of the joined body is its lines' folds joined (folding works character by
    # character, and a space between lines stays one space): the lines' folds are memoised
    # (the title filter folded them), the body's would be one more pass over all its text.
    return lead in " ".join(folded for folded in map(fold_for_match, paragraphs) if folded)


_RELATED_TAGS = ("p", "h2", "h3", "h4", "h5", "h6", "div", "strong", "span", "b")


def prune_related_lists(root: etree._Element) -> int:
    """Remove "À lire aussi :" labels with the link lists that follow them, one-line "À lire
    aussi : <link>" paragraphs, and lists made only of links. Returns the number removed.

    The texts are read in one walk before anything is removed (:func:`element_texts`): an
    element still in the tree when its turn comes has the same text then, since only elements
    before it in document order, never its own descendants, were removed before (what happens
    under an element already removed never reaches the tree). Long texts are matched on their
    start (:func:`_related_label`).

    Bounded: all it removes together holds at most :data:`RELATED_MAX_SHARE` of the text under
    ``root``; a label block or list that would pass that bound (a "See also" heading on the
    article's own container, a list that is the article) stays."""
    removed = 0
    budget = RELATED_MAX_SHARE * _text_len(root)
    raw = raw_texts(root, _RELATED_TAGS)
    pairs = [(el, node_text(el)) for el in root.iter(*_RELATED_TAGS)] if raw is None else raw
    for el, text in pairs:
        if el.getparent() is None:
            continue
        if raw is not None:  # text is not cleaned yet: most elements are decided on its start
            if not may_start_a_label(text) or _related_label(text) is False:
                continue
            text = clean_text(text)
        if not text or not RELATED_LABEL.match(fold_for_match(text)):
            continue
        target = el
        while target.tag in {"strong", "span", "b"} and target.getparent() is not None:
            target = target.getparent()
        if target.getparent() is None:
            continue
        if len(text.split()) > RELATED_LABEL_MAX_WORDS and not target.xpath(".//a"):
            continue  # a sentence that happens to start like a label
        following = []
        for sib in target.itersiblings():
            if sib.tag in {"ul", "ol"} or (sib.tag == "p" and _link_share(sib) >= 0.8):
                following.append(sib)
                continue
            break
        cost = _text_len(target) + sum(_text_len(sib) for sib in following)
        if cost > budget:
            continue  # the label's block or its list holds the article
        budget -= cost
        for sib in following:
            sib.getparent().remove(sib)
            removed += 1
        _remove(target)
        removed += 1
    for lst in list(root.iter("ul", "ol")):
        items = lst.findall("li")
        if lst.getparent() is not None and len(items) >= 2 and all(_link_share(li) >= 0.9 for li in items):
            cost = _text_len(lst)
            if cost > budget:
                continue
            budget -= cost
            _remove(lst)
            removed += 1
    return removed


#: Most of the text under the pruned root that related-list pruning removes, all lists together.
RELATED_MAX_SHARE = 0.5


def _text_len(el: etree._Element) -> int:
    """Characters of ``el``'s text, spaces not counted."""
    return sum(len(t.strip()) for t in el.itertext())


def prune_blocks(root: etree._Element, selectors: tuple[str, ...], index: PageIndex | None = None,
                 article_body: str | None = None) -> int:
    """Remove the elements matched by ``selectors``, except containers of the article: what
    :class:`~newscrawl.text.guard.ContentGuard` keeps (html, body, main, most of the paragraph
    text or of the JSON-LD ``article_body``), an ``article``, anything holding an ``h1``
    (WordPress puts ``tag-<slug>``/``category-<slug>`` classes on the article itself).

    ``index``: the page's :class:`PageIndex` (class tokens, ids, tag names of the tree ``root`` is
    a pruned copy of). A selector that needs a class, id or tag the page does not have matches
    nothing: it is skipped without its XPath over the whole tree (most of ``BODY_PRUNE_CSS`` on
    any one page)."""
    sel = Selector(root=root)
    guard = ContentGuard(root, article_body)
    absent = _Absent(index, root) if index is not None else None
    removed = 0
    for css in selectors:
        if absent is not None and absent.excludes(css):
            continue
        for node in sel.css(css):
            el = node.root
            if not isinstance(el.tag, str) or el.getparent() is None or el.tag.lower() == "article":
                continue
            if _holds_article(el) or guard.keeps(el):
                continue
            _remove(el)
            removed += 1
    return removed


#: ``el.xpath(".//h1 | .//article | .//*[@itemprop='articleBody']")`` is not empty: one compiled
#: XPath instead of compiling that union for each element.
_holds_article = etree.XPath("boolean(descendant::*[self::h1 or self::article or @itemprop='articleBody'])")

_XML_SPACE = frozenset(" \t\r\n")
#: Attributes whose values :class:`_Absent` collects from the page (one XPath each, when first
#: needed) to rule out selectors that test them; class and id come from the PageIndex.
_PROBED_ATTRIBUTES = frozenset(("role", "itemprop", "rel"))


@lru_cache(maxsize=1024)
def _subjects(css: str) -> tuple[Simple, ...] | None:
    """:func:`~newscrawl.text.fastcss.compile_subjects`, as a tuple, memoised."""
    found = compile_subjects(css)
    return None if found is None else tuple(found)


class _Absent:
    """Which selectors cannot match anything on a page: their subject needs a tag, id or class
    token the page's :class:`PageIndex` lacks, ``[class*=x]`` / ``[id*=x]`` with ``x`` in none of
    its class tokens or ids, or a ``role``/``itemprop``/``rel`` test no value of the page passes.
    Skipping such a selector changes nothing but the time of its XPath over the whole page."""

    def __init__(self, index: PageIndex, root: etree._Element | None = None) -> None:
        self.index = index
        self.root = root  # where attribute values are collected (the tree or a superset of it)
        self._classes: str | None = None
        self._ids: str | None = None
        self._values: dict[str, frozenset[str]] = {}
        self._memo: dict[str, bool] = {}

    def excludes(self, css: str) -> bool:
        found = self._memo.get(css)
        if found is None:
            group = _subjects(css)
            found = self._memo[css] = group is not None and not any(self._may_match(s) for s in group)
        return found

    def possible(self, selectors: Iterable[str]) -> list[str]:
        return [css for css in selectors if not self.excludes(css)]

    def _may_match(self, s: Simple) -> bool:
        index = self.index
        if s.tag is not None and not index.has_tag(s.tag):
            return False
        if s.id is not None and s.id not in index.ids:
            return False
        if s.classes and not all(c in index.classes for c in s.classes):
            return False
        for name, op, value in s.attrs:
            if name in _PROBED_ATTRIBUTES and self.root is not None:
                test = Simple(css="", attrs=((name, op, value),))
                if not any(test.matches("", {name: v}) for v in self.values(name)):
                    return False
                continue
            if not value or "\n" in value:
                continue
            if name == "id" and op == "=" and value not in index.ids:
                return False
            if name == "id" and op == "*=":
                if self._ids is None:
                    self._ids = "\n".join(index.ids)
                if value not in self._ids:
                    return False
            # A class attribute is its tokens and XML spaces: a substring without spaces is in a token.
            if name == "class" and op == "*=" and not _XML_SPACE.intersection(value):
                if self._classes is None:
                    self._classes = "\n".join(index.classes)
                if value not in self._classes:
                    return False
        return True

    def values(self, name: str) -> frozenset[str]:
        """The distinct values of attribute ``name`` in the tree."""
        found = self._values.get(name)
        if found is None:
            found = self._values[name] = frozenset(_attribute_values(name)(self.root))
        return found


@lru_cache(maxsize=16)
def _attribute_values(name: str) -> etree.XPath:
    return etree.XPath(f"descendant-or-self::*/@{name}", smart_strings=False)


def _link_share(el: etree._Element) -> float:
    text = clean_text("".join(el.itertext()))
    if not text:
        return 0.0
    linked = sum(len(clean_text("".join(a.itertext()))) for a in el.iter("a"))
    return linked / len(text)


def _remove(el: etree._Element) -> None:
    """Remove ``el`` but keep its tail text (unless only spaces)."""
    remove_keeping_tail(el, blank_tail=False)


# ---------------------------------------------------------------------------- the parser


#: What the container's copy is pruned of: the page-wide noise and the container's own.
_CONTAINER_PRUNE_CSS = (*BODY_PRUNE_CSS, *CONTAINER_NOISE_CSS)


class GenericParser(ArticleParser):
    """Unknown news sites: structured metadata, a pruned DOM and trafilatura for the body."""

    key: ClassVar[str] = "generic"
    #: 2: pruned DOM before trafilatura, lead/author/date fallback chains.
    #: 3: htmldate reads the page after the noise strip; trafilatura's recall mode when its precision
    #: mode finds nothing or less than half the JSON-LD body; an author's final initial keeps its period.
    #: 4: noise selectors never remove the page's content containers (newscrawl.text.guard); the
    #: dominant article container's lines as the body (trafilatura not run); a short trafilatura
    #: result judged against the page; related-list pruning bounded; tables as "a | b" lines;
    #: an HTML articleBody read as text.
    #: 5: a trafilatura precision result under SHORT_RESULT_WORDS words is retried in recall mode.
    version: ClassVar[int] = 5
    title_css = (
        "article h1", "h1.entry-title", "h1.post-title", "h1[itemprop=headline]", "main h1",
        "[itemprop=headline]",
    )  # fmt: skip
    lead_css = (
        "article [class*=chapo]", "article [class*=standfirst]", "article .chapeau", "article .article-lead",
        "article .lead", "article [itemprop=description]", "[class*=chapo]", "[class*=standfirst]",
        ".chapeau", ".article-lead",
    )  # fmt: skip
    byline_css: ClassVar[tuple[str, ...]] = (
        "[itemprop=author] [itemprop=name]", "article [itemprop=author]", ".byline .author a", ".byline .author",
        ".author-name", ".entry-author", ".post-author", ".article-author", ".signature", ".byline",
    )  # fmt: skip
    published_css = (
        "[itemprop=datePublished]", "article time.published", "time.entry-date.published", "time.published",
        "article time[pubdate]", "article header time[datetime]", "article time[datetime]",
    )  # fmt: skip
    modified_css = ("[itemprop=dateModified]", "article time.updated", "time.updated")
    published_meta: ClassVar[tuple[str, ...]] = (
        "article:published_time", "og:published_time", "og:article:published_time", "datePublished",
        "date", "DC.date.issued", "dcterms.created", "pubdate", "publishdate", "publish-date",
        "sailthru.date", "parsely-pub-date",
    )  # fmt: skip
    modified_meta: ClassVar[tuple[str, ...]] = (
        "article:modified_time", "og:updated_time", "og:article:modified_time", "dateModified",
        "dcterms.modified", "last-modified",
    )  # fmt: skip
    strip_css = ("[id=respond]", "[class*=comment-respond]", "[class*=comment-list]", "[class*=commentlist]")

    # ------------------------------------------------------------------ selectors
    @cached_property
    def _absent(self) -> _Absent | None:
        index = self.sel.index
        return _Absent(index, self.sel.root) if index is not None else None

    def _possible(self, selectors: Iterable[str]) -> list[str]:
        """``selectors`` without those that cannot match on this page (:class:`_Absent`)."""
        absent = self._absent
        return list(selectors) if absent is None else absent.possible(selectors)

    def css_text(self, selectors: Iterable[str]) -> str | None:
        return super().css_text(self._possible(selectors))

    def css_texts(self, selectors: Iterable[str]) -> list[str]:
        return super().css_texts(self._possible(selectors))

    def css_datetime(self, selectors: Iterable[str]) -> datetime | None:
        return super().css_datetime(self._possible(selectors))

    # ------------------------------------------------------------------ body
    def _pruned_html(self) -> str:
        """A copy of the page without what is never the article (BODY_PRUNE_CSS, related lists):
        what trafilatura reads."""
        tree = copy.deepcopy(self.sel.root)
        prune_blocks(tree, BODY_PRUNE_CSS, self.sel.index, self._ld_body)
        prune_related_lists(tree)
        return etree.tostring(tree, encoding="unicode", method="html")

    _MARKUP = re.compile(r"<(?:p|br|div|body|h[2-6]|ul|li|span|a|strong|em|img|iframe)\b[^>]*>", re.IGNORECASE)

    def ld_text_block(self, key: str) -> list[str]:
        """The JSON-LD text as lines; an ``articleBody`` written in HTML (``<p class="title">...``)
        read as the page would show it (:func:`~newscrawl.text.container.container_lines`)."""
        raw = self.ld.get(key)
        if isinstance(raw, str) and self._MARKUP.search(raw):
            try:
                root = etree.fromstring(f"<div>{raw}</div>", etree.HTMLParser())
            except (etree.LxmlError, ValueError):
                root = None
            if root is not None:
                return container_lines(root)
        return super().ld_text_block(key)

    @cached_property
    def _ld_body(self) -> str | None:
        raw = self.ld.get("articleBody")
        return raw if isinstance(raw, str) else None

    @cached_property
    def _container(self) -> tuple[list[str], int]:
        """(lines of the page's dominant article container, pruned like the page trafilatura
        reads; the page's largest paragraph block in words): newscrawl.text.container."""
        el, largest_chars = dominant_container(self.sel.root)
        largest = largest_chars // 6  # ~6 characters a word, space included
        if el is None:
            return [], largest
        lines: list[str] = []
        try:
            for part in container_parts(el):
                lines.extend(self._part_lines(part))
        except RecursionError:  # deeper than the recursion limit: the trafilatura path reads it
            logger.info("Container of %s too deep to read: trafilatura instead", self.url)
            return [], largest
        return lines, largest

    def _part_lines(self, part: etree._Element) -> list[str]:
        """The lines of one part of the container, read from a pruned copy."""
        copied = copy.deepcopy(part)
        copied.tail = None
        # Under a bare root: a root matched by a selector would disable that selector for the
        # whole walk (parsel's rule, kept by fastcss); the part itself is kept by the guard.
        tree = etree.Element("div")
        tree.append(copied)
        # prune_blocks' rule, in one walk over the copy (newscrawl.text.fastcss)
        guard = ContentGuard(tree, self._ld_body)
        drop_selected(Selector(root=tree), _CONTAINER_PRUNE_CSS,
                      keep=lambda e: e.tag == "article" or _holds_article(e) or guard.keeps(e))
        prune_related_lists(tree)
        prune_link_blocks(tree)
        return container_lines(tree)

    @cached_property
    def _blocks(self) -> tuple[list[str], str]:
        """(body lines, body source), title lines removed.

        The dominant container's lines when the page has one (and they hold at least half the
        JSON-LD ``articleBody``): trafilatura does not run. Else trafilatura's precision mode
        over the pruned page, judged against the page itself: a result shorter than half of
        what the page shows (the JSON-LD body, the largest paragraph block), or not longer than
        its description (a standfirst), is retried in recall mode; then the JSON-LD body, the
        container lines, the ``<article>`` paragraphs when that is still short."""
        ld_lines = self.ld_text_block("articleBody")
        expected_ld = word_count(" ".join(ld_lines)) if ld_lines else 0
        container, largest = self._container
        # Without a JSON-LD body the container's words are only counted on the trafilatura path.
        in_container = word_count(" ".join(container)) if container and ld_lines else None
        if container and (in_container is None or in_container >= 0.5 * expected_ld) \
                and holds_most_of(container, ld_lines):
            lines, source = container, "container"
        elif len(ld_lines) >= LD_BODY_MIN_LINES and expected_ld >= LD_BODY_MIN_WORDS:
            lines, source = ld_lines, "jsonld"  # the page says what its article is, in paragraphs
        else:
            if in_container is None:
                in_container = word_count(" ".join(container))
            html = self._pruned_html()
            lines, source = trafilatura_lines(html, self.url), "trafilatura"
            found = word_count(" ".join(lines))
            described = fold_for_match(self.ld_text("description") or self.meta("og:description", "description") or "")
            expected = max(expected_ld, largest, in_container)
            if not found or found < 0.5 * expected or found <= 1.5 * word_count(described) \
                    or found < SHORT_RESULT_WORDS:
                # trafilatura's precision mode keeps nothing, a fraction of what the page shows, only
                # its standfirst, or a short text, on some layouts: its recall mode, when it finds more.
                # Not when all it adds is the page's description (a subscriber teaser's standfirst).
                more = trafilatura_lines(html, self.url, recall=True)
                added = [line for line in more if not described or fold_for_match(line) != described]
                if word_count(" ".join(added)) > found:
                    lines = more
            found = word_count(" ".join(lines))
            if ld_lines and (found < 0.5 * expected_ld or not holds_most_of(lines, ld_lines)):
                lines, source = ld_lines, "jsonld"
            elif container and found < 0.5 * in_container:
                lines, source = container, "container"
        if not lines:
            lines = self.css_texts(["[itemprop=articleBody] p, [itemprop=articleBody] h2",
                                    "article p, article h2"])
            source = "dom"
        title = fold_for_match(self.title() or "")
        lines = [line for line in lines if not may_fold_to(line, title) or fold_for_match(line) != title]
        return lines, source if lines else "none"

    def body(self) -> list[str]:
        lines, self.body_source = self._blocks
        lead = self.lead()
        if lead:  # the standfirst is the lead, not a body line
            folded = fold_for_match(lead)
            lines = [line for k, line in enumerate(lines) if k > 2 or fold_for_match(line) != folded]
        return lines

    # ------------------------------------------------------------------ fields
    def title(self) -> str | None:
        return self._title

    @cached_property
    def _title(self) -> str | None:
        return (
            self.css_text(self.title_css)
            or self.ld_text("headline")
            or self._strip_site_name(self.meta("og:title", "twitter:title"))
            or self.css_text(("h1",))
            or clean_text(self.hints.get("title")) or None
            or self._strip_site_name(clean_text(self.sel.xpath("//title/text()").get()))
        )

    def _strip_site_name(self, title: str | None) -> str | None:
        """'Titre - Nom du site' -> 'Titre' when the suffix is the site's name."""
        if not title:
            return None
        site = self.meta("og:site_name", "application-name")
        if site:
            m = re.match(rf"^(?P<t>.+?)\s+[|\u2013\u2014:-]\s+{re.escape(site)}\s*$", title)
            if m:
                return m.group("t").strip()
        return title

    def lead(self) -> str | None:
        return self._lead

    @cached_property
    def _lead(self) -> str | None:
        """A visible standfirst; else the description, unless it only repeats the body's start.
        A description the page shows above the body but that its JSON-LD ``articleBody`` does
        not start with is a standfirst all the same."""
        dom_lead = self._standfirst()
        if dom_lead:
            return dom_lead
        candidate = self.ld_text("description") or self.meta("og:description", "description", "twitter:description")
        if not candidate:
            return None
        lines, _ = self._blocks
        if not is_excerpt_of(candidate, lines):
            return candidate
        ld_lines = self.ld_text_block("articleBody")
        if ld_lines and lines and fold_for_match(lines[0]) == fold_for_match(candidate) \
                and not is_excerpt_of(candidate, ld_lines):
            return candidate
        return None

    def _standfirst(self) -> str | None:
        """The first non-empty ``lead_css`` element that is no photo or video caption: not inside
        a ``figure``/``figcaption`` or an image/video object, and (for ``[itemprop=description]``,
        which captions use too) not inside the article body."""
        for css in self._possible(self.lead_css):
            for node in self.sel.css(css):
                if is_caption(node.root, body_too="itemprop" in css):
                    continue
                text = node_text(node)
                if text:
                    return text
        return None

    def authors(self) -> list[str]:
        """The first source giving a name: JSON-LD ``author``, meta ``author``/``article:author``,
        ``rel=author`` links, byline elements, "Auteur : X" / "Par X" lines. Each text is read as
        a byline (:func:`byline_names`: labels, several names, co-authors in parentheses, roles);
        a source whose texts hold no name (an URL, a role alone) gives way to the next one."""
        publisher = self.publisher()
        for raw in self._author_sources():
            names = _unique(n for text in raw if text for n in byline_names(text, publisher))
            if names:
                return names
        return []

    def _author_sources(self) -> Iterator[list[str]]:
        yield [clean_text(n) for n in ld_names(self.ld.get("author"))]
        yield [n for n in self.meta_all("author") + self.meta_all("article:author") if not n.strip().startswith("http")]
        rel = self._possible(("a[rel~=author], [rel~=author]",))
        yield [node_text(a) for css in rel for a in self.sel.css(css)]
        for css in self._possible(self.byline_css):
            yield [node_text(node) for node in self.sel.css(css)]
        yield self._byline_from_lines()

    @cached_property
    def _short_lines(self) -> list[str]:
        """Texts of short elements, where byline and date lines live ("Auteur : X - bio..."
        lines run long: the patterns anchor at the start and the name is cut at a dash); only
        those that can start like one of them (:func:`may_start_a_line`), the only ones the
        line patterns can match."""
        raw = raw_texts(self.sel.root, _SHORT_LINE_TAGS)
        if raw is None:  # deeper than the recursion limit
            pairs = element_texts(self.sel.root, _SHORT_LINE_TAGS)
            return [text for _, text in pairs if text and len(text) <= SHORT_LINE_MAX_CHARS]
        out = []
        for _, text in raw:
            if not may_start_a_line(text):
                continue
            if len(text) > _SHORT_LINE_PREFIX and len(clean_text(text[:_SHORT_LINE_PREFIX])) > _SHORT_LINE_BOUND:
                continue  # a block of the page, not a line: not cleaned whole (see _SHORT_LINE_BOUND)
            text = clean_text(text)
            if text and len(text) <= SHORT_LINE_MAX_CHARS:
                out.append(text)
        return out

    def _byline_from_lines(self) -> list[str]:
        for line in self._short_lines:
            m = _AUTHOR_LINE.match(line)
            if m:
                return [m.group("name")]
        for line in self._short_lines:
            m = _PAR_LINE.match(line) or _PAR_LINE_LONG.match(line)
            if m and len(line.split()) <= _PAR_LINE_MAX_WORDS:
                return [m.group("name")]
        return []

    def published(self) -> datetime | None:
        return (
            parse_iso(self.ld_text("datePublished"))
            or parse_iso(self.meta(*self.published_meta))
            or self.css_datetime(self.published_css)
            or self._date_from_lines(_PUBLISHED_LINE)
            or parse_iso(self.hints.get("published"))
            or self._htmldate()
        )

    def modified(self) -> datetime | None:
        return (
            parse_iso(self.ld_text("dateModified"))
            or parse_iso(self.meta(*self.modified_meta))
            or self.css_datetime(self.modified_css)
            or self._date_from_lines(_MODIFIED_LINE)
        )

    def _date_from_lines(self, pattern: re.Pattern[str]) -> datetime | None:
        for line in self._short_lines:
            m = pattern.match(line)
            if m:
                raw = m.group("date").strip()
                value = parse_iso(raw) or parse_french(raw)
                if value:
                    return value
        return None

    def _htmldate(self) -> datetime | None:
        """htmldate over the page, bounded by the fetch time: a day (Paris midnight) or None.
        Its dateparser fallback reads the page's language, French and English only
        (newscrawl.text.datefallback: not every locale, ~2 s of CPU on the first such page)."""
        try:
            # The page after the strip, not its raw HTML: a date in a link of a "related posts"
            # block or a comment is no longer read as the article's, and htmldate's search costs
            # about a third (its parse and its walks are over the article's part of the page).
            found = find_date(
                etree.tostring(self.sel.root, encoding="unicode", method="html"), url=self.url,
                max_date=self.fetched_at.strftime("%Y-%m-%d"), languages=date_languages(self.language()),
            )
        except Exception:  # htmldate must never kill a page
            logger.debug("htmldate failed on %s", self.url, exc_info=True)
            return None
        return parse_iso(found) if found else None

    def tags(self) -> list[str]:
        """``article:tag`` metas, JSON-LD ``keywords``, the ``news_keywords`` meta, ``rel=tag``
        links, then the ``keywords`` meta (last: often the same list on every page of a site,
        where the others are the article's). One value holding the whole list ("Politique, Lyon, Municipales")
        is split at commas/semicolons; several values are one tag each, commas and all ("Elections,
        Governors" is one subject among several ``article:tag`` metas)."""
        found = tag_values(self.meta_all("article:tag"))
        if not found:
            kw = self.ld.get("keywords")
            found = tag_values([kw] if isinstance(kw, str) else kw if isinstance(kw, list) else [])
        if not found:
            found = split_keywords(self.meta("news_keywords"))
        if not found:
            found = [node_text(a) for css in self._possible(("a[rel=tag]",)) for a in self.sel.css(css)]
        if not found:
            found = split_keywords(self.meta("keywords"))
        return _unique(t for t in found if t)

    def section(self) -> str | None:
        return super().section() or self.css_text(('a[rel~="category"]',))

    def publisher(self) -> str | None:
        return super().publisher() or self.meta("application-name")

    def language(self) -> str | None:
        return super().language() or guess_language(" ".join(self.body()[:20]))
