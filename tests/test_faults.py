"""Fault injection: a local server that misbehaves on purpose, and one real ``scrapy crawl``
through all of it (issue 2's bad input, issue 7's faults). Each fault must give a log line
naming the URL and the reason, and a stat; the crawl goes on and the good pages still give
their records. Faults that need no network (a parser that raises) are tested in process.
"""

from __future__ import annotations

import gzip
import zlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from newscrawl.localsite import LocalSite, Page
from spiders.generic import GenericSpider
from tests.e2e_support import article_html, crawl, log_lines, rss

# One invented story per page that must give a record: content dedup must not merge them.
STORIES = {
    "ok1": ["Le conseil municipal a adopté mardi soir le budget de l'année, après un débat de près de trois heures sur le coût des travaux de la médiathèque.",
            "L'opposition a voté contre, en dénonçant une hausse des dépenses de fonctionnement jugée trop rapide pour une commune de cette taille."],
    "ok2": ["La nouvelle médiathèque ouvrira ses portes le premier lundi de septembre, avec un fonds de vingt mille livres et une ludothèque.",
            "Les horaires ont été élargis au samedi après-midi, une demande récurrente des familles lors de la consultation organisée au printemps."],
    "retry_after": ["Un troupeau de chèvres échappé d'une ferme a traversé la place du marché dimanche matin, sous l'œil amusé des passants.",
                    "L'éleveur a récupéré ses bêtes en moins d'une heure grâce à l'aide de deux commerçants et d'un chien de berger très efficace."],
    "flaky500": ["Le club de rugby local a obtenu sa montée en division supérieure après une victoire arrachée dans les dernières secondes.",
                 "Les supporters ont envahi la pelouse au coup de sifflet final, avant une soirée de fête qui s'est prolongée jusqu'au petit matin."],
    "flaky503": ["Une fuite sur une canalisation principale a privé d'eau potable trois quartiers pendant une grande partie de la journée de jeudi.",
                 "Des bouteilles ont été distribuées aux habitants les plus âgés par les agents municipaux, en attendant la fin de la réparation."],
    "charset": ["Les joutes nautiques ont réuni des équipes venues de toute la région, devant des quais noirs de monde malgré la chaleur.",
                "Le vainqueur, un pêcheur de quarante ans, remporte le tournoi pour la troisième fois, un record salué par les anciens du canal."],
    "charset2": ["La fête s'est achevée par un feu d'artifice tiré depuis la jetée, suivi d'un bal populaire sur l'esplanade du port.",
                 "Les organisateurs estiment la fréquentation à plus de quinze mille personnes sur l'ensemble du week-end prolongé."],
    "charset3": ["Les restaurateurs du quartier haut ont prolongé leurs horaires pour accueillir les visiteurs jusqu'à deux heures du matin.",
                 "La préfecture avait renforcé les contrôles routiers aux entrées de la ville, sans incident notable à signaler."],
    "future": ["Le syndicat des eaux annonce la rénovation de deux châteaux d'eau, un chantier prévu pour durer jusqu'à la fin de l'hiver.",
               "Les usagers ne devraient subir que de brèves coupures, annoncées au moins quarante-huit heures à l'avance par affichage."],
    "cut1": ["Les travaux de rénovation de la salle des fêtes commenceront à la rentrée et dureront au moins huit mois, selon la mairie.",
             "Les associations qui l'utilisaient seront accueillies au gymnase et dans l'ancienne école, réaménagée pour l'occasion."],
}
PARAS = [
    "Le conseil municipal a adopté mardi soir le budget de l'année, après un débat de près de trois heures sur le coût des travaux de la médiathèque.",
    "L'opposition a voté contre, en dénonçant une hausse des dépenses de fonctionnement jugée trop rapide pour une commune de cette taille.",
]


def art(slug: str) -> str:
    return f"/articles/2025/06/12/{slug}.html"


def million_sitemap_index() -> Iterator[bytes]:
    """A sitemap index of a million child sitemaps, generated as it is sent (never stored)."""
    yield b'<?xml version="1.0" encoding="UTF-8"?>\n<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
    for start in range(0, 1_000_000, 2_000):
        yield "".join(f"<sitemap><loc>{{{{BASE}}}}/sitemaps/child-{i}.xml</loc></sitemap>\n"
                      for i in range(start, start + 2_000)).encode()
    yield b"</sitemapindex>\n"


def gzip_of_zeros(size: int) -> bytes:
    comp = zlib.compressobj(9, zlib.DEFLATED, 31)  # 31: gzip container
    chunk = b"\0" * (1 << 20)
    return b"".join(comp.compress(chunk) for _ in range(size >> 20)) + comp.flush()


def ten_mb_stream() -> Iterator[bytes]:
    yield b"<html><body>"
    for _ in range(160):
        yield b"<p>" + b"x" * 65_536 + b"</p>"


GOOD = ["ok-un-budget-adopte-apres-trois-heures-de-debat", "ok-deux-la-mediatheque-ouvrira-en-septembre",
        "ok-trois-retry-after-une-seconde", "ok-quatre-erreur-500-puis-succes", "ok-cinq-erreur-503-puis-succes"]


def fault_site() -> tuple[LocalSite, dict[str, str]]:
    """The misbehaving site; returns it and the path of each fault by name."""
    p = {
        "ok1": art(GOOD[0]), "ok2": art(GOOD[1]), "retry_after": art(GOOD[2]), "flaky500": art(GOOD[3]),
        "flaky503": art(GOOD[4]),
        "retry_after_long": art("un-serveur-qui-demande-d-attendre-une-heure"),
        "slow": art("une-page-qui-ne-repond-jamais-a-temps"), "reset": art("une-connexion-coupee-net"),
        "truncated": art("une-page-coupee-avant-la-fin-annoncee"),
        "loop_a": art("une-redirection-qui-tourne-en-rond-a"), "loop_b": art("une-redirection-qui-tourne-en-rond-b"),
        "huge": art("une-page-de-dix-megaoctets"), "huge_stream": art("une-page-de-dix-megaoctets-en-flux"),
        "pdf": art("un-document-pdf-servi-comme-une-page"), "png": art("une-image-servie-comme-une-page"),
        "charset_conflict": art("un-en-tete-latin1-contre-une-page-utf8"),
        "charset_wrong": art("une-page-latin1-annoncee-en-utf8"),
        "charset_missing": art("une-page-sans-aucun-jeu-de-caracteres"),
        "gzip_bomb": art("une-bombe-gzip-dans-le-content-encoding"),
        "empty": art("une-page-vide-de-tout-contenu"), "json": art("une-reponse-json-au-lieu-d-une-page"),
        "no_title": art("une-page-sans-aucun-titre-visible"), "no_body": art("une-page-avec-un-titre-et-rien-d-autre"),
        "future": art("une-date-de-publication-en-2099"),
        "robots": "/prive/articles/2025/06/12/une-page-interdite-par-robots-txt.html",
        "cut1": art("un-flux-coupe-premier-article-lu"),
    }
    accents = "Un été à Séte : la fête de la Saint-Louis réunit les jouteurs"
    latin1_page = article_html(accents, STORIES["charset2"], meta_charset=None).encode("cp1252")
    pages: dict[str, Page] = {
        "/robots.txt": Page("User-agent: *\nDisallow: /prive/\n", content_type="text/plain"),
        p["ok1"]: Page(article_html("Le budget adopté après trois heures de débat", STORIES["ok1"])),
        p["ok2"]: Page(article_html("La médiathèque ouvrira en septembre", STORIES["ok2"])),
        p["retry_after"]: Page(article_html("Des chèvres sur la place du marché", STORIES["retry_after"]), fail_first=1,
                               fail_status=429, fail_headers={"Retry-After": "1"}),
        p["flaky500"]: Page(article_html("Le club de rugby monte d'une division", STORIES["flaky500"]), fail_first=1,
                            fail_status=500),
        p["flaky503"]: Page(article_html("Trois quartiers privés d'eau potable", STORIES["flaky503"]), fail_first=1,
                            fail_status=503),
        p["retry_after_long"]: Page(b"", status=429, headers={"Retry-After": "3600"}),
        p["slow"]: Page(article_html("Trop lente", PARAS), delay=7),  # well past DOWNLOAD_TIMEOUT, twice
        p["reset"]: Page(fault="reset"),
        p["truncated"]: Page(article_html("Coupée", PARAS), fault="truncate"),
        p["loop_a"]: Page(status=302, headers={"Location": p["loop_b"]}),
        p["loop_b"]: Page(status=302, headers={"Location": p["loop_a"]}),
        p["huge"]: Page(lambda: b"<html><body>" + b"<p>" + b"x" * (10 * 1024 * 1024) + b"</p></body></html>"),
        p["huge_stream"]: Page(stream=ten_mb_stream),
        p["pdf"]: Page(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\n" + b"\0" * 2000),
        p["png"]: Page(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR" + b"\0" * 2000),
        p["charset_conflict"]: Page(article_html(accents, STORIES["charset"]),
                                    content_type="text/html; charset=iso-8859-1"),
        p["charset_wrong"]: Page(latin1_page, content_type="text/html; charset=utf-8"),
        p["charset_missing"]: Page(article_html(accents, STORIES["charset3"], meta_charset=None),
                                   content_type="text/html"),
        p["gzip_bomb"]: Page(gzip_of_zeros(20 * 1024 * 1024), headers={"Content-Encoding": "gzip"}),
        p["empty"]: Page(b""),
        p["json"]: Page(b'{"title": "pas une page"}', content_type="application/json"),
        p["no_title"]: Page(article_html(None, PARAS)),
        p["no_body"]: Page(article_html("Un titre et rien d'autre", [])),
        p["future"]: Page(article_html("Une date venue du futur", STORIES["future"],
                                       published="2099-01-01T10:00:00+01:00")),
        p["robots"]: Page(article_html("Interdite", PARAS)),
        p["cut1"]: Page(article_html("Le premier article d'un flux coupé", STORIES["cut1"])),
        # Discovery documents.
        "/sitemap-index.xml": Page(stream=million_sitemap_index, content_type="application/xml"),
        "/sitemaps/bomb.xml.gz": Page(gzip.compress(b'<?xml version="1.0"?><urlset>' + b" " * (30 << 20), 1),
                                      content_type="application/x-gzip"),
        "/feeds/not-xml.xml": Page("Ceci n'est pas un flux, juste du texte.", content_type="application/rss+xml"),
        "/feeds/json.xml": Page('{"items": []}', content_type="application/rss+xml"),
        "/feeds/cut.xml": Page(rss([("{{BASE}}" + p["cut1"], None, None), ("{{BASE}}" + p["ok2"], None, None)])[:-60],
                               content_type="application/rss+xml"),
    }
    items = [("{{BASE}}" + p[name], None, None) for name in p if name not in ("loop_b", "cut1", "future", "no_title")]
    items.append(("{{BASE}}" + p["ok1"], "Le budget adopté", None))  # the same article twice in one feed
    items.append(("{{BASE}}" + p["future"], "Une date venue du futur", "2025-06-12T08:30:00+02:00"))
    items.append(("{{BASE}}" + p["no_title"], None, None))
    pages["/feed.xml"] = Page(rss(items), content_type="application/rss+xml")

    def child_sitemap(path: str) -> Page | None:
        if path.startswith("/sitemaps/child-"):
            return Page('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"/>',
                        content_type="application/xml")
        return None

    return LocalSite(pages, fallback=child_sitemap).start(), p


@pytest.fixture(scope="module")
def faults(tmp_path_factory):
    site, paths = fault_site()
    starts = ["/feed.xml", "/sitemap-index.xml", "/sitemaps/bomb.xml.gz", "/feeds/not-xml.xml", "/feeds/json.xml",
              "/feeds/cut.xml"]
    try:
        result = crawl(
            "generic", [site.url(s) for s in starts], tmp_path_factory.mktemp("faults"),
            # 3 s: with 1 s, the retry of a good page (Retry-After: 1) timed out once in a full CI run,
            # not reproduced alone; probably the crawl busy with the bombs and big pages meanwhile
            "DOWNLOAD_TIMEOUT=3", "RETRY_TIMES=1", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
            "NEWSCRAWL_MAX_SITEMAP_URLS=40", f"NEWSCRAWL_MAX_SITEMAP_BYTES={1 << 20}", "NEWSCRAWL_MONITOR_ENABLED=0",
        )
    finally:
        site.stop()
    return site, paths, result


def stat(result, key):
    return result.stats.get(f"newscrawl/{key}", 0)


@pytest.mark.e2e
def test_crawl_survives_every_fault(faults):
    _site, _paths, result = faults
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats["finish_reason"] == "finished"
    assert "Traceback" not in result.log


@pytest.mark.e2e
def test_nothing_collected_is_lost(faults):
    site, paths, result = faults
    urls = {row["url"] for row in result.records}
    kept = ["ok1", "ok2", "retry_after", "flaky500", "flaky503", "charset_conflict", "charset_wrong",
            "charset_missing", "future", "cut1"]
    assert urls == {site.url(paths[name]) for name in kept}
    assert len(result.text_names) == len(kept)
    assert stat(result, "parse/items") == len(kept)


@pytest.mark.e2e
@pytest.mark.parametrize(("name", "reason"), [
    ("retry_after_long", "http_429"), ("slow", "timeout"), ("reset", "connection_lost"), ("truncated", "truncated"),
    ("loop_a", "redirect_loop"), ("huge", "too_large"), ("huge_stream", "too_large"), ("gzip_bomb", "too_large"),
    ("robots", "robots_txt"),
])
def test_fetch_failure_logged_and_counted(faults, name, reason):
    site, paths, result = faults
    assert log_lines(result, "Fetch failed", site.url(paths[name]), f"({reason}")
    assert stat(result, f"fetch/failed/{reason}") >= 1


@pytest.mark.e2e
def test_fetch_failure_counts(faults):
    _site, _paths, result = faults
    failed = {k: v for k, v in result.stats.items() if k.startswith("newscrawl/fetch/failed/")}
    assert failed == {
        "newscrawl/fetch/failed/http_429": 1, "newscrawl/fetch/failed/timeout": 1,
        "newscrawl/fetch/failed/connection_lost": 1, "newscrawl/fetch/failed/truncated": 1,
        "newscrawl/fetch/failed/redirect_loop": 1, "newscrawl/fetch/failed/too_large": 3,
        "newscrawl/fetch/failed/robots_txt": 1,
    }


@pytest.mark.e2e
@pytest.mark.parametrize(("name", "reason"), [
    ("pdf", "binary"), ("png", "binary"), ("empty", "empty_body"), ("json", "not_html"), ("no_title", "no_title"),
    ("no_body", "no_body"),
])
def test_bad_page_dropped_with_a_reason(faults, name, reason):
    site, paths, result = faults
    assert log_lines(result, "Dropped", site.url(paths[name]), reason)
    assert stat(result, f"page/dropped/{reason}") >= 1


@pytest.mark.e2e
@pytest.mark.parametrize(("name", "reason"), [
    ("charset_conflict", "charset_conflict"), ("charset_wrong", "charset_wrong"),
    ("charset_missing", "charset_missing"), ("future", "future_date"),
])
def test_doubtful_page_kept_with_a_warning(faults, name, reason):
    site, paths, result = faults
    assert log_lines(result, site.url(paths[name]), reason, "kept")
    assert stat(result, f"page/warning/{reason}") == 1


@pytest.mark.e2e
def test_charset_trouble_still_gives_the_right_text(faults):
    site, paths, result = faults
    rows = {row["url"]: row for row in result.records}
    for name in ("charset_conflict", "charset_wrong", "charset_missing"):
        row = rows[site.url(paths[name])]
        assert row["title"] == "Un été à Séte : la fête de la Saint-Louis réunit les jouteurs", name
        assert "é" in row["text"], name
        assert "Ã" not in row["text"], name  # no mojibake


@pytest.mark.e2e
def test_future_date_replaced_by_the_feed_date(faults):
    site, paths, result = faults
    row = next(r for r in result.records if r["url"] == site.url(paths["future"]))
    assert row["published"] == "2025-06-12T08:30:00+02:00"


@pytest.mark.e2e
def test_retries_then_success(faults):
    site, paths, result = faults
    for name, reason in (("flaky500", "http_500"), ("flaky503", "http_503"), ("retry_after", "http_429")):
        assert site.hits[paths[name]] == 2, name
        assert stat(result, f"fetch/retry/{reason}") == 1
        assert log_lines(result, "Retrying", site.url(paths[name]), reason)


@pytest.mark.e2e
def test_retry_after_is_honoured(faults):
    site, paths, result = faults
    times = [hit.at for hit in site.log if hit.path == paths["retry_after"]]
    assert len(times) == 2
    assert times[1] - times[0] >= 0.95  # Retry-After: 1
    assert stat(result, "fetch/retry_after") == 1
    assert log_lines(result, "Retrying", site.url(paths["retry_after"]), "Retry-After")


@pytest.mark.e2e
def test_retry_after_too_long_gives_up_at_once(faults):
    site, paths, result = faults
    assert site.hits[paths["retry_after_long"]] == 1
    assert stat(result, "fetch/retry_after_too_long") == 1
    assert log_lines(result, "Giving up", site.url(paths["retry_after_long"]), "Retry-After 3600")


@pytest.mark.e2e
def test_robots_txt_obeyed(faults):
    site, paths, result = faults
    assert site.hits.get(paths["robots"], 0) == 0
    assert result.stats["robotstxt/forbidden"] == 1


@pytest.mark.e2e
def test_redirect_loop_stopped(faults):
    site, paths, _result = faults
    assert site.hits[paths["loop_a"]] == 1
    assert site.hits[paths["loop_b"]] == 1


@pytest.mark.e2e
def test_same_article_twice_in_a_feed_requested_once(faults):
    site, paths, result = faults
    assert site.hits[paths["ok1"]] == 1
    assert stat(result, "discovery/duplicate_in_document") == 1
    assert log_lines(result, "Duplicate entry", site.url(paths["ok1"]))


@pytest.mark.e2e
def test_million_url_sitemap_index_is_bounded(faults):
    site, _paths, result = faults
    children = [path for path in site.hits if path.startswith("/sitemaps/child-")]
    assert len(children) == 40  # NEWSCRAWL_MAX_SITEMAP_URLS
    assert stat(result, "discovery/truncated/entries") == 1
    assert log_lines(result, "truncated at NEWSCRAWL_MAX_SITEMAP_URLS=40", site.url("/sitemap-index.xml"))
    # The download stopped at NEWSCRAWL_MAX_SITEMAP_BYTES: the server never generated the 60 MB.
    assert site.sent["/sitemap-index.xml"] < 16 << 20


@pytest.mark.e2e
def test_sitemap_gzip_bomb_is_bounded(faults):
    site, _paths, result = faults
    assert stat(result, "discovery/truncated/bytes") == 1
    assert log_lines(result, "truncated at NEWSCRAWL_MAX_SITEMAP_BYTES", site.url("/sitemaps/bomb.xml.gz"))


@pytest.mark.e2e
@pytest.mark.parametrize(("path", "code"), [("/feeds/not-xml.xml", "not_xml"), ("/feeds/json.xml", "json")])
def test_feed_that_is_not_xml(faults, path, code):
    site, _paths, result = faults
    assert log_lines(result, "Not a feed or sitemap", site.url(path))
    assert stat(result, f"discovery/bad_document/{code}") == 1


@pytest.mark.e2e
def test_feed_cut_short_keeps_the_entries_read(faults):
    site, paths, result = faults
    assert stat(result, "discovery/broken") == 1
    assert log_lines(result, "Broken discovery document", site.url("/feeds/cut.xml"))
    assert any(row["url"] == site.url(paths["cut1"]) for row in result.records)


# ---------------------------------------------------------------------------- in process
PAGE = article_html("Le budget adopté après trois heures de débat", PARAS).encode()
URL = "http://127.0.0.1:8765" + art(GOOD[0])


def spider_and_response(body: bytes = PAGE, **settings):
    crawler = get_crawler(GenericSpider, {"NEWSCRAWL_STATS_FILE": "", **settings})
    spider = GenericSpider.from_crawler(crawler, start_urls=URL)
    crawler.spider = spider
    crawler.stats.open_spider()
    return spider, crawler.stats, HtmlResponse(URL, body=body, request=Request(URL),
                                               headers={"Content-Type": "text/html; charset=utf-8"})


def test_a_field_that_raises_is_isolated(monkeypatch, caplog):
    from newscrawl.parsers.generic import GenericParser

    def broken(self):
        raise ValueError("boom")

    monkeypatch.setattr(GenericParser, "authors", broken)
    spider, stats, response = spider_and_response()
    items = list(spider.parse_article(response, hints={}))
    assert len(items) == 1
    assert items[0].authors == []
    assert items[0].title
    assert items[0].text
    assert stats.get_value("newscrawl/parse/field_error/authors") == 1
    assert stats.get_value("newscrawl/page/warning/field_error") == 1
    assert any(URL in r.getMessage() and "authors" in r.getMessage() for r in caplog.records)


def test_a_parser_that_raises_drops_only_that_page(monkeypatch, caplog):
    import spiders._base as base

    def broken(*args, **kwargs):
        raise RuntimeError("parser bug")

    monkeypatch.setattr(base, "parse_page", broken)
    spider, stats, response = spider_and_response()
    assert list(spider.parse_article(response, hints={})) == []
    assert stats.get_value("newscrawl/page/dropped/parser_error") == 1
    assert any(URL in r.getMessage() and "parser_error" in r.getMessage() for r in caplog.records)
    monkeypatch.undo()
    assert len(list(spider.parse_article(response, hints={}))) == 1  # the next page is parsed


def test_future_date_without_a_feed_date_is_dropped():
    body = article_html("Une date venue du futur", PARAS, published="2099-01-01T10:00:00+01:00").encode()
    spider, stats, response = spider_and_response(body)
    (item,) = spider.parse_article(response, hints={})
    assert item.published is None
    assert stats.get_value("newscrawl/page/warning/future_date") == 1


@pytest.mark.parametrize(("tolerance", "kept"), [
    (None, True),  # the default, 6h: a date 3 h ahead (a time zone written wrong) is kept
    ("5h", True),
    ("1h", False),
    ("0", False),
])  # fmt: skip
def test_future_date_tolerance_is_a_setting(tolerance, kept):
    ahead = (datetime.now(UTC) + timedelta(hours=3)).replace(microsecond=0).isoformat()
    body = article_html("Une date un peu en avance", PARAS, published=ahead).encode()
    settings = {} if tolerance is None else {"NEWSCRAWL_FUTURE_DATE_TOLERANCE": tolerance}
    spider, stats, response = spider_and_response(body, **settings)
    (item,) = spider.parse_article(response, hints={})
    assert (item.published == ahead) is kept
    assert stats.get_value("newscrawl/page/warning/future_date") == (None if kept else 1)
