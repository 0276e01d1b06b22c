"""franceinfo parser (stub: selectors to be filled from ../shared/docs/publishers.md)."""

from __future__ import annotations

from typing import ClassVar

from newscrawl.parsers.base import ArticleParser


class FranceinfoParser(ArticleParser):
    key: ClassVar[str] = "franceinfo"
    version: ClassVar[int] = 1
