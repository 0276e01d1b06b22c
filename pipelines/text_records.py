"""TextRecordsPipeline: one plain-text record per article, ``NNN_<id>.txt``, like seeds/.

First line the title, then the lead, then one paragraph per line. ``NNN`` is a running number
in the folder that continues across runs (the highest existing number + 1).
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from scrapy.exceptions import NotConfigured

from newscrawl.items import ArticleItem
from newscrawl.memo import compact_key

_NAME = re.compile(r"^(\d+)_([0-9a-f]+)\.txt$")


def record_text(item: ArticleItem) -> str:
    lines = [item.title or "", *([item.lead] if item.lead else []), *item.text.split("\n")]
    return "\n".join(line for line in lines if line) + "\n"


def write_atomic(path: Path, content: str) -> None:
    """Write to a temporary file, fsync, rename: a reader never sees half a record."""
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        fh.write(content)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)


class TextRecordsFolder:
    """A folder of ``NNN_<id>.txt`` records; an id already written is not written again."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.ids: set[int] = set()
        """``compact_key`` of every id in the folder (the records found at open, then written)."""
        self.next = 0
        for entry in os.scandir(folder):
            m = _NAME.match(entry.name)
            if m:
                self.next = max(self.next, int(m.group(1)) + 1)
                self.ids.add(compact_key(m.group(2)))

    def __contains__(self, record_id: str) -> bool:
        return compact_key(record_id) in self.ids

    def write(self, item: ArticleItem) -> Path | None:
        key = compact_key(item.id)
        if key in self.ids:
            return None
        path = self.folder / f"{self.next:03d}_{item.id}.txt"
        write_atomic(path, record_text(item))
        self.ids.add(key)
        self.next += 1
        return path


class TextRecordsPipeline:
    """Settings read: NEWSCRAWL_RECORDS_DIR ("" disables). Stats: newscrawl/records/text_written."""

    def __init__(self, crawler: Any, folder: Path) -> None:
        self.stats = crawler.stats
        self.records = TextRecordsFolder(folder)

    @classmethod
    def from_crawler(cls, crawler: Any) -> TextRecordsPipeline:
        folder = crawler.settings.get("NEWSCRAWL_RECORDS_DIR")
        if not folder:
            raise NotConfigured
        return cls(crawler, Path(folder))

    def process_item(self, item: ArticleItem) -> ArticleItem:
        if self.records.write(item):
            self.stats.inc_value("newscrawl/records/text_written")
        return item
