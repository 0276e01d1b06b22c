"""leparisien parser (stub: selectors to be filled from ../shared/docs/publishers.md)."""

from __future__ import annotations

from typing import ClassVar

from newscrawl.parsers.base import ArticleParser


class LeParisienParser(ArticleParser):
    key: ClassVar[str] = "leparisien"
    version: ClassVar[int] = 1
