"""Typed drops: Scrapy counts each under item_dropped_reasons_count/<Class>."""

from __future__ import annotations

from scrapy.exceptions import DropItem


class NotAnArticle(DropItem):
    """The page has no title or no body after cleaning."""


class DuplicateUrl(DropItem):
    """The canonical URL was collected before."""


class DuplicateContent(DropItem):
    """Same text as a record already collected (exact hash)."""


class NearDuplicate(DropItem):
    """Near-duplicate of a record already collected (MinHash/LSH)."""


class DeferredCopy(DropItem):
    """Not a real drop: an aggregator copy or a teaser held until the crawl is idle, then
    processed again (so an original arriving meanwhile wins), from the dedup step on: the
    cleaning steps and finalize pass it untouched (newscrawl.road). Not counted as a drop
    (newscrawl.extensions.CoreStats skips it)."""


class WriteRefused(DropItem):
    """A writer did not write the record (e.g. its id is another page's record): the item is
    dropped so that it is never marked seen (MarkSeen runs after the writers)."""


class WriteFailed(DropItem):
    """A writer could not store the record whole (a full disk, an I/O error): what it had
    written of it is rolled back and the article is not marked seen, so the next run collects
    it. Counted as newscrawl/write_error/<writer>/<errno>: a failure of the run, not a drop."""
