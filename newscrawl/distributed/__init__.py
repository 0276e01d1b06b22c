"""Distributed crawling on Redis: N workers (``scrapy crawl <site>`` or ``python -m newscrawl
crawl``, on one machine or many) share one frontier, one request dupefilter and the dedup state.

``-s NEWSCRAWL_REDIS_URL=redis://host:6379/0`` turns it on for any spider: :class:`DistributedAddon`
(listed in ADDONS) then sets SCHEDULER to :class:`RedisScheduler`, and the dedup store opens on the
same Redis (newscrawl.dedup.factory.open_store). Without the setting, nothing changes.

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

Modules, one job each: keys (Redis keys, connection), serializer (JSON requests), trust
(rebuilding a shared request, SHARED_META), seeds, lua (the atomic scripts), scheduler
(RedisScheduler, imported on first use), addon (DistributedAddon), cli.
"""

from __future__ import annotations

from typing import Any

from newscrawl.distributed.addon import DistributedAddon
from newscrawl.distributed.cli import cluster_status, main, reset
from newscrawl.distributed.keys import DEFAULT_PREFIX, Keys, connect, keys_for
from newscrawl.distributed.seeds import parse_seed, push_seeds, seed_request
from newscrawl.distributed.serializer import JSON, JsonSerializer
from newscrawl.distributed.trust import (
    MAX_URL_LENGTH,
    SHARED_META,
    TOKEN_META,
    TRANSIENT_META,
    BadSharedRequest,
    clean_meta,
    shared_callback,
    shared_request,
    worker_max_size,
)

__all__ = [
    "DEFAULT_PREFIX", "JSON", "MAX_URL_LENGTH", "SHARED_META", "TOKEN_META", "TRANSIENT_META", "BadSharedRequest",
    "DistributedAddon", "JsonSerializer", "Keys", "RedisScheduler", "clean_meta", "cluster_status", "connect",
    "keys_for", "main", "parse_seed", "push_seeds", "reset", "seed_request", "shared_callback", "shared_request",
    "worker_max_size",
]


def __getattr__(name: str) -> Any:
    if name == "RedisScheduler":  # SCHEDULER = "newscrawl.distributed.RedisScheduler", imported on first use
        from newscrawl.distributed.scheduler import RedisScheduler

        globals()[name] = RedisScheduler
        return RedisScheduler
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
