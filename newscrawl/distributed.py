"""Distributed crawling on Redis: N workers (``scrapy crawl <site>`` or ``python -m newscrawl
crawl``, on one machine or many) share one frontier, one request dupefilter and the dedup state.

``-s NEWSCRAWL_REDIS_URL=redis://host:6379/0`` turns it on for any spider: :class:`DistributedAddon`
(listed in ADDONS) then sets SCHEDULER to :class:`RedisScheduler`, and the dedup store opens on the
same Redis (newscrawl.dedup.store.open_store). Without the setting, nothing changes.

This is a thin layer over scrapy-redis 0.9.1 (its Scheduler, PriorityQueue and RFPDupeFilter are
reused) that fixes what scrapy-redis gets wrong on Scrapy 2.19 or leaves open:

- stats calls without the ``spider=`` argument (deprecated since Scrapy 2.14, a TypeError to come);
- requests are stored as JSON, never pickled: a Redis reachable from other machines must not
  feed ``pickle.loads``. Nothing read from Redis is trusted: a request is rebuilt from plain fields
  (url, GET/HEAD, priority, the meta keys of :data:`SHARED_META` with their values checked, the
  spider's own ``parse*``/``on_error`` callbacks and their arguments), never through a class path
  (scrapy-redis' ``request_from_dict`` loads ``_class`` and takes any spider attribute as a
  callback); a bad entry is dropped with a stat (:func:`shared_request`). A request that cannot
  be shared that way (a callback that is not such a spider method, other meta keys, objects in
  ``meta``, e.g. the dedup pipeline's release of deferred copies) stays in a local queue of the
  worker that made it;
- seeds: JSON ``{"url": ..., "meta": {...}}`` (or a bare URL) pushed to ``<prefix>:<spider>:start_urls``
  become the spider's own requests (feed/sitemap/listing or article) with ``dont_filter=False``
  (scrapy-redis uses True, so a seed found again as a link was fetched twice). A bad seed is one
  log line and a stat; in scrapy-redis it ended the worker. Workers also schedule their spider's
  start URLs: through the shared dupefilter, each is fetched once per run whatever the number of
  workers, so starting N identical workers is enough, no seeding is needed;
- idle workers poll the shared queue every NEWSCRAWL_REDIS_HEARTBEAT seconds (the engine alone
  looks only every 5 s), and a worker takes no more than NEWSCRAWL_REDIS_PREFETCH requests ahead
  of its downloads (the engine would take up to CONCURRENT_REQUESTS, which with a per-domain
  delay means one worker hoarding the queue while the others idle);
- a worker that dies (kill -9, machine lost) leaves requests it had taken: each worker keeps in
  Redis the requests it has taken and not finished (downloaded, parsed, items through the
  pipelines; read from the engine's in-progress set at each heartbeat) and a heartbeat key; when
  the key expires (NEWSCRAWL_REDIS_WORKER_TIMEOUT) another worker puts them back in the queue
  (at-least-once: a page finished less than a heartbeat before the death may be fetched again;
  the dedup store keeps the records unique). A worker stopped cleanly (Ctrl-C) puts its own back
  at once;
- how a run ends: scrapy-redis workers either never exit (MAX_IDLE_TIME_BEFORE_CLOSE=0) or exit
  on a timer that starts at import time. Here a run is over when the shared queue and the seeds
  are empty, no worker is busy and nothing is in flight, for NEWSCRAWL_REDIS_IDLE_TIMEOUT seconds
  in a row: the request dupefilter is then cleared (the next run fetches feeds again; articles
  already collected stay known through the dedup store) and the workers exit with reason
  ``finished`` (or wait for new seeds with NEWSCRAWL_REDIS_KEEP_ALIVE). A worker that starts alone
  on an empty queue after a crash starts a new run (clears a stale dupefilter); one that finds
  requests left in the queue resumes them.

Redis keys, for spider ``<s>`` (prefix NEWSCRAWL_REDIS_KEY_PREFIX, default ``newscrawl``):
``<p>:<s>:requests`` (sorted set, the frontier), ``<p>:<s>:dupefilter`` (set of request
fingerprints of this run), ``<p>:<s>:start_urls`` (list of seeds), ``<p>:<s>:workers`` (set of
worker ids), ``<p>:<s>:worker:<id>`` (busy|idle, expires), ``<p>:<s>:inflight:<id>`` (hash).

Command line (``python -m newscrawl.distributed --help``): ``seed``, ``status``, ``reset``.
"""

from __future__ import annotations

import argparse
import base64
import heapq
import inspect
import itertools
import json
import logging
import os
import secrets
import socket
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from scrapy import Request, signals
from scrapy.exceptions import CloseSpider, DontCloseSpider

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings

logger = logging.getLogger(__name__)

DEFAULT_PREFIX = "newscrawl"
TOKEN_META = "newscrawl_redis_token"
"""Request meta key: the id of the request in its worker's in-flight hash."""


# ------------------------------------------------------------------------------ keys


@dataclass(frozen=True)
class Keys:
    """The Redis keys of one spider's distributed crawl."""

    base: str
    """``<prefix>:<spider>``"""

    @classmethod
    def of(cls, prefix: str, spider: str) -> Keys:
        prefix = (prefix or DEFAULT_PREFIX).rstrip(":")
        if "%" in prefix or "%" in spider:
            raise ValueError(f"'%' is not allowed in a Redis key prefix or spider name: {prefix!r}, {spider!r}")
        return cls(f"{prefix}:{spider}")

    @property
    def requests(self) -> str:
        return f"{self.base}:requests"

    @property
    def dupefilter(self) -> str:
        return f"{self.base}:dupefilter"

    @property
    def seeds(self) -> str:
        return f"{self.base}:start_urls"

    @property
    def workers(self) -> str:
        return f"{self.base}:workers"

    @property
    def worker_prefix(self) -> str:
        return f"{self.base}:worker:"

    @property
    def inflight_prefix(self) -> str:
        return f"{self.base}:inflight:"

    def worker(self, wid: str) -> str:
        return self.worker_prefix + wid

    def inflight(self, wid: str) -> str:
        return self.inflight_prefix + wid


def keys_for(settings: BaseSettings | dict[str, Any], spider: str) -> Keys:
    return Keys.of(str(settings.get("NEWSCRAWL_REDIS_KEY_PREFIX") or DEFAULT_PREFIX), spider)


def connect(url: str) -> Any:
    """A redis client for ``url``; raises ``ConnectionError`` with a readable message when the
    server does not answer."""
    import redis

    client = redis.Redis.from_url(url, socket_timeout=30, socket_connect_timeout=10, retry_on_timeout=True)
    try:
        client.ping()
    except redis.RedisError as exc:
        raise ConnectionError(f"Cannot reach Redis at {url} (NEWSCRAWL_REDIS_URL): {exc}") from exc
    return client


# ------------------------------------------------------------------------------ JSON requests


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, bytes):
        return {"__bytes__": base64.b64encode(value).decode("ascii")}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value) and not {"__bytes__", "__map__"} & value.keys():
            return {k: _encode(v) for k, v in value.items()}
        return {"__map__": [[_encode(k), _encode(v)] for k, v in value.items()]}
    raise TypeError(f"a {type(value).__name__} cannot be shared through Redis")


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1 and "__bytes__" in value:
            return base64.b64decode(value["__bytes__"])
        if len(value) == 1 and "__map__" in value:
            return {_decode(k): _decode(v) for k, v in value["__map__"]}
        return {k: _decode(v) for k, v in value.items()}
    return value


class JsonSerializer:
    """scrapy-redis serializer (``loads``/``dumps``) for ``Request.to_dict()``: JSON with bytes
    and non-string keys tagged. Raises TypeError for anything else (the request stays local)."""

    @staticmethod
    def dumps(obj: Any) -> str:
        return json.dumps(_encode(obj), ensure_ascii=False, sort_keys=True, separators=(",", ":"))

    @staticmethod
    def loads(data: bytes | str) -> Any:
        return _decode(json.loads(data))


JSON = JsonSerializer()


# ------------------------------------------------------------------------------ rebuilding a shared request
# What is read from Redis was written by anyone who can reach it: a request is rebuilt from plain
# fields, each checked, never through ``request_from_dict`` (which loads ``_class`` by path and
# resolves any spider attribute as a callback). A meta key outside SHARED_META is dropped (a
# proxy, a download timeout, robots.txt or status-code switches, browser page methods...).

MAX_URL_LENGTH = 8192
SHARED_METHODS = frozenset({"GET", "HEAD"})
SHARED_HEADERS = frozenset({"Referer"})


def _flag(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValueError("not true/false")  # noqa: TRY004 (every check raises ValueError: a bad value)
    return value


def _count(limit: int) -> Any:
    def check(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= limit:
            raise ValueError(f"not a whole number in 0..{limit}")
        return value

    return check


def _short_text(value: Any) -> str:
    if not isinstance(value, str) or len(value) > MAX_URL_LENGTH:
        raise ValueError("not a string (at most 8192 characters)")
    return value


def _url_list(value: Any) -> list[str]:
    if not isinstance(value, list) or len(value) > 100:
        raise ValueError("not a list of at most 100 URLs")
    return [_short_text(v) for v in value]


def _reasons(value: Any) -> list[Any]:
    if not isinstance(value, list) or len(value) > 100 or not all(
            isinstance(v, int | str) and not isinstance(v, bool) for v in value):
        raise ValueError("not a list of redirect reasons")
    return value


def _render_spec(value: Any) -> dict[str, Any]:
    if not isinstance(value, dict) or set(value) - {"wait_for"}:
        raise ValueError("not {'wait_for': selector | null}")
    wait_for = value.get("wait_for")
    if wait_for is not None and (not isinstance(wait_for, str) or len(wait_for) > 500):
        raise ValueError("wait_for is not a CSS selector")
    return {"wait_for": wait_for}


#: Meta keys a shared request or a seed may carry, each with its check (ValueError when bad).
SHARED_META: dict[str, Any] = {
    "newscrawl_article": _flag, "newscrawl_live": _flag, "newscrawl_explicit": _flag, "newscrawl_discovery": _flag,
    "newscrawl_start": _flag, "newscrawl_skip_seen": _flag, "newscrawl_canonical": _short_text,
    "newscrawl_discovered": _flag,  # found by discovery: counted in NEWSCRAWL_MAX_ARTICLES_PER_RUN (newscrawl.budget)
    "newscrawl_gate": _count(2**62), "newscrawl_render": _render_spec,
    "retry_times": _count(1000), "redirect_times": _count(1000), "redirect_ttl": _count(1000),
    "redirect_urls": _url_list, "redirect_reasons": _reasons, "depth": _count(10_000),
    "download_maxsize": _count(2**62),  # bounded again by the worker's own limits (shared_request)
}
#: Keys Scrapy or newscrawl set on a request during one download (per process): dropped silently.
TRANSIENT_META = frozenset({
    "download_slot", "download_latency", "download_timeout", "_scheme_proxy", "_auth_proxy", "_dont_cache",
    "cache_timestamp", "newscrawl_bytes", "newscrawl_not_before", "newscrawl_render_context", TOKEN_META,
    "playwright", "playwright_page_methods", "playwright_context", "playwright_include_page",
})


class BadSharedRequest(ValueError):
    """A request or seed read from Redis that is not rebuilt (its reason is the message)."""


def clean_meta(meta: Any, *, max_size: int | None = None) -> tuple[dict[str, Any], list[str]]:
    """The meta of a shared request or seed, keys of SHARED_META only, values checked; returns
    (meta kept, keys dropped). ``max_size`` caps ``download_maxsize``. Raises BadSharedRequest
    when ``meta`` is not an object or a kept key has a bad value."""
    if meta is None:
        return {}, []
    if not isinstance(meta, dict):
        raise BadSharedRequest("'meta' is not an object")
    kept: dict[str, Any] = {}
    dropped: list[str] = []
    for key, value in meta.items():
        check = SHARED_META.get(key) if isinstance(key, str) else None
        if check is None:
            if key not in TRANSIENT_META:
                dropped.append(str(key)[:80])
            continue
        try:
            kept[key] = check(value)
        except ValueError as exc:
            raise BadSharedRequest(f"meta {key!r}: {exc}") from None
    if max_size is not None and "download_maxsize" in kept:
        kept["download_maxsize"] = min(kept["download_maxsize"], max_size) or max_size
    return kept, dropped


def shared_callback(spider: Any, name: Any) -> Any:
    """The bound spider method a shared request names: ``parse``, ``parse_*`` and ``on_error``,
    or a name the spider lists in ``shared_callbacks``; nothing else (no ``close``, no
    ``__init__``, no attribute that is not a method of the spider)."""
    if name is None:
        return None
    allowed = {"on_error", *getattr(spider, "shared_callbacks", ())}
    if (not isinstance(name, str) or not name.isidentifier() or name.startswith("_")
            or not (name == "parse" or name.startswith("parse_") or name in allowed)):
        raise BadSharedRequest(f"{str(name)[:80]!r} is not a callback of the spider")
    method = getattr(spider, name, None)
    if not inspect.ismethod(method) or method.__self__ is not spider:
        raise BadSharedRequest(f"{name!r} is not a method of the spider")
    return method


def _cb_kwargs(callback: Any, value: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadSharedRequest("'cb_kwargs' is not an object")
    if not value:
        return {}
    if callback is None:
        raise BadSharedRequest("'cb_kwargs' without a callback")
    params = list(inspect.signature(callback).parameters.values())[1:]  # after the response
    names = {p.name for p in params if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)}
    kwargs: dict[str, Any] = {}
    for key, arg in value.items():
        if key not in names:
            raise BadSharedRequest(f"cb_kwargs {str(key)[:80]!r} is not an argument of {callback.__name__}")
        if key == "depth":
            try:
                arg = _count(100)(arg)
            except ValueError as exc:
                raise BadSharedRequest(f"cb_kwargs 'depth': {exc}") from None
        elif key == "hints":
            if not isinstance(arg, dict) or not all(isinstance(k, str) and (v is None or isinstance(v, str))
                                                    for k, v in arg.items()):
                raise BadSharedRequest("cb_kwargs 'hints' is not an object of strings")
        elif not (arg is None or isinstance(arg, bool | int | float | str)):
            raise BadSharedRequest(f"cb_kwargs {key!r} is not a plain value")
        kwargs[key] = arg
    return kwargs


def _check_url(url: Any) -> str:
    if not isinstance(url, str) or not url or len(url) > MAX_URL_LENGTH:
        raise BadSharedRequest("no 'url' (a string of at most 8192 characters)")
    try:
        parts = urlsplit(url)
    except ValueError:
        raise BadSharedRequest(f"unreadable URL {url[:200]!r}") from None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BadSharedRequest(f"not an absolute http(s) URL: {url[:200]!r}")
    return url


def shared_request(spider: Any, data: Any, *, max_size: int | None = None) -> tuple[Request, list[str]]:
    """A request rebuilt from what the shared queue holds (``Request.to_dict()`` as JSON): url,
    method (GET/HEAD), a Referer header, priority, dont_filter, meta keys of SHARED_META,
    the spider's own callback/errback names and their arguments; ``_class``, cookies, other
    headers, a body and flags are never taken. Returns (request, meta keys dropped); raises
    BadSharedRequest (a ValueError) for an entry that cannot be trusted."""
    if not isinstance(data, dict):
        raise BadSharedRequest("not a JSON object")
    url = _check_url(data.get("url"))
    method = data.get("method", "GET")
    if not isinstance(method, str) or method.upper() not in SHARED_METHODS:
        raise BadSharedRequest(f"method {str(method)[:20]!r} is not shared (GET or HEAD only)")
    if data.get("body") not in (None, b"", ""):
        raise BadSharedRequest("a request body is not shared")
    priority = data.get("priority", 0)
    if isinstance(priority, bool) or not isinstance(priority, int) or abs(priority) > 1_000_000:
        raise BadSharedRequest("'priority' is not a whole number in -1e6..1e6")
    dont_filter = data.get("dont_filter", False)
    if not isinstance(dont_filter, bool):
        raise BadSharedRequest("'dont_filter' is not true/false")
    callback = shared_callback(spider, data.get("callback"))
    errback = shared_callback(spider, data.get("errback"))
    cb_kwargs = _cb_kwargs(callback, data.get("cb_kwargs"))
    meta, dropped = clean_meta(data.get("meta"), max_size=max_size)
    headers: dict[str, Any] = {}
    raw_headers = data.get("headers") or {}
    if not isinstance(raw_headers, dict):
        raise BadSharedRequest("'headers' is not an object")
    for name, values in raw_headers.items():
        name_s = name.decode("latin-1") if isinstance(name, bytes) else name
        if not isinstance(name_s, str) or name_s.title() not in SHARED_HEADERS:
            continue
        value = values[0] if isinstance(values, list) and values else values
        if isinstance(value, bytes):
            value = value.decode("latin-1")
        if isinstance(value, str) and len(value) <= MAX_URL_LENGTH and "\n" not in value and "\r" not in value:
            headers[name_s.title()] = value
    request = Request(url, method=method.upper(), headers=headers, priority=priority, dont_filter=dont_filter,
                      callback=callback, errback=errback, cb_kwargs=cb_kwargs, meta=meta)
    return request, dropped


def worker_max_size(settings: BaseSettings) -> int:
    """The largest ``download_maxsize`` a shared request may ask: what this worker's own
    discovery requests use (2 x NEWSCRAWL_MAX_SITEMAP_BYTES) or DOWNLOAD_MAXSIZE."""
    return max(settings.getint("DOWNLOAD_MAXSIZE", 8 * 1024 * 1024),
               2 * settings.getint("NEWSCRAWL_MAX_SITEMAP_BYTES", 50 * 1024 * 1024))


# ------------------------------------------------------------------------------ seeds


def parse_seed(raw: bytes | str) -> dict[str, Any]:
    """A seed from the ``start_urls`` list: JSON ``{"url": ..., "meta": {...}, "dont_filter": false}``
    or a bare URL. Raises ValueError when it is neither or the URL is not absolute http(s)."""
    text = (raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw).strip()
    if text.startswith("{"):
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ValueError(f"not JSON ({exc.msg})") from None
    else:
        data = {"url": text}
    url = data.get("url") if isinstance(data, dict) else None
    if not isinstance(url, str) or not url.strip():
        raise ValueError("no 'url'")
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"not an absolute http(s) URL: {url!r}")
    meta = data.get("meta") or {}
    if not isinstance(meta, dict):
        raise ValueError("'meta' is not an object")  # noqa: TRY004 (a bad seed, like the others)
    return {"url": url.strip(), "meta": meta, "dont_filter": bool(data.get("dont_filter", False))}


def seed_request(spider: Spider, seed: dict[str, Any]) -> Request | None:
    """The request a seed stands for, made the way the spider makes its start requests: an
    article page or a discovery document (feed, sitemap, listing) for newscrawl spiders, a
    plain request to ``parse`` for others. ``dont_filter`` is False unless the seed says so."""
    url = seed["url"]
    request: Request | None
    if all(hasattr(spider, name) for name in ("publisher_of", "article_request", "discovery_request")):
        verdict = spider.publisher_of(url).classify(url)  # type: ignore[attr-defined]
        if verdict in ("article", "live"):
            request = spider.article_request(url, live=verdict == "live", explicit=True)  # type: ignore[attr-defined]
        else:
            request = spider.discovery_request(url)  # type: ignore[attr-defined]
    else:
        request = Request(url)
    if request is None:
        return None
    if seed.get("meta"):
        settings = getattr(getattr(spider, "crawler", None), "settings", None)
        meta, dropped = clean_meta(seed["meta"], max_size=worker_max_size(settings) if settings is not None else None)
        if dropped:
            _meta_dropped(spider, dropped, "seed")
        request.meta.update(meta)
    return request.replace(dont_filter=bool(seed.get("dont_filter")))


_WARNED_META: set[str] = set()


def _meta_dropped(spider: Any, keys: list[str], what: str) -> None:
    """Count (newscrawl/distributed/meta_dropped) and log once per key the meta keys of a shared
    request or seed that are not shared."""
    stats = getattr(getattr(spider, "crawler", None), "stats", None)
    if stats is not None:
        stats.inc_value("newscrawl/distributed/meta_dropped", len(keys))
    new = [k for k in keys if k not in _WARNED_META]
    if new:
        _WARNED_META.update(new)
        logger.warning("Dropped meta key(s) %(keys)s of a %(what)s read from Redis: not keys newscrawl shares "
                       "(newscrawl.distributed.SHARED_META)", {"keys": ", ".join(map(repr, new)), "what": what})


# ------------------------------------------------------------------------------ Lua scripts

# Take the first request of the frontier and record it as in flight for this worker, atomically
# (a worker dying between the two would otherwise lose it). Marks the worker busy.
_POP = """
local items = redis.call('ZRANGE', KEYS[1], 0, 0)
if #items == 0 then return false end
redis.call('ZREM', KEYS[1], items[1])
redis.call('HSET', KEYS[2], ARGV[1], items[1])
redis.call('SET', KEYS[3], 'busy', 'EX', ARGV[2])
return items[1]
"""

# Register a worker. Returns {fresh, alive}: fresh = 1 when no other worker is alive and nothing
# is left (queue, in-flight of dead workers): a new run, whose stale dupefilter is cleared.
_JOIN = """
local alive, leftovers = 0, 0
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if id ~= ARGV[1] then
    if redis.call('EXISTS', ARGV[3] .. id) == 1 then alive = alive + 1
    else leftovers = leftovers + redis.call('HLEN', ARGV[4] .. id) end
  end
end
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('SET', KEYS[4], 'busy', 'EX', ARGV[2])
local fresh = 0
if alive == 0 and leftovers == 0 and redis.call('ZCARD', KEYS[2]) == 0 then
  redis.call('DEL', KEYS[3])
  fresh = 1
end
return {fresh, alive}
"""

# Put back in the frontier the in-flight requests of workers whose heartbeat key expired (or of
# the worker ARGV[3] itself when it stops early), and forget those workers. Returns the count.
_REQUEUE = """
local n = 0
for _, id in ipairs(redis.call('SMEMBERS', KEYS[1])) do
  if id == ARGV[3] or (ARGV[3] == '' and redis.call('EXISTS', ARGV[1] .. id) == 0) then
    local key = ARGV[2] .. id
    for _, data in ipairs(redis.call('HVALS', key)) do
      local ok, req = pcall(cjson.decode, data)
      local priority = 0
      if ok and type(req) == 'table' and type(req['priority']) == 'number' then priority = req['priority'] end
      redis.call('ZADD', KEYS[2], -priority, data)
      n = n + 1
    end
    redis.call('DEL', key)
    if ARGV[3] == '' then redis.call('SREM', KEYS[1], id) end
  end
end
return n
"""


# ------------------------------------------------------------------------------ the scheduler


def _scheduler_class() -> type:
    """The scheduler class, built on first use: scrapy-redis and redis-py take 70 ms to 0.6 s
    to import (depending on the load), which crawls that are not distributed should not pay."""
    import redis
    from scrapy_redis.dupefilter import RFPDupeFilter
    from scrapy_redis.queue import PriorityQueue
    from scrapy_redis.scheduler import Scheduler

    redis_errors = (redis.RedisError, OSError)

    class RedisScheduler(Scheduler):
        """scrapy-redis' Scheduler for Scrapy 2.19 (see the module docstring): shared frontier and
        dupefilter, JSON requests, local queue for unshareable requests, in-flight recovery,
        seeds, run end.

        Settings read: NEWSCRAWL_REDIS_URL, NEWSCRAWL_REDIS_KEY_PREFIX, NEWSCRAWL_REDIS_IDLE_TIMEOUT,
        NEWSCRAWL_REDIS_KEEP_ALIVE, NEWSCRAWL_REDIS_HEARTBEAT, NEWSCRAWL_REDIS_WORKER_TIMEOUT,
        NEWSCRAWL_REDIS_PREFETCH, CONCURRENT_REQUESTS (seeds taken per idle round), DUPEFILTER_DEBUG.
        Stats written: scheduler/{enqueued,dequeued}/{redis,local}, dupefilter/filtered,
        newscrawl/distributed/{seeds,bad_seed,bad_request,meta_dropped,recovered,requeued_on_close,
        run_over,new_run,redis_error}.
        """

        def __init__(self, crawler: Crawler, server: Any, keys: Keys, *, heartbeat: float = 1.0,
                     worker_timeout: float = 60.0, idle_timeout: float = 30.0, keep_alive: bool = False,
                     seed_batch: int = 16, prefetch: int = 2, debug: bool = False) -> None:
            super().__init__(
                server=server, persist=True, queue_key=keys.requests, queue_cls="scrapy_redis.queue.PriorityQueue",
                dupefilter=RFPDupeFilter(server, key=keys.dupefilter, debug=debug), dupefilter_key=keys.dupefilter,
                idle_before_close=0, serializer=JSON,
            )
            self.crawler = crawler
            self.stats = crawler.stats
            self.keys = keys
            self.heartbeat = heartbeat
            self.worker_timeout = worker_timeout
            self.idle_timeout = idle_timeout
            self.keep_alive = keep_alive
            self.seed_batch = seed_batch
            self.prefetch = max(1, prefetch)
            self.worker_id = f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
            self.busy = True
            self._local: list[tuple[int, int, Request]] = []
            self._seq = itertools.count()
            self.max_size = worker_max_size(crawler.settings)
            self._quiet_since: float | None = None
            self._run_ended = False
            self._redis_down_since: float | None = None
            self._last_error_log = 0.0
            self._loop: Any = None
            self._pop = server.register_script(_POP)
            self._join = server.register_script(_JOIN)
            self._requeue = server.register_script(_REQUEUE)

        @classmethod
        def from_crawler(cls, crawler: Crawler) -> Self:  # type: ignore[override]
            settings = crawler.settings
            url = str(settings.get("NEWSCRAWL_REDIS_URL") or "")
            if not url:
                raise ValueError("RedisScheduler needs NEWSCRAWL_REDIS_URL (redis://host:6379/0)")
            heartbeat = max(0.2, settings.getfloat("NEWSCRAWL_REDIS_HEARTBEAT", 1.0))
            worker_timeout = max(settings.getfloat("NEWSCRAWL_REDIS_WORKER_TIMEOUT", 60.0), 2 * heartbeat + 1)
            idle_timeout = max(0.0, settings.getfloat("NEWSCRAWL_REDIS_IDLE_TIMEOUT", 30.0))
            assert crawler.spidercls is not None
            scheduler = cls(
                crawler, connect(url), keys_for(settings, crawler.spidercls.name), heartbeat=heartbeat,
                worker_timeout=worker_timeout, idle_timeout=idle_timeout,
                keep_alive=settings.getbool("NEWSCRAWL_REDIS_KEEP_ALIVE", False),
                seed_batch=max(1, settings.getint("CONCURRENT_REQUESTS", 16)),
                prefetch=settings.getint("NEWSCRAWL_REDIS_PREFETCH", 2),
                debug=settings.getbool("DUPEFILTER_DEBUG"),
            )
            crawler.signals.connect(scheduler.spider_idle, signal=signals.spider_idle)
            crawler.signals.connect(scheduler.request_left_downloader, signal=signals.request_left_downloader)
            return scheduler

        # ------------------------------------------------------------------ helpers
        def _inc(self, key: str, n: int = 1) -> None:
            if self.stats is not None:
                self.stats.inc_value(key, n)

        @property
        def _ttl(self) -> int:
            return max(1, round(self.worker_timeout))

        def _redis_error(self, what: str, exc: Exception) -> None:
            """Log a Redis failure (at most every 10 s) and count it; never raise."""
            self._inc("newscrawl/distributed/redis_error")
            now = time.monotonic()
            if self._redis_down_since is None:
                self._redis_down_since = now
            if now - self._last_error_log >= 10:
                self._last_error_log = now
                logger.error("Redis error while %(what)s (%(exc)r); the worker goes on and retries",
                             {"what": what, "exc": exc})

        def _redis_ok(self) -> None:
            if self._redis_down_since is not None:
                logger.info("Redis answers again")
            self._redis_down_since = None

        # ------------------------------------------------------------------ lifecycle
        def open(self, spider: Spider) -> None:  # type: ignore[override]
            self.spider = spider
            self.queue = PriorityQueue(server=self.server, spider=spider, key=self.keys.requests, serializer=JSON)
            fresh, alive = self._join(
                keys=[self.keys.workers, self.keys.requests, self.keys.dupefilter, self.keys.worker(self.worker_id)],
                args=[self.worker_id, self._ttl, self.keys.worker_prefix, self.keys.inflight_prefix],
            )
            self.stats.set_value("newscrawl/distributed/worker", self.worker_id)
            pending = len(self.queue)
            if fresh:
                self._inc("newscrawl/distributed/new_run")
                logger.info("Distributed worker %(id)s: new run on %(base)s (no other worker, empty queue)",
                            {"id": self.worker_id, "base": self.keys.base})
            elif alive:
                logger.info("Distributed worker %(id)s joins %(n)d other worker(s) on %(base)s (%(q)d requests queued)",
                            {"id": self.worker_id, "n": alive, "base": self.keys.base, "q": pending})
            else:
                logger.info("Distributed worker %(id)s resumes the run on %(base)s (%(q)d requests queued)",
                            {"id": self.worker_id, "base": self.keys.base, "q": pending})
            from twisted.internet import task

            self._loop = task.LoopingCall(self._beat)
            self._loop.start(self.heartbeat, now=False)

        def close(self, reason: str) -> None:  # type: ignore[override]
            if self._loop is not None and self._loop.running:
                self._loop.stop()
            try:
                if reason == "finished":
                    self.server.delete(self.keys.inflight(self.worker_id))
                else:  # stopped early: what it had taken goes back to the others
                    n = self._requeue(keys=[self.keys.workers, self.keys.requests],
                                      args=[self.keys.worker_prefix, self.keys.inflight_prefix, self.worker_id])
                    if n:
                        self._inc("newscrawl/distributed/requeued_on_close", n)
                        logger.warning("Worker stopped (%(reason)s): %(n)d request(s) it had in flight are back in "
                                       "the shared queue", {"reason": reason, "n": n})
                self.server.delete(self.keys.worker(self.worker_id))
                self.server.srem(self.keys.workers, self.worker_id)
            except redis_errors as exc:  # Redis gone: the heartbeat key expires and others recover
                self._redis_error("leaving the cluster", exc)
            if self._local:
                logger.warning("%(n)d local request(s) (not shareable through Redis) were not processed",
                               {"n": len(self._local)})

        # ------------------------------------------------------------------ frontier
        def enqueue_request(self, request: Request) -> bool:
            try:
                if not request.dont_filter and self.df.request_seen(request):
                    self.df.log(request, self.spider)
                    self._inc("dupefilter/filtered")
                    return False
            except redis_errors as exc:  # dupefilter unreachable: better a possible duplicate than a loss
                self._redis_error("checking the dupefilter", exc)
            try:
                data = self.queue._encode_request(request)
                _, dropped = shared_request(self.spider, JSON.loads(data), max_size=self.max_size)
                if dropped:
                    raise BadSharedRequest(f"meta keys not shared: {', '.join(dropped)}")
            except (TypeError, ValueError) as exc:  # BadSharedRequest too: it would not come back whole
                logger.debug("Request kept local (%(exc)s): %(request)s", {"exc": exc, "request": request})
                return self._push_local(request)
            try:
                self.server.execute_command("ZADD", self.keys.requests, -request.priority, data)
            except redis_errors as exc:
                self._redis_error("queueing a request", exc)
                return self._push_local(request)
            self._inc("scheduler/enqueued/redis")
            self._inc("scheduler/enqueued")
            return True

        def _push_local(self, request: Request) -> bool:
            heapq.heappush(self._local, (-request.priority, next(self._seq), request))
            self._inc("scheduler/enqueued/local")
            self._inc("scheduler/enqueued")
            return True

        def next_request(self) -> Request | None:
            if self._local:
                self.busy = True
                self._inc("scheduler/dequeued/local")
                self._inc("scheduler/dequeued")
                return heapq.heappop(self._local)[2]
            if self._waiting_downloads() >= self.prefetch:
                return None  # enough waiting here already: leave the rest to the other workers
            token = secrets.token_hex(8)
            try:
                data = self._pop(keys=[self.keys.requests, self.keys.inflight(self.worker_id),
                                       self.keys.worker(self.worker_id)], args=[token, self._ttl])
            except redis_errors as exc:
                self._redis_error("taking a request", exc)
                return None
            self._redis_ok()
            if not data:
                return None
            self.busy = True
            try:
                request, dropped = shared_request(self.spider, JSON.loads(data), max_size=self.max_size)
            except Exception as exc:  # noqa: BLE001 (written by another version, by hand, or by an attacker)
                logger.error("Dropped a request from the shared queue that cannot be trusted (%(exc)s): %(data).200r",
                             {"exc": exc, "data": data})
                self._inc("newscrawl/distributed/bad_request")
                self._done(token)
                return None
            if dropped:
                _meta_dropped(self.spider, dropped, "request")
            request.meta[TOKEN_META] = token
            self._inc("scheduler/dequeued/redis")
            self._inc("scheduler/dequeued")
            return request

        def has_pending_requests(self) -> bool:
            if self._local:
                return True
            try:
                return len(self.queue) > 0
            except redis_errors as exc:
                self._redis_error("reading the queue length", exc)
                return False

        def __len__(self) -> int:
            try:
                return len(self._local) + len(self.queue)
            except redis_errors:
                return len(self._local)

        def _done(self, token: str | None) -> None:
            if not token:
                return
            try:
                self.server.hdel(self.keys.inflight(self.worker_id), token)
            except redis_errors as exc:
                self._redis_error("clearing an in-flight request", exc)

        def _engine(self) -> Any:
            try:
                return self.crawler.engine
            except (AttributeError, RuntimeError):  # not set before the crawl starts
                return None

        def _waiting_downloads(self) -> int:
            """Requests taken by this worker that are not transferring yet (waiting for a
            download slot, the per-domain delay or robots.txt). The engine takes requests as long
            as CONCURRENT_REQUESTS allows, so without this bound one worker would hoard the
            shared queue in its own downloader while the others idle."""
            downloader = getattr(self._engine(), "downloader", None)
            active, slots = getattr(downloader, "active", None), getattr(downloader, "slots", None)
            if not isinstance(active, set) or not isinstance(slots, dict):
                return 0
            return len(active) - sum(len(getattr(slot, "transferring", ())) for slot in slots.values())

        def _in_progress(self) -> set[Request] | None:
            """The engine's requests from download start until their callback's output went
            through the pipelines (private engine API, guarded: None if it changed)."""
            slot = getattr(self._engine(), "_slot", None)
            inprogress = getattr(slot, "inprogress", None)
            return inprogress if isinstance(inprogress, set) else None

        def _settle_in_flight(self) -> None:
            """Forget the in-flight entries of requests this worker has finished: downloaded,
            parsed and their items written. A worker dying before that point has them re-queued."""
            inprogress = self._in_progress()
            if inprogress is None:
                return
            live = {r.meta.get(TOKEN_META) for r in inprogress}
            key = self.keys.inflight(self.worker_id)
            done = [t for t in (_s(k) for k in self.server.hkeys(key)) if t not in live]
            if done:
                self.server.hdel(key, *done)

        def request_left_downloader(self, request: Request, spider: Spider | None = None) -> None:
            """Fallback when the engine's in-progress set cannot be read: a request is no longer
            in flight once downloaded (a worker dying later loses that page's output)."""
            if self._in_progress() is None:
                self._done(request.meta.get(TOKEN_META))

        # ------------------------------------------------------------------ heartbeat and run end
        def _beat(self) -> None:
            """Keep this worker's key alive with its state, forget finished in-flight requests,
            and poll the shared queue when idle."""
            try:
                pipe = self.server.pipeline()
                pipe.set(self.keys.worker(self.worker_id), "busy" if self.busy else "idle", ex=self._ttl)
                pipe.sadd(self.keys.workers, self.worker_id)
                pipe.execute()
                self._settle_in_flight()
                self._redis_ok()
            except redis_errors as exc:
                self._redis_error("sending the heartbeat", exc)
            if not self.busy:
                self._nudge()

        def _nudge(self) -> None:
            """Make the idle engine look at the scheduler now (it would every 5 s): new requests in
            the shared queue, seeds, the end of the run. Private engine API, guarded."""
            nextcall = getattr(getattr(self._engine(), "_slot", None), "nextcall", None)
            if nextcall is not None:
                nextcall.schedule()

        def spider_idle(self, spider: Spider | None = None) -> None:
            """This worker has nothing to do and the shared queue is empty: take seeds, recover the
            requests of dead workers, or end the run once the whole cluster stays quiet."""
            self.busy = False
            try:
                pipe = self.server.pipeline()
                pipe.set(self.keys.worker(self.worker_id), "idle", ex=self._ttl)
                pipe.delete(self.keys.inflight(self.worker_id))  # idle engine: nothing of ours is in flight
                pipe.execute()
                if self._schedule_seeds() or self._recover_dead() or not self._cluster_quiet():
                    self._quiet_since = None
                    self._run_ended = False
                    raise DontCloseSpider
                self._redis_ok()
                now = time.monotonic()
                if self._quiet_since is None:
                    self._quiet_since = now
                if now - self._quiet_since < self.idle_timeout:
                    raise DontCloseSpider
                if not self._run_ended:
                    self._end_run()
            except DontCloseSpider:
                raise
            except redis_errors as exc:
                self._redis_error("checking the cluster", exc)
                down = time.monotonic() - (self._redis_down_since or time.monotonic())
                if down > self.worker_timeout and not self.keep_alive:
                    raise CloseSpider("redis_unreachable") from exc
                raise DontCloseSpider from exc
            if self.keep_alive:
                raise DontCloseSpider

        def _schedule_seeds(self) -> bool:
            raw = self.server.lpop(self.keys.seeds, self.seed_batch)
            if not raw:
                return False
            made = 0
            for item in raw:
                try:
                    request = seed_request(self.spider, parse_seed(item))
                except Exception as exc:  # noqa: BLE001 (a bad seed must not stop the worker, as in scrapy-redis)
                    logger.warning("Bad seed in %(key)s: %(seed).200r (%(exc)s)",
                                   {"key": self.keys.seeds, "seed": item, "exc": exc})
                    self._inc("newscrawl/distributed/bad_seed")
                    continue
                if request is not None:
                    self.crawler.engine.crawl(request)  # type: ignore[union-attr]
                    made += 1
            self._inc("newscrawl/distributed/seeds", made)
            logger.info("Took %(n)d seed(s) from %(key)s", {"n": made, "key": self.keys.seeds})
            return True

        def _recover_dead(self) -> bool:
            n = int(self._requeue(keys=[self.keys.workers, self.keys.requests],
                                  args=[self.keys.worker_prefix, self.keys.inflight_prefix, ""]))
            if n:
                self._inc("newscrawl/distributed/recovered", n)
                logger.warning("A worker stopped answering for %(t)ss: %(n)d request(s) it had in flight are back "
                               "in the shared queue", {"t": self._ttl, "n": n})
            return n > 0

        def _cluster_quiet(self) -> bool:
            """No seeds, an empty frontier, and every other live worker idle with nothing in flight."""
            others = [w for w in (_s(m) or "" for m in self.server.smembers(self.keys.workers))
                      if w and w != self.worker_id]
            pipe = self.server.pipeline()
            pipe.zcard(self.keys.requests)
            pipe.llen(self.keys.seeds)
            for wid in others:
                pipe.get(self.keys.worker(wid))
                pipe.hlen(self.keys.inflight(wid))
            queued, seeds, *rest = pipe.execute()
            if queued or seeds:
                return False
            for k in range(len(others)):
                state, inflight = _s(rest[2 * k]), rest[2 * k + 1]
                if state == "busy" or (state is not None and inflight):
                    return False
            return True

        def _end_run(self) -> None:
            self._run_ended = True
            self.server.delete(self.keys.dupefilter)
            self._inc("newscrawl/distributed/run_over")
            logger.info(
                "Run over on %(base)s: no seed, empty queue, no worker busy for %(t)ss; request dupefilter cleared "
                "(collected articles stay known in the dedup store)%(then)s",
                {"base": self.keys.base, "t": self.idle_timeout,
                 "then": "; waiting for new seeds (NEWSCRAWL_REDIS_KEEP_ALIVE)" if self.keep_alive else ""},
            )

    return RedisScheduler


def __getattr__(name: str) -> Any:
    if name == "RedisScheduler":  # SCHEDULER = "newscrawl.distributed.RedisScheduler"
        cls = _scheduler_class()
        globals()[name] = cls
        return cls
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def _s(value: bytes | str | None) -> str | None:
    return value.decode("utf-8") if isinstance(value, bytes) else value


# ------------------------------------------------------------------------------ the add-on


class DistributedAddon:
    """Scrapy add-on (ADDONS in newscrawl/settings.py): distributed mode when
    NEWSCRAWL_REDIS_URL is set, for any spider and whatever starts it. It sets SCHEDULER at
    add-on priority, so a SCHEDULER given in the project settings or with -s wins."""

    def update_settings(self, settings: BaseSettings) -> None:
        if not settings.get("NEWSCRAWL_REDIS_URL"):
            return
        settings.set("SCHEDULER", f"{__name__}.RedisScheduler", priority="addon")


# ------------------------------------------------------------------------------ command line


def push_seeds(server: Any, keys: Keys, urls: Iterable[str],
               meta: dict[str, Any] | None = None) -> tuple[int, list[str]]:
    """Append seeds (JSON) to the spider's start list; returns (pushed, rejected URLs)."""
    good, bad = [], []
    for url in urls:
        url = url.strip()
        if not url or url.startswith("#"):
            continue
        try:
            parse_seed(json.dumps({"url": url}))
        except ValueError:
            bad.append(url)
            continue
        good.append(json.dumps({"url": url, **({"meta": meta} if meta else {})}, ensure_ascii=False))
    if good:
        server.rpush(keys.seeds, *good)
    return len(good), bad


def cluster_status(server: Any, keys: Keys) -> dict[str, Any]:
    workers = {}
    for wid in sorted(_s(w) or "" for w in server.smembers(keys.workers)):
        workers[wid] = {"state": _s(server.get(keys.worker(wid))) or "dead",
                        "in_flight": int(server.hlen(keys.inflight(wid)))}
    return {"queue": int(server.zcard(keys.requests)), "seeds": int(server.llen(keys.seeds)),
            "dupefilter": int(server.scard(keys.dupefilter)), "workers": workers}


def reset(server: Any, keys: Keys) -> int:
    """Delete a spider's run state (queue, seeds, dupefilter, workers, in-flight)."""
    names = [keys.requests, keys.seeds, keys.dupefilter, keys.workers]
    for pattern in (f"{keys.base}:worker:*", f"{keys.base}:inflight:*"):
        names += [_s(k) or "" for k in server.scan_iter(match=pattern)]
    return int(server.delete(*names))


def _read_urls(args: argparse.Namespace) -> list[str]:
    urls = list(args.urls)
    if args.file:
        stream = sys.stdin if args.file == "-" else open(args.file, encoding="utf-8")  # noqa: SIM115
        with stream:
            urls += stream.read().split()
    return urls


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newscrawl.distributed",
                                     description="Seed, inspect or reset a distributed crawl (docs/scaling.md).")
    parser.add_argument("--redis", help="redis://host:6379/0 (default: NEWSCRAWL_REDIS_URL of the settings)")
    parser.add_argument("--prefix", help="key prefix (default: NEWSCRAWL_REDIS_KEY_PREFIX, 'newscrawl')")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("seed", help="push seed URLs (default: the site's registry start URLs)")
    p.add_argument("spider")
    p.add_argument("urls", nargs="*", help="feeds, sitemaps, listing or article pages")
    p.add_argument("--file", help="read more URLs from this file ('-' = stdin), one per line")
    p = sub.add_parser("status", help="queue, seeds, dupefilter and workers of spiders")
    p.add_argument("spiders", nargs="+")
    p = sub.add_parser("reset", help="delete a spider's run state (queue, seeds, dupefilter); not the dedup store")
    p.add_argument("spider")
    p.add_argument("--force", action="store_true", help="even when workers are alive")
    args = parser.parse_args(argv)

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "newscrawl.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    url = args.redis or str(settings.get("NEWSCRAWL_REDIS_URL") or "")
    if not url:
        print("No Redis: pass --redis redis://host:6379/0 or set NEWSCRAWL_REDIS_URL", file=sys.stderr)
        return 2
    prefix = args.prefix or str(settings.get("NEWSCRAWL_REDIS_KEY_PREFIX") or DEFAULT_PREFIX)
    try:
        server = connect(url)
    except ConnectionError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.command == "seed":
        urls = _read_urls(args)
        if not urls and not args.file:
            from newscrawl.publishers import PUBLISHERS

            pub = PUBLISHERS.get(args.spider)
            urls = list(pub.start_urls) if pub else []
        keys = Keys.of(prefix, args.spider)
        pushed, bad = push_seeds(server, keys, urls)
        for url_ in bad:
            print(f"not an absolute http(s) URL, skipped: {url_}", file=sys.stderr)
        print(f"{pushed} seed(s) pushed to {keys.seeds}")
        return 1 if bad or not pushed else 0
    if args.command == "status":
        print(json.dumps({s: cluster_status(server, Keys.of(prefix, s)) for s in args.spiders}, indent=2))
        return 0
    keys = Keys.of(prefix, args.spider)
    alive = [w for w, v in cluster_status(server, keys)["workers"].items() if v["state"] != "dead"]
    if alive and not args.force:
        print(f"{len(alive)} worker(s) alive on {keys.base}: {', '.join(alive)} (use --force)", file=sys.stderr)
        return 1
    print(f"{reset(server, keys)} key(s) deleted under {keys.base}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
