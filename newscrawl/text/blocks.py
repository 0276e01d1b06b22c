"""Reading text out of DOM nodes: inline text joined as a reader sees it, block by block."""

from __future__ import annotations

from collections.abc import Iterable

from lxml import etree
from parsel import Selector, SelectorList

from newscrawl.text.depth import bound_depth
from newscrawl.text.normalize import clean_text

#: Elements read as a space (node_text); the generic parser's one-walk texts use the same sets.
BREAK_TAGS = {"br", "hr"}
BLOCK_TAGS = {
    "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote",
    "section", "article", "figure", "figcaption", "table", "tr", "td", "th", "dd", "dt", "cite",
}  # fmt: skip


def _text_parts(el: etree._Element, out: list[str]) -> None:
    tag = el.tag if isinstance(el.tag, str) else None
    if tag is None:  # comment or processing instruction (React's <!-- --> markers)
        if el.tail:
            out.append(el.tail)
        return
    tag = tag.lower()
    if tag in {"script", "style", "noscript", "template"}:
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
