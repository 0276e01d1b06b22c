"""Issue 12, second pass: other cases of each fault class, tried as a hostile user would.

Each test is a case that failed on the code of the first pass (crash, hang, wrong exit code,
silent loss, local data written); cases that already held are in the compact tables at the end.
"""

from __future__ import annotations

import gzip
import os

import pytest

from newscrawl.canonical import vet_canonical
from newscrawl.lock import RunLock
from newscrawl.text.dates import parse_duration
from tests.cronsite import run_crawl

GENERIC_PAGE = "http://127.0.0.1:8080/2025/06/20/un-article-sur-le-lac.html"


def _gzip(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


# ------------------------------------------------------------------------------ bad values of the run
@pytest.mark.parametrize("value", ["99999999999999d", 10**30, float("nan"), float("inf"), -5])
def test_a_duration_out_of_range_is_a_value_error(value):
    # Today 99999999999999d raises OverflowError (a traceback, exit 1, not a configuration error)
    # and a negative number from a settings file is a negative duration.
    with pytest.raises(ValueError, match="duration"):
        parse_duration(value)


@pytest.mark.parametrize("args", [("-s", "NEWSCRAWL_RUN_TIMEOUT=99999999999999d"), ("--max-age", "99999999999999d")])
def test_a_duration_too_large_is_a_configuration_error(args, tmp_path):
    result = run_crawl("http://127.0.0.1:9", tmp_path, *args)
    assert result.returncode == 3, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    assert "99999999999999d" in result.stderr


# ------------------------------------------------------------------------------ the lock file
def test_a_fifo_in_place_of_the_lock_file_is_a_configuration_error_not_a_hang(tmp_path):
    (tmp_path / "state").mkdir()
    os.mkfifo(tmp_path / "state" / "crawl.lock")
    result = run_crawl("http://127.0.0.1:9", tmp_path)  # today: blocks opening it, for ever
    assert result.returncode == 3, result.stderr[-3000:]
    assert "crawl.lock" in result.stderr
    assert "not a regular file" in result.stderr


def test_a_symlink_in_place_of_the_lock_file_writes_nothing_through_it(tmp_path):
    victim = tmp_path / "precious.txt"
    victim.write_text("a file the crawl must never write\n", encoding="utf-8")
    (tmp_path / "state").mkdir()
    (tmp_path / "state" / "crawl.lock").symlink_to(victim)
    result = run_crawl("http://127.0.0.1:9", tmp_path)  # today: truncates it, writes its pid into it
    assert victim.read_text(encoding="utf-8") == "a file the crawl must never write\n"
    assert result.returncode == 3, result.stderr[-3000:]
    assert "symbolic link" in result.stderr


def test_the_lock_still_works_on_a_regular_file(tmp_path):
    with RunLock(tmp_path / "crawl.lock") as lock:
        assert lock.held


# ------------------------------------------------------------------------------ declared canonicals
@pytest.mark.parametrize("declared", [
    "http://127.0.0.1:8080/page/2",
    "http://127.0.0.1:8080/categorie/societe/page/3",
    "http://127.0.0.1:8080/?page=2",
    "http://127.0.0.1:8080/?s=lac",
    "http://127.0.0.1:8080/search?q=lac",
    "http://127.0.0.1:8080/2025/06/",
    "http://127.0.0.1:8080/2025/",
    "http://127.0.0.1:8080/index.html",
    "http://127.0.0.1:8080/accueil.php",
    "http://127.0.0.1:8080/rss.xml",
    "http://127.0.0.1:8080/sitemap-news.xml",
])
def test_a_listing_declared_as_canonical_is_refused(declared):
    # Today each is accepted: every page of a site declaring it gets one id, all but one lost.
    assert vet_canonical(declared, GENERIC_PAGE, "generic") == (GENERIC_PAGE, "not_article")


@pytest.mark.parametrize("declared", ["http://[::1", "http://127.0.0.1:99999/2025/06/20/autre.html",
                                      "https://www.lefigaro.fr:0x50/actualite-france/x-20240612"])
def test_an_unreadable_declared_canonical_is_refused_not_raised(declared):
    # Today a ValueError escapes: the parser's canonical_url field fails (a field error) and a
    # valid og:url or JSON-LD url after it is never looked at.
    assert vet_canonical(declared, GENERIC_PAGE, "generic") == (GENERIC_PAGE, "scheme")


def test_a_later_valid_canonical_is_used_after_an_unreadable_one():
    from newscrawl.parsers.generic import GenericParser

    html = (b'<html><head><link rel="canonical" href="http://[::1">'
            b'<meta property="og:url" content="http://127.0.0.1:8080/2025/06/20/un-article-sur-le-lac.html?ref=x">'
            b"<title>Un article sur le lac</title></head><body><article><h1>Un article sur le lac</h1>"
            + b"<p>Une phrase du corps de l'article, assez longue pour compter.</p>" * 8 + b"</article></body></html>")
    parser = GenericParser(GENERIC_PAGE + "?utm_source=x", html)
    item = parser.parse()
    assert item.canonical_url == GENERIC_PAGE
    assert "canonical_url" not in parser.field_errors


# ------------------------------------------------------------------------------ what already holds
@pytest.mark.parametrize(("declared", "reason"), [
    ("http://127.0.0.1:8080/tag/festival/", "not_article"),
    ("http://127.0.0.1:8080/auteur/jeanne-valette/", "not_article"),
    ("http://127.0.0.1:8080/", "not_article"),
    ("http://127.0.0.1:9090/2025/06/20/autre.html", "offsite"),
    ("javascript:alert(1)", "scheme"),
    ("http://127.0.0.1:8080/2025/06/20/un-autre-article.html", None),
    ("http://127.0.0.1:8080/?p=123", None),
])
def test_declared_canonicals_that_already_held(declared, reason):
    assert vet_canonical(declared, GENERIC_PAGE, "generic")[1] == reason


# ------------------------------------------------------------------------------ schemes and hosts
FEED = "http://127.0.0.1:8765/feed.xml"
HOSTILE_ENTRIES = ["FILE:///etc/passwd", " file:///etc/hostname", "\tfile:///etc/hostname\n", "gopher://127.0.0.1:70/",
                   "ws://127.0.0.1:8765/2025/06/12/a.html", "view-source:http://127.0.0.1:8765/", "javascript:alert(1)",
                   "http://user@169.254.169.254/latest/meta-data/", "http://[::ffff:a9fe:a9fe]/latest/meta-data/"]


@pytest.mark.parametrize("bad", HOSTILE_ENTRIES)
def test_a_refused_feed_entry_is_counted_as_refused_not_skipped_as_a_section(bad):
    # Today the site's path rules judge it first: file:///etc/passwd is a skipped "section"
    # (newscrawl/discovery/skipped/section), no refused stat, no warning.
    from scrapy import Request
    from scrapy.http import XmlResponse

    from tests.e2e_support import rss
    from tests.test_bad_values import GOOD, discovery_spider

    spider, stats = discovery_spider()
    body = rss([(bad, None, "2025-06-13T08:00:00+02:00"), (GOOD, None, "2025-06-12T08:00:00+02:00")]).encode()
    out = list(spider.parse_discovery(XmlResponse(FEED, body=body, request=Request(FEED))))
    assert [r.url for r in out] == [GOOD]
    refused = {k: v for k, v in stats.get_stats().items() if k.startswith("newscrawl/refused/")}
    assert sum(refused.values()) == 1, stats.get_stats()
    assert not any(k.startswith("newscrawl/discovery/skipped/") for k in stats.get_stats())


def test_a_redirect_to_an_unreadable_location_says_so(tmp_path):
    # Today: "Fetch failed: ... (other: ValueError: Invalid IPv6 URL)".
    from newscrawl.localsite import LocalSite, Page
    from tests.e2e_support import article_html, crawl, rss

    paras = ["Une phrase inventée du corps de l'article sur le lac, assez longue pour compter."] * 6
    pages = {
        "/feed.xml": Page(rss([("{{BASE}}/2025/06/12/ipv6-casse.html", None, "2025-06-12T08:00:00+02:00"),
                               ("{{BASE}}/2025/06/12/port-casse.html", None, "2025-06-12T08:00:00+02:00"),
                               ("{{BASE}}/2025/06/12/un-bon-article.html", None, "2025-06-12T08:00:00+02:00")]),
                          content_type="application/rss+xml"),
        "/2025/06/12/ipv6-casse.html": Page(b"", status=302, headers={"Location": "http://[::1/x"}),
        "/2025/06/12/port-casse.html": Page(b"", status=301, headers={"Location": "http://127.0.0.1:99999/x"}),
        "/2025/06/12/un-bon-article.html": Page(article_html("Un bon article", paras)),
    }
    with LocalSite(pages) as site:
        result = crawl("generic", [f"{site.base}/feed.xml"], tmp_path, "RETRY_TIMES=0", "NEWSCRAWL_MAX_AGE=0")
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats.get("newscrawl/fetch/failed/bad_location") == 2, result.stats
    assert not any("ValueError" in k for k in result.stats)
    assert [r["title"] for r in result.records] == ["Un bon article"]


# ------------------------------------------------------------------------------ depth in discovery documents
@pytest.mark.parametrize("maker", ["rss", "atom", "news_sitemap"])
@pytest.mark.parametrize("levels", [300, 5000])
def test_one_entry_nested_too_deep_costs_that_entry_only(maker, levels):
    # Today libxml2 stops at 256 levels: the entries after the deep one are lost, silently.
    from newscrawl.discovery import read_document
    from tests import e2e_support

    items = [(f"http://127.0.0.1:8765/2025/06/1{i}/un-article-{i}.html", f"Titre {i}", f"2025-06-1{i}T08:00:00+02:00")
             for i in range(4)]
    body = getattr(e2e_support, maker)(items)
    tag = {"rss": "</item>", "atom": "</entry>", "news_sitemap": "</url>"}[maker]
    first, rest = body.split(tag, 1)
    # The second entry ends with a deep but well-formed block (a hostile or broken template).
    deep = "<x>" * levels + "</x>" * levels
    body = first + tag + rest.replace(tag, deep + tag, 1)
    doc = read_document(body.encode("utf-8"))
    assert sorted(e.url.rsplit("/", 1)[-1] for e in doc.entries) == [f"un-article-{i}.html" for i in range(4)]
    assert [e.published.day for e in doc.entries] == [13, 12, 11, 10]  # newest first, dates read
    if maker == "news_sitemap":
        assert [e.title for e in doc.entries] == ["Titre 3", "Titre 2", "Titre 1", "Titre 0"]
    assert doc.broken is None


def test_a_deep_document_read_again_keeps_the_limits():
    from newscrawl.discovery import read_document
    from tests.e2e_support import rss

    items = [(f"http://127.0.0.1:8765/2025/06/1{i}/un-article-{i}.html", None, f"2025-06-1{i}T08:00:00+02:00")
             for i in range(6)]
    body = rss(items).replace("</item>", "<x>" * 400 + "</x>" * 400 + "</item>", 1)
    doc = read_document(body.encode(), keep=2, accept=lambda e: not e.url.endswith("-5.html"))
    assert [e.url.rsplit("/", 1)[-1] for e in doc.entries] == ["un-article-4.html", "un-article-3.html"]
    assert doc.read == 6
    assert doc.cut == 3
    assert read_document(body.encode(), max_entries=3).truncated == "entries"


# ------------------------------------------------------------------------------ truncated gzip
@pytest.mark.parametrize("keep", [0.5, 0.8])
def test_a_small_gzip_sitemap_cut_short_gives_the_entries_before_the_cut(keep):
    # Today GzipFile raises on the first read of a body shorter than one chunk (64 KB inflated):
    # "not a feed or sitemap (corrupt gzip)", every entry lost, the entry point counted dead.
    import hashlib

    from newscrawl.discovery import read_document
    from tests.e2e_support import news_sitemap

    items = [(f"http://127.0.0.1:8765/2025/06/12/{hashlib.sha1(str(i).encode()).hexdigest()}.html", None,
              "2025-06-12T08:00:00+02:00") for i in range(50)]  # not too repetitive: the cut falls among entries
    gz = _gzip(news_sitemap(items).encode())
    doc = read_document(gz[: int(len(gz) * keep)])
    assert 0 < doc.read < 50
    assert doc.broken
    assert "corrupt gzip" in doc.broken
    assert read_document(gz).read == 50
    assert read_document(gz + _gzip(b"")).broken is None


# ------------------------------------------------------------------------------ a compressed body cut short
def _cut_gzip_site():
    import hashlib

    from newscrawl.localsite import LocalSite, Page
    from tests.e2e_support import article_html, rss

    paras = [f"Phrase {i} inventée du corps de l'article, {hashlib.sha1(str(i).encode()).hexdigest()}."
             for i in range(200)]
    whole = _gzip(article_html("Article entier", paras).encode())
    cut = _gzip(article_html("Article coupé", paras).encode())
    pages = {
        "/feed.xml": Page(rss([("{{BASE}}/2025/06/12/article-coupe.html", None, "2025-06-12T08:00:00+02:00"),
                               ("{{BASE}}/2025/06/12/article-entier.html", None, "2025-06-12T07:00:00+02:00")]),
                          content_type="application/rss+xml"),
        # Content-Length matches what is sent: only the gzip stream tells it was cut.
        "/2025/06/12/article-coupe.html": Page(cut[: len(cut) // 2], headers={"Content-Encoding": "gzip"}),
        "/2025/06/12/article-entier.html": Page(whole, headers={"Content-Encoding": "gzip"}),
    }
    return LocalSite(pages)


@pytest.mark.parametrize("fail_on_dataloss", [True, False])
def test_a_gzip_page_cut_short_is_a_truncated_download_not_half_a_record(fail_on_dataloss, tmp_path):
    # Today Scrapy inflates what it can, silently: half the article is recorded and marked seen.
    from tests.e2e_support import crawl

    with _cut_gzip_site() as site:
        result = crawl("generic", [f"{site.base}/feed.xml"], tmp_path, "RETRY_TIMES=0", "NEWSCRAWL_MAX_AGE=0",
                       f"DOWNLOAD_FAIL_ON_DATALOSS={fail_on_dataloss}")
    assert [r["title"] for r in result.records] == ["Article entier"], result.log[-3000:]
    assert result.stats.get("newscrawl/fetch/truncated_encoding") == 1
    if fail_on_dataloss:
        assert result.stats.get("newscrawl/fetch/failed/truncated") == 1
    else:
        assert result.stats.get("newscrawl/page/dropped/truncated_body") == 1


@pytest.mark.parametrize(("encoding", "whole"), [("gzip", True), ("gzip", False), ("deflate", True), ("deflate", False),
                                             ("br", None)])
def test_stream_ends(encoding, whole):
    import zlib

    from newscrawl.truncation import stream_ends

    data = "".join(f"ligne {i} {i * 7919 % 1000003}\n" for i in range(5000)).encode()
    body = _gzip(data) if encoding == "gzip" else zlib.compress(data)
    assert stream_ends(body if whole is not False else body[: len(body) // 2], encoding) is whole


# ------------------------------------------------------------------------------ start URLs
@pytest.mark.parametrize("base", ["", "127.0.0.1:9", "//127.0.0.1:9"])
def test_a_start_url_without_a_scheme_is_a_configuration_error(base, tmp_path):
    # Today: "Error while reading start items" with a traceback, nothing crawled, and the run
    # blames the site ("0 article(s) found", exit 1) instead of the command line.
    result = run_crawl(base, tmp_path)  # -a start_urls=<base>/titres.rss
    assert result.returncode == 3, result.stderr[-3000:]
    assert f"Start URL '{base}/titres.rss' of franceinfo is not a URL" in result.stderr


# ------------------------------------------------------------------------------ SIGTERM twice
def test_sigterm_twice_is_an_interrupted_run_not_a_finished_one(tmp_path):
    # Today the second signal stops the reactor before any spider closes: the run says
    # "finished", exit 0, while the page it was downloading was never collected.
    import signal
    import subprocess
    import time

    from newscrawl.localsite import LocalSite, Page
    from tests.cronsite import ROOT, article_path, crawl_cmd, jsonl_lines, manifest, records, site_pages

    pages = site_pages(3)
    endless = article_path(2)
    pages[endless] = Page(pages[endless].body, delay=600)
    out = tmp_path / "out"
    with LocalSite(pages) as site:
        proc = subprocess.Popen(
            crawl_cmd(site.base, tmp_path, "-s", "DOWNLOAD_TIMEOUT=600", "-s", "NEWSCRAWL_STOP_GRACE=30"),
            cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
            text=True)
        try:
            deadline = time.monotonic() + 60
            while not (site.hits.get(endless) and len(jsonl_lines(out)) == 2):
                assert proc.poll() is None, proc.communicate()[1][-3000:]
                assert time.monotonic() < deadline, "the crawl did not reach the endless page"
                time.sleep(0.05)
            proc.send_signal(signal.SIGTERM)
            time.sleep(0.3)
            proc.send_signal(signal.SIGTERM)
            _, stderr = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    assert "forcing unclean shutdown" in stderr
    assert proc.returncode == 1, stderr[-3000:]
    m = manifest(out)
    assert m["status"] == "interrupted"
    assert m["exit_code"] == 1
    assert len(records(out)) == 2


# ------------------------------------------------------------------------------ a charset label that lies
@pytest.mark.parametrize(("label", "codec"), [
    ("ISO-8859-1", "utf-8"),  # labelled Latin-1, written in UTF-8: every accent became two characters
    ("UTF-8", "cp1252"),  # labelled UTF-8, written in Windows-1252: every accent was lost
    ("UTF-8", "utf-16-le"),  # labelled UTF-8, written in UTF-16 without BOM: "binary data, not XML"
    ("UTF-8", "utf-16-be"),
])
def test_a_feed_whose_charset_label_lies_is_read_in_its_real_encoding(label, codec):
    from newscrawl.discovery import read_document
    from tests.e2e_support import rss

    feed = rss([("http://127.0.0.1:8765/2025/06/12/un-article.html", "Été à Rodez, fête de la bière",
                 "2025-06-12T08:00:00+02:00")]).replace('encoding="UTF-8"', f'encoding="{label}"')
    doc = read_document(feed.encode(codec))
    assert [e.title for e in doc.entries] == ["Été à Rodez, fête de la bière"]


@pytest.mark.parametrize(("label", "codec"), [("ISO-8859-1", "latin-1"), ("UTF-8", "utf-8"), ("windows-1252", "cp1252")])
def test_a_feed_whose_charset_label_is_true_is_read_as_labelled(label, codec):
    from newscrawl.discovery import read_document
    from tests.e2e_support import rss

    feed = rss([("http://127.0.0.1:8765/2025/06/12/un-article.html", "Été à Rodez, fête de la bière",
                 "2025-06-12T08:00:00+02:00")]).replace('encoding="UTF-8"', f'encoding="{label}"')
    assert [e.title for e in read_document(feed.encode(codec)).entries] == ["Été à Rodez, fête de la bière"]


# ------------------------------------------------------------------------------ a read-only output folder
def test_an_output_folder_on_a_read_only_mount_exits_3_before_fetching_anything(tmp_path):
    # Today the run fetches every article, cannot write one of them, and exits 1 at the end.
    import subprocess

    from newscrawl.localsite import LocalSite
    from tests.cronsite import site_pages

    ro = tmp_path / "ro"
    ro.mkdir()
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(ro)], capture_output=True).returncode:
        pytest.skip("cannot mount a tmpfs here (needs root): the read-only case is not reproducible")
    try:
        (ro / "out" / "franceinfo" / "text").mkdir(parents=True)
        (ro / "out" / "runs").mkdir()
        subprocess.run(["mount", "-o", "remount,ro", str(ro)], check=True)
        with LocalSite(site_pages(2)) as site:
            result = run_crawl(site.base, tmp_path, "--output", str(ro / "out"))
            hits = sum(site.hits.values())
    finally:
        subprocess.run(["umount", str(ro)], check=False)
    assert result.returncode == 3, result.stderr[-3000:]
    assert "cannot write in this folder (Read-only file system)" in result.stderr
    assert hits == 0
