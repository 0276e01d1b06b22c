"""Two consecutive runs of the real `scrapy crawl` commands over a local mini-site
(tests/fixtures/dedup_site/): a Le Figaro article and its Daily8 copy, an AFP dispatch on
franceinfo and its Le Parisien republication (own title, lead, a few edits), and a same-topic
franceinfo article that is not a copy.

Run 1 writes one record per article and logs the copies in ``<state>/duplicates.jsonl``;
run 2 fetches no known article (server hit counts) and writes no record. Run 1 is the four
site spiders in sequence sharing one state (publishers, then the aggregator, as cron orders
them); run 2 starts them at once. The same with the Redis store.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from newscrawl.dedup.__main__ import main as dedup_cli
from newscrawl.localsite import LocalSite, pages_from_folder
from newscrawl.text.urls import url_id
from tests.conftest import FIXTURES, run_scrapy
from tests.test_dedup_store import redis_server, redis_url  # noqa: F401 (pytest fixtures)

SITE = FIXTURES / "dedup_site"
SPIDERS = ("lefigaro", "franceinfo", "leparisien", "daily8")  # publishers first, as `crawl` does

FIGARO = "/actualite-france/crue-de-la-loire-a-saumur-les-caves-troglodytiques-sous-les-eaux-20240430"
DAILY8 = "/fr/article/5c0e2d7a9b3f4e61a8d4c2b7f09e1a36"
AFP_FI = "/monde/europe/espagne-un-incendie-de-foret-pres-de-valence-force-l-evacuation-de-1-200-habitants_6543210.html"
AFP_LP = ("/international/incendie-pres-de-valence-1-200-habitants-evacues-des-canadair-envoyes-en-renfort-"
          "30-04-2024-KX4N7TQ2ZB5MLR8WJH3CDF6PYE.php")
OTHER_FI = "/monde/europe/incendies-l-espagne-loue-quatre-bombardiers-d-eau-supplementaires-avant-l-ete_6543388.html"
ARTICLES = (FIGARO, DAILY8, AFP_FI, AFP_LP, OTHER_FI)

# Record ids: hashes of the canonical URLs the pages declare (the real sites' URLs).
FIGARO_ID = url_id("https://www.lefigaro.fr" + FIGARO)
AFP_ID = url_id("https://www.franceinfo.fr" + AFP_FI)
OTHER_ID = url_id("https://www.franceinfo.fr" + OTHER_FI)


@pytest.fixture
def site():
    with LocalSite(pages_from_folder(SITE)) as s:
        yield s


def crawl(site: LocalSite, tmp: Path, run: int, spider: str, extra: list[str]) -> dict:
    result = run_scrapy([
        "crawl", spider, "-a", f"start_urls={site.url(f'/feeds/{spider}.xml')}",
        "-s", f"NEWSCRAWL_STATE_DIR={tmp / 'state'}", "-s", f"NEWSCRAWL_RECORDS_DIR={tmp / 'records'}",
        "-s", f"NEWSCRAWL_STATS_FILE={tmp / f'stats-{run}-{spider}.json'}",
        "-s", "NEWSCRAWL_MONITOR_ENABLED=0",
        "-O", str(tmp / f"out-{run}-{spider}.jsonl"), *extra,
    ])
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    return json.loads((tmp / f"stats-{run}-{spider}.json").read_text())


def crawl_run(site: LocalSite, tmp: Path, run: int, extra: list[str], parallel: bool = False) -> dict[str, dict]:
    """One run: every spider, in turn (or at once: run 2, where nothing may be written); each
    spider's stats."""
    if parallel:
        # Crawls at once share the dedup state (a shared lock), not a records folder: each gets
        # its own (two writers in one folder would reuse NNN numbers; newscrawl.lock refuses it).
        with ThreadPoolExecutor(len(SPIDERS)) as pool:
            done = pool.map(lambda spider: crawl(site, tmp, run, spider, [
                *extra, "-s", f"NEWSCRAWL_RECORDS_DIR={tmp / f'records-{run}-{spider}'}"]), SPIDERS)
            return dict(zip(SPIDERS, done, strict=True))
    return {spider: crawl(site, tmp, run, spider, extra) for spider in SPIDERS}


def records(tmp: Path, run: int) -> list[dict]:
    out = []
    for spider in SPIDERS:
        path = tmp / f"out-{run}-{spider}.jsonl"
        out += [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    return out


def stat(stats: dict[str, dict], key: str) -> int:
    return sum(int(s.get(key, 0)) for s in stats.values())


@pytest.mark.e2e
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def test_two_runs(backend, site, tmp_path, request, capsys):
    extra = []
    if backend == "redis":
        # NEWSCRAWL_REDIS_URL also turns on the distributed scheduler (newscrawl/distributed.py):
        # a one-worker run ends after its idle timeout, kept short here.
        extra = ["-s", f"NEWSCRAWL_REDIS_URL={request.getfixturevalue('redis_url')}",
                 "-s", "NEWSCRAWL_REDIS_IDLE_TIMEOUT=0.5", "-s", "NEWSCRAWL_REDIS_HEARTBEAT=0.2"]

    # ---- run 1: one record per article, the copies logged
    stats1 = crawl_run(site, tmp_path, 1, extra)
    recs = records(tmp_path, 1)
    assert sorted(r["id"] for r in recs) == sorted([FIGARO_ID, AFP_ID, OTHER_ID])
    assert {r["source"] for r in recs} == {"lefigaro", "franceinfo"}
    text_records = sorted(p.name.split("_", 1)[1] for p in (tmp_path / "records").iterdir())
    assert text_records == sorted(f"{i}.txt" for i in (FIGARO_ID, AFP_ID, OTHER_ID))
    dups = [json.loads(line) for line in (tmp_path / "state" / "duplicates.jsonl").read_text().splitlines()]
    by_url = {d["url"]: d for d in dups}
    assert set(by_url) == {site.url(DAILY8), site.url(AFP_LP)}
    daily8, parisien = by_url[site.url(DAILY8)], by_url[site.url(AFP_LP)]
    # The Daily8 copy links its original: found by URL, before any content comparison.
    assert daily8["duplicate_of"] == FIGARO_ID
    assert daily8["reason"] == "url"
    assert parisien["duplicate_of"] == AFP_ID
    assert parisien["reason"] == "near"
    assert 0.5 <= parisien["similarity"] < 1.0
    assert stat(stats1, "item_dropped_count") == 2
    assert stat(stats1, "newscrawl/dedup/marked_seen") == 3
    assert all(site.hits.get(path) == 1 for path in ARTICLES), site.hits
    assert (backend == "sqlite") == (tmp_path / "state" / "dedup.sqlite").exists()
    # `explain` shows the kept record's word count as the record has it (one definition).
    where = ["--redis-url", request.getfixturevalue("redis_url")] if backend == "redis" else []
    assert dedup_cli(["--state-dir", str(tmp_path / "state"), *where, "explain", FIGARO_ID]) == 0
    explained = json.loads(capsys.readouterr().out)
    figaro = next(r for r in recs if r["id"] == FIGARO_ID)
    assert explained["kept"]["words"] == figaro["word_count"]

    # ---- run 2: nothing known is fetched, nothing is written
    stats2 = crawl_run(site, tmp_path, 2, extra, parallel=True)
    assert records(tmp_path, 2) == []
    assert all(site.hits.get(path) == 1 for path in ARTICLES), site.hits  # not downloaded again
    assert all(site.hits.get(f"/feeds/{s}.xml") == 2 for s in SPIDERS)  # discovery still runs
    assert stat(stats2, "newscrawl/dedup/skipped_seen") == len(ARTICLES)
    assert stat(stats2, "item_scraped_count") == 0
    assert len(list((tmp_path / "records").iterdir())) == 3
    assert len((tmp_path / "state" / "duplicates.jsonl").read_text().splitlines()) == 2
