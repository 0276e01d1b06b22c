"""Issue 12, "Nothing is lost through the canonical URL": a declared canonical URL names the
record only when it is http(s), on the page's site and an article path; pages that share a
bogus one each get their own record, a third-party page cannot take another site's article
id, and an item the writer refuses is never marked seen."""

from __future__ import annotations

import json

import pytest
from scrapy.utils.test import get_crawler

from newscrawl.canonical import refusal, vet_canonical
from newscrawl.exceptions import WriteRefused
from newscrawl.items import ArticleItem
from newscrawl.localsite import LocalSite, Page
from newscrawl.parsers import parse_page
from newscrawl.text.urls import canonical_url, url_id
from pipelines.write_jsonl import WriteJsonlPipeline
from spiders.generic import GenericSpider
from tests.e2e_support import article_html, crawl, log_lines, rss

FIG = "https://www.lefigaro.fr/actualite-france/un-eboulement-coupe-la-route-20240416"
FIG2 = "https://www.lefigaro.fr/international/un-autre-article-du-figaro-20240417"
FTV = "https://www.francetvinfo.fr/politique/exemple-d-article_7375999.html"
GEN = "https://www.echo-des-causses.example/actualites/2025/06/16/les-parents-d-eleves-mobilises.html"


@pytest.mark.parametrize(("declared", "fetched", "site", "reason"), [
    (FIG, FIG + "?utm_source=rss", "lefigaro", None),  # the same article
    (FIG2, FIG, "lefigaro", None),  # another article of the same site
    ("https://lefigaro.fr/actualite-france/un-eboulement-coupe-la-route-20240416", FIG, "lefigaro", None),
    ("https://www.franceinfo.fr/politique/exemple-d-article_7375999.html", FTV, "franceinfo", None),  # one publisher
    (FIG, "http://127.0.0.1:8123/actualite-france/un-eboulement-coupe-la-route-20240416", "lefigaro", None),  # mirror
    ("https://echo-des-causses.example/actualites/2025/06/16/x.html", GEN, "generic", None),  # www. or not
    ("https://www.lefigaro.fr/", FIG, "lefigaro", "not_article"),  # the home page
    ("https://www.lefigaro.fr/international", FIG, "lefigaro", "not_article"),  # a section
    ("https://www.lefigaro.fr/tag/meteo", FIG, "lefigaro", "not_article"),
    ("https://www.echo-des-causses.example/", GEN, "generic", "not_article"),
    ("https://www.echo-des-causses.example/actualites/", GEN, "generic", "not_article"),
    ("https://www.echo-des-causses.example/auteur/jeanne/", GEN, "generic", "not_article"),
    (FIG, GEN, "generic", "offsite"),  # a third-party page naming another site's article
    (FIG, "https://www.leparisien.fr/x/y-12-04-2023-Q4JZ7MXRB2LKTHW5NCVD8PFYEA.php", "leparisien", "offsite"),
    ("https://madame.lefigaro.fr/societe/un-article-20240416", FIG, "lefigaro", "offsite"),  # another template
    ("http://127.0.0.1:9999" + GEN.split(".example", 1)[1], "http://127.0.0.1:8123/a/b/c.html", "generic", "offsite"),
    ("ftp://www.lefigaro.fr/actualite-france/x-20240416", FIG, "lefigaro", "scheme"),
    ("javascript:alert(1)", FIG, "lefigaro", "scheme"),
    ("file:///etc/passwd", GEN, "generic", "scheme"),
])
def test_refusal_table(declared, fetched, site, reason):
    assert refusal(declared, fetched, site) == reason


def test_a_refused_canonical_gives_the_fetched_url():
    assert vet_canonical("https://www.lefigaro.fr/", FIG + "#xtor=RSS-1", "lefigaro") == (FIG, "not_article")
    assert vet_canonical(None, FIG + "?utm_source=x", "lefigaro") == (FIG, None)
    assert vet_canonical(FIG2, FIG, "lefigaro") == (FIG2, None)


def page(head: str, title: str = "Un titre d'article assez long pour la page") -> bytes:
    return article_html(title, ["Un paragraphe du corps de l'article, d'une longueur raisonnable.",
                                "Un second paragraphe, qui dit autre chose que le premier."], head=head).encode()


@pytest.mark.parametrize(("head", "reason"), [
    ('<link rel="canonical" href="/">', "not_article"),
    ('<meta property="og:url" content="https://www.echo-des-causses.example/societe/">', "not_article"),
    (f'<link rel="canonical" href="{FIG}">', "offsite"),
    (f'<script type="application/ld+json">{{"@type": "NewsArticle", "url": "{FIG}"}}</script>', "offsite"),
    ('<link rel="canonical" href="ftp://www.echo-des-causses.example/a/b/c.html">', "scheme"),
])
def test_every_parser_falls_back_to_the_fetched_url(head, reason):
    item, parser = parse_page(GEN + "?utm_source=rss", page(head), source="generic")
    assert item.canonical_url == canonical_url(GEN)
    assert item.id == url_id(GEN)
    assert parser.canonical_refused is not None
    assert parser.canonical_refused[0] == reason


def test_site_parsers_get_the_rule_too():
    for key, url in (("lefigaro", FIG), ("franceinfo", FTV.replace("francetvinfo", "franceinfo")),
                     ("leparisien", "https://www.leparisien.fr/x/y-12-04-2023-Q4JZ7MXRB2LKTHW5NCVD8PFYEA.php")):
        item, parser = parse_page(url, page('<link rel="canonical" href="https://www.example.org/a/b/c-1.html">'),
                                  source=key)
        assert item.canonical_url == canonical_url(url), key
        assert parser.canonical_refused[0] == "offsite", key


def test_a_good_declared_canonical_is_kept():
    item, parser = parse_page(GEN + "?page=amp", page(f'<link rel="canonical" href="{GEN}">'), source="generic")
    assert item.canonical_url == canonical_url(GEN)
    assert parser.canonical_refused is None
    # rel=canonical refused, og:url good: og:url names the record, no refusal counted
    head = f'<link rel="canonical" href="/"><meta property="og:url" content="{GEN}">'
    item, parser = parse_page(GEN.replace(".html", "-2.html"), page(head), source="generic")
    assert item.canonical_url == canonical_url(GEN)
    assert parser.canonical_refused is None


# ---------------------------------------------------------------------------- the writer
def writer_pipeline(tmp_path):
    crawler = get_crawler(GenericSpider, {"NEWSCRAWL_OUTPUT_DIR": str(tmp_path), "NEWSCRAWL_JSONL_FSYNC": False})
    crawler.spider = GenericSpider.from_crawler(crawler, start_urls="http://127.0.0.1:1/feed.xml")
    crawler.stats.open_spider()
    pipe = WriteJsonlPipeline.from_crawler(crawler)
    pipe.open_spider()
    return pipe, crawler.stats


def record(url: str, canon: str) -> ArticleItem:
    return ArticleItem(id=url_id(canon), url=url, canonical_url=canon, source="generic", title="Titre",
                       text="Texte", crawled_at="2025-06-12T08:30:00+00:00")


def test_writer_refuses_another_page_under_a_taken_id(tmp_path, caplog):
    pipe, stats = writer_pipeline(tmp_path)
    pipe.process_item(record(GEN, GEN))
    with pytest.raises(WriteRefused):
        pipe.process_item(record(GEN.replace(".html", "-bis.html"), GEN))
    assert stats.get_value("newscrawl/jsonl/refused/id_taken") == 1
    assert "not marked seen" in caplog.text
    # the same page again (a run that died between the write and the state update) goes on
    pipe.process_item(record(GEN + "?utm_source=x", GEN))
    assert stats.get_value("newscrawl/jsonl/already_written") == 1
    pipe.close_spider()
    # after a restart too: the page of each record on disk is known
    pipe, stats = writer_pipeline(tmp_path)
    pipe.process_item(record(GEN, GEN))
    with pytest.raises(WriteRefused):
        pipe.process_item(record(GEN.replace(".html", "-ter.html"), GEN))
    lines = [json.loads(x) for x in next(tmp_path.glob("*/*.jsonl")).read_text().splitlines()]
    assert [row["url"] for row in lines] == [GEN]


# ---------------------------------------------------------------------------- end to end
STORIES = [
    ["Le comité des fêtes a présenté le programme de l'été, avec un concert sur la place chaque vendredi soir.",
     "Les bénévoles recherchent encore des bras pour monter la scène et tenir la buvette pendant les soirées."],
    ["La piscine municipale rouvrira après trois mois de travaux sur la toiture et le système de chauffage.",
     "Les horaires d'ouverture seront élargis le dimanche matin, à la demande des clubs de natation du canton."],
    ["Un incendie de broussailles a parcouru deux hectares près de la départementale, sans faire de blessé.",
     "Les pompiers sont restés sur place toute la nuit pour surveiller les reprises de feu dans le sous-bois."],
    ["Le marché de Noël s'installera cette année sur les quais, avec une quarantaine de chalets d'artisans.",
     "La mairie promet une patinoire synthétique et des animations pour les enfants tous les mercredis."],
    ["La bibliothèque lance un club de lecture pour adolescents, animé par une autrice de romans policiers.",
     "Les séances auront lieu un samedi sur deux, et les inscriptions sont gratuites dans la limite des places."],
]


@pytest.mark.e2e
def test_bogus_and_foreign_canonicals_lose_nothing(tmp_path):
    """Three pages declare the home page or a section as their canonical URL; a page of another
    site declares this site's article as its canonical. Every page gets its own record, under the
    id of its own URL; the real article keeps its id."""
    site = LocalSite({}).start()
    other = LocalSite({}).start()
    try:
        real = "/actualites/2025/06/12/la-bibliotheque-lance-un-club-de-lecture.html"
        bogus = [f"/actualites/2025/06/12/article-numero-{i}-du-comite.html" for i in range(3)]
        site.pages.update({
            bogus[0]: Page(article_html("Le programme de l'été", STORIES[0], head='<link rel="canonical" href="{{BASE}}/">')),
            bogus[1]: Page(article_html("La piscine rouvre", STORIES[1], head='<link rel="canonical" href="{{BASE}}/">')),
            bogus[2]: Page(article_html("Deux hectares brûlés", STORIES[2],
                                        head='<meta property="og:url" content="{{BASE}}/actualites/">')),
            real: Page(article_html("Un club de lecture", STORIES[4])),
            "/feed.xml": Page(rss([("{{BASE}}" + p, None, None) for p in [*bogus, real]]),
                              content_type="application/rss+xml"),
        })
        foreign = "/blog/2025/06/12/notre-marche-de-noel-sur-les-quais.html"
        other.pages.update({
            foreign: Page(article_html("Le marché de Noël", STORIES[3],
                                       head=f'<link rel="canonical" href="{site.url(real)}">')),
            "/feed.xml": Page(rss([("{{BASE}}" + foreign, None, None)]), content_type="application/rss+xml"),
        })
        out = tmp_path / "output"
        # the foreign feed first: today its page took the real article's id and suppressed it
        result = crawl("generic", [other.url("/feed.xml"), site.url("/feed.xml")], tmp_path,
                       f"NEWSCRAWL_OUTPUT_DIR={out}", "CONCURRENT_REQUESTS=1")
    finally:
        site.stop()
        other.stop()
    assert result.returncode == 0, result.log[-3000:]
    rows = [json.loads(x) for f in sorted(out.glob("*/*.jsonl")) for x in f.read_text().splitlines()]
    urls = {row["url"]: row for row in rows}
    assert set(urls) == {site.url(p) for p in [*bogus, real]} | {other.url(foreign)}
    for url, row in urls.items():
        assert row["canonical_url"] == canonical_url(url)
        assert row["id"] == url_id(url)
    assert len({row["id"] for row in rows}) == 5
    assert result.stats["newscrawl/page/canonical_refused/not_article"] == 3
    assert result.stats["newscrawl/page/canonical_refused/offsite"] == 1
    assert log_lines(result, other.url(foreign), "canonical_refused", "offsite")
    assert "newscrawl/jsonl/already_written" not in result.stats
    assert "newscrawl/dedup/duplicate/url" not in result.stats
