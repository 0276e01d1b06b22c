"""WARC archive (request + response records, size rotation) and offline replay."""

from __future__ import annotations

import gzip
import json
import random
from datetime import datetime, timedelta

import pytest
from scrapy import Spider
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Request, Response
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator

from newscrawl.localsite import LocalSite
from newscrawl.warc import (
    RotatingWarcFile,
    WarcIndex,
    WarcReplayMiddleware,
    WarcWriterMiddleware,
    exchange_records,
    warc_files,
)
from tests.cronsite import article_hits, records, run_crawl, site_pages

PAGE = "<html><body><h1>Fête du hareng à Boulogne</h1></body></html>".encode()


class FranceinfoSpider(Spider):
    name = "franceinfo"


def crawler_with(**settings):
    crawler = get_crawler(FranceinfoSpider, settings)
    crawler.spider = crawler._create_spider()
    return crawler


def read_records(path):
    with path.open("rb") as fh:
        return [(r.rec_type, r.rec_headers.get_header("WARC-Target-URI"), r.content_stream().read())
                for r in ArchiveIterator(fh)]


def test_writer_archives_request_and_raw_response(tmp_path):
    crawler = crawler_with(NEWSCRAWL_WARC_DIR=str(tmp_path / "warc"))
    mw = build_from_crawler(WarcWriterMiddleware, crawler)
    request = Request("https://www.franceinfo.fr/a_1234567.html#xtor=RSS-3", headers={"User-Agent": "newscrawl-test"})
    gz = gzip.compress(PAGE)
    response = Response(request.url, status=200, body=gz, request=request,
                        headers={"Content-Type": "text/html; charset=utf-8", "Content-Encoding": "gzip"})
    assert mw.process_response(request, response) is response
    mw.spider_closed(crawler.spider)
    [path] = warc_files(tmp_path / "warc")
    assert path.name.startswith("newscrawl-franceinfo-")
    assert path.name.endswith(".warc.gz")
    got = read_records(path)
    assert [t for t, _, _ in got] == ["warcinfo", "response", "request"]
    assert got[1][1] == "https://www.franceinfo.fr/a_1234567.html"  # no fragment
    assert got[1][2] == PAGE  # stored gzip-encoded, as served: content_stream() decodes it
    with path.open("rb") as fh:
        recs = list(ArchiveIterator(fh))
    with path.open("rb") as fh:
        for rec in ArchiveIterator(fh):
            if rec.rec_type == "request":
                assert rec.http_headers.get_header("User-Agent") == "newscrawl-test"
                assert rec.http_headers.get_header("Host") == "www.franceinfo.fr"
    assert len(recs) == 3
    assert crawler.stats.get_value("newscrawl/warc/records") == 1


def test_writer_not_configured_without_dir():
    with pytest.raises(NotConfigured):
        build_from_crawler(WarcWriterMiddleware, crawler_with(NEWSCRAWL_WARC_DIR=""))


def test_replayed_responses_are_not_archived_again(tmp_path):
    crawler = crawler_with(NEWSCRAWL_WARC_DIR=str(tmp_path / "warc"))
    mw = build_from_crawler(WarcWriterMiddleware, crawler)
    request = Request("https://www.franceinfo.fr/")
    mw.process_response(request, Response(request.url, body=b"x", request=request, flags=["warc-replay"]))
    assert not (tmp_path / "warc").exists()


def test_files_rotate_by_size(tmp_path):
    out = RotatingWarcFile(tmp_path, "newscrawl-test", max_size=3000)
    for i in range(6):
        out.write(exchange_records(f"https://www.example.fr/{i}", status=200,
                                   response_headers=[("Content-Type", "text/plain")],
                                   body=random.Random(i).randbytes(2000)))
    out.close()
    assert len(out.paths) >= 3
    index = WarcIndex.build(warc_files(tmp_path))
    assert sorted(index.urls()) == [f"https://www.example.fr/{i}" for i in range(6)]
    for path in out.paths:  # each file starts with its own warcinfo record
        assert read_records(path)[0][0] == "warcinfo"


def test_index_keeps_what_precedes_a_torn_record(tmp_path, caplog):
    path = tmp_path / "crash.warc.gz"
    good = exchange_records("https://www.example.fr/ok", status=200, response_headers=[], body=b"ok")
    torn = exchange_records("https://www.example.fr/torn", status=200, response_headers=[],
                            body=random.Random(1).randbytes(5000))
    path.write_bytes(good + torn[: len(torn) // 3])
    with caplog.at_level("WARNING", logger="newscrawl.warc"):
        index = WarcIndex.build([path])
    assert "https://www.example.fr/ok" in index
    assert index.load("https://www.example.fr/ok").body == b"ok"
    assert "https://www.example.fr/torn" not in index
    assert "damaged" in caplog.text


def test_replay_serves_archived_pages_and_404s_the_rest(tmp_path):
    path = tmp_path / "a.warc.gz"
    path.write_bytes(
        exchange_records("https://www.franceinfo.fr/a_1234567.html", status=200, body=gzip.compress(PAGE),
                         response_headers=[("Content-Type", "text/html; charset=utf-8"), ("Content-Encoding", "gzip")])
        + exchange_records("https://www.franceinfo.fr/old", status=301, body=b"",
                           response_headers=[("Location", "https://www.franceinfo.fr/a_1234567.html")])
    )
    crawler = crawler_with(NEWSCRAWL_REPLAY=str(tmp_path))
    mw = build_from_crawler(WarcReplayMiddleware, crawler)
    request = Request("https://www.franceinfo.fr/a_1234567.html#frag")
    response = mw.process_request(request)
    assert isinstance(response, HtmlResponse)
    assert response.status == 200
    assert response.body == PAGE
    assert b"Content-Encoding" not in response.headers
    assert "Fête du hareng" in response.text
    redirect = mw.process_request(Request("https://www.franceinfo.fr/old"))
    assert redirect.status == 301
    assert redirect.headers[b"Location"] == b"https://www.franceinfo.fr/a_1234567.html"
    assert request.meta["newscrawl_archived_at"]  # the spider reads its dates against the archive's
    assert mw.process_request(Request("data:,")) is None  # not http(s): never answered from the archive
    missing = mw.process_request(Request("https://www.franceinfo.fr/never-fetched"))
    assert missing.status == 404
    assert crawler.stats.get_value("newscrawl/warc/replay/served") == 2
    assert crawler.stats.get_value("newscrawl/warc/replay/not_archived") == 1
    assert crawler.stats.get_value("newscrawl/warc/replay/indexed") == 2


def test_replay_of_a_missing_archive_is_a_configuration_error(tmp_path):
    with pytest.raises(ValueError, match="no WARC file"):
        build_from_crawler(WarcReplayMiddleware, crawler_with(NEWSCRAWL_REPLAY=str(tmp_path / "nope.warc.gz")))


def comparable(recs):
    return sorted(json.dumps({k: v for k, v in r.items() if k != "crawled_at"}, sort_keys=True) for r in recs)


@pytest.mark.e2e
def test_replay_of_a_crawls_warc_gives_the_same_records_offline(tmp_path):
    first, second = tmp_path / "first", tmp_path / "second"
    warc_dir = tmp_path / "warc"
    site = LocalSite(site_pages(3)).start()
    try:
        result = run_crawl(site.base, first, "-s", f"NEWSCRAWL_WARC_DIR={warc_dir}")
        assert result.returncode == 0, result.stderr[-3000:]
        assert article_hits(site) == 3
    finally:
        site.stop()  # the replay must not need the server
    archived = warc_files(warc_dir)
    assert archived, "no WARC written"
    urls = set(WarcIndex.build(archived).urls())
    assert f"{site.base}/titres.rss" in urls
    assert f"{site.base}/robots.txt" in urls
    result = run_crawl(site.base, second, "-s", f"NEWSCRAWL_REPLAY={warc_dir}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Connection refused" not in result.stderr
    before, after = records(first / "out"), records(second / "out")
    assert len(before) == 3
    assert comparable(after) == comparable(before)
    # crawled_at is the archive's fetch time, not the replay's (relative dates read against it).
    fetched = {r["id"]: datetime.fromisoformat(r["crawled_at"]) for r in before}
    for r in after:
        assert abs(datetime.fromisoformat(r["crawled_at"]) - fetched[r["id"]]) <= timedelta(seconds=2)
