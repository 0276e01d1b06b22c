"""The article's container on an unknown page, and its text as lines, without trafilatura.

Most news pages hold their article in one element whose paragraphs are most of the page's
paragraph text: the lowest element above the best-scored paragraph parent that holds
:data:`DOMINANT_SHARE` of it. When there is one, its block elements give the body directly
(the generic parser then need not run trafilatura); when there is none (text spread over the
page, no ``<p>``, a list page), the caller falls back to a full extractor.

Paragraph text is counted without its links (a teaser list of linked excerpts weighs little)
and without paragraphs under :data:`MIN_PARAGRAPH_CHARS` (credits, captions, bylines).
"""

from __future__ import annotations

import re

from lxml import etree

from newscrawl.text.blocks import node_text
from newscrawl.text.fastcss import remove_keeping_tail
from newscrawl.text.normalize import clean_text

#: Share of the page's paragraph text an element must hold to be the article's container.
DOMINANT_SHARE = 0.6
#: Least paragraph text (characters, links excluded) of a page read this way.
MIN_CONTAINER_CHARS = 500
#: Shortest paragraph counted.
MIN_PARAGRAPH_CHARS = 25
#: Share of the page's paragraph text the best paragraph parent must hold itself.
BEST_SHARE = 0.3
#: Lines whose text is at least this share of link text are not read (teaser titles, "Read more").
LINK_LINE_SHARE = 0.8
#: Levels climbed above the best paragraph parent to reach the dominant share.
MAX_CLIMB = 4
#: Elements that are a line of their own (their text is one line, or lines per row for tables).
_BLOCKS = frozenset((
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "section",
    "article", "header", "footer", "table", "tr", "dd", "dt", "dl", "address", "center", "main", "hr",
    "details", "summary", "caption", "thead", "tbody", "tfoot",
))  # fmt: skip
#: Never read: not text a reader reads as the article.
_SKIP = frozenset((
    "script", "style", "noscript", "template", "figure", "figcaption", "picture", "img", "svg", "video",
    "audio", "iframe", "object", "embed", "button", "select", "input", "textarea", "label", "nav", "aside",
    "h1", "head", "title", "meta", "link",
))  # fmt: skip
_SPACES = re.compile(r"\s+")
#: Blocks whose text is the article's when it is short (a subheading, a list item, a cell).
_TEXT_BLOCKS = frozenset(("p", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "dt", "td", "th"))
#: Fewest words of a loose line (text of a div, section, span...) read when it ends no sentence.
LOOSE_LINE_WORDS = 8
_SENTENCE_END = re.compile(r"[.!?:;…\"”»)。！？」]\s*$")
#: Noise inside an article container that the page-wide noise selectors do not name: photo
#: captions and credits, galleries, datelines (the generic parser prunes them from its copy).
CONTAINER_NOISE_CSS: tuple[str, ...] = (
    "[class*=caption]", "[class*=gallery]", "[class*=slideshow]", "[class*=carousel]", "[class*=credit]",
    "[class*=lightbox]", "[class*=byline]", "[class*=timestamp]", "[class*=dateline]", "[class*=newsletter]",
    "[class*=advert]", "[class*=signup]", "[class*=toolbar]", "[class*=inline-related]",
)  # fmt: skip
#: A table cell separator in a row line: "Ville | Population | Région".
CELL_SEPARATOR = " | "


def _norm(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


def _weights(root: etree._Element) -> dict[etree._Element, int]:
    """Per ``<p>``: its text length without its links, for paragraphs long enough to count."""
    out: dict[etree._Element, int] = {}
    for p in root.iter("p"):
        length = len(_norm("".join(p.itertext())))
        if length < MIN_PARAGRAPH_CHARS:
            continue
        linked = sum(len(_norm("".join(a.itertext()))) for a in p.iter("a"))
        weight = length - linked
        if weight > 0:
            out[p] = weight
    return out


def container_parts(el: etree._Element) -> list[etree._Element]:
    """``el`` and its siblings of the same tag and class that hold paragraph text, with what lies
    between them (subheadings between sections), in document order: an article cut into repeated
    sections (``div.story-stack-item`` one after the other) is read whole."""
    parent, cls = el.getparent(), el.get("class")
    if parent is None or not cls:
        return [el]
    children = [c for c in parent if isinstance(c.tag, str)]
    members = [k for k, c in enumerate(children) if c is el or (c.tag == el.tag and c.get("class") == cls
                                                                 and _weights(c))]
    return children[members[0]: members[-1] + 1]


def dominant_container(root: etree._Element) -> tuple[etree._Element | None, int]:
    """The element holding :data:`DOMINANT_SHARE` of the page's paragraph text, at most
    :data:`MAX_CLIMB` levels above the parent with the most of it; never ``html`` or ``body``
    (None when the page has no such element or too little paragraph text); and the paragraph
    text (characters, links excluded) of that best parent, the page's largest text block."""
    weights = _weights(root)
    total = sum(weights.values())
    per_parent: dict[etree._Element, int] = {}
    for p, weight in weights.items():
        parent = p.getparent()
        if parent is not None:
            per_parent[parent] = per_parent.get(parent, 0) + weight
    if not per_parent:
        return None, 0
    # Sections of one article written as siblings of the same tag and class weigh together.
    per_group: dict[tuple, int] = {}
    first: dict[tuple, etree._Element] = {}
    for parent, weight in per_parent.items():
        cls, up = parent.get("class"), parent.getparent()
        key = (id(up), parent.tag, cls) if cls and up is not None else (id(parent),)
        per_group[key] = per_group.get(key, 0) + weight
        first.setdefault(key, parent)
    best_key = max(per_group, key=per_group.__getitem__)
    best, largest = first[best_key], per_group[best_key]
    if total < MIN_CONTAINER_CHARS or largest < BEST_SHARE * total:
        return None, largest  # little text, or spread over the page (teasers, a short article among them)
    if len(best_key) > 1 and largest >= DOMINANT_SHARE * total and best.tag not in ("body", "html"):
        return best, largest  # container_parts() reads its siblings with it
    el: etree._Element | None = best if len(best_key) == 1 else best.getparent()
    for _ in range(MAX_CLIMB + 1):
        if el is None or not isinstance(el.tag, str) or el.tag in ("body", "html"):
            return None, largest
        held = sum(weights.get(p, 0) for p in el.iter("p"))
        if held >= DOMINANT_SHARE * total:
            return el, largest
        el = el.getparent()
    return None, largest


def container_lines(el: etree._Element) -> list[str]:
    """The text of ``el`` as a reader reads it: one line per block element, a table row as one
    line of its cells joined by :data:`CELL_SEPARATOR`, a ``blockquote`` as one line (a quote and
    its attribution); figures, captions, the ``h1``, forms
    and media are not read, nor lines mostly of link text (:data:`LINK_LINE_SHARE`), a line
    already read (a caption repeated), or a short loose line (:data:`LOOSE_LINE_WORDS`) of a
    ``div`` or ``span`` that is no sentence ("Caption", "Image 1 of 8", a credit)."""
    lines: list[str] = []
    parts: list[str] = []
    linked: list[int] = [0]  # characters of link text in parts
    seen: set[str] = set()

    def flush(block: str) -> None:
        if parts:
            raw = "".join(parts)
            line = clean_text(raw)
            keep = bool(line) and linked[0] < LINK_LINE_SHARE * len(raw.strip())
            if keep and block not in _TEXT_BLOCKS and len(line.split()) < LOOSE_LINE_WORDS \
                    and not _SENTENCE_END.search(line):
                keep = False
            if keep and len(line) >= 20:
                if line in seen:
                    keep = False
                seen.add(line)
            if keep:
                lines.append(line)
            parts.clear()
        linked[0] = 0

    def walk(node: etree._Element, block: str) -> None:
        for child in node:
            tag = child.tag
            if not isinstance(tag, str):
                if child.tail:
                    parts.append(child.tail)
                continue
            tag = tag.lower()
            if tag in _SKIP:
                pass
            elif tag == "tr":
                flush(block)
                cells = [clean_text(" ".join(cell.itertext())) for cell in child if isinstance(cell.tag, str)
                         and cell.tag.lower() in ("td", "th")]
                cells = [c for c in cells if c]
                if cells:
                    lines.append(CELL_SEPARATOR.join(cells))
            elif tag == "blockquote":  # a quote and its attribution, as one line
                flush(block)
                line = node_text(child)
                if line:
                    lines.append(line)
            elif tag == "br":
                flush(block)
            elif tag in _BLOCKS:
                flush(block)
                if child.text:
                    parts.append(child.text)
                walk(child, tag)
                flush(tag)
            elif tag == "a":
                before = len(parts)
                if child.text:
                    parts.append(child.text)
                walk(child, block)
                linked[0] += len("".join(parts[before:]).strip())
            else:
                if child.text:
                    parts.append(child.text)
                walk(child, block)
            if child.tail:
                parts.append(child.tail)

    if el.text:
        parts.append(el.text)
    top = el.tag.lower() if isinstance(el.tag, str) else "div"
    walk(el, top)
    flush(top)
    return lines


#: Blocks removed from a container copy when most of their text is link text (teaser lists,
#: "more from" rails, tag clouds): the tags that group blocks, never a paragraph.
_GROUP_TAGS = frozenset(("div", "section", "ul", "ol", "header", "footer", "aside", "dl", "nav", "table",
                         "figure", "form"))
#: Link text share from which a group is a link block.
LINK_BLOCK_SHARE = 0.4


def prune_link_blocks(root: etree._Element) -> int:
    """Remove from ``root`` (a copy of a container) the groups (:data:`_GROUP_TAGS`) whose text is
    at least :data:`LINK_BLOCK_SHARE` link text; the outermost such group goes whole. Returns
    the number removed."""
    doomed: list[etree._Element] = []

    def walk(el: etree._Element) -> tuple[int, int]:
        text = len(el.text.strip()) if el.text else 0
        linked = 0
        for child in el:
            if isinstance(child.tag, str):
                t, k = walk(child)
                text += t
                linked += k
            if child.tail:
                text += len(child.tail.strip())
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if tag == "a":
            linked = text
        elif tag in _GROUP_TAGS and text and linked >= LINK_BLOCK_SHARE * text and el is not root:
            doomed.append(el)
        return text, linked

    try:
        walk(root)
    except RecursionError:
        return 0
    removed = 0
    for el in reversed(doomed):  # outermost last: an inner group removed with its outer one is harmless
        if remove_keeping_tail(el, blank_tail=False):
            removed += 1
    return removed
