"""A replay (``NEWSCRAWL_REPLAY``) re-extracts what the archive holds, every time.

The dedup state of the live crawls skips every URL it has seen: replayed with it, an archive
the cron already collected gives an empty file. So a replay gets a state of its own: unless
``NEWSCRAWL_STATE_DIR`` is given on the command line, :class:`ReplayAddon` points it at a fresh
temporary folder, one per process (the crawl command's sites share it, so copies across sites
are still caught) and removed at exit. Give ``-s NEWSCRAWL_STATE_DIR=...`` to keep that state.

:class:`ReplayReport` says at the end how many records the replay wrote.
"""

from __future__ import annotations

import atexit
import logging
import shutil
import tempfile
from typing import Any

from scrapy import signals
from scrapy.exceptions import NotConfigured

from newscrawl.defaults import given

logger = logging.getLogger(__name__)

_STATE_DIR: list[str] = []


def replay_state_dir() -> str:
    """This process's replay state folder (created on first use, removed at exit)."""
    if not _STATE_DIR:
        path = tempfile.mkdtemp(prefix="newscrawl-replay-state-")
        atexit.register(shutil.rmtree, path, ignore_errors=True)
        _STATE_DIR.append(path)
    return _STATE_DIR[0]


def state_dir_given(settings: Any) -> bool:
    """NEWSCRAWL_STATE_DIR set on the command line (or in a spider's custom_settings)."""
    return given(settings, "NEWSCRAWL_STATE_DIR")


def use_replay_state(settings: Any) -> None:
    """Give a replay its own state unless the user named one."""
    if settings.get("NEWSCRAWL_REPLAY") and not state_dir_given(settings):
        settings.set("NEWSCRAWL_STATE_DIR", replay_state_dir(), priority="spider")


def records_written(stats: dict[str, Any]) -> int:
    if "newscrawl/jsonl/written" in stats:
        return int(stats["newscrawl/jsonl/written"] or 0)
    return int(stats.get("item_scraped_count", 0) or 0)


class ReplayAddon:
    """Add-on: a replay without ``-s NEWSCRAWL_STATE_DIR`` uses a fresh temporary state.

    Settings read: NEWSCRAWL_REPLAY, NEWSCRAWL_STATE_DIR (and its priority). Stats written: none.
    """

    def update_settings(self, settings: Any) -> None:
        use_replay_state(settings)


class ReplayReport:
    """Extension: at the end of a replay, log how many records it wrote (INFO), and from what.

    Settings read: NEWSCRAWL_REPLAY. Stats written: none (reads item_scraped_count and
    newscrawl/jsonl/written).
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler
        self.target = crawler.settings.get("NEWSCRAWL_REPLAY")
        self.state_dir = crawler.settings.get("NEWSCRAWL_STATE_DIR")

    @classmethod
    def from_crawler(cls, crawler: Any) -> ReplayReport:
        if not crawler.settings.get("NEWSCRAWL_REPLAY"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_closed(self, spider: Any, reason: str) -> None:
        stats = self.crawler.stats.get_stats()
        state = ("its own temporary state" if _STATE_DIR and self.state_dir == _STATE_DIR[0]
                 else f"the state in {self.state_dir}")
        logger.info("Replay of %(target)s: %(n)d record(s) written (%(served)d page(s) served from the "
                    "archive, dedup against %(state)s)",
                    {"target": self.target, "n": records_written(stats),
                     "served": int(stats.get("newscrawl/warc/replay/served", 0) or 0), "state": state})
