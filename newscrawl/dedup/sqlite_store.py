"""The default dedup store: one SQLite file (WAL mode) in NEWSCRAWL_STATE_DIR.

The LSH index lives on disk, as ``WITHOUT ROWID`` tables clustered on the key
(``bands(key, doc)``, ``anchors(key, doc)``): a lookup is one B-tree probe per key and memory
stays flat however many articles the file holds (SQLite's page cache is bounded). ``doc`` is
the article's rowid, which grows with time, so pruning the window is a range condition.

Keys are hashes, so each new row lands on a random page of a large table: once the table
outgrows the page cache, every article would cost ~60 page reads and writes. New rows therefore
go to small ``*_recent`` tables (they stay in the cache), merged into the main tables in key
order every ``merge_rows`` rows, each main page then taking many rows at once (a two-level
LSM). Lookups read both levels.
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

from newscrawl.dedup.fingerprints import Fingerprint
from newscrawl.dedup.store import DedupStateError, StoredArticle, UrlEntry

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
CREATE TABLE IF NOT EXISTS bands_recent (key INTEGER NOT NULL, doc INTEGER NOT NULL,
                                         PRIMARY KEY (key, doc)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS anchors_recent (key INTEGER NOT NULL, doc INTEGER NOT NULL,
                                           PRIMARY KEY (key, doc)) WITHOUT ROWID;
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


def _chunks(values: Sequence[int], size: int = 500) -> Iterable[Sequence[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class SqliteStore:
    """Dedup state in one SQLite file. Not thread-safe (Scrapy runs in one thread); several
    processes may share the file (WAL, busy timeout), each committing its own writes."""

    def __init__(self, path: Path | str, *, cache_mb: int = 32, timeout: float = 30.0,
                 merge_rows: int = 400_000) -> None:
        self.path = Path(path)
        self.merge_rows = merge_rows
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(self.path, timeout=timeout, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise DedupStateError(f"Cannot open the dedup state {self.path}: {exc}") from exc
        try:
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=NORMAL")  # WAL: durable against process crashes
            self.db.execute("PRAGMA wal_autocheckpoint=10000")  # pages (40 MB): fewer checkpoints, fewer fsyncs
            self.db.execute(f"PRAGMA cache_size=-{int(cache_mb) * 1024}")
            self.db.executescript(SCHEMA)
        except sqlite3.DatabaseError as exc:
            self.db.close()
            raise DedupStateError(
                f"The dedup state {self.path} is not a usable SQLite database ({exc}). Move it away "
                f"to start a new state (URLs and hashes already collected would be collected again)."
            ) from exc
        self._in_tx = False
        self._recent = sum(self.db.execute(f"SELECT COUNT(*) FROM {t}_recent").fetchone()[0]
                           for t in ("bands", "anchors"))

    # ------------------------------------------------------------------ transactions
    def _begin(self) -> None:
        if not self._in_tx:
            self.db.execute("BEGIN IMMEDIATE")
            self._in_tx = True

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
        hits = self._hits("bands", list(keys))
        if not hits:
            return []
        docs = sorted(hits, key=lambda d: (-hits[d], d))[:limit]
        marks = ",".join("?" * len(docs))
        rows = self.db.execute(f"SELECT doc, {_ARTICLE_COLS} FROM articles WHERE doc IN ({marks})", docs)
        by_doc = {r[0]: _article(r[1:]) for r in rows}
        return [by_doc[d] for d in docs if d in by_doc]

    def anchor_candidates(self, anchors: Sequence[int], limit: int = 20) -> list[tuple[str, int]]:
        if not anchors:
            return []
        hits = self._hits("anchors", list(dict.fromkeys(anchors)))
        if not hits:
            return []
        docs = sorted(hits, key=lambda d: (-hits[d], d))[:limit]
        marks = ",".join("?" * len(docs))
        ids = dict(self.db.execute(f"SELECT doc, id FROM articles WHERE doc IN ({marks})", docs).fetchall())
        return [(ids[d], hits[d]) for d in docs if d in ids]

    def _hits(self, table: str, keys: list[int]) -> dict[int, int]:
        """doc -> number of ``keys`` it has in ``table`` (both levels)."""
        hits: dict[int, int] = {}
        for chunk in _chunks(keys):
            marks = ",".join("?" * len(chunk))
            for level in (table, f"{table}_recent"):
                for (doc,) in self.db.execute(f"SELECT doc FROM {level} WHERE key IN ({marks})", chunk):
                    hits[doc] = hits.get(doc, 0) + 1
        return hits

    def counts(self) -> dict[str, int]:
        one = self.db.execute
        return {
            "articles": one("SELECT COUNT(*) FROM articles").fetchone()[0],
            "indexed": one("SELECT COUNT(*) FROM articles WHERE indexed = 1").fetchone()[0],
            "urls": one("SELECT COUNT(*) FROM urls").fetchone()[0],
            "band_rows": sum(one(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("bands", "bands_recent")),
            "anchor_rows": sum(one(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("anchors", "anchors_recent")),
        }

    # ------------------------------------------------------------------ writes
    def add_article(self, article_id: str, fp: Fingerprint, urls: Iterable[str], at: float) -> None:
        self._begin()
        row = self.db.execute("SELECT doc FROM articles WHERE id = ?", (article_id,)).fetchone()
        if row is not None:
            # An update (the page changed): new fingerprints. The old band/anchor rows stay (the
            # tables are keyed by key, finding them would be a scan): they only point at the same
            # article, whose candidates are verified against its new signature anyway.
            doc = row[0]
            self.db.execute("UPDATE articles SET exact = ?, words = ?, sig = ?, indexed = 1 WHERE doc = ?",
                            (fp.exact, fp.words, fp.stored_signature, doc))
        else:
            cur = self.db.execute(
                "INSERT INTO articles (id, exact, words, added, sig) VALUES (?, ?, ?, ?, ?)",
                (article_id, fp.exact, fp.words, at, fp.stored_signature),
            )
            doc = cur.lastrowid
        self.db.executemany("INSERT OR IGNORE INTO bands_recent (key, doc) VALUES (?, ?)",
                            [(k, doc) for k in fp.bands])
        self.db.executemany("INSERT OR IGNORE INTO anchors_recent (key, doc) VALUES (?, ?)",
                            [(k, doc) for k in fp.anchors])
        self._put_urls(urls, article_id, "kept", 1.0, fp.exact, at)
        self._recent += len(fp.bands) + len(fp.anchors)
        if self._recent >= self.merge_rows:
            self.merge()

    def merge(self) -> None:
        """Move the recent rows into the main tables, in key order (see the module docstring)."""
        self._begin()
        for table in ("bands", "anchors"):
            self.db.execute(f"INSERT OR IGNORE INTO {table} (key, doc) SELECT key, doc FROM {table}_recent")
            self.db.execute(f"DELETE FROM {table}_recent")
        self.commit()
        self._recent = 0

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
        for table in ("bands", "anchors", "bands_recent", "anchors_recent"):
            self.db.execute(f"DELETE FROM {table} WHERE doc <= ?", (last,))
        self.db.execute("UPDATE articles SET sig = NULL, indexed = 0 WHERE doc <= ? AND indexed = 1", (last,))
        self.commit()
        return int(count)

    def checkpoint(self) -> None:
        """Fold the WAL into the main file (sizes are then measurable on the file alone)."""
        self.commit()
        self.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def size_bytes(self) -> int:
        return sum(p.stat().st_size for p in (self.path, self.path.with_name(self.path.name + "-wal"))
                   if p.exists())
