"""The shared scheduler (scrapy-redis' Scheduler for Scrapy 2.19, see the package docstring).

Imported only in distributed mode (newscrawl.distributed resolves ``RedisScheduler`` on first
use): scrapy-redis and redis-py take 70 ms to 0.6 s to import, which crawls that are not
distributed should not pay."""

from __future__ import annotations

import heapq
import itertools
import logging
import os
import secrets
import socket
import time
from typing import TYPE_CHECKING, Any

import redis
from scrapy import Request, signals
from scrapy.exceptions import CloseSpider, DontCloseSpider
from scrapy_redis.dupefilter import RFPDupeFilter
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from newscrawl.distributed.keys import Keys, connect, keys_for, text
from newscrawl.distributed.lua import JOIN, POP, REQUEUE
from newscrawl.distributed.seeds import parse_seed, seed_request
from newscrawl.distributed.serializer import JSON
from newscrawl.distributed.trust import TOKEN_META, BadSharedRequest, meta_dropped, shared_request, worker_max_size

if TYPE_CHECKING:
    from typing import Self

    from scrapy import Spider
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)

redis_errors = (redis.RedisError, OSError)


class RedisScheduler(Scheduler):
    """scrapy-redis' Scheduler for Scrapy 2.19 (see the docstring of newscrawl.distributed): shared frontier and
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
        self._pop = server.register_script(POP)
        self._join = server.register_script(JOIN)
        self._requeue = server.register_script(REQUEUE)

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
        except Exception as exc:
            logger.error("Dropped a request from the shared queue that cannot be trusted (%(exc)s): %(data).200r",
                         {"exc": exc, "data": data})
            self._inc("newscrawl/distributed/bad_request")
            self._done(token)
            return None
        if dropped:
            meta_dropped(self.spider, dropped, "request")
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
        done = [t for t in (text(k) for k in self.server.hkeys(key)) if t not in live]
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
            except Exception as exc:
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
        others = [w for w in (text(m) or "" for m in self.server.smembers(self.keys.workers))
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
            state, inflight = text(rest[2 * k]), rest[2 * k + 1]
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
