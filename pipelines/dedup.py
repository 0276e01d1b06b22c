"""Content dedup before the writers, and MarkSeen after them.

Order in ITEM_PIPELINES: ... finalize 500 -> **DedupContentPipeline 600** -> writers (text
records 800, dated JSONL 850) -> **MarkSeenPipeline 900**. An article becomes "seen" in the
dedup state only once its record is written: a crash between the two re-fetches it next run
(the writers skip ids already on disk), it never loses it.

Same-run preference: aggregator copies (``via`` set, or an aggregator site) and paywalled
teasers are *deferred*: held in memory and re-emitted when the spider is idle and no other
crawler of the process sharing the dedup state is busy (through a ``data:`` request whose
callback yields them), so an original publisher's complete copy arriving meanwhile is the
record and they become its duplicates. A released item comes back through the pipelines
already cleaned and finalized: those steps pass it untouched (``newscrawl.road``: each runs once
per item), and its deferral was never counted as a drop (``newscrawl.extensions.CoreStats``).
"""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any, NoReturn

from itemadapter import ItemAdapter
from scrapy import Request, signals
from scrapy.exceptions import DontCloseSpider, NotConfigured
from scrapy.utils.defer import deferred_from_coro

from newscrawl.dedup.cluster import Doc, Verdict
from newscrawl.dedup.state import Accepted, DedupState
from newscrawl.defaults import get_bool
from newscrawl.exceptions import DeferredCopy, DuplicateContent, DuplicateUrl, NearDuplicate
from newscrawl.publishers import PUBLISHERS
from newscrawl.text.urls import canonical_url, is_plausible_canonical, url_id

if TYPE_CHECKING:
    from collections.abc import Iterator
    from typing import Self

    from scrapy.crawler import Crawler
    from scrapy.http import Response

logger = logging.getLogger(__name__)

DROPS: dict[str, type[Exception]] = {"url": DuplicateUrl, "exact": DuplicateContent, "near": NearDuplicate}


def is_aggregator(item: ItemAdapter) -> bool:
    """A republication: ``via`` is set, or the site it comes from is an aggregator."""
    if item.get("via"):
        return True
    pub = PUBLISHERS.get(item.get("source") or "")
    return pub is not None and pub.kind == "aggregator"


def doc_from_item(item: ItemAdapter) -> Doc:
    """What the dedup decision needs from a record (canonical URLs, body, lead, kind)."""
    url = str(item.get("url") or "")
    fetched = canonical_url(url)
    declared_raw = item.get("canonical_url")
    declared = canonical_url(declared_raw) if is_plausible_canonical(declared_raw, url) else None
    original_raw = item.get("original_url")
    aggregator = is_aggregator(item)
    return Doc(
        id=str(item.get("id") or url_id(declared or fetched)),
        fetched=fetched,
        text=str(item.get("text") or ""),
        lead=item.get("lead"),
        declared=declared if declared != fetched else None,
        original=canonical_url(original_raw) if original_raw and aggregator else None,
        excerpt=aggregator or bool(item.get("paywalled")),
        word_count=None if item.get("word_count") is None else int(item["word_count"]),
    )


def release_order(item: Any) -> tuple[bool, bool, int]:
    """Deferred items are released complete copies first, then the longest."""
    a = ItemAdapter(item)
    return bool(a.get("paywalled")), is_aggregator(a), -int(a.get("word_count") or 0)


class DedupContentPipeline:
    """Drops copies of articles already collected (this run or earlier): same canonical or
    original URL (reason ``url``), same normalised body (``exact``), near-duplicate body by
    MinHash/LSH, or an excerpt contained in a collected article's head (``near``). Each copy
    is logged to ``<state dir>/duplicates.jsonl`` ({url, id, duplicate_of, similarity,
    reason, measure, source, via, at}), its URLs join the kept record's cluster, and it is
    dropped with DuplicateUrl / DuplicateContent / NearDuplicate (log level INFO).

    Settings read: NEWSCRAWL_DEDUP_ENABLED, NEWSCRAWL_DEDUP_DEFER_COPIES (+ DedupState's).
    Stats written: newscrawl/dedup/{kept,updated,unchanged,deferred,released,deferred_lost},
    newscrawl/dedup/duplicate/<reason>, newscrawl/dedup/error/<exception>.
    """

    def __init__(self, crawler: Crawler, state: DedupState, defer: bool) -> None:
        self.crawler = crawler
        self.stats = crawler.stats
        self.state = state
        self.defer = defer
        self.deferred: list[Any] = []
        self.released: dict[int, Any] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not get_bool(crawler.settings, "NEWSCRAWL_DEDUP_ENABLED"):
            raise NotConfigured("NEWSCRAWL_DEDUP_ENABLED is off")
        pipe = cls(crawler, DedupState.of(crawler), get_bool(crawler.settings, "NEWSCRAWL_DEDUP_DEFER_COPIES"))
        crawler.signals.connect(pipe.spider_idle, signal=signals.spider_idle)
        crawler.signals.connect(pipe.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(pipe.item_error, signal=signals.item_error)
        return pipe

    def _inc(self, key: str, n: int = 1) -> None:
        if self.stats is not None:
            self.stats.inc_value(f"newscrawl/dedup/{key}", n)

    # ------------------------------------------------------------------ items
    def process_item(self, item: Any) -> Any:
        a = ItemAdapter(item)
        released = self.released.pop(id(item), None) is not None
        doc = doc_from_item(a)
        if self.defer and doc.excerpt and not released:
            self.deferred.append(item)
            self._inc("deferred")
            raise DeferredCopy(f"Deferred until the crawl is idle (copy or teaser): {a.get('url')}",
                               log_level="DEBUG")
        now = time.time()
        try:
            verdict = self.state.dedup.check(doc)
        except Exception as exc:  # component boundary: a broken store must not lose the article
            logger.exception("Dedup check failed on %(url)s (%(exc)r): keeping the article",
                             {"url": a.get("url"), "exc": exc})
            self._inc(f"error/{type(exc).__name__}")
            return item
        if verdict.kind in ("new", "update"):
            self.state.dedup.hold(doc, verdict.fp)
            self.state.accepted[id(item)] = Accepted(item=item, doc=doc, verdict=verdict)
            self._inc("kept" if verdict.kind == "new" else "updated")
            if verdict.kind == "update":
                logger.info("Updated article %(url)s: its text changed since it was collected",
                            {"url": a.get("url")})
            return item
        if verdict.kind == "unchanged":
            self._touch(doc, verdict, now)
            self._inc("unchanged")
            raise DuplicateUrl(f"Unchanged since last collected: {a.get('url')}", log_level="INFO")
        return self._drop_duplicate(a, doc, verdict, now)

    def _touch(self, doc: Doc, verdict: Verdict, now: float) -> None:
        """A re-fetched, unchanged page: refresh its fetch time (the re-fetch window)."""
        try:
            self.state.dedup.touch(doc.fetched, verdict.duplicate_of or doc.id, verdict.fp.exact, now)
        except Exception as exc:  # component boundary
            logger.exception("Dedup store update failed for %(url)s (%(exc)r)", {"url": doc.fetched, "exc": exc})
            self._inc(f"error/{type(exc).__name__}")

    def _drop_duplicate(self, a: ItemAdapter, doc: Doc, verdict: Verdict, now: float) -> NoReturn:
        reason = verdict.reason or "near"
        try:
            self.state.dedup.record_duplicate(doc, verdict, now)
            self.state.log_duplicate(dict(a.items()), verdict, now)
        except Exception as exc:  # component boundary: still a duplicate, only its record is lost
            logger.exception("Could not record duplicate %(url)s (%(exc)r)", {"url": a.get("url"), "exc": exc})
            self._inc(f"error/{type(exc).__name__}")
        self._inc(f"duplicate/{reason}")
        raise DROPS.get(reason, NearDuplicate)(
            f"Duplicate ({reason}, {verdict.measure} {verdict.similarity}) of {verdict.duplicate_of}: {a.get('url')}",
            log_level="INFO",
        )

    # ------------------------------------------------------------------ signals
    def item_dropped(self, item: Any, response: Any = None, exception: Any = None, spider: Any = None) -> None:
        self._not_written(item)

    def item_error(self, item: Any, response: Any = None, spider: Any = None, failure: Any = None) -> None:
        self._not_written(item)

    def _not_written(self, item: Any) -> None:
        """An accepted item dropped further down (or failed): it will not be written, so it
        must not stay pending (a later copy of it is then new, not its duplicate)."""
        accepted = self.state.accepted.get(id(item))
        if accepted is not None and accepted.item is item:
            del self.state.accepted[id(item)]
            self.state.dedup.forget(accepted.doc.id)

    def spider_idle(self, spider: Any = None) -> None:
        """Release the deferred copies: they go through the pipelines again, after every
        original that arrived in this run."""
        if not self.deferred:
            return
        busy = self.state.busy_crawlers(but=self.crawler)
        if busy:  # sites crawled at once in this process: wait for their originals
            logger.debug("Holding %(n)d deferred copies until %(spiders)s are idle",
                         {"n": len(self.deferred), "spiders": [getattr(c.spider, "name", "?") for c in busy]})
            raise DontCloseSpider
        items = sorted(self.deferred, key=release_order)
        self.deferred = []
        for item in items:
            self.released[id(item)] = item
        self._inc("released", len(items))
        logger.info("Releasing %(n)d deferred copies/teasers now that the originals are in", {"n": len(items)})
        request = Request("data:,", callback=self._yield_released, cb_kwargs={"items": items}, dont_filter=True,
                          priority=100, meta={"newscrawl_release": True, "allow_offsite": True,
                                              "dont_obey_robotstxt": True})
        try:
            self.crawler.engine.crawl(request)  # type: ignore[union-attr]
        except Exception as exc:  # e.g. a scheduler that must serialise requests
            logger.info("Cannot schedule the release request (%(exc)r): processing deferred items directly",
                        {"exc": exc})
            for item in items:
                deferred_from_coro(self.crawler.engine.scraper.start_itemproc_async(  # type: ignore[union-attr]
                    item, response=None))
        raise DontCloseSpider

    def _yield_released(self, response: Response, items: list[Any]) -> Iterator[Any]:
        yield from items

    def close_spider(self) -> None:
        if self.deferred:
            logger.warning("Dedup: %(n)d deferred copies/teasers were never released (the crawl stopped "
                           "early); they were not marked seen and will be fetched again", {"n": len(self.deferred)})
            self._inc("deferred_lost", len(self.deferred))
            self.deferred = []


class MarkSeenPipeline:
    """Runs after the writers: records the article (fingerprints, URLs) in the dedup state,
    committed at once. From then on it is "seen": its URL is not fetched again and its copies
    are duplicates.

    Settings read: NEWSCRAWL_DEDUP_ENABLED. Stats written: newscrawl/dedup/marked_seen,
    newscrawl/dedup/error/<exception>.
    """

    def __init__(self, crawler: Crawler, state: DedupState) -> None:
        self.stats = crawler.stats
        self.state = state

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        if not get_bool(crawler.settings, "NEWSCRAWL_DEDUP_ENABLED"):
            raise NotConfigured("NEWSCRAWL_DEDUP_ENABLED is off")
        return cls(crawler, DedupState.of(crawler))

    def _accepted(self, item: Any) -> Accepted | None:
        """The content pipeline's verdict on ``item``: by identity, or by record id when a
        writer passed on another object."""
        accepted = self.state.accepted.pop(id(item), None)
        if accepted is not None and accepted.item is item:
            return accepted
        article_id = ItemAdapter(item).get("id") if ItemAdapter.is_item(item) else None
        for key, candidate in list(self.state.accepted.items()):
            if article_id and candidate.doc.id == article_id:
                del self.state.accepted[key]
                return candidate
        return None

    def process_item(self, item: Any) -> Any:
        accepted = self._accepted(item)
        if accepted is not None:
            doc, fp = accepted.doc, accepted.verdict.fp
            cluster = accepted.verdict.duplicate_of if accepted.verdict.kind == "update" else None
        else:  # content dedup off or failed on it: record it all the same
            doc = doc_from_item(ItemAdapter(item))
            fp, cluster = self.state.dedup.fingerprint(doc), None
        try:
            self.state.dedup.commit_kept(doc.id, fp, doc.url_keys, time.time(), cluster=cluster)
        except Exception as exc:  # component boundary: the record is written, only the state lags
            logger.exception("Could not mark %(url)s as seen (%(exc)r): it will be fetched again next run",
                             {"url": ItemAdapter(item).get("url"), "exc": exc})
            if self.stats is not None:
                self.stats.inc_value(f"newscrawl/dedup/error/{type(exc).__name__}")
            return item
        if self.stats is not None:
            self.stats.inc_value("newscrawl/dedup/marked_seen")
        return item
