"""Bounded depth for what a page nests: DOM trees and JSON (JSON-LD, embedded page data).

A page nested 1,000 levels deep (or a JSON-LD block nested as deep) must still give its article
or a clear reason, never a RecursionError. The parsers' text walkers recurse once per level, so
the tree they walk is bounded here, once, right after parsing:

- :func:`bound_depth`: below ``MAX_DOM_DEPTH`` levels, the markup around the text blocks is
  unwrapped (``strip_tags``, which lxml runs in C without recursion): paragraphs, headings, list
  items and quotes keep their text and order, the ``div``/``span`` nesting above them goes; if
  blocks are themselves nested deeper still, everything under that level becomes plain text.
  Real pages are 15-80 levels deep; the bound keeps the tree under the 256 levels libxml2
  allows without ``huge_tree`` (how trafilatura parses).
- libxml2 itself stops at 2,048 levels (``huge_tree``) and drops what lies deeper: such a page
  is re-read with its container tags removed (:func:`flat_markup`); if the text is still not
  there, the parser's ``too_deep`` says why.
- :func:`loads`: ``json.loads`` whose nesting limit is a clean "too deep" (None), never a
  RecursionError; walks over the result are iterative (newscrawl.text.markup).
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

from lxml import etree

logger = logging.getLogger(__name__)

MAX_DOM_DEPTH = 200
"""Levels below the root element beyond which markup is unwrapped. With EXTRA_BLOCK_DEPTH, under
the 256 levels libxml2 builds without ``huge_tree`` (trafilatura re-parses the page that way:
what lies deeper, it never sees)."""
EXTRA_BLOCK_DEPTH = 32
"""Levels of text blocks (p, li, blockquote...) kept below MAX_DOM_DEPTH before plain text."""
MAX_JSON_DEPTH = 200
"""Embedded page data (Next.js, RSC rows) nested deeper than this is not walked: its walkers
recurse once or twice per level (React trees nest about three JSON levels per DOM level)."""
LIBXML2_MAX_DEPTH = 2048
"""libxml2 with huge_tree stops building the tree at this depth and drops what is deeper."""

# Elements kept when a deep subtree is unwrapped: text blocks, and what the noise strip removes
# whole (its text must not join the article's).
KEEP_TAGS = frozenset({
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "figcaption", "dt", "dd", "br", "hr",
    "img", "script", "style", "noscript", "template", "iframe", "svg", "form", "button", "video", "audio",
    "object", "embed", "select", "textarea",
})  # fmt: skip
NOISE_TAGS = ("script", "style", "noscript", "template", "iframe", "svg", "form", "button", "video", "audio",
              "object", "embed", "select", "textarea")

_CONTAINER_TAGS = re.compile(
    r"</?(?:div|span|section|article|main|aside|header|footer|nav|font|b|i|u|s|em|strong|small|big|"
    r"center|mark|a|ul|ol|dl|table|tbody|thead|tfoot|tr|td|th|label|figure|picture|time|abbr|cite|q|"
    r"sub|sup|ins|del)\b[^>]*>",
    re.IGNORECASE,
)


def at_depth(el: etree._Element, depth: int) -> list[etree._Element]:
    """Elements ``depth`` levels below ``el`` (one XPath child step per level, in C: the step
    sets are the tree's levels, so the cost is the size of the tree above that depth)."""
    if depth <= 0:
        return [el]
    return el.xpath("/".join(["*"] * depth))  # type: ignore[no-any-return]  # an element list


def bound_depth(root: etree._Element, max_depth: int = MAX_DOM_DEPTH) -> int:
    """Unwrap the markup deeper than ``max_depth`` (see module doc); the number of subtrees
    unwrapped (0 on any real page: one C XPath call finds nothing)."""
    deep = at_depth(root, max_depth)
    for el in deep:
        tags = {d.tag for d in el.iterdescendants() if isinstance(d.tag, str)} - KEEP_TAGS
        if tags:
            etree.strip_tags(el, *tags)
        if at_depth(el, EXTRA_BLOCK_DEPTH):  # blocks nested in blocks, deeper still
            for noise in el.iterdescendants(*NOISE_TAGS):
                noise.clear(keep_tail=True)
            keep = {d.tag for d in el.iterdescendants() if isinstance(d.tag, str)}
            etree.strip_tags(el, *keep)
    return len(deep)


def hit_parser_limit(root: etree._Element) -> bool:
    """Whether libxml2 stopped at its depth limit (what lay deeper was dropped). Only worth
    asking of a tree that :func:`bound_depth` found deep."""
    return bool(at_depth(root, LIBXML2_MAX_DEPTH - 16))


def flat_markup(html: str) -> str:
    """``html`` without its container tags (div, span, section, tables...): what libxml2 can read
    of a page nested past its limit; paragraphs and headings stay."""
    return _CONTAINER_TAGS.sub(" ", html)


def loads(raw: str) -> Any:
    """``json.loads(raw)``; None when the value is nested deeper than the interpreter's stack
    allows (a JSON-LD block of 100,000 ``[``). Other errors are json's (JSONDecodeError)."""
    try:
        return json.loads(raw)
    except RecursionError:
        logger.info("Skipping a JSON value nested too deep to read (%d characters)", len(raw))
        return None


def nesting(value: Any) -> int:
    """How deep ``value`` nests lists and dicts (a scalar: 0); iterative."""
    deepest = 0
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        node, level = stack.pop()
        if isinstance(node, dict):
            node = node.values()
        elif not isinstance(node, list):
            continue
        level += 1
        deepest = max(deepest, level)
        stack.extend((child, level) for child in node if isinstance(child, (dict, list)))
    return deepest
