"""The dedup stores (SQLite and Redis, same interface), the factory and the parameter check.

The Redis tests run against a real redis-server started here on a free 127.0.0.1 port (no
persistence), stopped by pid at teardown. CI installs Debian's redis-server (.ci/run).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest

from newscrawl.dedup.factory import open_store
from newscrawl.dedup.fingerprints import PARAMS, SketchParams, fingerprint, load_signature
from newscrawl.dedup.redis_store import RedisStore
from newscrawl.dedup.sqlite_store import SqliteStore
from newscrawl.dedup.store import (
    SQLITE_FILE,
    DedupStateError,
    ParamsMismatch,
    Store,
    check_params,
)
from tests.conftest import free_port, redis_server_process

TEXT_A = " ".join(
    f"Phrase numéro {i} de la dépêche sur la fermeture de la ligne ferroviaire entre Clermont et Béziers." for i in range(12)
)
TEXT_B = " ".join(f"Le festival de jazz de Marciac accueille {i} concerts gratuits sur la place du village." for i in range(12))


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory) -> Iterator[str]:
    """A throwaway redis-server on 127.0.0.1 for the session: yields its URL."""
    with redis_server_process(tmp_path_factory.mktemp("redis")) as url:
        yield url


@pytest.fixture
def redis_url(redis_server) -> str:
    """The test server, emptied before each test."""
    import redis

    client = redis.Redis.from_url(redis_server)
    client.flushdb()
    client.close()
    return redis_server


@pytest.fixture(params=["sqlite", "redis"])
def store(request, tmp_path) -> Iterator[Store]:
    if request.param == "sqlite":
        s: Store = SqliteStore(tmp_path / SQLITE_FILE)
    else:
        s = RedisStore.from_url(request.getfixturevalue("redis_url"), prefix="test:dedup")
    yield s
    s.close()


def test_stores_implement_the_protocol(store):
    assert isinstance(store, Store)


def test_urls_and_clusters(store):
    fp = fingerprint(TEXT_A)
    store.add_article("aaaaaaaaaaaaaaaa", fp, ["https://www.lefigaro.fr/a-20240101", "http://127.0.0.1:1/a-20240101"], 100.0)
    store.add_urls(["https://www.daily8.com/fr/article/" + "0" * 32], "aaaaaaaaaaaaaaaa", "url", 0.98, 42, 200.0)
    store.commit()
    found = store.urls(["https://www.lefigaro.fr/a-20240101", "https://unknown.example/x"])
    assert set(found) == {"https://www.lefigaro.fr/a-20240101"}
    kept = found["https://www.lefigaro.fr/a-20240101"]
    assert (kept.cluster, kept.reason, kept.exact, kept.seen_at) == ("aaaaaaaaaaaaaaaa", "kept", fp.exact, 100.0)
    members = store.cluster("aaaaaaaaaaaaaaaa")
    assert [m.url for m in members][-1] == "https://www.daily8.com/fr/article/" + "0" * 32
    copy = members[-1]
    assert (copy.reason, copy.similarity, copy.exact) == ("url", 0.98, 42)
    assert len(members) == 3


def test_a_url_keeps_its_cluster_and_refreshes_its_fetch_time(store):
    store.add_urls(["https://x.example/a"], "c1", "near", 0.7, 1, 10.0)
    store.add_urls(["https://x.example/a"], "c2", "exact", 1.0, 2, 20.0)
    entry = store.urls(["https://x.example/a"])["https://x.example/a"]
    assert (entry.cluster, entry.reason, entry.similarity) == ("c1", "near", 0.7)
    assert (entry.seen_at, entry.exact) == (20.0, 2)


def test_exact_band_and_anchor_lookups(store):
    fa, fb = fingerprint(TEXT_A), fingerprint(TEXT_B)
    store.add_article("aaaaaaaaaaaaaaaa", fa, ["https://a.example/1"], 1.0)
    store.add_article("bbbbbbbbbbbbbbbb", fb, ["https://b.example/1"], 2.0)
    store.commit()
    assert store.by_exact(fa.exact) == "aaaaaaaaaaaaaaaa"
    assert store.by_exact(12345) is None
    cands = store.band_candidates(fa.bands)
    assert [c.id for c in cands] == ["aaaaaaaaaaaaaaaa"]
    assert cands[0].signature is not None
    assert (load_signature(cands[0].signature) == fa.signature).all()
    assert store.band_candidates([]) == []
    hits = store.anchor_candidates(fb.anchors[:5])
    assert hits == [("bbbbbbbbbbbbbbbb", 5)]
    art = store.article("bbbbbbbbbbbbbbbb")
    assert art is not None
    assert (art.exact, art.words, art.added) == (fb.exact, fb.words, 2.0)
    assert store.article("cccccccccccccccc") is None


def test_update_replaces_fingerprints_keeps_identity(store):
    fa, fb = fingerprint(TEXT_A), fingerprint(TEXT_B)
    store.add_article("aaaaaaaaaaaaaaaa", fa, ["https://a.example/1"], 1.0)
    store.add_article("aaaaaaaaaaaaaaaa", fb, ["https://a.example/1"], 5.0)  # the page changed
    store.commit()
    art = store.article("aaaaaaaaaaaaaaaa")
    assert art is not None
    assert art.exact == fb.exact
    assert art.added == 1.0
    assert [c.id for c in store.band_candidates(fb.bands)] == ["aaaaaaaaaaaaaaaa"]
    assert store.urls(["https://a.example/1"])["https://a.example/1"].exact == fb.exact


def test_prune_drops_the_index_of_old_articles_but_keeps_hashes_and_urls(store):
    old, new = fingerprint(TEXT_A), fingerprint(TEXT_B)
    store.add_article("aaaaaaaaaaaaaaaa", old, ["https://a.example/1"], 100.0)
    store.add_article("bbbbbbbbbbbbbbbb", new, ["https://b.example/1"], 900.0)
    store.commit()
    assert store.prune(500.0) == 1
    assert store.band_candidates(old.bands) == []
    assert store.anchor_candidates(old.anchors) == []
    assert store.by_exact(old.exact) == "aaaaaaaaaaaaaaaa"
    assert "https://a.example/1" in store.urls(["https://a.example/1"])
    art = store.article("aaaaaaaaaaaaaaaa")
    assert art is not None
    assert art.signature is None
    assert [c.id for c in store.band_candidates(new.bands)] == ["bbbbbbbbbbbbbbbb"]
    assert store.prune(500.0) == 0


def test_meta_round_trip(store):
    assert store.get_meta("x") is None
    store.set_meta("x", "1")
    store.commit()
    assert store.get_meta("x") == "1"


# ------------------------------------------------------------------ persistence, factory, params


def test_sqlite_state_persists_in_wal_mode(tmp_path):
    s = open_store({"NEWSCRAWL_STATE_DIR": str(tmp_path / "state")})
    s.add_article("aaaaaaaaaaaaaaaa", fingerprint(TEXT_A), ["https://a.example/1"], 1.0)
    s.commit()
    s.close()
    path = tmp_path / "state" / SQLITE_FILE
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        indexes = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type IN ('index', 'table')")}
    assert {"bands", "anchors", "urls", "articles", "meta"} <= indexes
    again = open_store({"NEWSCRAWL_STATE_DIR": str(tmp_path / "state")})
    assert again.by_exact(fingerprint(TEXT_A).exact) == "aaaaaaaaaaaaaaaa"
    again.close()


def test_open_store_selects_redis_when_a_url_is_set(redis_url, tmp_path):
    s = open_store({"NEWSCRAWL_REDIS_URL": redis_url, "NEWSCRAWL_STATE_DIR": str(tmp_path)})
    try:
        assert isinstance(s, RedisStore)
        assert s.get_meta("params_version") == PARAMS.version
    finally:
        s.close()
    assert not (tmp_path / SQLITE_FILE).exists()


@pytest.mark.parametrize("backend", ["sqlite", "redis"])
def test_params_version_mismatch_fails_loudly(backend, tmp_path, request):
    settings = {"NEWSCRAWL_STATE_DIR": str(tmp_path)}
    if backend == "redis":
        settings["NEWSCRAWL_REDIS_URL"] = request.getfixturevalue("redis_url")
    open_store(settings).close()  # a state written with the current parameters
    with pytest.raises(ParamsMismatch, match="sketch parameters") as info:
        open_store(settings, SketchParams(shingle=4))
    assert '"shingle":5' in str(info.value)
    assert '"shingle":4' in str(info.value)
    open_store(settings).close()  # the current parameters still open it


def test_canary_mismatch_fails_loudly(tmp_path):
    settings = {"NEWSCRAWL_STATE_DIR": str(tmp_path)}
    s = open_store(settings)
    s.set_meta("params_canary", "0" * 24)  # as if written by code that hashes differently
    s.commit()
    s.close()
    with pytest.raises(ParamsMismatch, match="hashing changed"):
        open_store(settings)


def test_check_params_writes_a_new_state(tmp_path):
    s = SqliteStore(tmp_path / "x.sqlite")
    check_params(s)
    assert s.get_meta("params_version") == PARAMS.version
    assert s.get_meta("params_canary")
    s.close()


def test_a_corrupt_state_file_is_refused_with_a_clear_error(tmp_path):
    (tmp_path / SQLITE_FILE).write_bytes(b"this is not a database" * 100)
    with pytest.raises(DedupStateError, match="not a usable SQLite database"):
        open_store({"NEWSCRAWL_STATE_DIR": str(tmp_path)})


def test_an_unreachable_redis_is_a_clear_error():
    with pytest.raises(DedupStateError, match="Cannot reach"):
        RedisStore.from_url(f"redis://127.0.0.1:{free_port()}/0")


def test_sqlite_two_level_index_merges_and_still_finds_everything(tmp_path):
    s = SqliteStore(tmp_path / SQLITE_FILE, merge_rows=100)  # 40 keys an article: a merge after the 3rd
    fps = {f"{i:016x}": fingerprint(f"{TEXT_A} Variante numéro {i} du texte, avec quelques mots de plus.")
           for i in range(5)}
    for i, (article_id, fp) in enumerate(fps.items()):
        s.add_article(article_id, fp, [f"https://a.example/{i}"], float(i))
    s.commit()
    main = s.db.execute("SELECT COUNT(*) FROM bands").fetchone()[0]
    recent = s.db.execute("SELECT COUNT(*) FROM recent").fetchone()[0]
    assert main == 3 * 32
    assert recent == 2
    assert s._recent == 2 * 40
    for article_id, fp in fps.items():
        assert article_id in {c.id for c in s.band_candidates(fp.bands)}
        assert dict(s.anchor_candidates(fp.anchors))[article_id] == len(set(fp.anchors))
    assert s.prune(3.0) == 3  # pruning reaches both levels
    gone = fps["0000000000000000"]
    assert "0000000000000000" not in {c.id for c in s.band_candidates(gone.bands)}
    last = fps["0000000000000004"]
    s.close()
    reopened = SqliteStore(tmp_path / SQLITE_FILE, merge_rows=100)  # the recent level is read back
    assert reopened._recent == s._recent
    assert "0000000000000004" in {c.id for c in reopened.band_candidates(last.bands)}
    reopened.close()


def test_sqlite_recent_level_follows_other_processes(tmp_path):
    """Two connections on one file (two crawls sharing a state dir): each sees the other's
    recent articles once committed, and after the other merged or pruned."""
    path = tmp_path / SQLITE_FILE
    a = SqliteStore(path, merge_rows=10_000)
    b = SqliteStore(path, merge_rows=10_000)
    fps = [fingerprint(f"{TEXT_A} Variante numéro {i} du texte, avec quelques mots de plus.") for i in range(4)]
    a.add_article("a0", fps[0], ["https://a.example/0"], 1.0)
    assert "a0" in {c.id for c in a.band_candidates(fps[0].bands)}  # own write, not committed yet
    a.commit()
    assert "a0" in {c.id for c in b.band_candidates(fps[0].bands)}
    assert dict(b.anchor_candidates(fps[0].anchors))["a0"] == len(set(fps[0].anchors))
    b.add_article("b1", fps[1], ["https://a.example/1"], 2.0)
    b.commit()
    b.merge()  # b moves both articles to the main tables and empties the recent table
    a.add_article("a2", fps[2], ["https://a.example/2"], 3.0)  # a reloads before writing
    a.commit()
    for store in (a, b):
        for article_id, fp in (("a0", fps[0]), ("b1", fps[1]), ("a2", fps[2])):
            hits = [c.id for c in store.band_candidates(fp.bands)]
            assert hits.count(article_id) == 1, (article_id, hits)  # found once, not once per level
    assert b.prune(1.5) == 1  # a0 leaves the index...
    assert "a0" not in {c.id for c in a.band_candidates(fps[0].bands)}  # ...for a too
    assert "a2" in {c.id for c in a.band_candidates(fps[2].bands)}
    a.close()
    b.close()


# ------------------------------------------------------------------ memory bounds (settings)


def test_memory_settings_reach_the_sqlite_store(tmp_path):
    """NEWSCRAWL_DEDUP_CACHE_MB sets SQLite's page cache; NEWSCRAWL_DEDUP_MERGE_KEYS the recent
    keys held in memory before a merge (40 keys an article: 100 keys merge after the 3rd)."""
    settings = {"NEWSCRAWL_STATE_DIR": str(tmp_path), "NEWSCRAWL_DEDUP_CACHE_MB": 7,
                "NEWSCRAWL_DEDUP_MERGE_KEYS": "100"}
    s = open_store(settings)
    try:
        assert isinstance(s, SqliteStore)
        assert s.db.execute("PRAGMA cache_size").fetchone()[0] == -7 * 1024  # KiB
        fps = [fingerprint(f"{TEXT_A} Variante numéro {i} du texte, avec quelques mots de plus.") for i in range(3)]
        for i, fp in enumerate(fps[:2]):
            s.add_article(f"{i:016x}", fp, [f"https://a.example/{i}"], float(i))
        assert s.db.execute("SELECT COUNT(*) FROM bands").fetchone()[0] == 0  # 80 keys: still recent
        s.add_article(f"{2:016x}", fps[2], ["https://a.example/2"], 2.0)
        assert s._recent == 0  # 120 >= 100: merged
        assert s.db.execute("SELECT COUNT(*) FROM bands").fetchone()[0] == 3 * 32
    finally:
        s.close()


def test_memory_settings_defaults_are_the_settings_module_values(tmp_path):
    from newscrawl import settings as project
    from newscrawl.dedup.factory import memory_bounds
    from newscrawl.dedup.store import DEFAULT_CACHE_MB, DEFAULT_MERGE_KEYS

    assert (DEFAULT_CACHE_MB, DEFAULT_MERGE_KEYS) == (project.NEWSCRAWL_DEDUP_CACHE_MB,
                                                      project.NEWSCRAWL_DEDUP_MERGE_KEYS)
    assert memory_bounds({}) == (DEFAULT_CACHE_MB, DEFAULT_MERGE_KEYS)
    s = open_store({"NEWSCRAWL_STATE_DIR": str(tmp_path)})
    try:
        assert s.db.execute("PRAGMA cache_size").fetchone()[0] == -DEFAULT_CACHE_MB * 1024
        assert s.merge_rows == DEFAULT_MERGE_KEYS
    finally:
        s.close()


@pytest.mark.parametrize("name", ["NEWSCRAWL_DEDUP_CACHE_MB", "NEWSCRAWL_DEDUP_MERGE_KEYS"])
@pytest.mark.parametrize("bad", [0, -5, "0", "-1", "lots", "1.5", 2.5, True, [8]])
def test_bad_memory_settings_fail_at_open_with_the_setting_name(tmp_path, name, bad):
    with pytest.raises(ValueError, match=f"{name} must be a whole number >= 1"):
        open_store({"NEWSCRAWL_STATE_DIR": str(tmp_path), name: bad})
    assert not (tmp_path / SQLITE_FILE).exists()  # refused before anything is created


def test_bad_memory_setting_stops_the_crawler_at_start(tmp_path):
    from scrapy import Spider
    from scrapy.utils.test import get_crawler

    from pipelines.dedup import DedupContentPipeline

    crawler = get_crawler(Spider, {"NEWSCRAWL_STATE_DIR": str(tmp_path), "NEWSCRAWL_DEDUP_CACHE_MB": "16MB"})
    with pytest.raises(ValueError, match="NEWSCRAWL_DEDUP_CACHE_MB must be a whole number >= 1, got '16MB'"):
        DedupContentPipeline.from_crawler(crawler)
