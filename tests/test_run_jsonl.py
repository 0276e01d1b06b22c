"""WriteJsonlPipeline: dated files, torn-line repair, no record written twice after a crash."""

from __future__ import annotations

import json

import pytest
from scrapy import Spider
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from newscrawl.items import ArticleItem
from pipelines.write_jsonl import DatedJsonlWriter, WriteJsonlPipeline, record_day, record_key, repair_tail


class FranceinfoSpider(Spider):
    name = "franceinfo"


def article(n: int, *, day: str = "2026-11-20", modified: str | None = None) -> ArticleItem:
    return ArticleItem(
        id=f"{n:016x}", url=f"https://www.franceinfo.fr/societe/essai-{n}_{7000000 + n}.html", source="franceinfo",
        title=f"Titre numéro {n}", text=f"Un paragraphe inventé pour l'essai {n}.",
        crawled_at=f"{day}T08:30:00+00:00",
        modified=modified, parser="franceinfo/2",
    )


def pipeline(tmp_path, **settings):
    crawler = get_crawler(FranceinfoSpider, {"NEWSCRAWL_OUTPUT_DIR": str(tmp_path / "out"), **settings})
    crawler.spider = crawler._create_spider()
    pipe = build_from_crawler(WriteJsonlPipeline, crawler)
    pipe.open_spider()
    return crawler, pipe


def lines(path):
    return path.read_text(encoding="utf-8").splitlines()


def test_not_configured_without_output_dir():
    crawler = get_crawler(FranceinfoSpider, {"NEWSCRAWL_OUTPUT_DIR": ""})
    with pytest.raises(NotConfigured):
        build_from_crawler(WriteJsonlPipeline, crawler)


def test_records_go_to_the_site_folder_by_crawl_day(tmp_path):
    crawler, pipe = pipeline(tmp_path)
    pipe.process_item(article(1, day="2026-11-20"))
    pipe.process_item(article(2, day="2026-11-21"))
    pipe.close_spider()
    folder = tmp_path / "out" / "franceinfo"
    assert sorted(p.name for p in folder.iterdir()) == ["2026-11-20.jsonl", "2026-11-21.jsonl"]
    [line] = lines(folder / "2026-11-20.jsonl")
    record = json.loads(line)
    assert record == article(1).to_record()
    assert crawler.stats.get_value("newscrawl/jsonl/written") == 2
    assert crawler.stats.get_value("newscrawl/jsonl/parser/franceinfo/2") == 2


def test_a_record_already_written_is_not_written_again_but_passed_on(tmp_path, caplog):
    """The previous run died after the write, before the dedup state marked the URL seen."""
    _, first = pipeline(tmp_path)
    first.process_item(article(1))
    first.close_spider()  # then kill -9: the state never heard of article 1
    crawler, second = pipeline(tmp_path)
    with caplog.at_level("INFO", logger="pipelines.write_jsonl"):
        item = second.process_item(article(1))
    assert item.id == article(1).id  # goes on to MarkSeen, which catches the state up
    second.process_item(article(2))
    second.close_spider()
    assert [json.loads(x)["id"] for x in lines(tmp_path / "out" / "franceinfo" / "2026-11-20.jsonl")] == [
        article(1).id, article(2).id]
    assert crawler.stats.get_value("newscrawl/jsonl/already_written") == 1
    assert "not written again" in caplog.text


def test_an_updated_version_of_an_article_is_a_new_line(tmp_path):
    _, pipe = pipeline(tmp_path)
    pipe.process_item(article(1, modified="2026-11-20T09:00:00+01:00"))
    pipe.process_item(article(1, modified="2026-11-20T11:00:00+01:00"))
    pipe.close_spider()
    assert len(lines(tmp_path / "out" / "franceinfo" / "2026-11-20.jsonl")) == 2


def test_torn_last_line_is_cut_and_the_record_written_whole(tmp_path, caplog):
    folder = tmp_path / "out" / "franceinfo"
    folder.mkdir(parents=True)
    path = folder / "2026-11-20.jsonl"
    whole = json.dumps(article(1).to_record(), ensure_ascii=False) + "\n"
    torn = json.dumps(article(2).to_record(), ensure_ascii=False)[:40]
    path.write_text(whole + torn, encoding="utf-8")
    with caplog.at_level("WARNING", logger="pipelines.write_jsonl"):
        crawler, pipe = pipeline(tmp_path)
    assert "torn last line" in caplog.text
    assert str(path) in caplog.text
    assert crawler.stats.get_value("newscrawl/jsonl/torn_line_repaired") == 1
    pipe.process_item(article(2))
    pipe.close_spider()
    ids = [json.loads(x)["id"] for x in lines(path)]  # every line is JSON again
    assert ids == [article(1).id, article(2).id]


@pytest.mark.parametrize(("content", "kept"), [
    (b"", b""),
    (b'{"a":1}\n', b'{"a":1}\n'),
    (b'{"a":1}\n{"b":', b'{"a":1}\n'),
    (b'{"b":', b""),
    (b'{"a":1}\n' + b"x" * 70000, b'{"a":1}\n'),  # the torn tail spans more than one read block
])
def test_repair_tail(tmp_path, content, kept):
    path = tmp_path / "f.jsonl"
    path.write_bytes(content)
    assert repair_tail(path) == len(content) - len(kept)
    assert path.read_bytes() == kept


def test_only_recent_files_are_scanned(tmp_path):
    folder = tmp_path / "site"
    folder.mkdir()
    for day, n in (("2026-11-18", 1), ("2026-11-19", 2), ("2026-11-20", 3)):
        (folder / f"{day}.jsonl").write_text(json.dumps(article(n, day=day).to_record()) + "\n")
    writer = DatedJsonlWriter(folder, recover_files=2)
    assert writer.keys == {record_key(article(2, day="2026-11-19").to_record()),
                           record_key(article(3, day="2026-11-20").to_record())}


def test_not_json_lines_are_counted_never_fatal(tmp_path, caplog):
    folder = tmp_path / "out" / "franceinfo"
    folder.mkdir(parents=True)
    (folder / "2026-11-20.jsonl").write_text("not json\n[1, 2]\n" + json.dumps(article(1).to_record()) + "\n")
    with caplog.at_level("WARNING", logger="pipelines.write_jsonl"):
        crawler, pipe = pipeline(tmp_path)
    assert crawler.stats.get_value("newscrawl/jsonl/bad_line") == 2
    assert "not JSON records" in caplog.text
    assert pipe.writer.keys == {record_key(article(1).to_record())}


def test_record_day_falls_back_to_today():
    assert record_day({"crawled_at": "2026-11-20T23:59:59+00:00"}) == "2026-11-20"
    assert len(record_day({"crawled_at": None})) == 10


def test_paywalled_records_are_counted(tmp_path):
    crawler, pipe = pipeline(tmp_path)
    teaser = article(1)
    teaser.paywalled = True
    pipe.process_item(teaser)
    pipe.process_item(article(2))
    assert crawler.stats.get_value("newscrawl/jsonl/paywalled") == 1
