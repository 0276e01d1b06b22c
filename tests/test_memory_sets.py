"""What a long crawl keeps in memory (issue 7): the sets that grow with the crawl hold 64-bit keys,
not strings, with the same answers (ids written, records written, URLs requested, also after a
restart on existing files); the cleaning rules' memo is bounded and gives the rules' answers."""

from __future__ import annotations

import json

from scrapy.http import Request, XmlResponse
from scrapy.utils.test import get_crawler

import newscrawl.clean.rules as rules
from newscrawl.clean.rules import LINE_RULES, Context, Line
from newscrawl.items import ArticleItem
from newscrawl.memo import Memo
from pipelines.text_records import TextRecordsFolder, compact_key
from pipelines.write_jsonl import DatedJsonlWriter, record_key
from spiders._base import url_key
from spiders.franceinfo import FranceinfoSpider
from tests.e2e_support import rss

FI = "https://www.franceinfo.fr"


def article(n: int, *, modified: str | None = None) -> ArticleItem:
    return ArticleItem(
        id=f"{n:016x}", url=f"{FI}/societe/essai-{n}_{7000000 + n}.html", source="franceinfo",
        title=f"Titre numéro {n}", text=f"Un paragraphe inventé pour l'essai {n}.",
        crawled_at="2026-11-20T08:30:00+00:00", modified=modified, parser="franceinfo/2",
    )


def test_compact_key_is_a_stable_64_bit_digest():
    assert compact_key("0123456789abcdef") == compact_key("0123456789abcdef")
    assert 0 <= compact_key("x") < 1 << 64
    keys = {compact_key(f"{n:016x}") for n in range(20_000)}
    assert len(keys) == 20_000
    assert compact_key("é") != compact_key("e")
    assert compact_key("\udc80") == compact_key("\udc80")  # a lone surrogate does not raise
    assert url_key(f"{FI}/a.html") == compact_key(f"{FI}/a.html")


def test_text_records_reopened_on_existing_files_skip_the_ids_they_hold(tmp_path):
    folder = TextRecordsFolder(tmp_path)
    first = folder.write(article(1))
    assert first is not None
    assert first.name == f"000_{article(1).id}.txt"
    assert folder.write(article(1)) is None  # same run
    assert all(isinstance(key, int) for key in folder.ids)

    again = TextRecordsFolder(tmp_path)  # next run, same folder
    assert article(1).id in again
    assert article(2).id not in again
    assert again.write(article(1)) is None
    second = again.write(article(2))
    assert second is not None
    assert second.name == f"001_{article(2).id}.txt"
    assert sorted(p.name for p in tmp_path.iterdir()) == [first.name, second.name]
    assert again.ids == {compact_key(article(1).id), compact_key(article(2).id)}


def test_jsonl_writer_reopened_skips_the_records_it_holds(tmp_path):
    writer = DatedJsonlWriter(tmp_path, fsync=False)
    record = article(1).to_record()
    assert writer.write(record) is not None
    assert writer.write(dict(record)) is None
    writer.close()

    again = DatedJsonlWriter(tmp_path, fsync=False)
    assert again.keys == {record_key(record)}
    assert all(isinstance(key, int) for key in again.keys)
    assert again.write(dict(record)) is None  # already written by the previous run
    newer = article(1, modified="2026-11-20T09:00:00+00:00").to_record()
    assert again.write(newer) is not None  # a new version of the article is a new record
    assert again.write(article(2).to_record()) is not None
    again.close()
    lines = [json.loads(line) for line in (tmp_path / "2026-11-20.jsonl").read_text().splitlines()]
    assert [(r["id"], r["modified"]) for r in lines] == [
        (record["id"], None), (record["id"], "2026-11-20T09:00:00+00:00"), (article(2).id, None)]


def test_record_key_is_the_id_and_version():
    base = {"id": "ab", "url": "https://x/1", "modified": None}
    assert record_key(base) == compact_key("ab|")
    assert record_key({**base, "modified": "2026-11-20"}) == compact_key("ab|2026-11-20")
    assert record_key({**base, "id": ""}) == compact_key("https://x/1|")
    assert record_key(base) != record_key({**base, "modified": "2026-11-20"})


def test_requested_urls_are_keys_and_still_requested_once():
    crawler = get_crawler(FranceinfoSpider, {"NEWSCRAWL_STATS_FILE": ""})
    spider = FranceinfoSpider.from_crawler(crawler)
    crawler.spider = spider
    crawler.stats.open_spider()
    url = f"{FI}/societe/essai_7000001.html"

    def feed(link: str) -> XmlResponse:
        body = rss([(link, "Titre", None)]).replace("{{BASE}}", FI).encode()
        return XmlResponse(f"{FI}/titres.rss", body=body, request=Request(f"{FI}/titres.rss"))

    assert [r.url for r in spider.parse_discovery(feed(url))] == [url]
    # The same article again, with a tracking parameter and a fragment: the same canonical URL.
    assert list(spider.parse_discovery(feed(url + "?xtor=RSS-3#comments"))) == []
    assert spider._requested == {url_key(url)}
    assert crawler.stats.get_value("newscrawl/discovery/duplicate") == 1


def test_rule_memo_is_bounded_and_gives_the_rules_answers(monkeypatch):
    monkeypatch.setattr(rules, "_MEMO", Memo(50))
    plain = [r for r in LINE_RULES if not r.contextual]
    lines = [Line.of(s) for r in plain for s in r.samples] + [Line.of(f"Ligne ordinaire {n}") for n in range(40)]
    for _ in range(2):  # the second pass answers from the memo (or recomputes what left it)
        for line in lines:
            for rule in plain:
                want = not line.blank and line.words <= rule.longest and rule.test(line, Context([line], 0))
                assert rule.matches(line) == want
    assert len(rules._MEMO) <= 50
    assert len(rules._MEMO.previous) <= 50


def test_rule_memo_keeps_a_hit_of_the_previous_generation(monkeypatch):
    monkeypatch.setattr(rules, "_MEMO", Memo(3))
    calls = []
    rule = rules.Rule(name="essai", seen="test", longest=10,
                      test=lambda line, ctx: calls.append(line.raw) or line.raw.startswith("pub"))
    a, b, c, d = (Line.of(t) for t in ("pub a", "b", "c", "pub d"))
    for line in (a, b, c, d):  # d starts a new generation: a, b, c are the previous one
        rule.matches(line)
    assert rule.matches(a) is True  # found in the previous generation, copied into the current one
    assert calls == ["pub a", "b", "c", "pub d"]
    for line in (Line.of("e"), Line.of("f")):  # the current generation fills again
        rule.matches(line)
    assert rule.matches(a) is True
    assert calls.count("pub a") == 1
