"""Deduplication that holds across runs: canonical URLs, exact copies, near-duplicates.

- :mod:`~newscrawl.dedup.fingerprints`: exact hash, MinHash/LSH bands, head anchors (pure);
- :mod:`~newscrawl.dedup.store`: the store interface, parameter checks;
- :mod:`~newscrawl.dedup.factory`: :func:`open_store`, the backend the settings select;
- :mod:`~newscrawl.dedup.sqlite_store` / :mod:`~newscrawl.dedup.redis_store`: the backends;
- :mod:`~newscrawl.dedup.cluster`: the decision (:class:`Deduplicator`) and the clusters;
- :mod:`~newscrawl.dedup.state`: one crawl's shared state (store, pending items, duplicates log);
- :mod:`~newscrawl.dedup.middleware`: skip article requests already collected.

The pipelines are in ``pipelines/dedup.py``; the choices and figures in ``docs/dedup.md``.
"""

from __future__ import annotations

from newscrawl.dedup.cluster import Deduplicator, Doc, Thresholds, Verdict
from newscrawl.dedup.factory import open_store
from newscrawl.dedup.fingerprints import PARAMS, Fingerprint, SketchParams, fingerprint
from newscrawl.dedup.store import DedupStateError, ParamsMismatch, Store, UrlEntry

__all__ = [
    "PARAMS",
    "DedupStateError",
    "Deduplicator",
    "Doc",
    "Fingerprint",
    "ParamsMismatch",
    "SketchParams",
    "Store",
    "Thresholds",
    "UrlEntry",
    "Verdict",
    "fingerprint",
    "open_store",
]
