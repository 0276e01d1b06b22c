"""One road for a page (newscrawl/road.py): the spider + item pipelines, ``extract``, the
fixtures' runner and the benchmarks walk the same stops; a released deferred copy is not
cleaned twice; the library never imports the app layer."""

from __future__ import annotations

import ast
import json
from collections import Counter
from pathlib import Path

import pytest_twisted
from scrapy import signals
from scrapy.crawler import CrawlerRunner
from scrapy.utils.misc import load_object

import newscrawl.settings as project
from newscrawl import road
from newscrawl.fixtures import extract_article
from tests.test_dedup_samerun import D8, FI, LP, PARAS, CopiesSpider, article, crawl_settings

ROOT = Path(__file__).resolve().parent.parent
PAGE = (b'<html><head><meta charset="utf-8"><title>x</title></head><body><article><h1>Un titre de page</h1>'
        + b"".join(f"<p>{p}</p>".encode() for p in PARAS) + b"<p>Publicit\xc3\xa9</p></article></body></html>")


def test_the_pipelines_run_the_roads_cleaning_steps_in_its_order():
    pipelines = sorted(project.ITEM_PIPELINES.items(), key=lambda kv: kv[1])
    steps = [getattr(load_object(path), "step", None) for path, _ in pipelines]
    assert [s for s in steps if isinstance(s, str)] == [step.name for step in road.CLEANING]
    names = [path for path, _ in pipelines]
    assert names.index("pipelines.strip_noise.StripLineNoisePipeline") < names.index(
        "pipelines.finalize.FinalizePipeline") < names.index("pipelines.dedup.DedupContentPipeline")


def test_extract_and_the_fixtures_run_each_step_of_the_road_once(monkeypatch):
    calls: Counter[str] = Counter()
    for name, step in list(road.STEPS.items()):
        def counted(item, *, max_removed_ratio, _name=name, _run=step.run):
            calls[_name] += 1
            return _run(item, max_removed_ratio=max_removed_ratio)
        monkeypatch.setitem(road.STEPS, name, road.CleaningStep(name, counted))
    item = extract_article("https://www.example.org/a.html", PAGE, "2025-01-01T00:00:00+00:00", source="generic")
    assert calls == dict.fromkeys(road.STEPS, 1)
    assert "Publicité" not in item.text
    assert item.word_count > 50
    for name in road.ROAD[2:]:
        assert road.passed(item, name)
    assert road.clean_step("paywall", item) is None  # passed: left as it is


def test_the_page_checks_are_on_the_road_for_extract_too():
    out = road.run("https://www.example.org/a.pdf", b"%PDF-1.7 ...", "2025-01-01T00:00:00+00:00")
    assert out.item is None
    assert out.reason == "binary"
    out = road.run("https://www.example.org/a.html", PAGE.replace(b"</body></html>", b""), "2025-01-01T00:00:00+00:00",
                   source="generic")
    assert out.item is not None
    assert out.reason is None
    assert [w[0] for w in out.warnings] == ["truncated_html"]
    future = PAGE.replace(b"<title>", b'<meta property="article:published_time" content="2031-01-01T00:00:00Z"><title>')
    out = road.run("https://www.example.org/a.html", future, "2025-01-01T00:00:00+00:00", source="generic")
    assert out.item is not None
    assert out.item.published is None
    assert [w[0] for w in out.warnings] == ["future_date"]


@pytest_twisted.inlineCallbacks
def test_released_copies_come_back_cleaned_and_are_not_cleaned_again(tmp_path):
    settings = crawl_settings(tmp_path)
    settings.set("ITEM_PIPELINES", {k: v for k, v in project.ITEM_PIPELINES.items()
                                    if "strip" in k or "dedup" in k or "finalize" in k}, priority="cmdline")
    text = "\n".join(PARAS)
    CopiesSpider.batch = [
        article(D8, text + "\nPublicité", source="daily8", via="daily8", publisher="franceinfo"),
        article(LP, "\n".join(PARAS[:2]) + "\nIl vous reste 80% de cet article à lire.", source="leparisien"),
        article(FI, text, source="franceinfo"),
    ]
    runner = CrawlerRunner(settings)
    crawler = runner.create_crawler(CopiesSpider)
    scraped, dropped = [], []
    crawler.signals.connect(lambda item, **kw: scraped.append(item), signal=signals.item_scraped, weak=False)
    crawler.signals.connect(lambda item, exception, **kw: dropped.append((item.url, type(exception).__name__)),
                            signal=signals.item_dropped, weak=False)
    yield runner.crawl(crawler)
    stats = crawler.stats.get_stats()
    assert [i.url for i in scraped] == [FI]
    assert stats["newscrawl/dedup/deferred"] == 2
    assert stats["newscrawl/dedup/released"] == 2
    assert {u: r for u, r in dropped if r != "DeferredCopy"} == {D8: "DuplicateContent", LP: "NearDuplicate"}
    # three items, each cleaned and finalized once: the released two were not counted again
    assert stats["newscrawl/field/lead/missing"] == 3
    assert stats["newscrawl/clean/removed/ad_label"] == 1
    assert stats["newscrawl/clean/paywall/flagged"] == 1
    assert stats["item_dropped_count"] == 2
    assert "item_dropped_reasons_count/DeferredCopy" not in stats


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_the_library_never_imports_the_app_layer():
    offenders = {str(p.relative_to(ROOT)): sorted(n for n in _imports(p) if n.split(".")[0] in ("pipelines", "spiders"))
                 for p in (ROOT / "newscrawl").rglob("*.py")}
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_dedup_stores_backends_do_not_import_their_factory():
    store = _imports(ROOT / "newscrawl" / "dedup" / "store.py")
    assert not {"newscrawl.dedup.sqlite_store", "newscrawl.dedup.redis_store"} & store


def test_extract_says_what_the_page_checks_found(tmp_path, capsys):
    from newscrawl.__main__ import main

    page = tmp_path / "page.html"
    page.write_bytes(PAGE.replace(b"<title>", b'<meta property="article:published_time" '
                                              b'content="2031-01-01T00:00:00Z"><title>'))
    assert main(["extract", str(page), "--source", "generic", "--fetched-at", "2025-01-01T00:00:00+00:00"]) == 0
    out, err = capsys.readouterr()
    assert json.loads(out)["published"] is None
    assert "future_date: published 2031-01-01T00:00:00+00:00 is after the fetch time; dropped" in err
    page.write_bytes(b"%PDF-1.7 ...")
    assert main(["extract", str(page)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "binary: this page holds no article: the page was dropped (PDF document" in err
