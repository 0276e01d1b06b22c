"""The dedup store interface and its records (the factory, :func:`open_store`, is in
:mod:`newscrawl.dedup.factory`: the backends import this module, not the other way round).

A store keeps, across runs and without any article text:

- ``urls``: every URL ever collected or found to be a copy, with its cluster (the id of the
  record that stands for the article), the reason it joined (kept | url | exact | near), the
  similarity to the kept copy, and when it was seen: the URL-level dedup before download, and
  the explanation of each cluster;
- ``articles``: per kept record, the exact hash (kept forever), the MinHash signature, and the
  LSH band and head-anchor keys that index it (pruned after the window);
- ``meta``: the sketch parameters version and canary digest, checked at every open.

Two implementations share this interface: :class:`~newscrawl.dedup.sqlite_store.SqliteStore`
(one file in NEWSCRAWL_STATE_DIR, the default) and
:class:`~newscrawl.dedup.redis_store.RedisStore` (shared by distributed workers, selected by
NEWSCRAWL_REDIS_URL). :func:`newscrawl.dedup.factory.open_store` picks one from the settings.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from newscrawl.dedup.fingerprints import PARAMS, Fingerprint, SketchParams, canary_digest
from newscrawl.defaults import setting_default

SQLITE_FILE = "dedup.sqlite"
DEFAULT_REDIS_PREFIX: str = setting_default("NEWSCRAWL_DEDUP_REDIS_PREFIX")


class DedupStateError(RuntimeError):
    """The dedup state cannot be used (unreadable, corrupt, unreachable)."""


class ParamsMismatch(DedupStateError):
    """The state was built with other sketch parameters or another hashing: comparing new
    signatures with stored ones would silently miss every copy, so we refuse to start."""


@dataclass(frozen=True)
class UrlEntry:
    url: str
    cluster: str
    """Id of the record that stands for the article (the first copy collected)."""
    reason: str
    """``kept`` for the record's own URLs, else why it joined: url | exact | near."""
    similarity: float | None
    seen_at: float
    """Unix time the URL was last collected or logged."""
    exact: int | None = None
    """Exact hash of the body fetched at that URL (to tell an unchanged re-fetch)."""


@dataclass(frozen=True)
class StoredArticle:
    id: str
    exact: int
    words: int
    added: float
    signature: bytes | None
    """Stored (b-bit) MinHash; None for short bodies and once pruned."""


@runtime_checkable
class Store(Protocol):
    """What the dedup middleware and pipelines need from a state backend."""

    def urls(self, keys: Sequence[str]) -> dict[str, UrlEntry]:
        """The entries known among ``keys``."""
        ...

    def cluster(self, cluster: str) -> list[UrlEntry]:
        """Every URL of a cluster (the kept copy and its duplicates)."""
        ...

    def article(self, article_id: str) -> StoredArticle | None: ...

    def by_exact(self, exact: int) -> str | None:
        """Id of a kept article with this exact body hash."""
        ...

    def band_candidates(self, keys: Sequence[int], limit: int = 50) -> list[StoredArticle]:
        """Articles sharing at least one LSH band key, most shared first."""
        ...

    def anchor_candidates(self, anchors: Sequence[int], limit: int = 20) -> list[tuple[str, int]]:
        """(article id, number of ``anchors`` found in its head), most found first."""
        ...

    def add_article(self, article_id: str, fp: Fingerprint, urls: Iterable[str], at: float) -> None:
        """Record a kept article (or replace its fingerprints: an update) and its URLs."""
        ...

    def add_urls(self, urls: Iterable[str], cluster: str, reason: str, similarity: float | None,
                 exact: int | None, at: float) -> None:
        """Record copies' URLs in a cluster (duplicates)."""
        ...

    def prune(self, before: float) -> int:
        """Drop band and anchor keys (and signatures) of articles added before ``before``;
        exact hashes and URLs stay. Returns the number of articles pruned."""
        ...

    def counts(self) -> dict[str, int]:
        """Sizes, for stats and benchmarks (articles, urls, indexed)."""
        ...

    def get_meta(self, key: str) -> str | None: ...

    def set_meta(self, key: str, value: str) -> None: ...

    def commit(self) -> None:
        """Make everything recorded so far durable."""
        ...

    def close(self) -> None: ...


def check_params(store: Store, params: SketchParams = PARAMS, *, where: str = "") -> None:
    """Write the parameters into a new state, or refuse a state built with others."""
    version, canary = params.version, canary_digest(params)
    stored_version, stored_canary = store.get_meta("params_version"), store.get_meta("params_canary")
    for _ in range(50):  # half written: another worker is initialising a shared (Redis) state right now
        if (stored_version is None) == (stored_canary is None):
            break
        time.sleep(0.05)
        stored_version, stored_canary = store.get_meta("params_version"), store.get_meta("params_canary")
    if stored_version is None and stored_canary is None:
        store.set_meta("params_version", version)
        store.set_meta("params_canary", canary)
        store.commit()
        return
    if stored_version != version:
        raise ParamsMismatch(
            f"The dedup state {where} was built with sketch parameters {stored_version!r}; this code "
            f"uses {version!r}. Its signatures cannot be compared: keep the old code, or move the "
            f"state away to start a new one (URLs and hashes already collected would be collected again)."
        )
    if stored_canary != canary:
        raise ParamsMismatch(
            f"The dedup state {where} has the same sketch parameters but another canary digest "
            f"({stored_canary} != {canary}): the hashing changed (numpy, Unicode database or code "
            f"change), so stored signatures no longer match new ones. Pin the old versions, or move "
            f"the state away to start a new one."
        )


DEFAULT_CACHE_MB: int = setting_default("NEWSCRAWL_DEDUP_CACHE_MB")
DEFAULT_MERGE_KEYS: int = setting_default("NEWSCRAWL_DEDUP_MERGE_KEYS")
