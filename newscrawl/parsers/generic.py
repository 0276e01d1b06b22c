"""Any news site: JSON-LD and OpenGraph for metadata, trafilatura for the body."""

from __future__ import annotations

from typing import ClassVar

from newscrawl.parsers.base import ArticleParser


class GenericParser(ArticleParser):
    key: ClassVar[str] = "generic"
    version: ClassVar[int] = 1
    title_css = ("article h1", "h1")
    published_css = ("article time[datetime]",)

    def body(self) -> list[str]:
        # Unknown layout: trafilatura first (it knows thousands of templates), then the
        # page's own JSON-LD articleBody, then the paragraphs of its <article>.
        blocks = self.trafilatura_body()
        if blocks:
            self.body_source = "trafilatura"
            return blocks
        blocks = self.ld_text_block("articleBody")
        if blocks:
            self.body_source = "jsonld"
            return blocks
        blocks = self.css_texts(["[itemprop=articleBody] p, article p, article h2"])
        self.body_source = "dom" if blocks else "none"
        return blocks
