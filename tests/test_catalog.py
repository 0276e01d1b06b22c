"""The catalog of publishers (newscrawl/catalog.py): validated at import, one spider per key,
listed by ``python -m newscrawl sites``, and every entry crawled end to end from a local mirror
built from its own data (one ``python -m newscrawl crawl --catalog`` subprocess for all)."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
from pathlib import Path

import pytest
from parsel import Selector

from newscrawl.__main__ import main
from newscrawl.catalog import CATALOG, CatalogError, EntryPoint, validate
from newscrawl.parsers import parse_page
from newscrawl.publishers import CATALOG_KEYS, PUBLISHERS, SITE_KEYS, publisher_for_url
from newscrawl.run import ConfigError, args_for, resolve_sites
from tests.catalog_mirror import article_page, build_mirror, element_for, noise_marker
from tests.conftest import ROOT

NAMED_DOMAINS = {d: p.key for p in PUBLISHERS.values() if not p.catalog for d in p.domains}
ISSUE_KEYS = {  # every publisher issue 14 names, by group
    "national": ["lemonde", "liberation", "lesechos", "lacroix", "humanite", "lopinion"],
    "weekly": ["lepoint", "lexpress", "lobs", "marianne", "courrierinternational", "challenges"],
    "broadcaster": ["bfmtv", "tf1info", "france24", "rfi", "europe1", "rtl", "radiofrance"],
    "online": ["20minutes", "huffpost", "mediapart", "slate", "numerama"],
    "regional": ["ouestfrance", "sudouest", "ladepeche", "letelegramme", "lavoixdunord", "leprogres", "ledauphine",
                 "nicematin", "laprovence", "midilibre", "dna"],
    "abroad": ["lesoir", "rtbf", "letemps", "rts", "ledevoir", "lapresse", "radiocanada"],
}


# ---------------------------------------------------------------------------- the data
def test_at_least_forty_publishers_and_every_one_the_issue_names():
    assert len(CATALOG) >= 40
    assert not set(CATALOG_KEYS) & set(SITE_KEYS)
    for group, keys in ISSUE_KEYS.items():
        for key in keys:
            assert key in CATALOG_KEYS, key
            assert PUBLISHERS[key].group == group, key


@pytest.mark.parametrize("entry", CATALOG, ids=lambda e: e.key)
def test_entry_is_complete_and_sourced(entry):
    pub = PUBLISHERS[entry.key]
    assert pub.catalog
    assert pub.name == entry.name
    assert pub.start_urls == entry.start_urls
    assert entry.language == "fr"
    assert len(entry.country) == 2
    assert entry.seen, "where the patterns come from"
    for ep in entry.entry_points:
        assert ep.seen, ep.url  # confirmed or not, where it was found is written down
        assert pub.classify(ep.url) not in ("article", "live"), f"{ep.url} would be fetched as an article"
        assert publisher_for_url(ep.url) is pub
    for url in entry.examples:
        assert pub.classify(url) == "article", url
        assert publisher_for_url(url) is pub


def _broken(**changes):
    return (dataclasses.replace(CATALOG[0], **changes),)


@pytest.mark.parametrize(("entries", "taken", "message"), [
    (CATALOG[:2] + CATALOG[:1], None, "duplicate key"),
    (CATALOG[1:2] + _broken(key="lemonde2", domains=("www.liberation.fr",),
                            entry_points=(EntryPoint("https://www.liberation.fr/rss.xml", "rss"),),
                            examples=("https://www.liberation.fr/a/article/2024/01/02/x_1_2.html",)), None,
     "already belongs to liberation"),
    (_broken(), {"www.lemonde.fr": "lefigaro"}, "already belongs to lefigaro"),
    (_broken(article_paths=("^/(unclosed",)), None, "does not compile"),
    (_broken(noise_css=("div[",)), None, "does not compile"),
    (_broken(entry_points=(EntryPoint("https://www.lefigaro.fr/rss.xml", "rss", True, "x"),)), None,
     "not http(s) on the site's domains"),
    (_broken(entry_points=(EntryPoint("ftp://www.lemonde.fr/rss.xml", "rss"),)), None, "not http(s)"),
    (_broken(entry_points=(EntryPoint("https://www.lemonde.fr/rss.xml", "rss", True, ""),)), None, "names no source"),
    (_broken(examples=("https://www.lemonde.fr/politique/",)), None, "article expected"),
    (_broken(entry_points=(EntryPoint("https://www.lemonde.fr/international/article/2024/01/02/x_1_2.html", "rss"),)),
     None, "would be fetched as an article"),
    (_broken(key="Le Monde"), None, "lowercase letters and digits"),
])  # fmt: skip
def test_validation_rejects_a_broken_catalog(entries, taken, message):
    with pytest.raises(CatalogError, match=message.replace("(", r"\(").replace(")", r"\)")):
        validate(entries, taken)


def test_the_shipped_catalog_is_valid_against_the_named_sites():
    validate(CATALOG, NAMED_DOMAINS)


# ---------------------------------------------------------------------------- parser, spiders, CLI
def test_catalog_pages_go_to_the_generic_parser_with_the_entry_markers():
    pub = PUBLISHERS["lemonde"]
    url = pub.examples[0]
    html = article_page(pub, url, 0, paywalled=True)
    item, parser = parse_page(url, html.encode(), source="lemonde")
    assert (item.source, item.publisher, item.parser) == ("lemonde", "Le Monde", f"generic/{parser.version}")
    assert item.paywalled  # p.article__status, although JSON-LD says isAccessibleForFree
    free, _ = parse_page(url, article_page(pub, url, 0, paywalled=False).encode(), source="lemonde")
    assert not free.paywalled
    # the site parsers keep theirs
    assert parse_page("https://www.lefigaro.fr/x-20240101", b"<html></html>")[1].key == "lefigaro"


def test_noise_selectors_are_removed():
    pub = PUBLISHERS["radiocanada"]
    url = pub.examples[0]
    html = article_page(pub, url, 0, paywalled=False)
    assert noise_marker("radiocanada") in html
    item, _ = parse_page(url, html.encode())  # by host: the catalog entry's parser
    assert item.source == "radiocanada"
    assert item.title
    assert noise_marker("radiocanada") not in item.text


@pytest.mark.parametrize("css", ["aside", ".framed", "p.article__status", "[class*=services-carousel]",
                                 "section.catcher", "div#x.a.b[data-y=z]"])
def test_the_mirror_template_builds_elements_the_selectors_select(css):
    assert Selector(text=f"<html><body>{element_for(css, 'x')}</body></html>").css(css)


def test_scrapy_list_shows_every_catalog_key():
    out = subprocess.run([sys.executable, "-m", "scrapy", "list"], cwd=ROOT, capture_output=True, text=True,
                         check=True, timeout=120).stdout.split()
    assert set(CATALOG_KEYS) <= set(out)


def test_sites_command_lists_keys_parsers_entry_points_and_flags(capsys):
    assert main(["sites", "--json"]) == 0
    listing = json.loads(capsys.readouterr().out)
    by_key = {s["key"]: s for s in listing["sites"]}
    assert set(by_key) == set(PUBLISHERS)
    assert by_key["lefigaro"]["parser"] == "site"
    assert by_key["lemonde"]["parser"] == "generic"
    for entry in CATALOG:
        site = by_key[entry.key]
        assert site["name"] == entry.name
        assert site["domains"] == list(entry.domains)
        assert [(e["url"], e["confirmed"]) for e in site["entry_points"]] == [
            (e.url, e.confirmed) for e in entry.entry_points]
    figaro = [(e["kind"], e["url"]) for e in by_key["lefigaro"]["entry_points"]]
    assert ("archive", PUBLISHERS["lefigaro"].archive_urls[0]) in figaro  # what a backfill reads
    assert listing["catalog_entries"] == len(CATALOG)
    assert 0 < listing["catalog_confirmed"] < listing["catalog_entry_points"]
    assert main(["sites"]) == 0
    text = capsys.readouterr().out
    assert "UNCONFIRMED" in text
    assert "https://www.lemonde.fr/rss/une.xml" in text
    assert "parser: generic" in text


def test_site_selection_with_catalog_and_per_site_arguments():
    assert resolve_sites([], False, {}, catalog=True) == list(CATALOG_KEYS)
    assert resolve_sites([], True, {}, catalog=False) == list(SITE_KEYS)
    assert resolve_sites([], True, {}, catalog=True) == [*SITE_KEYS, *CATALOG_KEYS]
    assert resolve_sites(["lemonde", "liberation"], False, {}) == ["lemonde", "liberation"]
    with pytest.raises(ConfigError, match="not in this run: rtl"):
        resolve_sites(["lemonde"], False, {"rtl:start_urls": "http://x/feed"})
    args = {"start_urls": "http://a/feed", "lemonde:start_urls": "http://b/feed", "max_age": "1d"}
    assert args_for(args, "lemonde") == {"start_urls": "http://b/feed", "max_age": "1d"}
    assert args_for(args, "liberation") == {"start_urls": "http://a/feed", "max_age": "1d"}


def test_entry_points_health_check_and_its_threshold():
    from scrapy.settings import Settings

    from newscrawl.monitor import check_site, site_counts, thresholds_for

    stats = {"newscrawl/discovery/entry_point/total": 3, "newscrawl/discovery/entry_point/dead": 1,
             "item_scraped_count": 4}
    counts = site_counts(stats)
    assert (counts["entry_points"], counts["dead_entry_points"]) == (3, 1)
    (check,) = [c for c in check_site("lemonde", counts, thresholds_for(Settings(), "lemonde")) if c.check == "entry_points"]
    assert not check.ok
    assert "1 of 3 entry point(s) dead" in check.message
    lenient = Settings({"NEWSCRAWL_MONITOR_SITES": {"lemonde": {"max_dead_entry_points": 1}}})
    (check,) = [c for c in check_site("lemonde", counts, thresholds_for(lenient, "lemonde")) if c.check == "entry_points"]
    assert check.ok
    with pytest.raises(ValueError, match="max_dead_entry_points"):
        thresholds_for(Settings({"NEWSCRAWL_MONITOR_MAX_DEAD_ENTRY_POINTS": -1}), "lemonde")


# ---------------------------------------------------------------------------- end to end
def _crawl(argv: list[str], tmp: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newscrawl", "crawl", *argv, "--output", str(tmp / "out"), "--max-age", "0",
         "-s", f"NEWSCRAWL_STATE_DIR={tmp / 'state'}", "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
         "-s", "NEWSCRAWL_PROGRESS_INTERVAL=0", "-s", "LOG_LEVEL=INFO"],
        cwd=ROOT, capture_output=True, text=True, timeout=600, check=False)


def _manifest(out: Path) -> dict:
    (path,) = sorted((out / "runs").glob("*.json"))
    return json.loads(path.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def catalog_run(tmp_path_factory):
    """Every catalog entry crawled from its own mirror, in one `crawl --catalog` subprocess."""
    tmp = tmp_path_factory.mktemp("catalog")
    mirrors = {key: build_mirror(key) for key in CATALOG_KEYS}
    for m in mirrors.values():
        m.site.start()
    try:
        argv = ["--catalog"]
        for key, m in mirrors.items():
            argv += ["-a", f"{key}:start_urls={','.join(m.start_urls)}"]
        proc = _crawl(argv, tmp)
    finally:
        for m in mirrors.values():
            m.site.stop()
    return proc, mirrors, tmp / "out"


@pytest.mark.e2e
@pytest.mark.parametrize("key", CATALOG_KEYS)
def test_every_entry_crawls_its_mirror_end_to_end(catalog_run, key):
    proc, mirrors, out = catalog_run
    mirror, pub = mirrors[key], PUBLISHERS[key]
    report = _manifest(out)["sites_report"][key]
    assert not [c for c in report["checks"] if not c["ok"]], (report["checks"], proc.stderr[-3000:])
    records = [json.loads(line) for f in sorted((out / key).glob("*.jsonl")) for line in f.read_text().splitlines()]
    by_path = {r["url"].split("/", 3)[3]: r for r in records}
    assert sorted("/" + p for p in by_path) == sorted(mirror.articles), proc.stderr[-3000:]
    for path, paywalled in mirror.articles.items():
        record = by_path[path[1:]]
        assert (record["source"], record["publisher"]) == (key, pub.name)
        assert record["parser"].startswith("generic/")
        assert record["paywalled"] is paywalled
        assert record["title"]
        assert record["published"]
        assert len(record["text"]) > 300
        assert noise_marker(key) not in record["text"]
    assert mirror.site.hits.get("/auteurs/camille-morel/", 0) == 0  # skipped before download


def test_catalog_run_exits_zero(catalog_run):
    proc, _, out = catalog_run
    assert proc.returncode == 0, proc.stderr[-5000:]
    assert _manifest(out)["sites"] == list(CATALOG_KEYS)


@pytest.mark.e2e
def test_a_dead_entry_point_fails_the_health_check(tmp_path):
    mirror = build_mirror("lemonde")
    with mirror.site:
        dead = mirror.site.url("/rss/disparu.xml")
        proc = _crawl(["lemonde", "-a", f"lemonde:start_urls={','.join([*mirror.start_urls, dead])}"], tmp_path)
    assert proc.returncode == 1, proc.stderr[-3000:]
    checks = {c["check"]: c for c in _manifest(tmp_path / "out")["sites_report"]["lemonde"]["checks"]}
    assert not checks["entry_points"]["ok"]
    assert checks["entry_points"]["value"] == 1
    assert checks["articles"]["ok"]  # the other entry points still gave the articles
    assert f"Dead entry point {dead}" in proc.stderr


def test_validation_reports_every_broken_entry_not_only_the_first():
    first = dataclasses.replace(CATALOG[0], noise_css=("div[",))
    second = dataclasses.replace(CATALOG[1], examples=("https://www.liberation.fr/politique/",))
    with pytest.raises(CatalogError) as caught:
        validate((first, second))
    assert "does not compile" in str(caught.value)
    assert "liberation: example https://www.liberation.fr/politique/" in str(caught.value)
