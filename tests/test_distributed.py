"""Distributed mode (newscrawl/distributed.py): JSON requests, seeds, the add-on, the scheduler
against a real Redis, and real `scrapy crawl` workers sharing one frontier.

Redis: a throwaway redis-server per test on a free 127.0.0.1 port (no persistence), stopped by
pid at teardown; CI installs Debian's redis-server (.ci/run). The local site serves invented
franceinfo-like articles (franceinfo's article markup, texts generated from a word list).
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.request import request_from_dict
from scrapy.utils.test import get_crawler

from newscrawl.distributed import (
    JSON,
    TOKEN_META,
    DistributedAddon,
    Keys,
    RedisScheduler,
    cluster_status,
    parse_seed,
    push_seeds,
    seed_request,
)
from newscrawl.localsite import LocalSite, Page
from spiders.franceinfo import FranceinfoSpider
from tests.conftest import REDIS_SERVER, free_port, missing_tool, redis_server_process

ROOT = Path(__file__).resolve().parent.parent
_no_redis = pytest.mark.skipif(missing_tool(REDIS_SERVER),
                               reason="redis-server is not installed (CI installs it: apt-get install redis-server)")


def needs_redis(test: Any) -> Any:
    return pytest.mark.redis(_no_redis(test))

# ------------------------------------------------------------------------------ the local site

WORDS = (
    "mairie", "conseil", "commune", "habitants", "projet", "travaux", "quartier", "école", "route", "pont",
    "gare", "marché", "budget", "préfecture", "région", "département", "association", "bénévoles", "collège",
    "hôpital", "médecin", "pompiers", "tempête", "récolte", "vignerons", "agriculteurs", "usine", "salariés",
    "emploi", "syndicat", "tribunal", "enquête", "gendarmes", "élus", "vote", "réunion", "riverains",
    "chantier", "tramway", "piscine", "médiathèque", "festival", "concert", "musée", "rivière", "crue",
    "digue", "forêt", "incendie", "sécheresse", "éoliennes", "panneaux", "solaires", "cantine", "loyers",
    "commerces", "boulangerie", "fromagerie", "port", "pêcheurs", "ferry", "aéroport", "navette", "vélo",
    "piste", "sentier",
)
VERBS = ("annonce", "prépare", "finance", "reporte", "conteste", "inaugure", "étudie", "relance", "limite", "rénove")
TOWNS = ("Quimper", "Auxerre", "Millau", "Dole", "Saintes", "Vichy", "Lannion", "Épinal", "Cahors", "Rodez",
         "Figeac", "Morlaix", "Gap", "Digne", "Tulle", "Guéret", "Aurillac", "Mende", "Foix", "Auch")


def sentence(rng: random.Random) -> str:
    words = [rng.choice(WORDS) for _ in range(rng.randint(9, 16))]
    return f"À {rng.choice(TOWNS)}, la {words[0]} {rng.choice(VERBS)} " + " ".join(words[1:]) + "."


def article_html(n: int, *, text_seed: int | None = None) -> str:
    """An invented franceinfo-like article (different text for each ``text_seed``)."""
    rng = random.Random(text_seed if text_seed is not None else n)
    title = f"{rng.choice(TOWNS)} : la {rng.choice(WORDS)} {rng.choice(VERBS)} un projet de {rng.choice(WORDS)} ({n})"
    paragraphs = "".join(f"<p>{' '.join(sentence(rng) for _ in range(3))}</p>" for _ in range(5))
    day = 1 + n % 27
    return f"""<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{title}</title>
<meta property="og:title" content="{title}"></head><body>
<main id="base-page__main-content"><article id="js--content" class="content--classic">
<h1 class="c-title">{title}</h1>
<div class="publication-date"><span class="publication-date__published">Publié le
<time datetime="2025-03-{day:02d}T08:{n % 60:02d}:00+01:00">{day} mars 2025</time></span></div>
<div class="c-body">{paragraphs}</div>
</article></main></body></html>"""


def article_path(feed: int, n: int) -> str:
    return f"/societe/article-{feed}-{n}_{7100000 + 1000 * feed + n}.html"


def feed_xml(paths: list[str]) -> str:
    items = "".join(f"<item><title>Article {k}</title><link>{{{{BASE}}}}{p}</link>"
                    f"<pubDate>Mon, 03 Mar 2025 0{k % 10}:00:00 +0100</pubDate></item>" for k, p in enumerate(paths))
    return (f'<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"><channel><title>Essai</title>{items}'
            "</channel></rss>")


def news_site(feeds: int = 1, per_feed: int = 12) -> tuple[dict[str, Page], list[str]]:
    pages: dict[str, Page] = {}
    articles: list[str] = []
    for f in range(1, feeds + 1):
        paths = [article_path(f, n) for n in range(per_feed)]
        pages[f"/feed{f}.rss"] = Page(feed_xml(paths), content_type="application/rss+xml; charset=utf-8")
        for n, path in enumerate(paths):
            pages[path] = Page(article_html(1000 * f + n))
        articles += paths
    return pages, articles


# ------------------------------------------------------------------------------ Redis and workers


@pytest.fixture
def redis_url(tmp_path) -> Iterator[str]:
    """A throwaway redis-server per test on 127.0.0.1 (stopped by pid at teardown)."""
    with redis_server_process(tmp_path / "redis") as url:
        yield url


@pytest.fixture
def server(redis_url):
    import redis

    client = redis.Redis.from_url(redis_url)
    yield client
    client.close()


WORKER_SETTINGS = {
    "DOWNLOAD_DELAY": "0.15",  # slow enough for both workers to take a share
    "AUTOTHROTTLE_ENABLED": "0",
    "NEWSCRAWL_REDIS_IDLE_TIMEOUT": "2",
    "NEWSCRAWL_REDIS_HEARTBEAT": "0.3",
    "NEWSCRAWL_REDIS_WORKER_TIMEOUT": "3",
    "NEWSCRAWL_RECORDS_DIR": "",
    "NEWSCRAWL_MONITOR_ENABLED": "False",
    "LOG_LEVEL": "INFO",
}


def worker(tmp_path: Path, name: str, redis_url: str, start_urls: list[str], *, output: str = "feed",
           spider: str = "franceinfo", **settings: str) -> subprocess.Popen[str]:
    """A `scrapy crawl` worker in distributed mode; its stats go to <tmp>/<name>.stats.json."""
    args = [sys.executable, "-m", "scrapy", "crawl", spider, "-a", "start_urls=" + ",".join(start_urls)]
    all_settings = {**WORKER_SETTINGS, "NEWSCRAWL_REDIS_URL": redis_url,
                    "NEWSCRAWL_STATE_DIR": str(tmp_path / f"{name}.state"),
                    "NEWSCRAWL_STATS_FILE": str(tmp_path / f"{name}.stats.json"), **settings}
    if output == "feed":
        args += ["-O", str(tmp_path / f"{name}.jsonl")]
    else:  # crash-safe dated JSONL (fsync per record), what `python -m newscrawl crawl` writes
        all_settings["NEWSCRAWL_OUTPUT_DIR"] = str(tmp_path / f"{name}.out")
    for key, value in all_settings.items():
        args += ["-s", f"{key}={value}"]
    log = (tmp_path / f"{name}.log").open("w")
    return subprocess.Popen(args, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=log,
                            stderr=subprocess.STDOUT, text=True)


def finish(proc: subprocess.Popen[str], tmp_path: Path, name: str, timeout: float = 40) -> dict:
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        pytest.fail(f"worker {name} did not end within {timeout} s:\n{log_of(tmp_path, name)[-3000:]}")
    assert proc.returncode == 0, log_of(tmp_path, name)[-3000:]
    return json.loads((tmp_path / f"{name}.stats.json").read_text())


def log_of(tmp_path: Path, name: str) -> str:
    return (tmp_path / f"{name}.log").read_text(errors="replace")


def records(path: Path) -> list[dict]:
    files = [path] if path.is_file() else sorted(path.rglob("*.jsonl")) if path.exists() else []
    return [json.loads(line) for f in files for line in f.read_text(encoding="utf-8").splitlines() if line.strip()]


def article_hits(site: LocalSite, articles: list[str]) -> dict[str, int]:
    return {p: site.hits.get(p, 0) for p in articles}


# ------------------------------------------------------------------------------ pure parts


def test_requests_travel_as_json_with_bytes_and_callbacks():
    spider = get_crawler(FranceinfoSpider, {})._create_spider(start_urls="http://127.0.0.1:1/feed.rss")
    request = spider.article_request("http://127.0.0.1:1/societe/x_7100001.html")
    request = request.replace(headers={b"X-Essai": [b"\xc3\xa9t\xc3\xa9"]}, body=b"\x00\xff", priority=5)
    data = JSON.dumps(request.to_dict(spider=spider))
    assert isinstance(data, str)
    assert json.loads(data)["priority"] == 5  # plain JSON: the Lua recovery script reads it
    again = request_from_dict(JSON.loads(data), spider=spider)
    assert again.url == request.url
    assert again.body == b"\x00\xff"
    assert again.headers.getlist(b"X-Essai") == [b"\xc3\xa9t\xc3\xa9"]
    assert again.callback == spider.parse_article
    assert again.errback == spider.on_error
    assert again.meta["newscrawl_article"] is True
    assert again.cb_kwargs == request.cb_kwargs


def test_objects_that_json_cannot_carry_are_refused():
    with pytest.raises(TypeError):
        JSON.dumps({"meta": {"page": object()}})
    # tagged values are not confused with user dicts that look alike
    tricky = {"meta": {"__bytes__": "not base64?"}, "keys": {b"k": 1}}
    assert JSON.loads(JSON.dumps(tricky)) == tricky


@pytest.mark.parametrize(("raw", "url", "meta", "dont_filter"), [
    ('{"url": "https://www.franceinfo.fr/titres.rss"}', "https://www.franceinfo.fr/titres.rss", {}, False),
    (b' https://www.lefigaro.fr/rss/figaro_actualites.xml\n', "https://www.lefigaro.fr/rss/figaro_actualites.xml", {},
     False),
    ('{"url": "https://x.fr/a", "meta": {"k": 1}, "dont_filter": true}', "https://x.fr/a", {"k": 1}, True),
])
def test_seeds_are_json_or_bare_urls(raw, url, meta, dont_filter):
    assert parse_seed(raw) == {"url": url, "meta": meta, "dont_filter": dont_filter}


@pytest.mark.parametrize("raw", ['{"url": "/relative/path"}', "{not json", '{"meta": {}}', "ftp://x.fr/a",
                                 '{"url": "https://x.fr", "meta": [1]}'])
def test_bad_seeds_are_refused_with_a_reason(raw):
    with pytest.raises(ValueError, match=r"\w"):
        parse_seed(raw)


def test_a_seed_becomes_the_spider_request_and_is_filtered_like_any_other():
    crawler = get_crawler(FranceinfoSpider, {})
    spider = crawler._create_spider(start_urls="http://127.0.0.1:1/feed.rss")
    feed = seed_request(spider, parse_seed("http://127.0.0.1:1/feed2.rss"))
    article = seed_request(spider, parse_seed('{"url": "http://127.0.0.1:1/societe/un-essai_7100001.html"}'))
    forced = seed_request(spider, parse_seed('{"url": "http://127.0.0.1:1/f.rss", "dont_filter": true}'))
    assert feed is not None
    assert article is not None
    assert forced is not None
    assert feed.callback == spider.parse_discovery
    assert article.callback == spider.parse_article
    assert article.meta["newscrawl_explicit"] is True
    assert not feed.dont_filter  # scrapy-redis seeds are dont_filter=True: fetched again when found as links
    assert not article.dont_filter
    assert forced.dont_filter


def test_the_addon_switches_the_scheduler_only_with_a_redis_url():
    assert "RedisScheduler" not in str(get_crawler(FranceinfoSpider, {}).settings["SCHEDULER"])
    crawler = get_crawler(FranceinfoSpider, {"NEWSCRAWL_REDIS_URL": "redis://127.0.0.1:1/0",
                                             "ADDONS": {DistributedAddon: 100}})
    assert crawler.settings["SCHEDULER"] == "newscrawl.distributed.RedisScheduler"
    own = get_crawler(FranceinfoSpider, {"NEWSCRAWL_REDIS_URL": "redis://127.0.0.1:1/0", "SCHEDULER": "my.Sched",
                                         "ADDONS": {DistributedAddon: 100}})
    assert own.settings["SCHEDULER"] == "my.Sched"  # a scheduler chosen in the settings wins


def test_the_project_settings_enable_the_addons():
    from newscrawl import settings

    assert "newscrawl.distributed.DistributedAddon" in settings.ADDONS
    assert settings.NEWSCRAWL_REDIS_URL == ""  # off by default: nothing changes without it


# ------------------------------------------------------------------------------ the scheduler on Redis


def open_scheduler(redis_url: str, **settings):
    crawler = get_crawler(FranceinfoSpider, {"NEWSCRAWL_REDIS_URL": redis_url, "NEWSCRAWL_REDIS_WORKER_TIMEOUT": 3,
                                             "NEWSCRAWL_REDIS_IDLE_TIMEOUT": 0, **settings})
    spider = crawler._create_spider(start_urls="http://127.0.0.1:1/feed.rss")
    crawler.spider = spider
    scheduler = RedisScheduler.from_crawler(crawler)
    scheduler.open(spider)
    return crawler, spider, scheduler


@needs_redis
def test_two_schedulers_share_one_frontier_and_one_dupefilter(redis_url, server):
    _, spider_a, a = open_scheduler(redis_url)
    crawler_b, spider_b, b = open_scheduler(redis_url)
    try:
        urls = [f"http://127.0.0.1:1/societe/a-{n}_{7100000 + n}.html" for n in range(3)]
        for url in urls:
            assert a.enqueue_request(spider_a.article_request(url))
        assert not b.enqueue_request(spider_b.article_request(urls[0]))  # seen by A: filtered
        assert crawler_b.stats.get_value("dupefilter/filtered") == 1
        taken = [b.next_request(), a.next_request(), b.next_request()]
        assert sorted(r.url for r in taken) == urls
        assert a.next_request() is None
        assert taken[0].callback == spider_b.parse_article  # bound to the worker that took it
        assert server.hlen(b.keys.inflight(b.worker_id)) == 2  # in flight until downloaded
        b.request_left_downloader(taken[0])
        assert server.hlen(b.keys.inflight(b.worker_id)) == 1
        assert set(cluster_status(server, a.keys)["workers"]) == {a.worker_id, b.worker_id}
    finally:
        a.close("finished")
        b.close("finished")
    assert cluster_status(server, a.keys)["workers"] == {}


@needs_redis
def test_a_request_stays_in_flight_until_the_engine_is_done_with_it(redis_url, server):
    """Done = downloaded, parsed and its items through the pipelines: the engine's in-progress set."""
    crawler, spider, a = open_scheduler(redis_url)
    slot = type("Slot", (), {"inprogress": set()})()
    crawler.engine = type("Engine", (), {"_slot": slot})()
    try:
        for n in range(2):
            a.enqueue_request(spider.article_request(f"http://127.0.0.1:1/societe/a-{n}_{7100000 + n}.html"))
        first, second = a.next_request(), a.next_request()
        slot.inprogress.update({first, second})
        a.request_left_downloader(first)  # downloaded, but its callback and items are not done yet
        a._beat()
        assert server.hlen(a.keys.inflight(a.worker_id)) == 2
        slot.inprogress.discard(first)  # the engine is done with it
        a._beat()
        assert server.hkeys(a.keys.inflight(a.worker_id)) == [second.meta[TOKEN_META].encode()]
    finally:
        a.close("finished")


@needs_redis
def test_a_worker_does_not_hoard_the_shared_queue(redis_url, server):
    """The engine takes requests while CONCURRENT_REQUESTS allows; those waiting for the per-domain
    delay would be stuck in this worker while others idle: at most NEWSCRAWL_REDIS_PREFETCH wait."""
    crawler, spider, a = open_scheduler(redis_url, NEWSCRAWL_REDIS_PREFETCH=2)
    slot = type("Slot", (), {"transferring": set()})()
    downloader = type("Downloader", (), {"active": set(), "slots": {"127.0.0.1": slot}})()
    crawler.engine = type("Engine", (), {"downloader": downloader})()
    try:
        for n in range(4):
            a.enqueue_request(spider.article_request(f"http://127.0.0.1:1/societe/a-{n}_{7100000 + n}.html"))
        taken = [a.next_request(), a.next_request()]
        downloader.active.update(taken)  # both waiting for their turn
        assert a.next_request() is None
        assert server.zcard(a.keys.requests) == 2  # left for the other workers
        slot.transferring.add(taken[0])  # one is downloading now: room for one more
        assert a.next_request() is not None
    finally:
        a.close("finished")


@needs_redis
def test_requests_that_cannot_travel_stay_with_their_worker(redis_url):
    crawler, _spider, scheduler = open_scheduler(redis_url)
    try:
        def not_a_spider_method(response):
            return None

        local = Request("data:,", callback=not_a_spider_method, dont_filter=True)
        assert scheduler.enqueue_request(local)
        assert crawler.stats.get_value("scheduler/enqueued/local") == 1
        assert len(scheduler.queue) == 0
        assert scheduler.has_pending_requests()
        assert scheduler.next_request() is local
    finally:
        scheduler.close("finished")


@needs_redis
def test_a_dead_worker_requests_go_back_to_the_queue(redis_url, server):
    _, spider_a, a = open_scheduler(redis_url)
    crawler_b, _, b = open_scheduler(redis_url)
    try:
        a.enqueue_request(spider_a.article_request("http://127.0.0.1:1/societe/x_7100001.html").replace(priority=3))
        taken = a.next_request()
        assert taken is not None
        assert TOKEN_META in taken.meta
        # A dies: its loop stops and its heartbeat key expires (deleted here instead of waiting 3 s)
        a._loop.stop()
        server.delete(a.keys.worker(a.worker_id))
        with pytest.raises(DontCloseSpider):
            b.spider_idle()
        assert crawler_b.stats.get_value("newscrawl/distributed/recovered") == 1
        again = b.next_request()
        assert again is not None
        assert again.url == taken.url
        assert again.priority == 3
        assert a.worker_id not in cluster_status(server, a.keys)["workers"]
    finally:
        b.close("finished")


@needs_redis
def test_a_worker_stopped_early_hands_its_requests_back(redis_url, server):
    _, spider, a = open_scheduler(redis_url)
    a.enqueue_request(spider.article_request("http://127.0.0.1:1/societe/x_7100001.html"))
    assert a.next_request() is not None
    a.close("shutdown")
    assert server.zcard(a.keys.requests) == 1
    assert a.worker_id not in cluster_status(server, a.keys)["workers"]


@needs_redis
def test_the_run_ends_when_the_cluster_is_quiet_and_the_dupefilter_is_cleared(redis_url, server):
    crawler, spider, a = open_scheduler(redis_url, NEWSCRAWL_REDIS_IDLE_TIMEOUT=0)
    _, _, busy = open_scheduler(redis_url)
    try:
        a.enqueue_request(spider.discovery_request("http://127.0.0.1:1/feed.rss"))
        assert a.next_request() is not None
        assert server.scard(a.keys.dupefilter) == 1
        with pytest.raises(DontCloseSpider):  # the other worker is still busy
            a.spider_idle()
        assert server.scard(a.keys.dupefilter) == 1
        busy.spider_idle()  # idle too, and A is idle: the cluster is quiet, the run is over (may close)
        a.spider_idle()
        assert crawler.stats.get_value("newscrawl/distributed/run_over") == 1
        assert server.scard(a.keys.dupefilter) == 0  # the next run fetches the feeds again
    finally:
        a.close("finished")
        busy.close("finished")


@needs_redis
def test_seeds_are_taken_when_idle_and_a_bad_seed_does_not_stop_the_worker(redis_url, server):
    crawler, _spider, a = open_scheduler(redis_url)
    scheduled = []
    crawler.engine = type("Engine", (), {"crawl": staticmethod(scheduled.append)})()
    try:
        server.rpush(a.keys.seeds, "pas une url", '{"url": "/relative"}')
        pushed, bad = push_seeds(server, a.keys, ["http://127.0.0.1:1/feed2.rss", "/nope"])
        assert (pushed, bad) == (1, ["/nope"])
        with pytest.raises(DontCloseSpider):
            a.spider_idle()
        assert [r.url for r in scheduled] == ["http://127.0.0.1:1/feed2.rss"]
        assert crawler.stats.get_value("newscrawl/distributed/bad_seed") == 2
        assert crawler.stats.get_value("newscrawl/distributed/seeds") == 1
        assert server.llen(a.keys.seeds) == 0
    finally:
        a.close("finished")


# ------------------------------------------------------------------------------ real workers


@pytest.mark.e2e
@needs_redis
def test_two_workers_fetch_every_article_once_and_write_one_record_each(tmp_path, redis_url, server):
    pages, articles = news_site(feeds=2, per_feed=12)
    # The first feed is served once both workers are up, so that a slow start (a loaded machine)
    # cannot leave all the work to the first one.
    both_up = threading.Event()
    feed_body = pages["/feed1.rss"].body
    pages["/feed1.rss"].body = lambda: (both_up.wait(30), feed_body)[1]
    keys = Keys.of("newscrawl", "franceinfo")
    with LocalSite(pages) as site:
        feed1, feed2 = site.url("/feed1.rss"), site.url("/feed2.rss")
        # the second feed is a seed, pushed with the command line; bad seeds pushed by hand
        seed = subprocess.run([sys.executable, "-m", "newscrawl.distributed", "--redis", redis_url, "seed",
                               "franceinfo", feed2], cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                              capture_output=True, text=True, timeout=60, check=False)
        assert seed.returncode == 0, seed.stderr
        server.rpush(keys.seeds, "/pas-une-url")
        # same start URL for both: fetched once, through the shared dupefilter
        a = worker(tmp_path, "a", redis_url, [feed1], NEWSCRAWL_REDIS_WORKER_TIMEOUT="15")
        b = worker(tmp_path, "b", redis_url, [feed1], NEWSCRAWL_REDIS_WORKER_TIMEOUT="15")
        deadline = time.monotonic() + 30
        while len(cluster_status(server, keys)["workers"]) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        both_up.set()
        stats_a, stats_b = finish(a, tmp_path, "a"), finish(b, tmp_path, "b")
        hits = article_hits(site, articles)
    assert hits == dict.fromkeys(articles, 1), hits
    assert site.hits["/feed1.rss"] == 1
    assert site.hits["/feed2.rss"] == 1
    merged = records(tmp_path / "a.jsonl") + records(tmp_path / "b.jsonl")
    assert sorted(r["url"].removeprefix(site.base) for r in merged) == sorted(articles)
    assert len({r["id"] for r in merged}) == len(articles)
    assert records(tmp_path / "a.jsonl")
    assert records(tmp_path / "b.jsonl")  # both took a share
    for stats in (stats_a, stats_b):
        assert stats["finish_reason"] == "finished"
        assert stats.get("newscrawl/distributed/run_over") == 1
        assert not any(k.startswith("log_count/ERROR") for k in stats)
    assert stats_a.get("newscrawl/distributed/bad_seed", 0) + stats_b.get("newscrawl/distributed/bad_seed", 0) == 1
    assert cluster_status(server, keys) == {"queue": 0, "seeds": 0, "dupefilter": 0, "workers": {}}


@pytest.mark.e2e
@needs_redis
def test_when_a_worker_is_killed_the_other_finishes_the_queue(tmp_path, redis_url, server):
    pages, articles = news_site(feeds=1, per_feed=24)
    with LocalSite(pages) as site:
        feed = site.url("/feed1.rss")
        a = worker(tmp_path, "a", redis_url, [feed], output="jsonl", CONCURRENT_REQUESTS="4")
        b = worker(tmp_path, "b", redis_url, [feed], output="jsonl", CONCURRENT_REQUESTS="4")
        keys = Keys.of("newscrawl", "franceinfo")

        def in_flight_of_a() -> int:  # worker ids are <host>:<pid>:<random>
            return sum(w["in_flight"] for wid, w in cluster_status(server, keys)["workers"].items()
                       if wid.split(":")[1] == str(a.pid))

        deadline = time.monotonic() + 30
        while sum(article_hits(site, articles).values()) < 6 or not in_flight_of_a():
            assert time.monotonic() < deadline, log_of(tmp_path, "a")[-2000:]
            assert a.poll() is None, "worker a ended before it could be killed"
            time.sleep(0.02)
        a.send_signal(signal.SIGKILL)  # no chance to hand anything back
        a.wait(timeout=10)
        stats_b = finish(b, tmp_path, "b")
        hits = article_hits(site, articles)
    assert all(n >= 1 for n in hits.values()), hits  # at least once: a page taken by A may be fetched again
    merged = records(tmp_path / "a.out") + records(tmp_path / "b.out")
    assert {r["url"].removeprefix(site.base) for r in merged} == set(articles)
    assert stats_b["finish_reason"] == "finished"
    assert stats_b.get("newscrawl/distributed/recovered", 0) >= 1  # A had requests in flight: B took them back
    status = cluster_status(server, Keys.of("newscrawl", "franceinfo"))
    assert status["queue"] == 0
    assert status["workers"] == {}


@pytest.mark.e2e
@needs_redis
def test_the_dedup_state_is_shared_between_workers(tmp_path, redis_url, server):
    original = "/societe/la-digue-de-saintes_7100001.html"
    copy = "/societe/la-digue-de-saintes-copie_7100002.html"
    pages = {original: Page(article_html(1, text_seed=77)), copy: Page(article_html(2, text_seed=77))}
    with LocalSite(pages) as site:
        a = worker(tmp_path, "a", redis_url, [site.url(original)], NEWSCRAWL_REDIS_WORKER_TIMEOUT="15")
        stats_a = finish(a, tmp_path, "a")
        # B has its own state dir: only Redis can tell it what A collected
        b = worker(tmp_path, "b", redis_url, [site.url(original), site.url(copy)], NEWSCRAWL_REDIS_WORKER_TIMEOUT="15")
        stats_b = finish(b, tmp_path, "b")
        hits = dict(site.hits)
    assert len(records(tmp_path / "a.jsonl")) == 1
    assert stats_a.get("newscrawl/dedup/kept") == 1
    assert records(tmp_path / "b.jsonl") == []
    assert stats_b.get("newscrawl/dedup/skipped_seen") == 1  # A's URL: not even downloaded by B
    assert hits[original] == 1
    assert stats_b.get("newscrawl/dedup/duplicate/exact") == 1  # same text at another URL: A's article
    assert not (tmp_path / "b.state" / "dedup.sqlite").exists()
    assert server.exists("newscrawl:dedup:urls")


@pytest.mark.e2e
@pytest.mark.parametrize(("dedup", "message"), [
    ("True", "Cannot reach the dedup state at redis://"),  # the dedup store opens first
    ("False", "Cannot reach Redis at redis://"),  # then the scheduler
])
def test_an_unreachable_redis_stops_the_worker_with_a_clear_message(tmp_path, dedup, message):
    proc = worker(tmp_path, "a", f"redis://127.0.0.1:{free_port()}/0", ["http://127.0.0.1:1/feed.rss"],
                  NEWSCRAWL_DEDUP_ENABLED=dedup)
    proc.wait(timeout=60)
    assert proc.returncode == 1
    assert message in log_of(tmp_path, "a")
    assert not (tmp_path / "a.jsonl").exists() or records(tmp_path / "a.jsonl") == []
