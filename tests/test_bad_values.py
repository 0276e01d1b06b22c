"""Issue 12, "One bad value never costs more than itself": an impossible date costs one entry
its date (never the document), deep nesting gives the article or a clear reason (never a
RecursionError), UTF-16/32 pages are read, a truncated download is dropped and not marked
seen, a date before 1900 is dropped like a future one, and failure reasons say what happened."""

from __future__ import annotations

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from newscrawl.discovery import parse_date, read_document
from newscrawl.localsite import LocalSite, Page
from newscrawl.parsers import parse_page
from newscrawl.text.markup import decode_html, wide_encoding
from spiders._checks import is_before_news
from spiders.generic import GenericSpider
from tests.e2e_support import article_html, atom, crawl, log_lines, news_sitemap, rss

PARAS = [
    "Le conseil municipal a adopté mardi soir le budget de l'année, après un débat de près de trois heures.",
    "L'opposition a voté contre, en dénonçant une hausse des dépenses de fonctionnement jugée trop rapide.",
]
BAD_DATES = ["2025-06-12T08:30:00+99:00", "2025-06-12T08:30:00+24:00", "0000-01-01T00:00:00Z",
             "99999-01-01T00:00:00Z", "pas une date", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59-14:00",
             "2025-13-45T08:30:00Z", "2025-06-12T08:30:00+05:75", "0001-01-01T00:00:00Z"]


# ---------------------------------------------------------------------------- dates
@pytest.mark.parametrize("raw", BAD_DATES)
def test_an_impossible_entry_date_is_no_date(raw):
    assert parse_date(raw) is None


def test_real_dates_are_kept():
    assert parse_date("1944-12-19T10:00:00+01:00").year == 1944  # Le Monde's first issue
    assert parse_date("Thu, 12 Jun 2025 08:30:00 +0200").isoformat() == "2025-06-12T08:30:00+02:00"


@pytest.mark.parametrize("make", [rss, atom, news_sitemap])
def test_one_bad_date_costs_that_entry_its_date_only(make):
    items = [(f"https://www.example.org/a/b/article-{i}.html", None, d)
             for i, d in enumerate(["2025-06-12T08:30:00+02:00", *BAD_DATES, "2025-06-13T08:30:00+02:00"])]
    if make is rss:  # RSS dates are RFC 822: write the raw strings as they are
        body = rss([(u, t, None) for u, t, _ in items]).replace("</link>\n</item>", "</link>\n</item>")
        for (url, _, date) in items:
            body = body.replace(f"<link>{url}</link>", f"<link>{url}</link><pubDate>{date}</pubDate>")
    else:
        body = make(items)
    doc = read_document(body.encode())
    assert [e.url for e in sorted(doc.entries, key=lambda e: e.url)] == sorted(u for u, _, _ in items)
    dated = {e.url for e in doc.entries if e.published is not None}
    assert dated == {items[0][0], items[-1][0]}


@pytest.mark.parametrize(("value", "before"), [
    ("0001-01-01T00:00:00+00:00", True), ("1899-12-31T23:00:00+00:00", True), ("0001-01-01T00:00:00+14:00", True),
    ("1944-12-19T10:00:00+01:00", False), ("2025-06-12T08:30:00+02:00", False), (None, False),
])
def test_dates_before_1900_are_no_news_dates(value, before):
    assert is_before_news(value) is before


URL = "http://127.0.0.1:8765/articles/2025/06/12/le-budget-adopte.html"


def spider_and_response(body: bytes, content_type: str = "text/html; charset=utf-8", flags=None):
    crawler = get_crawler(GenericSpider, {"NEWSCRAWL_STATS_FILE": ""})
    spider = GenericSpider.from_crawler(crawler, start_urls=URL)
    crawler.spider = spider
    crawler.stats.open_spider()
    return spider, crawler.stats, HtmlResponse(URL, body=body, request=Request(URL), flags=flags or [],
                                               headers={"Content-Type": content_type})


@pytest.mark.parametrize("published", ["0001-01-01T00:00:00+00:00", "1850-05-01T10:00:00+01:00",
                                       "0001-01-01T00:00:00+14:00"])
def test_a_published_date_before_1900_is_dropped_like_a_future_one(published):
    spider, stats, response = spider_and_response(article_html("Une date d'un autre âge", PARAS,
                                                               published=published).encode())
    (item,) = spider.parse_article(response, hints={"published": "2025-06-12T08:30:00+02:00"})
    assert item.published == "2025-06-12T08:30:00+02:00"  # the feed's date
    spider, stats, response = spider_and_response(article_html("Une date d'un autre âge", PARAS,
                                                               published=published).encode())
    (item,) = spider.parse_article(response, hints={})
    if published.endswith("+14:00"):  # not even an instant: unread, the parser's next source (the URL's date)
        assert item.published == "2025-06-12T00:00:00+02:00"
    else:  # read, then refused
        assert item.published is None
        assert stats.get_value("newscrawl/page/warning/ancient_date") == 1


def test_an_archive_date_is_kept():
    spider, _stats, response = spider_and_response(article_html("Libération de Paris", PARAS,
                                                                published="1944-08-25T18:00:00+02:00").encode())
    (item,) = spider.parse_article(response, hints={})
    assert item.published == "1944-08-25T18:00:00+02:00"


# ---------------------------------------------------------------------------- deep nesting
def deep_dom(n: int, tag: str = "div") -> str:
    html = article_html("Un titre pour une page très profonde", PARAS)
    return html.replace('<div class="post-content">', '<div class="post-content">' + f"<{tag}>" * n).replace(
        "</article>", f"</{tag}>" * n + "</article>")


def deep_ld(inner: str) -> str:
    return article_html("Un titre pour une page très profonde", PARAS,
                        head=f'<script type="application/ld+json">{inner}</script>')


DEEP = {
    "dom_1000": deep_dom(1000),
    "dom_5000": deep_dom(5000),  # past libxml2's 2,048 levels
    "span_3000": deep_dom(3000, "span"),
    "blockquote_1500": deep_dom(1500, "blockquote"),
    "jsonld_array_1000": deep_ld('{"@type": "NewsArticle", "x": ' + "[" * 1000 + "]" * 1000 + "}"),
    "jsonld_array_100k": deep_ld('{"@type": "NewsArticle", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"),
    "jsonld_graph_5000": deep_ld('{"@graph": ' * 5000 + '{"@type": "NewsArticle"}' + "}" * 5000),
    "jsonld_list_1000": deep_ld("[" * 1000 + '{"@type": "NewsArticle"}' + "]" * 1000),
    "next_data_100k": article_html("Un titre pour une page très profonde", PARAS).replace(
        "</body>", '<script id="__NEXT_DATA__" type="application/json">' + '{"a":' * 100_000 + "1"
        + "}" * 100_000 + "</script></body>"),
}
PAGES = {
    "generic": "https://www.echo-des-causses.example/actualites/2025/06/16/une-page-profonde.html",
    "lefigaro": "https://www.lefigaro.fr/actualite-france/une-page-profonde-20240416",
    "leparisien": "https://www.leparisien.fr/x/une-page-profonde-12-04-2023-Q4JZ7MXRB2LKTHW5NCVD8PFYEA.php",
    "franceinfo": "https://www.franceinfo.fr/politique/une-page-profonde_7375999.html",
    "daily8": "https://www.daily8.com/fr/article/" + "ab" * 16,
}


@pytest.mark.parametrize("case", sorted(DEEP))
@pytest.mark.parametrize("site", sorted(PAGES))
def test_deep_nesting_still_gives_the_article(site, case):
    # strict: a field that raises (RecursionError included) fails the test instead of going empty
    item, parser = parse_page(PAGES[site], DEEP[case].encode(), source=site, strict=True)
    assert item.title == "Un titre pour une page très profonde"
    assert PARAS[0] in item.text, (site, case, item.text[:200])
    assert PARAS[1] in item.text, (site, case)
    assert not parser.field_errors


def test_a_deep_page_through_the_spider_is_kept():
    spider, stats, response = spider_and_response(deep_dom(3000).encode())
    (item,) = spider.parse_article(response, hints={})
    assert PARAS[0] in item.text
    assert stats.get_value("newscrawl/page/dropped/parser_error") is None


def test_too_deep_without_text_is_a_clear_drop():
    html = "<html><head><title>Un titre</title></head><body>" + "<div>" * 5000 + "</div>" * 5000 + "</body></html>"
    spider, stats, response = spider_and_response(html.encode())
    assert list(spider.parse_article(response, hints={})) == []
    assert stats.get_value("newscrawl/page/dropped/too_deep") == 1


# ---------------------------------------------------------------------------- UTF-16 / UTF-32
ACCENTS = "Un été à Sète : les joutes réunissent les équipes du canal"


def wide_page(codec: str, meta: str | None) -> bytes:
    return article_html(ACCENTS, PARAS, meta_charset=meta).encode(codec)


WIDE = [  # (codec the bytes are in, BOM, header charset, meta charset)
    ("utf-16-le", b"\xff\xfe", None, None), ("utf-16-be", b"\xfe\xff", None, None),
    ("utf-32-le", b"\xff\xfe\x00\x00", None, None), ("utf-32-be", b"\x00\x00\xfe\xff", None, None),
    ("utf-16-le", b"", "utf-16", None), ("utf-16-be", b"", "UTF-16BE", None), ("utf-32-le", b"", "utf-32", None),
    ("utf-16-le", b"", None, "utf-16"), ("utf-16-be", b"", None, "utf-16"), ("utf-32-be", b"", None, "utf-32"),
]


@pytest.mark.parametrize(("codec", "bom", "header", "meta"), WIDE)
def test_utf16_and_utf32_pages_are_decoded(codec, bom, header, meta):
    body = bom + wide_page(codec, meta)
    assert wide_encoding(body, header) == codec
    assert ACCENTS in decode_html(body, header)
    item, _ = parse_page(URL, body, encoding=header)
    assert item.title == ACCENTS
    assert PARAS[0] in item.text


@pytest.mark.parametrize(("codec", "bom", "header", "meta"), WIDE)
def test_utf16_and_utf32_pages_are_not_binary_to_the_spider(codec, bom, header, meta):
    ctype = "text/html" + (f"; charset={header}" if header else "")
    spider, stats, response = spider_and_response(bom + wide_page(codec, meta), ctype)
    (item,) = spider.parse_article(response, hints={})
    assert item.title == ACCENTS
    assert stats.get_value("newscrawl/page/dropped/binary") is None


def test_8bit_pages_are_not_wide():
    assert wide_encoding(article_html(ACCENTS, PARAS).encode("utf-8"), "utf-8") is None
    # a UTF-8 page labelled utf-16 by its server: the bytes win, as for any wrong charset
    assert wide_encoding(article_html(ACCENTS, PARAS).encode("utf-8"), "utf-16") is None
    item, _ = parse_page(URL, article_html(ACCENTS, PARAS).encode("utf-8"), encoding="utf-16")
    assert item.title == ACCENTS
    assert wide_encoding(article_html(ACCENTS, PARAS).encode("cp1252"), None) is None
    assert wide_encoding(b"%PDF-1.7\n\x00\x00\x00", None) is None


def test_a_dataloss_response_is_dropped():
    spider, stats, response = spider_and_response(article_html("Coupée", PARAS).encode()[:400], flags=["dataloss"])
    assert list(spider.parse_article(response, hints={})) == []
    assert stats.get_value("newscrawl/page/dropped/truncated_body") == 1


# ---------------------------------------------------------------------------- end to end
STORIES = {
    "utf16": ["Le festival des jardins ouvre ses portes samedi avec une soixantaine d'exposants venus de toute la région.",
              "Les visiteurs pourront assister à des ateliers de taille et de greffe animés par des pépiniéristes."],
    "utf32": ["Les travaux du pont suspendu s'achèveront avant l'été, après dix-huit mois de chantier et deux retards.",
              "La circulation sera rétablie dans les deux sens, mais les poids lourds resteront interdits sur l'ouvrage."],
    "deep": ["Une chorale d'enfants a remporté le premier prix du concours régional, devant une salle comble.",
             "Le chef de chœur salue le travail de toute une année, avec deux répétitions par semaine."],
    "cut": ["La foire aux vins revient dans la halle couverte, avec une trentaine de vignerons du département.",
            "Les organisateurs attendent plus de deux mille visiteurs sur les deux jours de la manifestation."],
    "dated": ["Le club de randonnée balise un nouveau sentier de vingt kilomètres entre les deux vallées.",
              "Les bénévoles ont posé une centaine de poteaux indicateurs et nettoyé les anciens chemins muletiers."],
}


def art(slug: str) -> str:
    return f"/actualites/2025/06/12/{slug}.html"


@pytest.mark.e2e
def test_bad_values_cost_only_themselves(tmp_path):
    p = {name: art(f"page-{name.replace('_', '-')}") for name in
         ("utf16", "utf32", "deep", "cut", "dated", "bad_cl", "redir_file", "redir_ftp")}
    deep = article_html("Une chorale d'enfants primée", STORIES["deep"]).replace(
        '<div class="post-content">', '<div class="post-content">' + "<div>" * 1500).replace(
        "</article>", "</div>" * 1500 + "</article>")
    pages = {
        "/robots.txt": Page("User-agent: *\nAllow: /\n", content_type="text/plain"),
        p["utf16"]: Page(article_html("Le festival des jardins", STORIES["utf16"]).encode("utf-16"),
                         content_type="text/html; charset=utf-16"),
        p["utf32"]: Page(b"\xff\xfe\x00\x00" + article_html("Le pont suspendu", STORIES["utf32"],
                                                           meta_charset=None).encode("utf-32-le"),
                         content_type="text/html"),
        p["deep"]: Page(deep),
        p["cut"]: Page(article_html("La foire aux vins", STORIES["cut"]), fault="truncate"),
        p["dated"]: Page(article_html("Un nouveau sentier", STORIES["dated"])),
        p["bad_cl"]: Page(article_html("Longueur fausse", PARAS), headers={"Content-Length": "abc"}),
        p["redir_file"]: Page(status=302, headers={"Location": "file:///etc/passwd"}),
        p["redir_ftp"]: Page(status=301, headers={"Location": "ftp://127.0.0.1/x.html"}),
    }
    # One feed where every other entry has an impossible date: today the whole feed was lost.
    dates = ["2025-06-12T08:30:00+99:00", None, "2025-06-12T08:30:00+24:00", "0000-01-01T00:00:00Z", None,
             "99999-01-01T00:00:00Z", "garbage", "2025-06-12T08:30:00+02:00"]
    entries = [("{{BASE}}" + path, None, date) for path, date in zip(p.values(), dates, strict=True)]
    pages["/feed.atom"] = Page(atom(entries), content_type="application/atom+xml")
    pages["/sitemap.xml"] = Page(news_sitemap(entries), content_type="application/xml")
    site = LocalSite(pages).start()
    try:
        result = crawl("generic", [site.url("/feed.atom"), site.url("/sitemap.xml")], tmp_path / "one",
                       "RETRY_TIMES=0", "DOWNLOAD_FAIL_ON_DATALOSS=False", "NEWSCRAWL_MONITOR_ENABLED=0")
        # the cut page was not marked seen: once whole, the next run collects it
        site.pages[p["cut"]] = Page(article_html("La foire aux vins", STORIES["cut"]))
        again = crawl("generic", [site.url("/feed.atom")], tmp_path / "one", "RETRY_TIMES=0",
                      "NEWSCRAWL_MONITOR_ENABLED=0")
    finally:
        site.stop()
    assert result.returncode == 0, result.log[-3000:]
    assert "Traceback" not in result.log
    assert "RecursionError" not in result.log
    urls = {row["url"] for row in result.records}
    assert urls == {site.url(p[n]) for n in ("utf16", "utf32", "deep", "dated")}
    rows = {row["url"]: row for row in result.records}
    assert rows[site.url(p["utf16"])]["title"] == "Le festival des jardins"
    assert STORIES["utf32"][0] in rows[site.url(p["utf32"])]["text"]
    assert STORIES["deep"][1] in rows[site.url(p["deep"])]["text"]
    stats = result.stats
    assert stats["newscrawl/discovery/documents"] == 2
    assert stats["newscrawl/page/dropped/truncated_body"] == 1
    assert log_lines(result, "Dropped", site.url(p["cut"]), "truncated_body")
    for name, reason in (("bad_cl", "bad_content_length"), ("redir_file", "refused_scheme"),
                         ("redir_ftp", "refused_scheme")):
        assert log_lines(result, "Fetch failed", site.url(p[name]), f"({reason}:"), name
    assert stats["newscrawl/fetch/failed/bad_content_length"] == 1
    assert stats["newscrawl/fetch/failed/refused_scheme"] == 2
    assert not any(k.startswith(("newscrawl/fetch/failed/http_3", "newscrawl/fetch/failed/connection_lost"))
                   for k in stats)
    assert again.returncode == 0, again.log[-3000:]
    assert [row["url"] for row in again.records] == [site.url(p["cut"])]


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-be"])
def test_utf16_and_utf32_feeds_are_read(codec):
    body = rss([("https://www.example.org/a/b/un-article-1.html", "Un été à Sète", "2025-06-12T08:30:00+02:00")])
    doc = read_document(body.replace('encoding="UTF-8"', f'encoding="{codec.upper()}"').encode(codec))
    assert doc.kind == "feed"
    assert [(e.url, e.title) for e in doc.entries] == [("https://www.example.org/a/b/un-article-1.html",
                                                       "Un été à Sète")]


def test_a_utf16_start_page_is_an_article_not_binary():
    crawler = get_crawler(GenericSpider, {"NEWSCRAWL_STATS_FILE": ""})
    spider = GenericSpider.from_crawler(crawler, start_urls=URL)
    crawler.spider = spider
    crawler.stats.open_spider()
    body = b"\xff\xfe" + article_html(ACCENTS, PARAS).encode("utf-16-le")
    response = HtmlResponse(URL, body=body, headers={"Content-Type": "text/html"},
                            request=Request(URL, meta={"newscrawl_start": True}))
    (item,) = spider.parse_discovery(response)
    assert item.title == ACCENTS
    assert crawler.stats.get_value("newscrawl/discovery/bad_document/binary") is None


# ---------------------------------------------------------------------------- one bad entry URL
# (javascript: and the other schemes are refused by scheme: tests/test_hostile.py)
BAD_URLS = ["http://[::1", "http://[zz]/a/b/c-1.html", "http://example.com:99999/a/b/c-1.html"]
GOOD = "http://127.0.0.1:8765/actualites/2025/06/12/un-bon-article.html"


def discovery_spider():
    crawler = get_crawler(GenericSpider, {"NEWSCRAWL_STATS_FILE": ""})
    spider = GenericSpider.from_crawler(crawler, start_urls=URL)
    crawler.spider = spider
    crawler.stats.open_spider()
    return spider, crawler.stats


@pytest.mark.parametrize("bad", BAD_URLS)
def test_one_bad_entry_url_costs_that_entry_only(bad):
    from scrapy.http import XmlResponse

    spider, stats = discovery_spider()
    feed = "http://127.0.0.1:8765/feed.xml"
    body = rss([(bad, None, "2025-06-13T08:00:00+02:00"), (GOOD, None, "2025-06-12T08:00:00+02:00")]).encode()
    out = list(spider.parse_discovery(XmlResponse(feed, body=body, request=Request(feed))))
    assert [r.url for r in out] == [GOOD]
    assert stats.get_value("newscrawl/discovery/bad_entry") == 1


@pytest.mark.parametrize("bad", BAD_URLS[:3])
def test_one_bad_sitemap_in_an_index_costs_that_sitemap_only(bad):
    from scrapy.http import XmlResponse

    spider, stats = discovery_spider()
    index = "http://127.0.0.1:8765/sitemap-index.xml"
    rows = "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in (bad, "http://127.0.0.1:8765/sitemap-1.xml"))
    body = f'<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{rows}</sitemapindex>'
    out = list(spider.parse_discovery(XmlResponse(index, body=body.encode(), request=Request(index))))
    assert [r.url for r in out] == ["http://127.0.0.1:8765/sitemap-1.xml"]
    assert stats.get_value("newscrawl/discovery/bad_entry") == 1


@pytest.mark.parametrize("bad", BAD_URLS[:3])
def test_one_bad_link_costs_that_link_only(bad):
    spider, _stats = discovery_spider()
    page = "http://127.0.0.1:8765/actualites/"
    body = f'<html><body><a href="{bad}">x</a><a href="{GOOD}">y</a></body></html>'.encode()
    out = list(spider.parse_discovery(HtmlResponse(page, body=body, request=Request(page))))
    assert [r.url for r in out] == [GOOD]
