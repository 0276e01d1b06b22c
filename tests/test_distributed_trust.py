"""The Redis frontier and the Redis dedup state trust nothing they read (issue 12): a shared
request or a seed is rebuilt from plain fields, never through a class path or an arbitrary
spider attribute; a bad entry is dropped with a stat and the worker goes on. Against a real
redis-server (tests/conftest.py) where the queue or the state is written by hand, as an attacker
reaching the Redis would."""

from __future__ import annotations

import json

import pytest
from scrapy import Request
from scrapy.utils.test import get_crawler

from newscrawl.dedup.fingerprints import PARAMS
from newscrawl.dedup.redis_store import SIGNATURE_BYTES, RedisStore
from newscrawl.distributed import (
    JSON,
    BadSharedRequest,
    clean_meta,
    parse_seed,
    seed_request,
    shared_request,
)
from spiders.franceinfo import FranceinfoSpider
from tests.conftest import redis_server_process
from tests.test_distributed import needs_redis, open_scheduler

LOADED: list[str] = []


@pytest.fixture
def redis_url(tmp_path):
    with redis_server_process(tmp_path / "redis") as url:
        yield url


@pytest.fixture
def server(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


class Trap(Request):
    """A request class an entry may name in ``_class``: building it means the class path was followed."""

    def __init__(self, *args, **kwargs):
        LOADED.append("Trap")
        super().__init__(*args, **kwargs)


def spider():
    crawler = get_crawler(FranceinfoSpider, {})
    s = crawler._create_spider(start_urls="http://127.0.0.1:1/feed.rss")
    crawler.spider = s
    return s


ARTICLE = "http://127.0.0.1:1/societe/un-essai_7100001.html"


def as_shared(request: Request, s) -> dict:
    return JSON.loads(JSON.dumps(request.to_dict(spider=s)))


# ------------------------------------------------------------------------------ pure rebuild


def test_the_spiders_own_requests_come_back_whole():
    s = spider()
    for request in (s.article_request(ARTICLE), s.discovery_request("http://127.0.0.1:1/sitemap.xml", depth=2)):
        again, dropped = shared_request(s, as_shared(request, s))
        assert dropped == []
        assert (again.url, again.method, again.priority, again.dont_filter) == (
            request.url, request.method, request.priority, request.dont_filter)
        assert again.callback == request.callback
        assert again.errback == request.errback
        assert again.cb_kwargs == request.cb_kwargs
        assert again.meta == request.meta
        assert type(again) is Request


def test_a_class_path_is_never_followed():
    s = spider()
    data = as_shared(s.article_request(ARTICLE), s)
    data["_class"] = f"{__name__}.Trap"
    LOADED.clear()
    again, _ = shared_request(s, data)
    assert type(again) is Request
    assert LOADED == []


@pytest.mark.parametrize("name", ["close", "start", "from_crawler", "__init__", "_set_crawler", "logger", "inc",
                                  "parse_nope", "on_bytes_received", "../os.system", 5])
def test_only_the_spiders_own_callbacks_are_taken(name):
    s = spider()
    data = as_shared(s.article_request(ARTICLE), s)
    data["callback"] = name
    with pytest.raises(BadSharedRequest):
        shared_request(s, data)
    data = as_shared(s.article_request(ARTICLE), s)
    data["errback"] = name
    with pytest.raises(BadSharedRequest):
        shared_request(s, data)


def test_meta_keys_outside_the_shared_set_are_dropped():
    s = spider()
    data = as_shared(s.article_request(ARTICLE), s)
    data["meta"].update({"proxy": "http://attaquant.example:3128", "dont_obey_robotstxt": True,
                         "handle_httpstatus_all": True, "download_timeout": 10**9,
                         "newscrawl_not_before": 10**12, "newscrawl_redis_token": "x"})
    data["headers"] = {"Cookie": ["a=b"], "Host": ["intranet"], "Referer": ["http://127.0.0.1:1/feed.rss"]}
    data["cookies"] = {"session": "volee"}
    again, dropped = shared_request(s, data)
    assert sorted(dropped) == ["dont_obey_robotstxt", "handle_httpstatus_all", "proxy"]
    for key in ("proxy", "dont_obey_robotstxt", "handle_httpstatus_all", "download_timeout", "newscrawl_not_before"):
        assert key not in again.meta
    assert again.headers.to_unicode_dict() == {"Referer": "http://127.0.0.1:1/feed.rss"}
    assert again.cookies == {}


def test_download_maxsize_is_bounded_by_the_workers_own_limit():
    meta, _ = clean_meta({"download_maxsize": 10**15}, max_size=100 * 1024 * 1024)
    assert meta == {"download_maxsize": 100 * 1024 * 1024}


@pytest.mark.parametrize(("field", "value"), [
    ("url", "file:///etc/passwd"), ("url", "gopher://x.fr/"), ("url", None), ("url", "http://" + "a" * 9000),
    ("method", "POST"), ("method", 1), ("body", {"__bytes__": "eA=="}), ("priority", "haut"), ("priority", 10**9),
    ("dont_filter", "oui"), ("meta", [1]), ("meta", {"newscrawl_article": "oui"}),
    ("meta", {"newscrawl_render": {"wait_for": "p", "script": "fetch('http://10.0.0.1')"}}),
    ("meta", {"redirect_urls": "http://x"}), ("meta", {"retry_times": -1}),
    ("cb_kwargs", {"depth": -1000}), ("cb_kwargs", {"evil": 1}), ("cb_kwargs", {"hints": {"title": ["x"]}}),
    ("cb_kwargs", [1]), ("headers", ["Referer"]),
])
def test_bad_fields_drop_the_entry(field, value):
    s = spider()
    data = as_shared(s.article_request(ARTICLE), s)
    if field == "cb_kwargs" and isinstance(value, dict) and "depth" in value:
        data = as_shared(s.discovery_request("http://127.0.0.1:1/sitemap.xml"), s)
    data[field] = value
    with pytest.raises(BadSharedRequest):
        shared_request(s, data)


@pytest.mark.parametrize("data", [None, [], "http://127.0.0.1:1/a", 5, {"callback": "parse_article"}])
def test_entries_that_are_not_requests_are_refused(data):
    with pytest.raises(BadSharedRequest):
        shared_request(spider(), data)


def test_a_seeds_meta_is_cleaned_the_same_way():
    s = spider()
    raw = json.dumps({"url": ARTICLE, "meta": {"proxy": "http://attaquant.example:3128", "newscrawl_skip_seen": False,
                                               "playwright_page_methods": [{"method": "evaluate"}]}})
    request = seed_request(s, parse_seed(raw))
    assert request is not None
    assert "proxy" not in request.meta
    assert "playwright_page_methods" not in request.meta
    assert request.meta["newscrawl_skip_seen"] is False
    assert s.crawler.stats.get_value("newscrawl/distributed/meta_dropped") == 1
    with pytest.raises(BadSharedRequest):
        seed_request(s, parse_seed(json.dumps({"url": ARTICLE, "meta": {"newscrawl_render": "tout"}})))


# ------------------------------------------------------------------------------ against a real Redis


@needs_redis
def test_hostile_queue_entries_are_dropped_with_a_stat_and_the_good_ones_served(redis_url, server):
    crawler, s, scheduler = open_scheduler(redis_url)
    try:
        good = as_shared(s.article_request(ARTICLE), s)
        hostile = [
            b"\x80\x04\x95pickle",  # a pickle, not JSON
            b"{not json",
            JSON.dumps({**good, "callback": "close"}),
            JSON.dumps({**good, "_class": f"{__name__}.Trap", "url": "file:///etc/passwd"}),
            JSON.dumps({**good, "method": "POST", "body": "x"}),
            json.dumps([1, 2, 3]),
        ]
        for k, entry in enumerate(hostile):
            server.zadd(scheduler.keys.requests, {entry: -10 - k})  # served first
        server.zadd(scheduler.keys.requests, {JSON.dumps({**good, "meta": {**good["meta"], "proxy": "http://x:1"}}): 0})
        LOADED.clear()
        taken = [scheduler.next_request() for _ in range(len(hostile) + 1)]
        assert [r.url for r in taken if r is not None] == [ARTICLE]
        served = next(r for r in taken if r is not None)
        assert served.callback == s.parse_article
        assert "proxy" not in served.meta
        assert LOADED == []
        assert crawler.stats.get_value("newscrawl/distributed/bad_request") == len(hostile)
        assert crawler.stats.get_value("newscrawl/distributed/meta_dropped") == 1
        # a dropped entry does not stay in flight (it would come back at the next recovery)
        assert server.hlen(scheduler.keys.inflight(scheduler.worker_id)) == 1
    finally:
        scheduler.close("finished")


@needs_redis
def test_requests_with_unshared_meta_stay_with_their_worker(redis_url, server):
    _, s, scheduler = open_scheduler(redis_url)
    try:
        request = s.article_request(ARTICLE)
        request.meta["dont_obey_robotstxt"] = True  # would not come back whole from Redis
        assert scheduler.enqueue_request(request)
        assert server.zcard(scheduler.keys.requests) == 0
        assert scheduler.next_request() is request
    finally:
        scheduler.close("finished")


# ------------------------------------------------------------------------------ the dedup state


@pytest.fixture
def store(redis_url):
    s = RedisStore.from_url(redis_url, prefix="essai:dedup")
    crawler = get_crawler(FranceinfoSpider, {})
    s.stats = crawler.stats
    yield s
    s.close()


@needs_redis
def test_bad_url_entries_are_skipped_with_a_stat(store, server):
    store.add_urls(["http://a.fr/1"], "c0ffee0000000001", "kept", 1.0, 42, 1000.0)
    bad = {
        "http://a.fr/2": b"{not json", "http://a.fr/3": json.dumps([1, 2]), "http://a.fr/4": json.dumps(
            ["c", "stolen", 1.0, 1, 1.0]), "http://a.fr/5": json.dumps(["c", "kept", "x", 1, 1.0]),
        "http://a.fr/6": json.dumps([{"a": 1}, "kept", 1.0, 1, 1.0]), "http://a.fr/7": json.dumps(
            ["c", "kept", 1.0, "douze", 1.0]), "http://a.fr/8": json.dumps(["c", "kept", 1.0, 1, float("nan")]),
        "http://a.fr/9": b"\xff\xfe",
    }
    server.hset(store.k("urls"), mapping=bad)
    found = store.urls(["http://a.fr/1", *bad])
    assert list(found) == ["http://a.fr/1"]
    assert store.bad["url"] == len(bad)
    assert store.stats.get_value("newscrawl/dedup/redis_bad/url") == len(bad)
    server.sadd(store.k("cluster", "c0ffee0000000001"), "http://a.fr/2")
    assert [e.url for e in store.cluster("c0ffee0000000001")] == ["http://a.fr/1"]


@needs_redis
def test_bad_articles_ids_and_keys_are_skipped(store, server):
    sig = b"\x01" * SIGNATURE_BYTES
    server.hset(store.k("art", "aaaa000000000001"), mapping={"exact": 5, "words": 100, "added": 10.0, "sig": sig})
    server.hset(store.k("art", "aaaa000000000002"), mapping={"exact": "cinq", "words": 100, "added": 10.0})
    server.hset(store.k("art", "aaaa000000000003"), mapping={"exact": 6, "words": 100, "added": 10.0, "sig": b"x"})
    server.hset(store.k("art", "aaaa000000000004"), mapping={"exact": 7, "words": -3, "added": "inf"})
    for article in ("aaaa000000000001", "aaaa000000000002", "aaaa000000000003", "aaaa000000000004",
                    "../../etc", "x" * 200):
        server.sadd(store.k("band", 11), article)
    found = store.band_candidates([11])
    assert [a.id for a in found] == ["aaaa000000000001"]
    assert found[0].signature == sig
    assert store.bad["article"] == 3
    assert store.bad["id"] == 2
    server.hset(store.k("exact"), "99", "not an id!")
    assert store.by_exact(99) is None
    server.sadd(store.k("anc", 3), "bad id", "aaaa000000000001")
    assert store.anchor_candidates([3]) == [("aaaa000000000001", 1)]
    # pruning with packed keys of a bad length or a bad band count does not stop
    server.hset(store.k("art", "aaaa000000000001"), mapping={"keys": b"\x00" * 12, "nb": 1})
    server.hset(store.k("art", "aaaa000000000003"), mapping={"keys": b"\x00" * 16, "nb": "beaucoup"})
    server.zadd(store.k("added"), {"aaaa000000000001": 1.0, "aaaa000000000003": 1.0, "mauvais id": 1.0})
    assert store.prune(5.0) == 2
    assert store.bad["keys"] == 2
    assert store.stats.get_value("newscrawl/dedup/redis_bad/keys") == 2


def test_signature_size_matches_the_sketch_parameters():
    assert PARAMS.num_perm * PARAMS.sig_bits // 8 == SIGNATURE_BYTES


@needs_redis
def test_keys_of_the_wrong_redis_type_are_skipped(store, server):
    server.set(store.k("urls"), "pas un hash")
    server.set(store.k("exact"), "pas un hash")
    server.set(store.k("band", 12), "pas un ensemble")
    server.sadd(store.k("band", 13), "aaaa000000000009")
    server.sadd(store.k("art", "aaaa000000000009"), "pas un hash")
    server.set(store.k("added"), "pas un zset")
    assert store.urls(["http://a.fr/1"]) == {}
    assert store.by_exact(5) is None
    assert store.band_candidates([12, 13]) == []
    assert store.prune(5.0) == 0
    assert store.bad["key_type"] == 5
    assert store.stats.get_value("newscrawl/dedup/redis_bad/key_type") == 5


@needs_redis
@pytest.mark.parametrize("added", [b"hier", b"inf", b"-5"])
def test_a_bad_added_time_is_replaced_when_the_article_is_stored_again(store, server, added):
    from newscrawl.dedup.fingerprints import fingerprint

    article = store.k("art", "aaaa00000000000a")
    server.hset(article, mapping={"exact": 5, "words": 100, "added": added})
    fp = fingerprint(" ".join(f"mot{i}" for i in range(120)))
    store.add_article("aaaa00000000000a", fp, ["http://a.fr/10"], 2000.0)
    assert float(server.hget(article, "added")) == 2000.0
    assert server.zscore(store.k("added"), "aaaa00000000000a") == 2000.0
    assert store.bad["article"] == 1
    assert store.stats.get_value("newscrawl/dedup/redis_bad/article") == 1
