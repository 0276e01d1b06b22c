"""The default dedup store: one SQLite file (WAL mode) in NEWSCRAWL_STATE_DIR.

The LSH index lives on disk, as ``WITHOUT ROWID`` tables clustered on the key
(``bands(key, doc)``, ``anchors(key, doc)``): a lookup is one B-tree probe per key and memory
stays flat however many articles the file holds (SQLite's page cache is bounded). ``doc`` is
the article's rowid, which grows with time, so pruning the window is a range condition.

Keys are hashes, so each new row would land on a random page of a large table: once the table
outgrows the page cache, every article would cost ~60 page reads and writes. New articles'
keys therefore go first to a *recent* level, merged into the main tables in key order every
``merge_rows`` keys, each main page then taking many rows at once (a two-level LSM). The
recent level is one ``recent`` row per article (its keys as two JSON arrays: one insert, not
~60), mirrored in memory as ``key -> doc`` dicts, which lookups read beside the main tables.
Other processes sharing the file are followed: when ``PRAGMA data_version`` says another
connection committed, the new ``recent`` rows are loaded (or all of them again after another
process merged or pruned, which bumps ``meta.recent_gen``). Memory is bounded by
``merge_rows`` (about 100 bytes per key; NEWSCRAWL_DEDUP_MERGE_KEYS) and SQLite's page cache
(``cache_mb``; NEWSCRAWL_DEDUP_CACHE_MB).
"""

from __future__ import annotations

import json
import logging
import sqlite3
import time
from collections.abc import Iterable, Sequence
from pathlib import Path

from newscrawl.dedup.fingerprints import Fingerprint
from newscrawl.dedup.store import DEFAULT_CACHE_MB, DEFAULT_MERGE_KEYS, DedupStateError, StoredArticle, UrlEntry

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS articles (
    doc INTEGER PRIMARY KEY,          -- grows with time: band/anchor rows point here
    id TEXT NOT NULL UNIQUE,          -- the record id, also the cluster id
    exact INTEGER NOT NULL,           -- hash of the normalised body, kept forever
    words INTEGER NOT NULL,
    added REAL NOT NULL,
    sig BLOB,                         -- b-bit MinHash; NULL for short bodies and once pruned
    indexed INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX IF NOT EXISTS articles_exact ON articles (exact);
CREATE TABLE IF NOT EXISTS bands (key INTEGER NOT NULL, doc INTEGER NOT NULL,
                                  PRIMARY KEY (key, doc)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS anchors (key INTEGER NOT NULL, doc INTEGER NOT NULL,
                                    PRIMARY KEY (key, doc)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS recent (   -- keys of articles not merged into bands/anchors yet
    seq INTEGER PRIMARY KEY,
    doc INTEGER NOT NULL,
    bands TEXT NOT NULL,              -- JSON arrays of signed 64-bit keys (json_each merges them)
    anchors TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS urls (
    url TEXT PRIMARY KEY,
    cluster TEXT NOT NULL,
    reason TEXT NOT NULL,             -- kept | url | exact | near
    similarity REAL,
    exact INTEGER,
    seen_at REAL NOT NULL
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS urls_cluster ON urls (cluster);
"""

_ARTICLE_COLS = "id, exact, words, added, sig"


def _article(row: tuple[str, int, int, float, bytes | None]) -> StoredArticle:
    return StoredArticle(id=row[0], exact=row[1], words=row[2], added=row[3], signature=row[4])


def _pack(keys: Sequence[int]) -> str:
    return "[" + ",".join(map(str, keys)) + "]"


_unpack = json.loads


class _Level:
    """The recent keys of one table in memory: key -> doc, or a list of docs when several
    recent articles share the key (rare: kept articles seldom share a band)."""

    __slots__ = ("keys", "size")

    def __init__(self) -> None:
        self.keys: dict[int, int | list[int]] = {}
        self.size = 0

    def add(self, keys: Iterable[int], doc: int) -> None:
        table = self.keys
        for key in keys:
            have = table.get(key)
            if have is None:
                table[key] = doc
            elif isinstance(have, list):
                if doc in have:
                    continue
                have.append(doc)
            elif have == doc:
                continue
            else:
                table[key] = [have, doc]
            self.size += 1

    def count(self, keys: Iterable[int], hits: dict[int, int]) -> None:
        table = self.keys
        for key in keys:
            have = table.get(key)
            if have is None:
                continue
            for doc in have if isinstance(have, list) else (have,):
                hits[doc] = hits.get(doc, 0) + 1


def _chunks(values: Sequence[int], size: int = 500) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class SqliteStore:
    """Dedup state in one SQLite file. Not thread-safe (Scrapy runs in one thread); several
    processes may share the file (WAL, busy timeout), each committing its own writes.
    ``merge_rows``: recent keys (bands and anchors) held before a merge into the main tables
    (they cost ~100 bytes each in memory); ``cache_mb``: SQLite's page cache. Both come from
    NEWSCRAWL_DEDUP_MERGE_KEYS and NEWSCRAWL_DEDUP_CACHE_MB (``factory.memory_bounds``)."""

    def __init__(self, path: Path | str, *, cache_mb: int = DEFAULT_CACHE_MB, timeout: float = 30.0,
                 merge_rows: int = DEFAULT_MERGE_KEYS) -> None:
        if int(cache_mb) < 1 or int(merge_rows) < 1:
            raise ValueError(f"cache_mb and merge_rows must be >= 1, got {cache_mb!r} and {merge_rows!r}")
        self.path = Path(path)
        self.cache_mb = int(cache_mb)
        self.merge_rows = int(merge_rows)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise DedupStateError(f"Cannot open the dedup state {self.path}: {exc}") from exc
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")  # WAL: durable against process crashes
            self.db.execute("PRAGMA wal_autocheckpoint=10000")  # pages (40 MB): fewer checkpoints, fewer fsyncs
            self.db.execute(f"PRAGMA cache_size=-{self.cache_mb * 1024}")  # negative: KiB
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise DedupStateError(
                f"The dedup state {self.path} is not a usable SQLite database ({exc}). Move it away "
                f"to start a new state (URLs and hashes already collected would be collected again)."
            ) from exc
        self._in_tx = False
        self._levels = {"bands": _Level(), "anchors": _Level()}
        self._loaded_seq = 0
        self._gen: str | None = None
        self._data_version: int | None = None
        self._sync()

    @property
    def _recent(self) -> int:
        """Keys in the recent level (merged into the main tables past ``merge_rows``)."""
        return self._levels["bands"].size + self._levels["anchors"].size

    # ------------------------------------------------------------------ the recent level
    def _sync(self) -> None:
        """Follow the other connections' commits to the recent level (see the module docstring)."""
        version = self.db.execute("PRAGMA data_version").fetchone()[0]
        if version == self._data_version:
            return
        self._data_version = version
        gen = self.get_meta("recent_gen") or "0"
        if gen != self._gen:  # first load, or another process merged or pruned: reload
            self._gen = gen
            self._levels = {"bands": _Level(), "anchors": _Level()}
            self._loaded_seq = 0
        rows = self.db.execute("SELECT seq, doc, bands, anchors FROM recent WHERE seq > ? ORDER BY seq",
                               (self._loaded_seq,))
        for seq, doc, bands, anchors in rows:
            self._levels["bands"].add(_unpack(bands), doc)
            self._levels["anchors"].add(_unpack(anchors), doc)
            self._loaded_seq = seq

    def _new_gen(self) -> None:
        """The recent table was emptied or cut (merge, prune): other processes must reload."""
        self._gen = repr(time.time_ns())
        self.set_meta("recent_gen", self._gen)

    # ------------------------------------------------------------------ transactions
    def _begin(self) -> None:
        if not self._in_tx:
            self.db.execute("BEGIN IMMEDIATE")
            self._in_tx = True
            self._sync()  # holding the write lock: nobody else commits until we do

    def commit(self) -> None:
        if self._in_tx:
            self.db.execute("COMMIT")
            self._in_tx = False

    def close(self) -> None:
        try:
            self.commit()
        finally:
            self.db.close()

    # ------------------------------------------------------------------ meta
    def get_meta(self, key: str) -> str | None:
        row = self.db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        self._begin()
        self.db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    # ------------------------------------------------------------------ reads
    def urls(self, keys: Sequence[str]) -> dict[str, UrlEntry]:
        keys = list(dict.fromkeys(k for k in keys if k))
        if not keys:
            return {}
        marks = ",".join("?" * len(keys))
        rows = self.db.execute(
            f"SELECT url, cluster, reason, similarity, seen_at, exact FROM urls WHERE url IN ({marks})", keys
        )
        return {r[0]: UrlEntry(url=r[0], cluster=r[1], reason=r[2], similarity=r[3], seen_at=r[4], exact=r[5])
                for r in rows}

    def cluster(self, cluster: str) -> list[UrlEntry]:
        rows = self.db.execute(
            "SELECT url, cluster, reason, similarity, seen_at, exact FROM urls WHERE cluster = ? "
            "ORDER BY seen_at, url", (cluster,)
        )
        return [UrlEntry(url=r[0], cluster=r[1], reason=r[2], similarity=r[3], seen_at=r[4], exact=r[5])
                for r in rows]

    def article(self, article_id: str) -> StoredArticle | None:
        row = self.db.execute(f"SELECT {_ARTICLE_COLS} FROM articles WHERE id = ?", (article_id,)).fetchone()
        return _article(row) if row else None

    def by_exact(self, exact: int) -> str | None:
        row = self.db.execute("SELECT id FROM articles WHERE exact = ? ORDER BY doc LIMIT 1", (exact,)).fetchone()
        return row[0] if row else None

    def band_candidates(self, keys: Sequence[int], limit: int = 50) -> list[StoredArticle]:
        if not keys:
            return []
        rows = self._ranked("bands", list(keys), f"a.{_ARTICLE_COLS.replace(', ', ', a.')}", limit)
        return [_article(r[:5]) for r in rows]

    def anchor_candidates(self, anchors: Sequence[int], limit: int = 20) -> list[tuple[str, int]]:
        if not anchors:
            return []
        return [(r[0], r[1]) for r in self._ranked("anchors", list(dict.fromkeys(anchors)), "a.id", limit)]

    def _ranked(self, table: str, keys: list[int], cols: str, limit: int) -> list[tuple]:  # type: ignore[type-arg]
        """``cols`` of the (at most ``limit``) articles sharing most ``keys`` in ``table`` (both
        levels), then that count, most shared first."""
        hits = self._hits(table, keys)
        docs = sorted(hits, key=lambda d: (-hits[d], d))[:limit]
        if not docs:
            return []
        marks = ",".join("?" * len(docs))
        found = {r[0]: r[1:] for r in self.db.execute(
            f"SELECT a.doc, {cols} FROM articles a WHERE a.doc IN ({marks})", docs)}
        return [(*found[d], hits[d]) for d in docs if d in found]

    def _hits(self, table: str, keys: list[int]) -> dict[int, int]:
        """doc -> number of ``keys`` it has in ``table`` (both levels)."""
        if not self._in_tx:
            self._sync()
        hits: dict[int, int] = {}
        for chunk in _chunks(keys):
            marks = ",".join("?" * len(chunk))
            for (doc,) in self.db.execute(f"SELECT doc FROM {table} WHERE key IN ({marks})", chunk):
                hits[doc] = hits.get(doc, 0) + 1
        self._levels[table].count(keys, hits)
        return hits

    def counts(self) -> dict[str, int]:
        one = self.db.execute
        return {
            "articles": one("SELECT COUNT(*) FROM articles").fetchone()[0],
            "indexed": one("SELECT COUNT(*) FROM articles WHERE indexed = 1").fetchone()[0],
            "urls": one("SELECT COUNT(*) FROM urls").fetchone()[0],
            "band_rows": one("SELECT COUNT(*) FROM bands").fetchone()[0]
            + one("SELECT COALESCE(SUM(json_array_length(bands)), 0) FROM recent").fetchone()[0],
            "anchor_rows": one("SELECT COUNT(*) FROM anchors").fetchone()[0]
            + one("SELECT COALESCE(SUM(json_array_length(anchors)), 0) FROM recent").fetchone()[0],
        }

    # ------------------------------------------------------------------ writes
    def add_article(self, article_id: str, fp: Fingerprint, urls: Iterable[str], at: float) -> None:
        self._begin()
        # One statement: a new article gets the next doc; an update (the page changed) gets new
        # fingerprints under its doc. The old band/anchor rows of an update stay (the tables are
        # keyed by key, finding them would be a scan): they only point at the same article, whose
        # candidates are verified against its new signature anyway.
        doc = self.db.execute(
            "INSERT INTO articles (id, exact, words, added, sig) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT (id) DO UPDATE SET exact = excluded.exact, words = excluded.words, "
            "sig = excluded.sig, indexed = 1 RETURNING doc",
            (article_id, fp.exact, fp.stored_words, at, fp.stored_signature),
        ).fetchall()[0][0]  # fetchall: the statement runs to its end
        if fp.bands or fp.anchors:
            self._loaded_seq = self.db.execute(
                "INSERT INTO recent (doc, bands, anchors) VALUES (?, ?, ?)",
                (doc, _pack(fp.bands), _pack(fp.anchors)),
            ).lastrowid or self._loaded_seq
            self._levels["bands"].add(fp.bands, doc)
            self._levels["anchors"].add(fp.anchors, doc)
        self._put_urls(urls, article_id, "kept", 1.0, fp.exact, at)
        if self._recent >= self.merge_rows:
            self.merge()

    def merge(self) -> None:
        """Move the recent level into the main tables, in key order (see the module docstring)."""
        self._begin()
        for table in ("bands", "anchors"):  # in SQLite's C: unpack, sort, insert
            self.db.execute(f"INSERT OR IGNORE INTO {table} (key, doc) SELECT j.value, r.doc "
                            f"FROM recent r, json_each(r.{table}) j ORDER BY j.value, r.doc")
        self.db.execute("DELETE FROM recent")
        self._new_gen()
        self.commit()
        self._levels = {"bands": _Level(), "anchors": _Level()}
        self._loaded_seq = 0

    def add_urls(self, urls: Iterable[str], cluster: str, reason: str, similarity: float | None,
                 exact: int | None, at: float) -> None:
        self._begin()
        self._put_urls(urls, cluster, reason, similarity, exact, at)

    def _put_urls(self, urls: Iterable[str], cluster: str, reason: str, similarity: float | None,
                  exact: int | None, at: float) -> None:
        self.db.executemany(
            "INSERT INTO urls (url, cluster, reason, similarity, exact, seen_at) VALUES (?, ?, ?, ?, ?, ?) "
            "ON CONFLICT (url) DO UPDATE SET seen_at = excluded.seen_at, exact = excluded.exact",
            [(u, cluster, reason, similarity, exact, at) for u in dict.fromkeys(urls) if u],
        )

    def prune(self, before: float) -> int:
        row = self.db.execute(
            "SELECT MAX(doc), COUNT(*) FROM articles WHERE indexed = 1 AND added < ?", (before,)
        ).fetchone()
        last, count = row[0], row[1]
        if not last:
            return 0
        self._begin()
        for table in ("bands", "anchors", "recent"):
            self.db.execute(f"DELETE FROM {table} WHERE doc <= ?", (last,))
        self._new_gen()
        self.db.execute("UPDATE articles SET sig = NULL, indexed = 0 WHERE doc <= ? AND indexed = 1", (last,))
        self.commit()
        self._levels = {"bands": _Level(), "anchors": _Level()}  # reload what is left
        self._loaded_seq = 0
        self._data_version = None
        self._sync()
        return int(count)

    def checkpoint(self) -> None:
        """Fold the WAL into the main file (sizes are then measurable on the file alone)."""
        self.commit()
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in (self.path, self.path.with_name(self.path.name + "-wal"))
                   if p.exists())
