"""Deciding whether an article is new, and clustering the copies.

:class:`Deduplicator` is the whole decision, without Scrapy: the pipelines wrap it, the
benchmark drives it directly. An article is checked level by level, cheapest first:

1. **url**: its fetched URL was collected before (a re-fetch: ``unchanged``, or ``update`` when
   the text of a kept article changed), or its declared canonical URL, or, for an aggregator
   copy, the original's URL, belongs to a cluster (``duplicate``, reason ``url``);
2. **exact**: the hash of its normalised body equals a kept article's;
3. **near**: an LSH band is shared with a kept article and the estimated Jaccard of the
   MinHash signatures reaches the threshold (bodies of at least ``min_words`` words);
4. **containment** (excerpts only: aggregator items and paywalled teasers): enough of the
   excerpt's head anchors appear in a kept article's head (reason ``near``, measure
   ``containment``).

A cluster is named by the id of the record kept for it (the first copy collected); every URL
seen joins it with its reason and similarity, so the choice of the kept copy can be explained
(:meth:`Deduplicator.explain`). Articles accepted but not yet written are *pending*: visible
to the checks of later articles of the same run, recorded in the store only by
:meth:`Deduplicator.commit_kept` (once the record is written).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Literal

from newscrawl.dedup.fingerprints import (
    PARAMS,
    Fingerprint,
    SketchParams,
    estimate_jaccard,
    excerpt_anchors,
    fingerprint,
    load_signature,
)
from newscrawl.dedup.store import Store, UrlEntry

if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

Kind = Literal["new", "duplicate", "unchanged", "update"]


@dataclass(frozen=True)
class Thresholds:
    near: float = 0.5
    """Estimated Jaccard (word 5-grams) from which a candidate is a copy."""
    containment: float = 0.7
    """Share of an excerpt's head anchors found in a kept article's head."""
    min_words: int = 80
    """Bodies shorter than this get the exact hash only (MinHash is noise on them)."""
    min_exact_words: int = 12
    """Bodies shorter than this are not compared by content at all (a one-line teaser or a
    "réservé aux abonnés" body is shared by unrelated articles)."""
    min_anchors: int = 3
    """Excerpts with fewer head anchors (about 4 x min_anchors words) skip containment."""


@dataclass
class Doc:
    """What the decision needs to know about an article."""

    id: str
    fetched: str
    """Canonical form of the URL fetched."""
    text: str
    lead: str | None = None
    declared: str | None = None
    """Canonical URL the page declares (rel=canonical / og:url), when plausible."""
    original: str | None = None
    """Canonical URL of the original, for an aggregator copy that links it."""
    excerpt: bool = False
    """An aggregator item or a paywalled teaser: also compared by containment."""
    word_count: int | None = None
    """The record's ``word_count`` (kept in the store as the article's words)."""

    @property
    def url_keys(self) -> list[str]:
        return list(dict.fromkeys(k for k in (self.fetched, self.declared) if k))


@dataclass
class Verdict:
    kind: Kind
    fp: Fingerprint
    reason: str | None = None
    """url | exact | near (duplicates and re-fetches)."""
    duplicate_of: str | None = None
    """The cluster: id of the kept record."""
    similarity: float | None = None
    measure: str | None = None
    """How similarity was measured: url | exact | jaccard | containment."""


@dataclass
class _Pending:
    fp: Fingerprint
    urls: list[str]
    anchors: set[int] = field(default_factory=set)
    bands: set[int] = field(default_factory=set)


class Deduplicator:
    """The dedup decision over a :class:`~newscrawl.dedup.store.Store` (see module docstring)."""

    def __init__(self, store: Store, thresholds: Thresholds | None = None,
                 params: SketchParams = PARAMS, commit_interval: float = 0.0) -> None:
        self.store = store
        self.t = thresholds or Thresholds()
        self.params = params
        self.commit_interval = commit_interval
        """Seconds between commits (0: after every write). Group commits cost a crash at most
        this much re-fetching; a record is still never "seen" before it is written."""
        self.pending: dict[str, _Pending] = {}
        self._pending_urls: dict[str, str] = {}
        self._dirty = False
        self._last_commit = time.monotonic()

    # ------------------------------------------------------------------ decision
    def fingerprint(self, doc: Doc) -> Fingerprint:
        fp = fingerprint(doc.text, doc.lead, min_words=self.t.min_words, params=self.params)
        fp.record_words = doc.word_count
        return fp

    def check(self, doc: Doc, fp: Fingerprint | None = None) -> Verdict:
        fp = fp or self.fingerprint(doc)
        verdict = self._by_url(doc, fp)
        if verdict is not None:
            return verdict
        if fp.words < self.t.min_exact_words:
            return Verdict("new", fp)
        for check in (self._by_exact, self._by_jaccard, self._by_containment):
            verdict = check(doc, fp)
            if verdict is not None:
                return verdict
        return Verdict("new", fp)

    def _url_entries(self, keys: list[str]) -> dict[str, UrlEntry]:
        found = self.store.urls(keys)
        for key in keys:
            if key not in found and key in self._pending_urls:
                cluster = self._pending_urls[key]
                found[key] = UrlEntry(url=key, cluster=cluster, reason="kept", similarity=1.0, seen_at=0.0,
                                      exact=self.pending[cluster].fp.exact)
        return found

    def _by_url(self, doc: Doc, fp: Fingerprint) -> Verdict | None:
        keys = [*doc.url_keys, *([doc.original] if doc.original else [])]
        entries = self._url_entries(keys)
        own = entries.get(doc.fetched)
        if own is not None:  # this very page was collected before (a live page, the re-fetch window)
            if own.reason == "kept" and own.exact is not None and own.exact != fp.exact:
                return Verdict("update", fp, reason="url", duplicate_of=own.cluster, measure="url",
                               similarity=self._similarity_to(own.cluster, fp))
            return Verdict("unchanged", fp, reason="url", duplicate_of=own.cluster, measure="url", similarity=1.0)
        for key in (doc.declared, doc.original):
            entry = entries.get(key) if key else None
            if entry is not None:
                return Verdict("duplicate", fp, reason="url", duplicate_of=entry.cluster, measure="url",
                               similarity=self._similarity_to(entry.cluster, fp))
        return None

    def _similarity_to(self, cluster: str, fp: Fingerprint) -> float | None:
        if fp.signature is None:
            return 1.0 if self._exact_of(cluster) == fp.exact else None
        sig = self._signature_of(cluster)
        return round(estimate_jaccard(fp.signature, sig, self.params), 3) if sig is not None else None

    def _exact_of(self, cluster: str) -> int | None:
        if cluster in self.pending:
            return self.pending[cluster].fp.exact
        art = self.store.article(cluster)
        return art.exact if art else None

    def _signature_of(self, cluster: str) -> npt.NDArray[np.uint32] | None:
        if cluster in self.pending:
            return self.pending[cluster].fp.signature
        art = self.store.article(cluster)
        if art is None or art.signature is None:
            return None
        return load_signature(art.signature, self.params)

    def _by_exact(self, doc: Doc, fp: Fingerprint) -> Verdict | None:
        match = next((pid for pid, p in self.pending.items() if p.fp.exact == fp.exact and pid != doc.id), None)
        match = match or self.store.by_exact(fp.exact)
        if match and match != doc.id:
            return Verdict("duplicate", fp, reason="exact", duplicate_of=match, similarity=1.0, measure="exact")
        return None

    def _by_jaccard(self, doc: Doc, fp: Fingerprint) -> Verdict | None:
        if fp.signature is None:
            return None
        best: tuple[float, str] | None = None
        bands = set(fp.bands)
        for pid, p in self.pending.items():
            if pid != doc.id and p.fp.signature is not None and bands & p.bands:
                sim = estimate_jaccard(fp.signature, p.fp.signature, self.params)
                if best is None or sim > best[0]:
                    best = (sim, pid)
        for cand in self.store.band_candidates(fp.bands):
            if cand.id == doc.id or cand.signature is None:
                continue
            sim = estimate_jaccard(fp.signature, load_signature(cand.signature, self.params), self.params)
            if best is None or sim > best[0]:
                best = (sim, cand.id)
        if best is not None and best[0] >= self.t.near:
            return Verdict("duplicate", fp, reason="near", duplicate_of=best[1], similarity=round(best[0], 3),
                           measure="jaccard")
        return None

    def _by_containment(self, doc: Doc, fp: Fingerprint) -> Verdict | None:
        if not doc.excerpt:
            return None
        mine = excerpt_anchors(doc.text, doc.lead, self.params)
        if len(mine) < self.t.min_anchors:
            return None
        best: tuple[int, str] | None = None
        mine_set = set(mine)
        for pid, p in self.pending.items():
            n = len(mine_set & p.anchors)
            if pid != doc.id and n and (best is None or n > best[0]):
                best = (n, pid)
        for cand_id, n in self.store.anchor_candidates(mine):
            if cand_id != doc.id and (best is None or n > best[0]):
                best = (n, cand_id)
        if best is not None:
            containment = best[0] / len(mine)
            if containment >= self.t.containment:
                return Verdict("duplicate", fp, reason="near", duplicate_of=best[1],
                               similarity=round(containment, 3), measure="containment")
        return None

    # ------------------------------------------------------------------ state changes
    def hold(self, doc: Doc, fp: Fingerprint) -> None:
        """Accepted, not yet written: visible to the checks of later articles of this run."""
        self.pending[doc.id] = _Pending(fp=fp, urls=doc.url_keys, anchors=set(fp.anchors), bands=set(fp.bands))
        for url in doc.url_keys:
            self._pending_urls[url] = doc.id

    def forget(self, article_id: str) -> None:
        """A pending article that will not be written (dropped further down)."""
        pending = self.pending.pop(article_id, None)
        if pending is not None:
            for url in pending.urls:
                if self._pending_urls.get(url) == article_id:
                    del self._pending_urls[url]

    def commit_kept(self, article_id: str, fp: Fingerprint, urls: list[str], at: float,
                    cluster: str | None = None) -> None:
        """The record is written: the article is seen from now on (also by later runs)."""
        self.store.add_article(cluster or article_id, fp, urls, at)
        self._written()
        self.forget(article_id)

    def record_duplicate(self, doc: Doc, verdict: Verdict, at: float) -> None:
        """A copy's URLs join the cluster (so later runs do not even fetch them)."""
        assert verdict.duplicate_of is not None
        self.store.add_urls(doc.url_keys, verdict.duplicate_of, verdict.reason or "near", verdict.similarity,
                            verdict.fp.exact, at)
        self._written()

    def touch(self, url: str, cluster: str, exact: int, at: float) -> None:
        """A page fetched again and unchanged: refresh its fetch time (the re-fetch window)."""
        self.store.add_urls([url], cluster, "url", 1.0, exact, at)
        self._written()

    def _written(self) -> None:
        self._dirty = True
        if self.commit_interval <= 0 or time.monotonic() - self._last_commit >= self.commit_interval:
            self.flush()

    def flush(self) -> None:
        """Commit what was recorded (called on a timer and at close when commits are grouped)."""
        if self._dirty:
            self.store.commit()
            self._dirty = False
        self._last_commit = time.monotonic()

    def explain(self, cluster: str) -> list[UrlEntry]:
        """Every URL of a cluster: the kept copy (reason ``kept``) first, then the copies."""
        entries = self.store.cluster(cluster)
        return sorted(entries, key=lambda e: (e.reason != "kept", e.seen_at, e.url))
