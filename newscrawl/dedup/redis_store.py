"""The dedup store on Redis: the same interface as the SQLite store, shared by distributed
workers (NEWSCRAWL_REDIS_URL). Keys, under a prefix (NEWSCRAWL_DEDUP_REDIS_PREFIX):

- ``<p>:meta`` (hash): sketch parameters version and canary;
- ``<p>:urls`` (hash): URL -> JSON ``[cluster, reason, similarity, exact, seen_at]``;
- ``<p>:cluster:<id>`` (set): the URLs of a cluster;
- ``<p>:exact`` (hash): exact hash -> id of the first article kept with it;
- ``<p>:art:<id>`` (hash): ``exact``, ``words``, ``added``, ``sig``, and ``keys`` (the packed
  band and anchor keys, so pruning can remove them);
- ``<p>:band:<key>`` / ``<p>:anc:<key>`` (sets): article ids per LSH band / head anchor;
- ``<p>:added`` (sorted set): indexed article ids by time added (the pruning window).

Every write is sent at once (Redis has no transaction to commit): ``commit`` is a no-op.

Nothing read is trusted (anyone who reaches the Redis can write it): a URL entry, an article, an
id or a packed key list of the wrong type or out of range is skipped, never a crash; each is
counted (``bad``, and the stat ``newscrawl/dedup/redis_bad/<what>`` once the state has a crawler's
stats) and logged (the first of each kind at WARNING, then at DEBUG).
"""

from __future__ import annotations

import json
import logging
import math
import re
import struct
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from newscrawl.dedup.fingerprints import PARAMS, Fingerprint
from newscrawl.dedup.store import DEFAULT_REDIS_PREFIX, DedupStateError, StoredArticle, UrlEntry

logger = logging.getLogger(__name__)

REASONS = frozenset({"kept", "url", "exact", "near"})
_ID = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
_INT64 = (-(2**63), 2**63 - 1)
SIGNATURE_BYTES = PARAMS.num_perm * PARAMS.sig_bits // 8


class BadValue(ValueError):
    """A value read from Redis that is not what this store writes."""


def _int(raw: Any, lo: int = _INT64[0], hi: int = _INT64[1]) -> int:
    if isinstance(raw, bytes):
        raw = raw.decode("ascii", "replace")
    if isinstance(raw, bool):
        raise BadValue(f"{raw!r} is not a whole number")
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, str):
        try:
            raw = int(raw.strip())
        except ValueError:
            raise BadValue(f"{raw[:40]!r} is not a whole number") from None
    if not isinstance(raw, int) or not lo <= raw <= hi:
        raise BadValue(f"{str(raw)[:40]!r} is not a whole number in range")
    return raw


def _float(raw: Any) -> float:
    if isinstance(raw, bytes):
        raw = raw.decode("ascii", "replace")
    if isinstance(raw, bool):
        raise BadValue(f"{raw!r} is not a number")
    try:
        value = float(raw)
    except (TypeError, ValueError):
        raise BadValue(f"{str(raw)[:40]!r} is not a number") from None
    if not math.isfinite(value) or value < 0:
        raise BadValue(f"{value!r} is not a finite number >= 0")
    return value


def _id(raw: Any) -> str:
    value = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    if not isinstance(value, str) or not _ID.match(value):
        raise BadValue(f"{str(value)[:80]!r} is not an article id")
    return value


def url_entry(url: str, raw: bytes | str) -> UrlEntry:
    """A ``<p>:urls`` value, checked: JSON ``[cluster, reason, similarity, exact, seen_at]``."""
    try:
        data = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        raise BadValue("not JSON") from None
    if not isinstance(data, list) or len(data) != 5:
        raise BadValue("not a list of 5 values")
    cluster, reason, similarity, exact, seen_at = data
    if reason not in REASONS:
        raise BadValue(f"reason {str(reason)[:40]!r} is not one of {sorted(REASONS)}")
    if similarity is not None:
        similarity = _float(similarity)
        if similarity > 1.0:
            raise BadValue(f"similarity {similarity} is above 1")
    return UrlEntry(url=url, cluster=_id(cluster), reason=reason, similarity=similarity,
                    seen_at=_float(seen_at), exact=None if exact is None else _int(exact))


def _s(value: bytes | str | None) -> str | None:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def _pack(keys: Sequence[int]) -> bytes:
    return struct.pack(f"<{len(keys)}q", *keys)


def _unpack(blob: bytes | None) -> list[int]:
    if not blob:
        return []
    return list(struct.unpack(f"<{len(blob) // 8}q", blob))


class RedisStore:
    """Dedup state in Redis (see the module docstring for the keys)."""

    def __init__(self, client: Any, prefix: str = DEFAULT_REDIS_PREFIX) -> None:
        self.r = client
        self.p = prefix.rstrip(":")
        self.bad: Counter[str] = Counter()
        """Values read and skipped, by kind (url, article, id, keys, key_type)."""
        self.stats: Any = None
        """A crawler's stats collector (set by the dedup state): newscrawl/dedup/redis_bad/<kind>."""

    def _bad(self, kind: str, where: str, exc: Exception) -> None:
        self.bad[kind] += 1
        if self.stats is not None:
            self.stats.inc_value(f"newscrawl/dedup/redis_bad/{kind}")
        level = logging.WARNING if self.bad[kind] == 1 else logging.DEBUG
        logger.log(level, "Dedup state on Redis: skipped a bad %(kind)s at %(where)s (%(exc)s)",
                   {"kind": kind, "where": where[:300], "exc": exc})

    @classmethod
    def from_url(cls, url: str, prefix: str = DEFAULT_REDIS_PREFIX) -> RedisStore:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10)
        try:
            client.ping()
        except redis.RedisError as exc:
            raise DedupStateError(f"Cannot reach the dedup state at {url}: {exc}") from exc
        return cls(client, prefix)

    def k(self, *parts: object) -> str:
        return ":".join((self.p, *(str(p) for p in parts)))

    # ------------------------------------------------------------------ meta / lifecycle
    def get_meta(self, key: str) -> str | None:
        return _s(self.r.hget(self.k("meta"), key))

    def set_meta(self, key: str, value: str) -> None:
        self.r.hset(self.k("meta"), key, value)

    def commit(self) -> None:
        return None

    def close(self) -> None:
        self.r.close()

    # ------------------------------------------------------------------ reads
    def _entry(self, url: str, raw: bytes) -> UrlEntry | None:
        try:
            return url_entry(url, raw)
        except BadValue as exc:
            self._bad("url", f"{self.k('urls')} {url}", exc)
            return None

    def urls(self, keys: Sequence[str]) -> dict[str, UrlEntry]:
        keys = list(dict.fromkeys(k for k in keys if k))
        if not keys:
            return {}
        values = self._read(lambda: self.r.hmget(self.k("urls"), keys), self.k("urls"), [None] * len(keys))
        found = {}
        for url, raw in zip(keys, values, strict=True):
            entry = self._entry(url, raw) if raw is not None else None
            if entry is not None:
                found[url] = entry
        return found

    def _read(self, call: Any, where: str, default: Any) -> Any:
        """``call()``, or ``default`` when the key holds another Redis type (WRONGTYPE)."""
        import redis

        try:
            return call()
        except redis.ResponseError as exc:
            if "WRONGTYPE" not in str(exc):
                raise
            self._bad("key_type", where, exc)
            return default

    def _rows(self, pipe: Any, where: str) -> list[Any]:
        """A pipeline's results, a key of the wrong Redis type giving None."""
        rows = []
        for row in pipe.execute(raise_on_error=False):
            if isinstance(row, Exception):
                self._bad("key_type", where, row)
                row = None
            rows.append(row)
        return rows

    def _ids(self, raw_ids: Iterable[Any], where: str) -> list[str]:
        ids = []
        for raw in raw_ids:
            try:
                ids.append(_id(raw))
            except BadValue as exc:
                self._bad("id", where, exc)
        return ids

    def cluster(self, cluster: str) -> list[UrlEntry]:
        key = self.k("cluster", cluster)
        members = sorted(_s(m) or "" for m in self._read(lambda: self.r.smembers(key), key, set()))
        found = self.urls(members)
        return sorted(found.values(), key=lambda e: (e.seen_at, e.url))

    def _articles(self, ids: Sequence[str]) -> list[StoredArticle]:
        pipe = self.r.pipeline(transaction=False)
        for article_id in ids:
            pipe.hmget(self.k("art", article_id), ["exact", "words", "added", "sig"])
        out = []
        for article_id, row in zip(ids, self._rows(pipe, self.k("art", "*")), strict=True):
            exact, words, added, sig = row or (None, None, None, None)
            if exact is None:
                continue
            try:
                if sig and len(sig) != SIGNATURE_BYTES:
                    raise BadValue(f"signature of {len(sig)} bytes, not {SIGNATURE_BYTES}")
                out.append(StoredArticle(id=article_id, exact=_int(exact), words=_int(words, 0, 10**9),
                                         added=_float(added), signature=sig or None))
            except BadValue as exc:
                self._bad("article", self.k("art", article_id), exc)
        return out

    def article(self, article_id: str) -> StoredArticle | None:
        found = self._articles([article_id])
        return found[0] if found else None

    def by_exact(self, exact: int) -> str | None:
        raw = self._read(lambda: self.r.hget(self.k("exact"), str(exact)), self.k("exact"), None)
        if raw is None:
            return None
        found = self._ids([raw], f"{self.k('exact')} {exact}")
        return found[0] if found else None

    def _count_members(self, kind: str, keys: Sequence[int]) -> Counter[str]:
        pipe = self.r.pipeline(transaction=False)
        for key in keys:
            pipe.smembers(self.k(kind, key))
        hits: Counter[str] = Counter()
        for key, members in zip(keys, self._rows(pipe, self.k(kind, "*")), strict=True):
            hits.update(self._ids(members or (), self.k(kind, key)))
        return hits

    def band_candidates(self, keys: Sequence[int], limit: int = 50) -> list[StoredArticle]:
        if not keys:
            return []
        hits = self._count_members("band", keys)
        ids = sorted(hits, key=lambda i: (-hits[i], i))[:limit]
        return self._articles(ids)

    def anchor_candidates(self, anchors: Sequence[int], limit: int = 20) -> list[tuple[str, int]]:
        if not anchors:
            return []
        hits = self._count_members("anc", list(dict.fromkeys(anchors)))
        return sorted(hits.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]

    def counts(self) -> dict[str, int]:
        arts = 0
        for _ in self.r.scan_iter(match=self.k("art", "*"), count=1000):
            arts += 1
        return {"articles": arts, "indexed": int(self.r.zcard(self.k("added"))),
                "urls": int(self.r.hlen(self.k("urls")))}

    # ------------------------------------------------------------------ writes
    def add_article(self, article_id: str, fp: Fingerprint, urls: Iterable[str], at: float) -> None:
        art = self.k("art", article_id)
        added = at
        old_added = self.r.hget(art, "added")
        if old_added is not None:  # stored again: it keeps its place in the pruning window
            try:
                added = _float(old_added)
            except BadValue as exc:  # replaced by this write
                self._bad("article", art, exc)
        pipe = self.r.pipeline(transaction=False)
        mapping: dict[str, Any] = {"exact": fp.exact, "words": fp.stored_words, "added": added,
                                   "keys": _pack([*fp.bands, *fp.anchors]), "nb": len(fp.bands)}
        if fp.stored_signature is not None:
            mapping["sig"] = fp.stored_signature
        else:
            pipe.hdel(art, "sig")
        pipe.hset(art, mapping=mapping)
        pipe.hsetnx(self.k("exact"), str(fp.exact), article_id)
        for key in fp.bands:
            pipe.sadd(self.k("band", key), article_id)
        for key in fp.anchors:
            pipe.sadd(self.k("anc", key), article_id)
        pipe.zadd(self.k("added"), {article_id: mapping["added"]})
        self._put_urls(pipe, urls, article_id, "kept", 1.0, fp.exact, at)
        pipe.execute()

    def add_urls(self, urls: Iterable[str], cluster: str, reason: str, similarity: float | None,
                 exact: int | None, at: float) -> None:
        pipe = self.r.pipeline(transaction=False)
        self._put_urls(pipe, urls, cluster, reason, similarity, exact, at)
        pipe.execute()

    def _put_urls(self, pipe: Any, urls: Iterable[str], cluster: str, reason: str,
                  similarity: float | None, exact: int | None, at: float) -> None:
        urls = [u for u in dict.fromkeys(urls) if u]
        if not urls:
            return
        known = self.urls(urls)
        values = {}
        for url in urls:
            old = known.get(url)
            if old is not None:  # a URL keeps its cluster and reason; only its fetch is refreshed
                values[url] = json.dumps([old.cluster, old.reason, old.similarity, exact, at])
            else:
                values[url] = json.dumps([cluster, reason, similarity, exact, at])
                pipe.sadd(self.k("cluster", cluster), url)
        pipe.hset(self.k("urls"), mapping=values)

    def prune(self, before: float) -> int:
        added = self.k("added")
        ids = self._ids(self._read(lambda: self.r.zrangebyscore(added, "-inf", f"({before}"), added, []), added)
        for start in range(0, len(ids), 500):
            batch = ids[start : start + 500]
            pipe = self.r.pipeline(transaction=False)
            for article_id in batch:
                pipe.hmget(self.k("art", article_id), ["keys", "nb"])
            rows = [row or (None, None) for row in self._rows(pipe, self.k("art", "*"))]
            pipe = self.r.pipeline(transaction=False)
            for article_id, (keys, nb) in zip(batch, rows, strict=True):
                try:
                    if keys and len(keys) % 8:
                        raise BadValue(f"packed keys of {len(keys)} bytes, not a multiple of 8")
                    packed = _unpack(keys)
                    n_bands = _int(nb or 0, 0, len(packed))
                except BadValue as exc:  # its index keys cannot be found: the rest of it is pruned
                    self._bad("keys", self.k("art", article_id), exc)
                    packed, n_bands = [], 0
                for key in packed[:n_bands]:
                    pipe.srem(self.k("band", key), article_id)
                for key in packed[n_bands:]:
                    pipe.srem(self.k("anc", key), article_id)
                pipe.hdel(self.k("art", article_id), "sig", "keys", "nb")
                pipe.zrem(self.k("added"), article_id)
            pipe.execute()
        return len(ids)
