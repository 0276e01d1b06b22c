"""Generic parser on page structures that used to lose the article (issue 13), one invented page
per kind of fault: noise selectors matching the page's containers (body.has-sidebar,
body.cookies-not-set, div#article.comments-enabled, an ASP.NET form wrapper, a wrapper whose class
reads like an ad but that holds the JSON-LD articleBody), a "See also" list that is the content,
a long article whose fast extraction keeps one paragraph, a table in the body."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from lxml import etree
from parsel import Selector

from newscrawl.parsers import generic
from newscrawl.parsers.generic import GenericParser, prune_related_lists
from newscrawl.text.container import CELL_SEPARATOR
from newscrawl.text.guard import ContentGuard

NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
URL = "https://www.gazette-des-trois-vallees.example/2026/03/le-pont-de-la-riviere-rouvre.html"
TITLE = "Le pont de la rivière rouvre après huit mois de travaux"
PARAS = [
    ("Le pont qui relie les deux rives du bourg a rouvert lundi matin à la circulation, après huit mois de "
     "travaux de renforcement menés par le département sur les piles et le tablier de l'ouvrage."),
    ("Les riverains, qui devaient faire un détour de douze kilomètres par la route de la vallée, ont salué "
     "la fin du chantier, même si la vitesse reste limitée à trente kilomètres par heure jusqu'à l'été."),
    ("Le maire a rappelé que les camions de plus de dix tonnes resteront interdits sur le pont, comme "
     "avant les travaux, et qu'un nouveau comptage du trafic sera fait à l'automne par les services."),
    ("Le chantier a coûté un peu plus de deux millions d'euros, dont la moitié à la charge du département, "
     "le reste étant partagé entre la région et la communauté de communes des trois vallées."),
]
SIDEBAR = "Les dix articles les plus lus de la semaine sur notre site, classés par nombre de lecteurs."


def _parse(html: str, url: str = URL) -> tuple[dict, GenericParser]:
    parser = GenericParser(url, html.encode("utf-8"), NOW)
    return parser.parse(strict=True).to_record(), parser


def _article(paras: list[str] = PARAS) -> str:
    return f"<h1>{TITLE}</h1>" + "".join(f"<p>{p}</p>" for p in paras)


def _page(body: str, body_attrs: str = "", head: str = "") -> str:
    return (f"<html lang='fr'><head><meta charset='utf-8'><title>{TITLE}</title>{head}</head>"
            f"<body {body_attrs}>{body}</body></html>")


_SIDEBAR_BLOCK = f"<div class='sidebar-widget'><p>{SIDEBAR}</p></div>"


# ------------------------------------------------------------------ noise selectors vs containers
@pytest.mark.parametrize(
    "body_attrs", ["class='cookies-not-set single'", "class='consent-pending'", "class='ad-content-loaded'"],
)
def test_body_classes_that_read_like_noise_keep_the_article(body_attrs):
    """[class*=cookie], [class*=consent], [class*=ad-content] (the strip every parser runs) match
    the body itself: the body is never removed, the sidebar block still is."""
    html = _page(f"<div class='site'><div class='content'>{_article()}</div>{_SIDEBAR_BLOCK}</div>", body_attrs)
    record, _ = _parse(html)
    assert record["text"].split("\n") == PARAS
    assert SIDEBAR not in record["text"]


@pytest.mark.parametrize("body_attrs", ["class='home wp-theme has-sidebar'", "class='widget-ready'"])
def test_body_classes_matched_by_the_generic_prune_keep_the_article(body_attrs):
    """[class*=sidebar] and [class*=widget] (the generic parser's prune) on body.has-sidebar: the
    prune already kept the body before this change; now the same ContentGuard rule as the strip."""
    html = _page(f"<div class='site'><div class='content'>{_article()}</div>{_SIDEBAR_BLOCK}</div>", body_attrs)
    record, _ = _parse(html)
    assert record["text"].split("\n") == PARAS
    assert SIDEBAR not in record["text"]


def test_article_wrapper_with_comments_enabled_class_is_kept():
    """div#article.comments-enabled holds the article: [class*=comments] does not remove it; the
    real comment list still goes."""
    comment = "Bravo aux ouvriers qui ont travaillé tout l'hiver sur ce chantier difficile."
    html = _page(f"<div id='article' class='post comments-enabled'>{_article()}</div>"
                 f"<div class='comments'><p>{comment}</p></div>")
    record, _ = _parse(html)
    assert record["text"].split("\n") == PARAS
    assert comment not in record["text"]


def test_aspnet_form_wrapper_is_kept():
    """ASP.NET pages put the whole body in <form id="aspnetForm">: stripping forms must not take
    the article with it (a search form still goes)."""
    html = _page(
        "<form method='post' action='./article.aspx?id=12' id='aspnetForm'>"
        "<input type='hidden' name='__VIEWSTATE' value='abc'>"
        f"<div class='wrapper'><div class='main-col'>{_article()}</div></div>"
        "<div class='footer-search'><form action='/search'><p>Rechercher sur le site</p></form></div></form>"
    )
    record, _ = _parse(html)
    assert record["text"].split("\n") == PARAS
    assert "Rechercher" not in record["text"]


def test_wrapper_holding_the_jsonld_article_body_is_kept():
    """The article's wrapper has a class that reads like an ad and holds less than half of the
    page's paragraph text (a long readers' letters block follows): it holds the JSON-LD
    articleBody's paragraphs, so it stays."""
    letters = [f"Lettre {k} : un lecteur raconte longuement ses souvenirs du vieux pont, des crues "
               f"de la rivière et des fêtes du bourg au temps où le bac traversait encore l'eau." for k in range(8)]
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": TITLE,
          "articleBody": "\n".join(PARAS)}
    html = _page(
        f"<div class='ad-content-wrapper'>{_article()}</div>"
        f"<div class='readers-letters'>{''.join(f'<p>{x}</p>' for x in letters)}</div>",
        head=f"<script type='application/ld+json'>{json.dumps(ld)}</script>",
    )
    record, _ = _parse(html)
    for para in PARAS:
        assert para in record["text"]


def test_content_guard_rules():
    root = Selector(text=_page(f"<main><div id='a'>{_article()}</div><div id='b'><p>{SIDEBAR}</p></div></main>")).root
    guard = ContentGuard(root)
    by_id = {el.get("id") or el.tag: el for el in root.iter()}
    assert guard.keeps(by_id["html"])
    assert guard.keeps(by_id["body"])
    assert guard.keeps(by_id["main"])
    assert guard.keeps(by_id["a"])  # most of the paragraph text
    assert not guard.keeps(by_id["b"])
    assert not guard.keeps(by_id["h1"])  # no paragraph under it


# ------------------------------------------------------------------ related lists
def test_see_also_list_that_is_the_content_is_kept():
    """A guide whose content is a list introduced by "See also": the list holds most of the text,
    so it is the article, not a related-links box."""
    items = [
        ("The old mill on the north bank, rebuilt in stone after the flood, now houses a small museum "
         "of river trades with <a href='/mill'>guided visits</a> every afternoon in summer."),
        ("The towpath from the bridge to the lock, four kilometres of shaded walk along the water, "
         "with benches every few hundred metres and <a href='/path'>a map at each end</a>."),
        ("The Saturday market on the church square, where the valley's farmers sell cheese, honey "
         "and early vegetables from seven until noon, <a href='/market'>all year round</a>."),
        ("The ferry landing below the castle, where a volunteer association restored the old flat "
         "boat and takes visitors across on <a href='/ferry'>Sunday afternoons</a> in season."),
    ]
    html = _page(
        f"<article><h1>Three valleys: a weekend guide</h1><p>Our picks for a short stay.</p>"
        f"<p><strong>See also:</strong></p><ul>{''.join(f'<li>{i}</li>' for i in items)}</ul></article>"
    )
    record, _ = _parse(html)
    for fragment in ("now houses a small museum", "four kilometres of shaded walk", "early vegetables",
                     "restored the old flat"):
        assert fragment in record["text"]


def test_related_list_pruning_is_bounded_by_the_text_it_removes():
    big = "".join(f"<li><a href='/{k}'>Un lien</a> suivi d'une longue description du lieu numéro {k}, "
                  f"avec ses horaires, son accès et ce qu'on y voit.</li>" for k in range(6))
    root = Selector(text=f"<div><p>Intro.</p><p>Voir aussi :</p><ul>{big}</ul></div>").root
    assert prune_related_lists(root) == 0  # the list is most of the text: it stays
    small = "<li><a href='/a'>Un</a></li><li><a href='/b'>Deux</a></li>"
    root = Selector(text=f"<div><p>{PARAS[0]}</p><p>Voir aussi :</p><ul>{small}</ul></div>").root
    assert prune_related_lists(root) == 2  # a small box: label and list go
    assert etree.tostring(root, encoding="unicode").count("<li>") == 0


# ------------------------------------------------------------------ short extraction
LONG = [f"{p} Paragraphe {k} d'un long article." for k in range(3) for p in PARAS]
STANDFIRST = "Huit mois de travaux et deux millions d'euros : le pont du bourg est de nouveau ouvert."


def _fake_trafilatura(calls: list[bool]):
    def fake(html, url, *, recall=False):
        calls.append(recall)
        return list(LONG) if recall else [STANDFIRST]  # the fast precision pass keeps the standfirst only
    return fake


def test_long_article_whose_fast_extraction_is_one_paragraph(monkeypatch):
    """The article's container gives the whole body; a precision pass that keeps one paragraph
    is never the body."""
    calls: list[bool] = []
    monkeypatch.setattr(generic, "trafilatura_lines", _fake_trafilatura(calls))
    html = _page(f"<article>{_article(LONG)}</article>", head=f"<meta name='description' content='{STANDFIRST}'>")
    record, parser = _parse(html)
    assert record["text"].split("\n") == LONG
    assert parser.body_source == "container"
    assert calls == []  # trafilatura did not run


def test_short_trafilatura_result_is_judged_against_the_page(monkeypatch):
    """Without a dominant container, a precision result no longer than the page's description
    (or under half its largest paragraph block) is retried in recall mode."""
    calls: list[bool] = []
    monkeypatch.setattr(generic, "trafilatura_lines", _fake_trafilatura(calls))
    real = generic.dominant_container
    monkeypatch.setattr(generic, "dominant_container", lambda root: (None, real(root)[1]))
    html = _page(f"<article>{_article(LONG)}</article>", head=f"<meta name='description' content='{STANDFIRST}'>")
    record, parser = _parse(html)
    assert calls == [False, True]
    assert record["text"].split("\n") == LONG
    assert parser.body_source == "trafilatura"


# ------------------------------------------------------------------ tables
TABLE = (
    "<table><thead><tr><th>Commune</th><th>Habitants</th><th>Détour (km)</th></tr></thead>"
    "<tbody><tr><td>Le Bourg</td><td>2 140</td><td>12</td></tr>"
    "<tr><td>La Vallée</td><td>860</td><td>7</td></tr></tbody></table>"
)
TABLE_LINES = [CELL_SEPARATOR.join(("Commune", "Habitants", "Détour (km)")),
               CELL_SEPARATOR.join(("Le Bourg", "2 140", "12")), CELL_SEPARATOR.join(("La Vallée", "860", "7"))]


def test_table_in_the_body_is_kept_as_lines():
    html = _page(f"<article><h1>{TITLE}</h1><p>{PARAS[0]}</p><p>{PARAS[1]}</p>{TABLE}"
                 f"<p>{PARAS[2]}</p><p>{PARAS[3]}</p></article>")
    record, _ = _parse(html)
    assert record["text"].split("\n") == [PARAS[0], PARAS[1], *TABLE_LINES, PARAS[2], PARAS[3]]


def test_table_kept_by_trafilatura_too(monkeypatch):
    monkeypatch.setattr(generic, "dominant_container", lambda root: (None, 0))
    html = _page(f"<article><h1>{TITLE}</h1><p>{PARAS[0]}</p><p>{PARAS[1]}</p>{TABLE}"
                 f"<p>{PARAS[2]}</p><p>{PARAS[3]}</p></article>")
    record, parser = _parse(html)
    assert parser.body_source == "trafilatura"
    for line in TABLE_LINES:
        assert line in record["text"].split("\n")


# ------------------------------------------------------------------ JSON-LD body, no trafilatura
def test_jsonld_article_body_without_a_container_skips_trafilatura(monkeypatch):
    """A page rendered by JavaScript (text in a script, no paragraphs in the DOM) whose JSON-LD
    articleBody holds the article in paragraphs: that is the body, trafilatura does not run."""
    calls: list[bool] = []
    monkeypatch.setattr(generic, "trafilatura_lines", _fake_trafilatura(calls))
    ld = {"@context": "https://schema.org", "@type": "NewsArticle", "headline": TITLE,
          "articleBody": "\n".join(LONG)}
    html = _page("<div id='app'><h1>" + TITLE + "</h1><div class='loading'>Chargement…</div></div>",
                 head=f"<script type='application/ld+json'>{json.dumps(ld)}</script>")
    record, parser = _parse(html)
    assert record["text"].split("\n") == LONG
    assert parser.body_source == "jsonld"
    assert calls == []


def test_container_lines_read_a_quote_with_its_attribution_as_one_line():
    from newscrawl.text.container import container_lines

    root = Selector(text=(
        "<div><p>Le maire a parlé devant le conseil réuni en séance extraordinaire lundi soir.</p>"
        "<blockquote><p>« Le pont tiendra encore cinquante ans. »</p><div><cite>Le maire</cite>"
        "<p>au conseil municipal</p></div></blockquote><figure><figcaption>Le pont, lundi.</figcaption></figure>"
        "<p><a href='/autre'>Un autre article entièrement en lien</a></p></div>")).root.find(".//div")
    assert container_lines(root) == [
        "Le maire a parlé devant le conseil réuni en séance extraordinaire lundi soir.",
        "« Le pont tiendra encore cinquante ans. » Le maire au conseil municipal",
    ]
