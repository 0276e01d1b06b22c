"""Components that fail on purpose, named in ``-s`` settings of crawl subprocesses (issue 12:
any exception while a component opens must stop the run with a clear reason, never hang)."""

from __future__ import annotations

from typing import Any


class OpenFailsPipeline:
    """An item pipeline whose ``open_spider`` raises for the lefigaro crawler (the others open)."""

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> OpenFailsPipeline:
        return cls(crawler)

    def open_spider(self) -> None:
        if self.crawler.spider.name == "lefigaro":
            raise RuntimeError("the archive of this pipeline cannot be opened")

    def process_item(self, item: Any) -> Any:
        return item
