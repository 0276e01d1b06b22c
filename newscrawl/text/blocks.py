"""Reading text out of DOM nodes: inline text joined as a reader sees it, block by block."""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree
from parsel import Selector, SelectorList

from newscrawl.text.depth import bound_depth
from newscrawl.text.normalize import clean_text

#: Elements read as a space (node_text, element_texts).
BREAK_TAGS = {"br", "hr"}
BLOCK_TAGS = {
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
    "section", "article", "figure", "figcaption", "table", "tr", "td", "th", "dd", "dt", "cite",
}  # fmt: skip
#: Elements whose own text is not read (their tail is).
SKIPPED_TAGS = frozenset(("script", "style", "noscript", "template"))


def _text_parts(el: etree._Element, out: list[str]) -> None:
    tag = el.tag if isinstance(el.tag, str) else None
    if tag is None:  # comment or processing instruction (React's <!-- --> markers)
        if el.tail:
            out.append(el.tail)
        return
    tag = tag.lower()
    if tag in SKIPPED_TAGS:
        if el.tail:
            out.append(el.tail)
        return
    if tag in BREAK_TAGS or tag in BLOCK_TAGS:
        out.append(" ")
    if el.text:
        out.append(el.text)
    for child in el:
        _text_parts(child, out)
    if tag in BLOCK_TAGS:
        out.append(" ")
    if el.tail:
        out.append(el.tail)


def node_text(node: Selector | etree._Element) -> str:
    """Visible text of one node, inline tags joined without spaces, <br> and blocks as spaces."""
    el = node.root if isinstance(node, Selector) else node
    if isinstance(el, str):
        return clean_text(el)
    out: list[str] = []
    if el.text:
        out.append(el.text)
    for child in el:
        _text_parts(child, out)
    return clean_text("".join(out))


_SPACE_BEFORE = frozenset(BLOCK_TAGS) | frozenset(BREAK_TAGS)
_SPACE_AFTER = frozenset(BLOCK_TAGS)


def element_texts(root: etree._Element, tags: tuple[str, ...]) -> list[tuple[etree._Element, str]]:
    """``(element, node_text(element))`` for ``root`` and each element under it whose tag is one of
    ``tags``, in document order (the order of ``root.iter(*tags)``).

    One walk over the tree: each element's text is built from its children's, instead of one
    ``node_text`` walk per element, which costs the depth of the tree times its size in Python
    calls (every ``div`` of a page re-reads the whole article). The text is the same string
    ``node_text`` gives (inline tags joined without spaces, ``<br>`` and
    blocks as spaces, script/style/noscript/template and comments skipped, then ``clean_text``);
    tests/test_parser_generic_fast.py compares the two on the fixture pages."""
    raw = raw_texts(root, tags)
    if raw is None:  # deeper than the recursion limit: node_text per element, as before
        return [(el, node_text(el)) for el in root.iter(*tags)]
    return [(el, clean_text(text)) for el, text in raw]


def raw_texts(root: etree._Element, tags: tuple[str, ...]) -> list[list] | None:
    """``[element, text]`` pairs of :func:`element_texts` before ``clean_text``; None when the
    tree is deeper than the recursion limit."""
    wanted = frozenset(tags)
    found: list[list] = []

    def inner(el: etree._Element, el_tag: str) -> str:
        # lxml builds a new string at each .tag/.text/.tail read: each is read once; a leaf
        # element that is not wanted is read in place (most elements are leaves).
        slot = None
        if el_tag in wanted:
            slot = [el, ""]
            found.append(slot)
        text = el.text
        parts = [text] if text else []
        append = parts.append
        for child in el:
            tag = child.tag
            if isinstance(tag, str):
                low = tag.lower()
                if low in SKIPPED_TAGS:
                    if tag in wanted or len(child):
                        inner(child, tag)  # not read, but elements under it may be wanted
                else:
                    if low in _SPACE_BEFORE:
                        append(" ")
                    if tag in wanted or len(child):
                        append(inner(child, tag))
                    else:
                        child_text = child.text
                        if child_text:
                            append(child_text)
                    if low in _SPACE_AFTER:
                        append(" ")
            # else a comment, processing instruction, entity: only its tail
            tail = child.tail
            if tail:
                append(tail)
        text = "".join(parts)
        if slot is not None:
            slot[1] = text
        return text

    try:
        inner(root, root.tag)
    except RecursionError:  # deeper than the recursion limit: None, the caller reads each node
        return None
    return found


def texts(nodes: SelectorList[Selector] | Iterable[Selector]) -> list[str]:
    """Non-empty texts of ``nodes``, in order."""
    return [t for t in (node_text(n) for n in nodes) if t]


def first_text(sel: Selector, selectors: Iterable[str]) -> str | None:
    """Text of the first node matched by the first selector that matches a non-empty node."""
    for css in selectors:
        for node in sel.css(css):
            text = node_text(node)
            if text:
                return text
    return None


def html_blocks(fragment: str) -> list[str]:
    """Text blocks of an HTML fragment (a JSON-LD live update's ``articleBody``: Le Parisien,
    franceinfo): one per paragraph / list item / heading; bare text as one block."""
    sel = Selector(text=f"<div>{fragment}</div>")
    bound_depth(sel.root)
    blocks = texts(sel.xpath("//p[not(ancestor::li)] | //li | //h2 | //h3 | //h4 | //blockquote[not(.//p)]"))
    if blocks:
        return blocks
    whole = node_text(sel.xpath("//div")[0])
    return [whole] if whole else []
