"""The spiders' discovery and routing, in process: feeds, sitemaps and listing pages fed as
responses to the callbacks; the requests they yield, the stats they write."""

from __future__ import annotations

import warnings
from datetime import UTC, datetime, timedelta

import pytest
from scrapy.exceptions import StopDownload
from scrapy.http import HtmlResponse, Request, TextResponse, XmlResponse
from scrapy.spiderloader import SpiderLoader
from scrapy.utils.project import get_project_settings
from scrapy.utils.test import get_crawler

import spiders.catalog as catalog_spiders
from newscrawl.publishers import PUBLISHERS
from spiders._base import NewsSpider, refine_verdict, request_url
from spiders.daily8 import Daily8Spider
from spiders.franceinfo import FranceinfoSpider
from spiders.generic import GenericSpider
from spiders.lefigaro import LeFigaroSpider
from spiders.leparisien import LeParisienSpider
from tests.conftest import FIXTURES
from tests.e2e_support import news_sitemap, rss

SPIDERS = {cls.name: cls for cls in (FranceinfoSpider, LeFigaroSpider, LeParisienSpider, Daily8Spider, GenericSpider)}
SPIDERS.update({cls.name: cls for cls in vars(catalog_spiders).values()
                if isinstance(cls, type) and issubclass(cls, NewsSpider) and cls.__module__ == catalog_spiders.__name__})
FI = "https://www.franceinfo.fr"
MIRROR = "http://127.0.0.1:8765"


def make(cls, settings=None, **kwargs):
    crawler = get_crawler(cls, {"NEWSCRAWL_STATS_FILE": "", **(settings or {})})
    spider = cls.from_crawler(crawler, **kwargs)
    crawler.spider = spider
    crawler.stats.open_spider()
    return spider, crawler.stats


def stats_under(stats, prefix="newscrawl/"):
    return {k[len(prefix):]: v for k, v in stats.get_stats().items() if k.startswith(prefix)}


def start_requests(spider):
    """Drive ``async def start()`` by hand (it awaits nothing; the test reactor owns the loop)."""
    agen, out = spider.start(), []
    while True:
        step = agen.__anext__()
        try:
            step.send(None)
        except StopIteration as done:
            out.append(done.value)
        except StopAsyncIteration:
            return out


def xml(url, body):
    return XmlResponse(url, body=body.encode() if isinstance(body, str) else body, request=Request(url))


# ---------------------------------------------------------------------------- the spiders
def test_one_spider_per_site_and_no_other():
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "several spiders with the same name" would fail here
        names = SpiderLoader.from_settings(get_project_settings()).list()
    assert sorted(names) == sorted(PUBLISHERS)
    assert not hasattr(NewsSpider, "name") or "name" not in NewsSpider.__dict__
    for name, cls in SPIDERS.items():
        assert cls.name == name


@pytest.mark.parametrize("key", sorted(k for k in PUBLISHERS if PUBLISHERS[k].start_urls))
def test_default_entry_points_come_from_the_registry(key):
    spider, _ = make(SPIDERS[key])
    assert spider.start_urls == list(PUBLISHERS[key].start_urls)
    assert spider.mirror_hosts == set()


def test_a_spider_without_any_start_url_does_not_start():
    assert not PUBLISHERS["generic"].start_urls
    with pytest.raises(ValueError, match="No start URL for generic: pass -a start_urls="):
        make(SPIDERS["generic"])


def test_start_urls_argument_replaces_the_defaults_and_allows_the_host():
    spider, _ = make(FranceinfoSpider, start_urls=f" {MIRROR}/titres.rss , {MIRROR}/sitemap_news.xml,")
    assert spider.start_urls == [f"{MIRROR}/titres.rss", f"{MIRROR}/sitemap_news.xml"]
    assert spider.mirror_hosts == {"127.0.0.1"}
    assert "127.0.0.1" in spider.allowed_domains
    assert "www.franceinfo.fr" in spider.allowed_domains


def test_start_sorts_article_pages_from_discovery_documents():
    article = f"{MIRROR}/politique/un-vote-serre-a-l-assemblee_7380100.html"
    spider, _ = make(FranceinfoSpider, start_urls=f"{MIRROR}/titres.rss,{article},{MIRROR}/archives/2025/11-juin-2025.html")
    feed, page, listing = start_requests(spider)
    assert feed.callback == spider.parse_discovery
    assert listing.callback == spider.parse_discovery
    assert page.callback == spider.parse_article
    assert page.meta["newscrawl_explicit"]
    assert feed.meta["download_maxsize"] >= spider.max_doc_bytes  # bounds gzip Content-Encoding too


def test_generic_start_urls_are_all_read_as_documents():
    spider, _ = make(GenericSpider, start_urls="https://blog.example/feed,https://blog.example/2025/06/un-billet-long")
    assert all(r.callback == spider.parse_discovery for r in start_requests(spider))


# ---------------------------------------------------------------------------- feeds and sitemaps
FEED_ITEMS = [
    (f"{FI}/politique/un-vote-serre-a-l-assemblee_7380100.html#xtor=RSS-3-[lestitres]", "Un vote serré",
     "2025-06-11T09:00:00+02:00"),
    (f"{FI}/politique/un-vote-serre-a-l-assemblee_7380100.html", "Un vote serré", None),  # twice
    ("https://www.francetvinfo.fr/societe/l-ancien-domaine-toujours-accepte_7380101.html", None, None),
    (f"{FI}/politique/", None, None),
    (f"{FI}/redaction/jeanne-valette/", None, None),
    (f"{FI}/replay-jt/france-2/20-heures/jt-de-20h_7380102.html", None, None),
    (f"{FI}/monde/direct-un-sommet-a-bruxelles_7380103.html", None, None),
    ("https://www.lefigaro.fr/politique/un-article-d-un-autre-site-20250611", None, None),
    ("https://la1ere.franceinfo.fr/martinique/un-autre-gabarit_7380104.html", None, None),
]


def test_feed_entries_become_article_requests_with_hints():
    spider, stats = make(FranceinfoSpider)
    requests = list(spider.parse_discovery(xml(f"{FI}/titres.rss", rss(FEED_ITEMS))))
    assert [r.url for r in requests] == [
        f"{FI}/politique/un-vote-serre-a-l-assemblee_7380100.html",  # no tracking fragment
        "https://www.francetvinfo.fr/societe/l-ancien-domaine-toujours-accepte_7380101.html",
    ]
    first = requests[0]
    assert first.callback == spider.parse_article
    assert first.errback == spider.on_error
    assert first.cb_kwargs["hints"] == {"title": "Un vote serré", "published": "2025-06-11T09:00:00+02:00"}
    assert first.meta["newscrawl_article"]
    assert first.meta["newscrawl_canonical"] == requests[0].url
    assert stats_under(stats) == {
        "discovery/documents": 1, "discovery/entries": 9, "discovery/requested": 2,
        "discovery/duplicate_in_document": 1, "discovery/skipped/section": 1, "discovery/skipped/author": 1,
        "discovery/skipped/video": 1, "discovery/skipped/live": 1, "discovery/skipped/offsite": 2,
    }


def test_live_pages_are_requested_when_asked_for():
    spider, _ = make(FranceinfoSpider, {"NEWSCRAWL_INCLUDE_LIVE": True})
    urls = [r.url for r in spider.parse_discovery(xml(f"{FI}/titres.rss", rss(FEED_ITEMS)))]
    assert f"{FI}/monde/direct-un-sommet-a-bruxelles_7380103.html" in urls


def test_an_entry_seen_in_another_document_is_not_requested_again():
    spider, stats = make(FranceinfoSpider)
    assert len(list(spider.parse_discovery(xml(f"{FI}/titres.rss", rss(FEED_ITEMS[:1]))))) == 1
    assert list(spider.parse_discovery(xml(f"{FI}/sitemap_news.xml", news_sitemap(FEED_ITEMS[1:2])))) == []
    assert stats.get_value("newscrawl/discovery/duplicate") == 1


def test_news_sitemap_title_and_date_are_hints():
    spider, _ = make(LeFigaroSpider)
    url = "https://www.lefigaro.fr/economie/le-prix-du-beurre-flambe-20250610"
    (request,) = spider.parse_discovery(xml("https://www.lefigaro.fr/sitemap_news.xml",
                                            news_sitemap([(url, "Le prix du beurre flambe", "2025-06-10T18:00:00Z")])))
    assert request.cb_kwargs["hints"] == {"title": "Le prix du beurre flambe", "published": "2025-06-10T18:00:00+00:00"}


def test_mirror_paths_follow_the_site_patterns():
    spider, stats = make(LeParisienSpider, start_urls=f"{MIRROR}/leparisien/rss")
    items = [
        (f"{MIRROR}/faits-divers/un-incendie-dans-un-entrepot-12-06-2025-ZQ7XK3VWN5MJT2RBL8HDC4FYPA.php", None, None),
        (f"{MIRROR}/auteur/marc-dufresne/", None, None),
        (f"{MIRROR}/meteo/orages-suivez-en-direct-12-06-2025-W5RKC3ZNHQ7MTB2YXLP8DJVF4A.php", None, None),
        (f"{MIRROR}/paris-75/olivier-ouvre-une-boulangerie-12-06-2025-B7XKD2QMWZ5HRT9LPN4VCJ6EYA.php", None, None),
    ]
    urls = [r.url for r in spider.parse_discovery(xml(f"{MIRROR}/leparisien/rss", rss(items)))]
    assert urls == [items[0][0], items[3][0]]  # "olivier" is no live page
    assert stats.get_value("newscrawl/discovery/skipped/author") == 1
    assert stats.get_value("newscrawl/discovery/skipped/live") == 1


def test_sitemap_index_children_are_followed_up_to_the_depth_limit():
    spider, stats = make(LeFigaroSpider, {"NEWSCRAWL_MAX_SITEMAP_DEPTH": 1})
    index = ('<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
             "<sitemap><loc>https://sitemaps.lefigaro.fr/lefigaro.fr/articles/2025-06-10.xml</loc></sitemap>"
             "</sitemapindex>")
    (child,) = spider.parse_discovery(xml("https://sitemaps.lefigaro.fr/lefigaro.fr/articles.xml", index), depth=0)
    assert child.callback == spider.parse_discovery
    assert child.cb_kwargs == {"depth": 1}
    assert child.meta["newscrawl_discovery"]
    assert list(spider.parse_discovery(xml(child.url, index), depth=1)) == []
    assert stats.get_value("newscrawl/discovery/too_deep") == 1


def test_max_age_skips_old_entries():
    spider, stats = make(FranceinfoSpider, max_age="2d")
    now = datetime.now(UTC)
    items = [(f"{FI}/politique/recent_7380200.html", None, (now - timedelta(hours=5)).isoformat(timespec="seconds")),
             (f"{FI}/politique/ancien_7380201.html", None, (now - timedelta(days=9)).isoformat(timespec="seconds"))]
    urls = [r.url for r in spider.parse_discovery(xml(f"{FI}/titres.rss", rss(items)))]
    assert urls == [items[0][0]]
    assert stats.get_value("newscrawl/discovery/too_old") == 1


def test_a_document_that_is_not_a_feed_is_counted(caplog):
    spider, stats = make(FranceinfoSpider)
    response = TextResponse(f"{FI}/titres.rss", body=b"Erreur interne", request=Request(f"{FI}/titres.rss"))
    assert list(spider.parse_discovery(response)) == []
    assert stats.get_value("newscrawl/discovery/bad_document/not_xml") == 1
    assert any(f"{FI}/titres.rss" in r.getMessage() and "not XML" in r.getMessage() for r in caplog.records)


def test_document_limit():
    spider, stats = make(FranceinfoSpider, {"NEWSCRAWL_MAX_DISCOVERY_DOCUMENTS": 2},
                         start_urls=f"{FI}/a.rss,{FI}/b.rss,{FI}/c.rss")
    assert len(start_requests(spider)) == 2
    assert stats.get_value("newscrawl/discovery/document_limit") == 1


def test_discovery_downloads_stop_at_the_byte_limit():
    spider, _ = make(FranceinfoSpider, {"NEWSCRAWL_MAX_SITEMAP_BYTES": 100})
    feed = Request(f"{FI}/titres.rss", meta={"newscrawl_discovery": True})
    spider.on_bytes_received(b"x" * 60, feed)
    with pytest.raises(StopDownload) as stop:
        spider.on_bytes_received(b"x" * 60, feed)
    assert stop.value.fail is False  # the part read is parsed
    spider.on_bytes_received(b"x" * 1000, Request(f"{FI}/politique/a_7380300.html"))  # articles: DOWNLOAD_MAXSIZE


def test_partial_document_is_reported_truncated():
    spider, stats = make(FranceinfoSpider)
    body = rss(FEED_ITEMS[:1])[:-40].encode()
    response = XmlResponse(f"{FI}/titres.rss", body=body, request=Request(f"{FI}/titres.rss"),
                           flags=["download_stopped"])
    list(spider.parse_discovery(response))
    assert stats.get_value("newscrawl/discovery/truncated/bytes") == 1
    assert stats.get_value("newscrawl/discovery/broken") is None


# ---------------------------------------------------------------------------- listing pages
@pytest.mark.parametrize(("cls", "url", "html", "want"), [
    (FranceinfoSpider, f"{FI}/archives/2025/11-juin-2025.html",
     ('<a href="/politique/">Politique</a><a href="/sport/hors-liste_7380401.html">x</a>'
     '<ul class="contents"><li><a href="/politique/un-vote_7380400.html">Un vote</a></li>'
     '<li><a href="/redaction/jeanne/">Jeanne</a></li></ul>'),
     [f"{FI}/politique/un-vote_7380400.html"]),
    (LeParisienSpider, "https://www.leparisien.fr/archives/2025/11-06-2025/",
     ('<div class="story-preview"><a href="/faits-divers/un-vol-11-06-2025-ZQ7XK3VWN5MJT2RBL8HDC4FYPA.php">x</a></div>'
     '<a href="/sports/ailleurs-11-06-2025-B7XKD2QMWZ5HRT9LPN4VCJ6EYA.php">hors liste</a>'),
     ["https://www.leparisien.fr/faits-divers/un-vol-11-06-2025-ZQ7XK3VWN5MJT2RBL8HDC4FYPA.php"]),
    (LeFigaroSpider, "https://www.lefigaro.fr/international",
     ('<article class="fig-ranking-profile-container"><a class="fig-ranking-profile-link" '
     'href="/international/un-sommet-a-bruxelles-20250611"><h2>x</h2></a></article>'),
     ["https://www.lefigaro.fr/international/un-sommet-a-bruxelles-20250611"]),
    (Daily8Spider, "https://www.daily8.com/fr",  # no listing markup known: every article link
     ('<a href="/fr/article/5c1e9a7b3d2f4e6a8b0c1d2e3f4a5b6c">x</a><a href="/fr/hashtag/Meteo">#Meteo</a>'
     '<a href="/fr">Accueil</a>'),
     ["https://www.daily8.com/fr/article/5c1e9a7b3d2f4e6a8b0c1d2e3f4a5b6c"]),
])
def test_listing_pages(cls, url, html, want):
    spider, stats = make(cls)
    response = HtmlResponse(url, body=f"<html><body>{html}</body></html>".encode(), request=Request(url))
    requests = list(spider.parse_discovery(response))
    assert [r.url for r in requests] == want
    assert all(r.callback == spider.parse_article for r in requests)
    assert stats.get_value("newscrawl/discovery/listings") == 1


def test_listing_links_that_are_not_articles_are_counted():
    spider, stats = make(FranceinfoSpider)
    url = f"{FI}/archives/2025/11-juin-2025.html"
    html = '<ul class="contents"><li><a href="/redaction/jeanne/">J</a></li><li><a href="/politique/">P</a></li></ul>'
    assert list(spider.parse_discovery(HtmlResponse(url, body=html.encode(), request=Request(url)))) == []
    assert stats.get_value("newscrawl/discovery/skipped/author") == 1
    assert stats.get_value("newscrawl/discovery/skipped/section") == 1


# ---------------------------------------------------------------------------- generic spider routing
def fixture_page(key):
    import json

    meta_path = min((FIXTURES / "pages" / key).glob("*.json"))
    return json.loads(meta_path.read_text())["url"], meta_path.with_suffix(".html").read_bytes()


def test_generic_spider_sends_known_sites_to_their_parser():
    url, body = fixture_page("lefigaro")
    spider, _ = make(GenericSpider, start_urls="https://agregateur.example/feed.xml")
    feed = rss([(url, None, None), ("https://blog.example/2025/06/11/un-billet-sur-les-abeilles-du-jardin", None, None)])
    requests = list(spider.parse_discovery(xml("https://agregateur.example/feed.xml", feed)))
    assert [r.url for r in requests] == [url, "https://blog.example/2025/06/11/un-billet-sur-les-abeilles-du-jardin"]
    response = HtmlResponse(url, body=body, request=requests[0], headers={"Content-Type": "text/html; charset=utf-8"})
    (item,) = spider.parse_article(response, hints={})
    assert item.source == "lefigaro"
    assert item.parser.startswith("lefigaro/")


def test_generic_spider_reads_unknown_sites_with_the_generic_parser():
    page = (FIXTURES.parent / "site" / "generic" / "pages" / "festival-jazz-lac.html").read_bytes()
    url = "https://www.echo-des-causses.example/actualites/2025/06/12/un-festival-de-jazz.html"
    spider, _ = make(GenericSpider, start_urls="https://www.echo-des-causses.example/feed.xml")
    (item,) = spider.parse_article(HtmlResponse(url, body=page, request=Request(url)), hints={})
    assert item.source == "generic"
    assert item.parser.startswith("generic/")


def test_generic_start_url_that_is_an_article_page_is_parsed():
    page = (FIXTURES.parent / "site" / "generic" / "pages" / "festival-jazz-lac.html").read_bytes()
    url = "https://www.echo-des-causses.example/actualites/2025/06/12/un-festival-de-jazz.html"
    spider, stats = make(GenericSpider, start_urls=url)
    (request,) = start_requests(spider)
    (item,) = spider.parse_discovery(HtmlResponse(url, body=page, request=request))
    assert item.title == "Un festival de jazz en plein air sur les rives du lac de Pareloup"
    assert stats.get_value("newscrawl/discovery/requested") == 1


# ---------------------------------------------------------------------------- pure helpers
@pytest.mark.parametrize(("url", "want"), [
    (f"{FI}/a/b_7380500.html#xtor=RSS-3-[lestitres]", f"{FI}/a/b_7380500.html"),
    ("https://www.lefigaro.fr/a/b-20250611?utm_source=rss&page=2", "https://www.lefigaro.fr/a/b-20250611?page=2"),
    (f"{MIRROR}/a/b_7380500.html?xtor=RSS", f"{MIRROR}/a/b_7380500.html"),
    ("https://blog.example", "https://blog.example/"),
])
def test_request_url(url, want):
    assert request_url(url) == want


@pytest.mark.parametrize(("verdict", "url", "want"), [
    ("not_article", "https://www.lefigaro.fr/international", "section"),
    ("not_article", f"{FI}/monde/europe/", "section"),
    ("not_article", f"{FI}/", "section"),
    ("not_article", f"{FI}/une-page.html", "not_article"),
    ("not_article", f"{FI}/recherche?q=x", "not_article"),
    ("author", f"{FI}/redaction/x/", "author"),
    ("article", f"{FI}/a/b_7380500.html", "article"),
])
def test_refine_verdict(verdict, url, want):
    assert refine_verdict(verdict, url) == want


def test_other_subdomains_of_a_site_are_not_that_site():
    spider, _ = make(GenericSpider, start_urls="https://agregateur.example/feed.xml")
    assert spider.publisher_of("https://madame.lefigaro.fr/style/une-robe-20250611").key == "generic"
    assert spider.publisher_of("https://www.lefigaro.fr/style/une-robe-20250611").key == "lefigaro"
    assert spider.publisher_of("https://www.francetvinfo.fr/a/b_7380000.html").key == "franceinfo"
    assert spider.publisher_of("https://feeds.leparisien.fr/leparisien/rss").key == "leparisien"


def test_generic_listing_follows_only_its_own_article_links():
    url = "https://www.echo-des-causses.example/"
    html = ('<a href="/actualites/2025/06/12/un-festival-de-jazz-en-plein-air.html">x</a>'
            '<a href="/societe/">Société</a><a href="/mentions-legales">Mentions</a>'
            '<a href="https://www.facebook.com/sharer/sharer.php?u=x">Partager</a>'
            '<a href="mailto:redaction@echo-des-causses.example">Écrire</a>')
    spider, _ = make(GenericSpider, start_urls=url)
    (request,) = start_requests(spider)
    requests = list(spider.parse_discovery(HtmlResponse(url, body=html.encode(), request=request)))
    assert [r.url for r in requests] == [
        "https://www.echo-des-causses.example/actualites/2025/06/12/un-festival-de-jazz-en-plein-air.html"]


@pytest.mark.parametrize(
    ("key", "url"),
    [
        ("lefigaro", "https://www.lefigaro.fr/international/un-titre-invente-20240430?utm_source=rss&utm_medium=feed"),
        ("leparisien", "https://www.leparisien.fr/faits-divers/un-titre-invente-28-03-2023-V7HYTOXDWJGCRHRRUFOJBFNEPY.php?ito=rss"),
        ("franceinfo", "https://www.franceinfo.fr/politique/un-titre-invente_7375003.html?xtor=RSS-3"),
    ],
)
def test_tracking_parameters_do_not_hide_an_article(key, url):
    from newscrawl.publishers import PUBLISHERS

    assert PUBLISHERS[key].classify(url) == "article"
