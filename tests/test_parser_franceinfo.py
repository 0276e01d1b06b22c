"""franceinfo parser rules beyond the fixture records (tests/test_parsers.py): noise stripping at
DOM level, fallbacks, and the small pure helpers. Pages here are a few tags of invented markup."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime

import pytest
from parsel import Selector

from newscrawl.parsers import parser_for
from newscrawl.parsers.base import ArticleParser
from newscrawl.parsers.franceinfo import (
    FranceinfoParser,
    is_old_article_banner,
    split_glued_body,
    split_names,
)
from tests.conftest import FIXTURES

PAGES = FIXTURES / "pages" / "franceinfo"
URL = "https://www.franceinfo.fr/societe/exemple-de-page_7000001.html"
FETCHED = datetime(2025, 7, 20, 8, 0, tzinfo=UTC)


def page(head: str = "", article: str = "", outside: str = "") -> str:
    return (
        f'<html lang="fr"><head>{head}</head><body><main id="base-page__main-content">'
        f'<article id="js--content" class="page-content content content--classic">{article}</article>'
        f"{outside}</main></body></html>"
    )


def parse(html: str, url: str = URL) -> FranceinfoParser:
    return FranceinfoParser(url, html.encode("utf-8"), FETCHED)


# --------------------------------------------------------------------------- noise at DOM level
NOISE_SELECTORS = [
    "figure.francetv-player-wrapper",
    "div.pic-embed-container",
    "blockquote.twitter-tweet",
    "div.c-body iframe",
    "div.esi-block",
    "div.content-banner-nl",
    "section.social-zone",
    "div.bookmark-button-dialog",
    "aside.content-smartfeed",
    "section.subject-rebound",
    "section#comments-embed",
]


@pytest.mark.parametrize("css", NOISE_SELECTORS)
def test_noise_blocks_are_dropped_before_the_body_is_read(css):
    html = (PAGES / "2025-07-10_orages-dans-le-gard-coulee-de-boue-rn106.html").read_bytes()
    assert Selector(text=html.decode("utf-8")).css(css), f"the noise fixture must contain {css}"
    parser = FranceinfoParser(URL, html, FETCHED)
    assert not parser.sel.css(css), f"{css} left in the DOM"


def test_stripping_keeps_the_body_and_the_tags_block():
    html = (PAGES / "2025-07-10_orages-dans-le-gard-coulee-de-boue-rn106.html").read_bytes()
    parser = FranceinfoParser(URL, html, FETCHED)
    assert len(parser.sel.css("div.c-body > p")) == 5
    assert parser.sel.css("section.related-tags a.related-tags__tag-link")


def test_a_bare_2023_tweet_in_the_body_never_becomes_a_line():
    html = page(
        article=(
            '<div class="c-body"><p>Premier paragraphe du r&eacute;cit.</p>'
            '<blockquote class="twitter-tweet"><p lang="fr">Message du compte officiel.</p>'
            "&mdash; Compte (@compte) <a href='https://twitter.com/x'>12 avril 2023</a></blockquote>"
            "<p>Dernier paragraphe du r&eacute;cit.</p></div>"
        )
    )
    assert parse(html).body() == ["Premier paragraphe du récit.", "Dernier paragraphe du récit."]


def test_a_pull_quote_reads_as_one_line_with_its_attribution():
    html = page(
        article=(
            '<div class="c-body"><p>Avant la citation.</p>'
            '<blockquote class="ftvi_content_quote"><p class="ftvi_citation_quote">"On tiendra bon"</p>'
            '<div><cite class="ftvi_citation_author">Une syndicaliste</cite>'
            '<p class="ftvi_citation_source">à franceinfo</p></div></blockquote></div>'
        )
    )
    assert parse(html).body() == ["Avant la citation.", '"On tiendra bon" Une syndicaliste à franceinfo']


def test_only_direct_children_of_the_body_are_read():
    html = page(
        article=(
            '<div class="c-body"><p>Texte.</p><div class="encart"><p>Paragraphe d\'un encart imbriqué.</p></div>'
            '<h2 class="bullet">Intertitre</h2><p>Suite.</p></div>'
        )
    )
    assert parse(html).body() == ["Texte.", "Intertitre", "Suite."]


def test_old_article_banner_never_reaches_the_text():
    html = page(
        article='<div class="c-body"><p><em>Cet article date de plus d\'un an.</em></p><p>Le récit.</p></div>',
    ).replace(
        '<main id="base-page__main-content">',
        '<main id="base-page__main-content"><div class="alert-info"><p>Cet article date de plus d\'un an.</p></div>',
    )
    parser = parse(html)
    assert parser.body() == ["Le récit."]
    assert not parser.sel.css("div.alert-info")


# --------------------------------------------------------------------------- fallbacks
def test_jsonld_headline_is_never_the_title():
    html = page(
        head='<script type="application/ld+json">{"@type":"NewsArticle",'
        '"headline":"Un titre coupé à cent dix caract"}</script>'
    )
    assert ArticleParser(URL, html.encode(), FETCHED).title() == "Un titre coupé à cent dix caract"
    assert parse(html).title() is None


def test_audio_page_title_and_chapo():
    html = page(
        article=(
            '<div class="rf-player-wrapper"><div class="rf-player-wrapper__container">'
            '<h1 class="rf-player-wrapper__title"> Le titre de l\'émission du jour </h1>'
            '<a class="rf-player-wrapper__play-btn"><span class="ftvi-btn__label">écouter</span></a></div></div>'
            '<div class="c-chapo"><p>Le chapo de la chronique.</p></div>'
        )
    )
    parser = parse(html, "https://www.francetvinfo.fr/replay-radio/le-brief/le-titre_5700001.html")
    assert parser.title() == "Le titre de l'émission du jour"
    assert parser.lead() == "Le chapo de la chronique."


def test_meta_dates_without_colon_in_the_offset():
    html = page(
        head='<meta property="article:published_time" content="2023-04-06T15:22:31+0200">'
        '<meta property="article:modified_time" content="2023-04-06T16:00:00+0200">'
    )
    item = parse(html).parse(strict=True)
    assert (item.published, item.modified) == ("2023-04-06T15:22:31+02:00", "2023-04-06T16:00:00+02:00")


def test_signature_names_without_links_are_split():
    html = page(
        article=(
            '<div class="signature"><div class="signature__names"><span class="sr-only">Article rédigé par </span>'
            "Anne Roux, Paul Mas et Lina Ba</div></div>"
        )
    )
    assert parse(html).authors() == ["Anne Roux", "Paul Mas", "Lina Ba"]


def test_authors_fall_back_to_jsonld():
    html = page(
        head='<script type="application/ld+json">{"@type":"NewsArticle",'
        '"author":{"@type":"Person","name":"franceinfo avec AFP"}}</script>'
    )
    assert parse(html).authors() == ["franceinfo avec AFP"]


def test_section_from_breadcrumb_list_when_the_nav_is_missing():
    ld = (
        '{"@type":"BreadcrumbList","itemListElement":['
        '{"@type":"ListItem","name":"Justice \u2013 Procès","position":"2"},'
        '{"@type":"ListItem","name":"Faits-divers","position":"1"}]}'
    )
    html = page(head=f'<script type="application/ld+json">{ld}</script>')
    assert parse(html).section() == "Faits-divers"


def test_section_from_the_breadcrumb_nav_skips_the_home_link():
    nav = (
        '<nav class="breadcrumb"><ol class="breadcrumb__list">'
        '<li class="breadcrumb__item"><a class="breadcrumb__link" href="/" title="Revenir à la page d\'accueil">'
        'Accueil</a></li><li class="breadcrumb__item"><a class="breadcrumb__link" href="/monde/">Monde</a></li>'
        "</ol></nav>"
    )
    assert parse(page(outside=nav)).section() == "Monde"


def test_placeholder_cover_falls_back_to_og_image():
    html = page(
        head='<meta property="og:image" content="https://www.franceinfo.fr/pictures/abc/1500x843/photo.jpg">',
        article='<div class="c-cover"><figure><img src="/assets/common/images/placeholder-36b69ec8.png"></figure></div>',
    )
    assert parse(html).image() == "https://www.franceinfo.fr/pictures/abc/1500x843/photo.jpg"


def test_lazy_cover_uses_data_src():
    html = page(
        article=(
            '<div class="c-cover"><figure><img src="data:image/svg+xml,%3Csvg%3E" '
            'data-src="/pictures/xyz/432x243/photo.jpg"></figure></div>'
        )
    )
    assert parse(html).image() == "https://www.franceinfo.fr/pictures/xyz/432x243/photo.jpg"


def test_body_from_jsonld_is_split_and_logged(caplog):
    body = 'Premier paragraphe.Deuxième paragraphe, "cité".\u00a0Troisième.'
    ld = json.dumps({"@type": "NewsArticle", "articleBody": body})
    html = page(head=f'<script type="application/ld+json">{ld}</script>')
    with caplog.at_level(logging.INFO, logger="newscrawl.parsers.franceinfo"):
        parser = parse(html)
        lines = parser.body()
    assert lines == ["Premier paragraphe.", 'Deuxième paragraphe, "cité".', "Troisième."]
    assert parser.body_source == "jsonld"
    assert URL in caplog.text
    assert "jsonld" in caplog.text


def test_live_page_without_body_reads_the_jsonld_updates():
    ld = json.dumps({
        "@type": "LiveBlogPosting", "headline": "DIRECT. Un direct", "coverageStartTime": "2025-07-20T07:00:00+02:00",
        "liveBlogUpdate": [
            {"@type": "BlogPosting", "headline": "Le point à 10 heures",
             "articleBody": "<p>Premier point.</p><ul><li>Un détail.</li></ul>"},
            {"@type": "BlogPosting", "headline": "", "articleBody": "Un point sans titre."},
            "pas un objet",
        ],
    })
    html = page(head=f'<script type="application/ld+json">{ld}</script>',
                article='<h1 class="c-title">DIRECT. Un direct</h1>')
    parser = parse(html, "https://www.franceinfo.fr/monde/direct-discours_8193647.html")
    assert parser.body() == ["Le point à 10 heures", "Premier point.", "Un détail.", "Un point sans titre."]
    assert parser.body_source == "jsonld"
    assert parser.is_live()


def test_section_falls_back_to_the_first_url_segment():
    assert parse(page(), "https://www.franceinfo.fr/faits-divers/justice-proces/x_5755658.html").section() == (
        "faits-divers")
    assert parse(page(), "https://www.franceinfo.fr/x_5755658.html").section() is None


@pytest.mark.parametrize("body", [b"", b"\xff\xfe garbage", b"<html><body><p>Pas un article</p></body></html>"])
def test_broken_pages_degrade_without_raising(body):
    item = FranceinfoParser(URL, body, FETCHED).parse()
    assert item.title is None
    assert item.paywalled is False
    assert item.source == "franceinfo"


@pytest.mark.parametrize("host", ["www.franceinfo.fr", "www.francetvinfo.fr"])
def test_both_hosts_use_this_parser_and_fold_to_franceinfo(host):
    url = f"https://{host}/politique/exemple_7375999.html#xtor=RSS-3-[lestitres]"
    assert parser_for(url) is FranceinfoParser
    item = FranceinfoParser(url, page().encode(), FETCHED).parse(strict=True)
    assert item.canonical_url == "https://www.franceinfo.fr/politique/exemple_7375999.html"


# --------------------------------------------------------------------------- pure helpers
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Une phrase. Une autre.", ["Une phrase. Une autre."]),  # a plain space never splits
        ("Fin du premier.Début du second.", ["Fin du premier.", "Début du second."]),
        ('dit-elle."Une citation."', ["dit-elle.", '"Une citation."']),
        ('le mot "fin".La suite.', ['le mot "fin".', "La suite."]),
        ("un paragraphe.\u00a0Le suivant.", ["un paragraphe.", "Le suivant."]),
        ('"Pas possible !""Vraiment"', ['"Pas possible !"', '"Vraiment"']),
        ("Les U.S.A. et la F.A.O. ont signé.", ["Les U.S.A. et la F.A.O. ont signé."]),
        ("Le 3.5 reste.", ["Le 3.5 reste."]),
        ("un lien.>> A lire", ["un lien.", ">> A lire"]),
        ("ligne 1\n\nligne 2", ["ligne 1", "ligne 2"]),
    ],
)
def test_split_glued_body(raw, expected):
    assert split_glued_body(raw) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Cet article date de plus d'un an.", True),
        ("Cet article date de plus d\u2019un an", True),
        ("Cet article date de plus de deux ans.", True),
        ("Cet article date de plus d'un an, mais il reste d'actualité.", False),
        ("Le texte de loi date de plus d'un an.", False),
    ],
)
def test_old_article_banner(line, expected):
    assert is_old_article_banner(line) is expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Anne Roux, Paul Mas et Lina Ba", ["Anne Roux", "Paul Mas", "Lina Ba"]),
        ("franceinfo avec AFP", ["franceinfo avec AFP"]),
        ("", []),
        (None, []),
    ],
)
def test_split_names(raw, expected):
    assert split_names(raw) == expected
