"""TextRecordsPipeline: one plain-text record per article, ``NNN_<id>.txt``, like seeds/.

First line the title, then the lead, then one paragraph per line. ``NNN`` is a running number
in the folder that continues across runs (the highest existing number + 1).

A record that cannot be written whole (a full disk) leaves nothing behind: its temporary file
is removed, its number is not used, and the item is dropped as WriteFailed (not marked seen:
the next run collects it).
"""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path
from typing import Any

from scrapy.exceptions import NotConfigured

from newscrawl.atomic import errno_name, write_text_atomic
from newscrawl.exceptions import WriteFailed
from newscrawl.items import ArticleItem
from newscrawl.memo import compact_key

logger = logging.getLogger(__name__)

_NAME = re.compile(r"^(\d+)_([0-9a-f]+)\.txt$")


def record_text(item: ArticleItem) -> str:
    lines = [item.title or "", *([item.lead] if item.lead else []), *item.text.split("\n")]
    return "\n".join(line for line in lines if line) + "\n"


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
        write_text_atomic(path, record_text(item))
        self.ids.add(key)
        self.next += 1
        return path


class TextRecordsPipeline:
    """Settings read: NEWSCRAWL_RECORDS_DIR ("" disables). Stats: newscrawl/records/text_written,
    newscrawl/write_error/records/<errno> (a record that could not be written: removed, dropped
    as WriteFailed, not marked seen)."""

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
        try:
            written = self.records.write(item)
        except OSError as exc:
            code = errno_name(exc)
            self.stats.inc_value(f"newscrawl/write_error/records/{code}")
            logger.error("Cannot write the text record of %(url)s (%(exc)s): removed, not marked seen, "
                         "the next run collects it", {"url": item.url, "exc": exc})
            raise WriteFailed(f"text record write failed ({code}): {item.url}", log_level="DEBUG") from exc
        if written:
            self.stats.inc_value("newscrawl/records/text_written")
        return item
