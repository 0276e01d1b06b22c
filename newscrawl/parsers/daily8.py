"""daily8 parser (stub: selectors to be filled from ../shared/docs/publishers.md)."""

from __future__ import annotations

from typing import ClassVar

from newscrawl.parsers.base import ArticleParser


class Daily8Parser(ArticleParser):
    key: ClassVar[str] = "daily8"
    version: ClassVar[int] = 1
