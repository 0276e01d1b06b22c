"""What a noise selector must never remove: the page's content containers.

Noise selectors match by substring (``[class*=sidebar]``, ``[class*=cookie]``, ``[class*=comments]``)
or by tag (``form``), and on real pages they also match the containers of the article:
WordPress's ``body.has-sidebar``, ``body.cookies-not-set``, ``div#article.comments-enabled``, an
ASP.NET page whose whole body sits in ``form#aspnetForm``. The rule is on the element, not on the
selector: whatever matches, :class:`ContentGuard` keeps

- ``html``, ``body`` and ``main``;
- an element holding more than half of the page's paragraph text (``<p>``);
- an element holding more than half of the paragraph text that the JSON-LD ``articleBody``
  also holds (an ancestor of the article's text, when the page says what it is).

The page totals are read once, on the first element that holds a paragraph (the strip asks
before it removes anything); an element without a ``<p>`` costs one lookup.
"""

from __future__ import annotations

import re

from lxml import etree

#: Tags never removed by a noise selector.
KEEP_TAGS = frozenset(("html", "body", "main"))
#: Share of the page's paragraph text (or of its articleBody paragraphs) that makes an element a
#: content container.
CONTENT_SHARE = 0.5
#: Shortest paragraph compared with the articleBody (shorter ones, "Photo", "Lire aussi", are in
#: any text).
_LD_MIN_CHARS = 30
_SPACES = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACES.sub(" ", text).strip()


class ContentGuard:
    """``keeps(el)``: whether ``el`` is a content container of the page rooted at ``root``."""

    def __init__(self, root: etree._Element, article_body: str | None = None) -> None:
        self.root = root
        self.article_body = _norm(article_body) if article_body else ""
        self._paragraphs: dict[etree._Element, tuple[int, bool]] | None = None
        self._total = 0
        self._ld_total = 0

    def _read(self) -> dict[etree._Element, tuple[int, bool]]:
        if self._paragraphs is None:
            found: dict[etree._Element, tuple[int, bool]] = {}
            ld = self.article_body
            for p in self.root.iter("p"):
                text = _norm("".join(p.itertext()))
                if not text:
                    continue
                in_ld = bool(ld) and len(text) >= _LD_MIN_CHARS and text in ld
                found[p] = (len(text), in_ld)
                self._total += len(text)
                if in_ld:
                    self._ld_total += len(text)
            self._paragraphs = found
        return self._paragraphs

    def keeps(self, el: etree._Element) -> bool:
        tag = el.tag
        if not isinstance(tag, str):
            return False
        if tag.lower() in KEEP_TAGS:
            return True
        if next(el.iter("p"), None) is None:
            return False
        paragraphs = self._read()
        mine = ld_mine = 0
        for p in el.iter("p"):
            length, in_ld = paragraphs.get(p, (0, False))
            mine += length
            if in_ld:
                ld_mine += length
        if self._total and mine > CONTENT_SHARE * self._total:
            return True
        return bool(self._ld_total) and ld_mine > CONTENT_SHARE * self._ld_total
