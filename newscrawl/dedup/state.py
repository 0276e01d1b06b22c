"""The dedup state of a process, shared by the middleware and the pipelines of its crawlers.

One :class:`DedupState` per state location (SQLite file or Redis URL + prefix) and process,
created by whichever component asks first: the store (opened once, parameters checked, window
pruned), the :class:`Deduplicator` with the items accepted and not yet written (*pending*:
visible to every crawler of the process, so sites crawled at once in one process see each
other's articles before they are written), and the duplicates log. Crawlers register with it;
it closes when the last one's spider closes (``spider_closed``, after ``close_spider``).
"""

from __future__ import annotations

import json
import logging
import time
import weakref
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from scrapy import signals

from newscrawl.dedup.cluster import Deduplicator, Doc, Thresholds, Verdict
from newscrawl.dedup.factory import open_store
from newscrawl.dedup.store import Store
from newscrawl.defaults import get_float, get_int, state_folder
from newscrawl.text.dates import parse_duration

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

DUPLICATES_LOG = "duplicates.jsonl"
PRUNE_EVERY = 24 * 3600.0
"""Seconds between two prunings of the window (a pruning scans the band tables)."""

_STATES: dict[str, DedupState] = {}


def state_location(settings: BaseSettings) -> str:
    """Where the state lives: what crawlers must agree on to share one DedupState."""
    redis_url = settings.get("NEWSCRAWL_REDIS_URL") or ""
    if redis_url:
        return f"{redis_url}#{settings.get('NEWSCRAWL_DEDUP_REDIS_PREFIX') or ''}"
    return str(state_folder(settings).resolve())


def thresholds_from(settings: BaseSettings) -> Thresholds:
    t = Thresholds(
        near=get_float(settings, "NEWSCRAWL_DEDUP_NEAR_THRESHOLD"),
        containment=get_float(settings, "NEWSCRAWL_DEDUP_CONTAINMENT_THRESHOLD"),
        min_words=get_int(settings, "NEWSCRAWL_DEDUP_MIN_WORDS"),
        min_exact_words=get_int(settings, "NEWSCRAWL_DEDUP_MIN_EXACT_WORDS"),
    )
    for name, value in (("NEAR_THRESHOLD", t.near), ("CONTAINMENT_THRESHOLD", t.containment)):
        if not 0.0 < value <= 1.0:
            raise ValueError(f"NEWSCRAWL_DEDUP_{name} must be in (0, 1], got {value}")
    return t


@dataclass
class Accepted:
    """An item that passed content dedup and waits for its record to be written."""

    item: Any
    doc: Doc
    verdict: Verdict


class DedupState:
    """Settings read: NEWSCRAWL_STATE_DIR, NEWSCRAWL_REDIS_URL, NEWSCRAWL_DEDUP_REDIS_PREFIX,
    NEWSCRAWL_DEDUP_{NEAR_THRESHOLD,CONTAINMENT_THRESHOLD,MIN_WORDS,MIN_EXACT_WORDS,WINDOW,
    COMMIT_INTERVAL}.
    Stats written: newscrawl/dedup/pruned."""

    def __init__(self, crawler: Crawler, store: Store, thresholds: Thresholds, state_dir: Path,
                 window: timedelta | None, location: str = "", commit_interval: float = 0.0) -> None:
        self.crawler = crawler
        """The first crawler (its stats get the pruning count)."""
        self.crawlers: weakref.WeakSet[Any] = weakref.WeakSet()
        self.location = location
        self.store = store
        self.dedup = Deduplicator(store, thresholds, commit_interval=commit_interval)
        self._flusher: Any = None
        self.state_dir = state_dir
        self.window = window
        self.accepted: dict[int, Accepted] = {}
        self._log: TextIO | None = None
        self.closed = False

    @classmethod
    def of(cls, crawler: Crawler) -> DedupState:
        """The state of the crawler's location, opened on first use (raises ParamsMismatch or
        DedupStateError); the crawler is registered with it."""
        settings = crawler.settings
        location = state_location(settings)
        state = _STATES.get(location)
        if state is None or state.closed:
            window = parse_duration(settings.get("NEWSCRAWL_DEDUP_WINDOW") or None)
            thresholds = thresholds_from(settings)
            interval = max(0.0, get_float(settings, "NEWSCRAWL_DEDUP_COMMIT_INTERVAL"))
            store = open_store(settings)
            if hasattr(store, "stats"):  # the Redis store counts the bad values it skips
                store.stats = crawler.stats
            state = cls(crawler, store, thresholds, state_folder(settings),
                        window, location, interval)
            _STATES[location] = state
            state.prune_if_due()
        if crawler not in state.crawlers:
            state.crawlers.add(crawler)
            crawler.signals.connect(state.spider_closed, signal=signals.spider_closed)
            crawler.signals.connect(state.spider_opened, signal=signals.spider_opened)
        return state

    # ------------------------------------------------------------------ window
    def prune_if_due(self, now: float | None = None) -> int:
        if self.window is None:
            return 0
        now = time.time() if now is None else now
        last = float(self.store.get_meta("last_prune") or 0)
        if now - last < PRUNE_EVERY:
            return 0
        pruned = self.store.prune(now - self.window.total_seconds())
        self.store.set_meta("last_prune", repr(now))
        self.store.commit()
        if pruned:
            logger.info("Dedup window: dropped the near-duplicate index of %(n)d article(s) older than %(w)s",
                        {"n": pruned, "w": self.window})
            if self.crawler.stats is not None:
                self.crawler.stats.inc_value("newscrawl/dedup/pruned", pruned)
        return pruned

    # ------------------------------------------------------------------ duplicates log
    def log_duplicate(self, item: dict[str, Any], verdict: Verdict, at: float) -> None:
        """One line of ``<state dir>/duplicates.jsonl``, flushed at once."""
        if self._log is None:
            self.state_dir.mkdir(parents=True, exist_ok=True)
            self._log = (self.state_dir / DUPLICATES_LOG).open("a", encoding="utf-8")
        line = {
            "url": item.get("url"),
            "id": item.get("id"),
            "duplicate_of": verdict.duplicate_of,
            "similarity": verdict.similarity,
            "reason": verdict.reason,
            "measure": verdict.measure,
            "source": item.get("source"),
            "via": item.get("via"),
            "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at)),
        }
        self._log.write(json.dumps(line, ensure_ascii=False) + "\n")
        self._log.flush()

    # ------------------------------------------------------------------ lifecycle
    def spider_opened(self, spider: Any = None) -> None:
        """Grouped commits: also commit on a timer, so a quiet crawl (waiting on downloads)
        neither keeps its writes uncommitted nor holds the SQLite write lock."""
        if self.dedup.commit_interval > 0 and self._flusher is None:
            from twisted.internet import task

            self._flusher = task.LoopingCall(self.dedup.flush)
            self._flusher.start(self.dedup.commit_interval, now=False)

    def spider_closed(self, spider: Any = None, reason: str = "") -> None:
        """A crawler is done: the state closes with the last one."""
        self.crawlers.discard(getattr(spider, "crawler", None))
        if not self.crawlers:
            self.close()

    def busy_crawlers(self, but: Any) -> list[Any]:
        """Other crawlers of this state still downloading or processing (their articles may be
        originals of the copies ``but``'s crawler holds)."""
        busy = []
        for crawler in list(self.crawlers):
            engine = getattr(crawler, "_engine", None)  # Crawler.engine raises before the crawl starts
            if crawler is but or engine is None or not getattr(engine, "running", False):
                continue
            try:
                if not engine.spider_is_idle():
                    busy.append(crawler)
            except RuntimeError:  # no slot: not crawling (yet / any more)
                continue
        return busy

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        if _STATES.get(self.location) is self:
            del _STATES[self.location]
        if self.accepted:
            logger.warning("Dedup: %(n)d article(s) accepted but never written (the crawl stopped first); "
                           "they were not marked seen and will be fetched again", {"n": len(self.accepted)})
        if self._flusher is not None and self._flusher.running:
            self._flusher.stop()
        if self._log is not None:
            self._log.close()
        self.dedup.flush()
        self.store.close()
