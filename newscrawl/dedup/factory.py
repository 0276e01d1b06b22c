"""The dedup store's factory: :func:`open_store` picks the backend the settings select
(SQLite or Redis) and checks its sketch parameters. Apart from :mod:`newscrawl.dedup.store`
(the interface), so that the backends, which import the interface, are not imported by it."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any

from newscrawl.dedup.fingerprints import PARAMS, SketchParams
from newscrawl.dedup.store import (
    DEFAULT_CACHE_MB,
    DEFAULT_MERGE_KEYS,
    DEFAULT_REDIS_PREFIX,
    SQLITE_FILE,
    Store,
    check_params,
)
from newscrawl.defaults import state_folder

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings

MEMORY_BOUNDS = {"NEWSCRAWL_DEDUP_CACHE_MB": DEFAULT_CACHE_MB, "NEWSCRAWL_DEDUP_MERGE_KEYS": DEFAULT_MERGE_KEYS}


def memory_bounds(settings: BaseSettings | dict[str, Any]) -> tuple[int, int]:
    """(SQLite page cache in MB, recent LSH keys held before a merge) from
    NEWSCRAWL_DEDUP_CACHE_MB and NEWSCRAWL_DEDUP_MERGE_KEYS: whole numbers >= 1, else ValueError
    (at start: a bad value would otherwise make SQLite's cache default or merge at every article)."""
    values = []
    for name, default in MEMORY_BOUNDS.items():
        raw = settings.get(name)
        value: int | None = None
        if raw is None or raw == "":
            value = default
        elif isinstance(raw, int) and not isinstance(raw, bool):
            value = raw
        elif isinstance(raw, float) and raw.is_integer():
            value = int(raw)
        elif isinstance(raw, str):
            with contextlib.suppress(ValueError):
                value = int(raw.strip())
        if value is None or value < 1:
            raise ValueError(f"{name} must be a whole number >= 1, got {raw!r}")
        values.append(value)
    return values[0], values[1]


def open_store(settings: BaseSettings | dict[str, Any], params: SketchParams = PARAMS) -> Store:
    """The store the settings select: Redis when NEWSCRAWL_REDIS_URL is set (shared state for
    distributed workers), else the SQLite file ``<NEWSCRAWL_STATE_DIR>/dedup.sqlite``. The
    parameters are checked (:class:`ParamsMismatch` when they differ)."""
    get = settings.get
    cache_mb, merge_keys = memory_bounds(settings)  # checked whatever the backend: a typo fails at start
    redis_url = str(get("NEWSCRAWL_REDIS_URL") or "")
    store: Store
    if redis_url:
        from newscrawl.dedup.redis_store import RedisStore

        prefix = str(get("NEWSCRAWL_DEDUP_REDIS_PREFIX") or DEFAULT_REDIS_PREFIX)
        store = RedisStore.from_url(redis_url, prefix=prefix)
        where = f"at {redis_url} ({prefix}:*)"
    else:
        from newscrawl.dedup.sqlite_store import SqliteStore

        path = state_folder(settings) / SQLITE_FILE
        store = SqliteStore(path, cache_mb=cache_mb, merge_rows=merge_keys)
        where = f"in {path}"
    try:
        check_params(store, params, where=where)
    except BaseException:
        store.close()
        raise
    return store
