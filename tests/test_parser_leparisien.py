"""Le Parisien parser, beyond the registry-driven fixture tests: each fallback of each field
(the fixture page with the preferred source removed), live blogs, paywall markers, DOM-level
noise stripping and the pure helpers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from parsel import Selector

from newscrawl.parsers import parse_page
from newscrawl.parsers.leparisien import LeParisienParser, section_keywords_dropped
from newscrawl.text.blocks import html_blocks, node_text
from newscrawl.text.dates import parse_iso
from tests.conftest import FIXTURES

PAGES = FIXTURES / "pages" / "leparisien"
APRIL = "2023-04-12_cantal-cooperative-laitiere-recrute"
NOVEMBER = "2023-11-16_portugal-village-ciel-etoile"
PAYWALL = "2023-04-20_lyon-marches-couverts-paywall"
LIVE = "2024-02-06_tempete-leonie-live"
NOISE = "2024-03-14_oise-cambriolages-noise"
JSONLD = 'script[type="application/ld+json"]'


def fixture(name: str) -> tuple[dict, str]:
    meta = json.loads((PAGES / f"{name}.json").read_text(encoding="utf-8"))
    return meta, (PAGES / f"{name}.html").read_text(encoding="utf-8")


def without(html: str, *css: str) -> str:
    """The page with every node matched by ``css`` removed (to exercise a fallback)."""
    sel = Selector(text=html)
    for selector in css:
        assert sel.css(selector), f"{selector} matches nothing: the test would prove nothing"
        sel.css(selector).drop()
    return sel.get()


def parse(name: str, *drop: str, html: str | None = None):
    meta, page = fixture(name)
    page = without(html or page, *drop) if drop else html or page
    return parse_page(meta["url"], page.encode("utf-8"), parse_iso(meta["fetched_at"]), source="leparisien",
                      strict=True)


def ld_article(html: str) -> dict:
    for raw in Selector(text=html).css(f"{JSONLD}::text").getall():
        for obj in json.loads(raw):
            if obj.get("@type") in {"NewsArticle", "LiveBlogPosting"}:
                return obj
    raise AssertionError("no article JSON-LD")


# ------------------------------------------------------------------------------ title / lead
def test_title_falls_back_to_og_title():
    item, _ = parse(APRIL, "header.article_header h1")
    assert item.title == fixture(APRIL)[0]["expected"]["title"]


@pytest.mark.parametrize(("name", "tag"), [(APRIL, "h2"), (NOVEMBER, "p")])
def test_lead_read_from_both_template_generations(name, tag):
    meta, html = fixture(name)
    assert Selector(text=html).css(f"header.article_header {tag}.subheadline")
    # DOM first: a different JSON-LD description must not win.
    html = html.replace('"description":"', '"description":"AUTRE ', 1)
    item, _ = parse(name, html=html)
    assert item.lead == meta["expected"]["lead"]


def test_lead_falls_back_to_jsonld_then_meta_description():
    meta, html = fixture(APRIL)
    html = html.replace('"description":"', '"description":"Selon le JSON-LD, ', 1)
    item, _ = parse(APRIL, ".subheadline", html=html)
    assert item.lead == "Selon le JSON-LD, " + meta["expected"]["lead"]
    item, _ = parse(APRIL, ".subheadline", JSONLD)
    assert item.lead == Selector(text=html).css('meta[name="description"]::attr(content)').get()


# ------------------------------------------------------------------------------ authors
@pytest.mark.parametrize(("raw", "expected"), [
    ("Par Victor  Tassel", "Victor Tassel"),
    ("Klervi Le Cozic, correspondante à Bordeaux (Gironde)", "Klervi Le Cozic"),
    ("Jean Martin, envoyé spécial à Kiev", "Jean Martin"),
    ("Le Parisien avec AFP", "Le Parisien avec AFP"),
    ("Par Le Parisien", "Le Parisien"),
])
def test_clean_author(raw, expected):
    assert LeParisienParser.clean_author(raw) == expected


@pytest.mark.parametrize(("name", "expected"), [
    (PAYWALL, ["Hugo Marchal"]),  # JSON-LD: "Hugo  Marchal, correspondant à Lyon (Rhône)"
    (NOISE, ["Léa Fontaine", "Karim Belkacem"]),  # JSON-LD: "Léa  Fontaine"
])
def test_authors_fall_back_to_jsonld_normalised(name, expected):
    item, _ = parse(name, "span.byline")
    assert item.authors == expected


def test_plain_span_byline_without_jsonld_author():
    _, html = fixture(NOVEMBER)
    assert "author" not in ld_article(html)
    item, _ = parse(NOVEMBER)
    assert item.authors == ["Le Parisien avec AFP"]


# ------------------------------------------------------------------------------ dates
def test_dates_are_the_utc_instant_of_jsonld_not_the_minute_of_the_timestamp():
    item, _ = parse(NOVEMBER)
    assert item.published == "2023-11-16T13:02:11+00:00"
    assert item.modified == "2023-11-16T16:48:37+00:00"


def test_dates_fall_back_to_meta_when_jsonld_is_missing():
    item, _ = parse(PAYWALL, JSONLD)
    assert (item.published, item.modified) == ("2023-04-20T04:30:12+00:00", "2023-04-20T04:30:13+00:00")


@pytest.mark.parametrize(("name", "published", "modified"), [
    (NOVEMBER, "2023-11-16T14:02:00+01:00", "2023-11-16T17:48:00+01:00"),  # "…, modifié le …"
    (APRIL, "2023-04-12T09:15:00+02:00", None),  # "Le <!-- -->12 avril 2023 à 09h15"
])
def test_dates_fall_back_to_the_visible_paris_timestamp(name, published, modified):
    item, _ = parse(name, JSONLD, 'meta[property^="article:"]')
    assert (item.published, item.modified) == (published, modified)


# ------------------------------------------------------------------------------ section / tags
def test_section_fallbacks():
    item, _ = parse(APRIL)
    assert item.section == "Économie"  # "Économie<!-- -->," in the breadcrumb
    item, _ = parse(APRIL, "div.breadcrumb")
    assert item.section == "Economie"  # JSON-LD BreadcrumbList, first level
    item, _ = parse(APRIL, "div.breadcrumb", JSONLD)
    assert item.section == "economie"  # meta article:section "/economie/emploi/"


@pytest.mark.parametrize(("keywords", "slugs", "expected"), [
    (["economie", "consommation", "Arnaque", "Prix"], {"economie", "consommation"}, ["Arnaque", "Prix"]),
    (["departements-horsidfo", "gironde-33", "faits-divers", "homophobie", "racisme"], {"gironde-33", "gironde"},
     ["homophobie", "racisme"]),
    (["ma-ville", "paris", "PLU", "Paris"], {"paris-75", "paris"}, ["PLU", "Paris"]),
    (["environnement", "SauverLePrésent", "insectes"], {"environnement"}, ["SauverLePrésent", "insectes"]),
    (["Cantal", "economie"], {"economie"}, ["Cantal", "economie"]),  # only the leading run is dropped
    (["covid", "Vaccins"], {"sante"}, ["covid", "Vaccins"]),  # a lowercase word that is no section stays
    ([], {"economie"}, []),
])
def test_section_keywords_dropped(keywords, slugs, expected):
    assert section_keywords_dropped(keywords, slugs) == expected


def test_tags_from_comma_string_keywords():
    _, html = fixture(APRIL)
    keywords = '"keywords":["economie","emploi","Cantal","Agriculture","Coopérative laitière","Recrutement"]'
    assert keywords in html
    html = html.replace(keywords, '"keywords":"economie, emploi, Cantal, Agriculture"')
    item, _ = parse(APRIL, html=html)
    assert item.tags == ["Cantal", "Agriculture"]


# ------------------------------------------------------------------------------ body
def test_react_comment_markers_neither_split_nor_glue_words():
    item, _ = parse(APRIL)
    assert "qui collecte le lait de 142 exploitations du nord" in item.text


def test_body_falls_back_to_looser_selector_when_paragraph_class_changes():
    meta, html = fixture(NOISE)
    html = html.replace('class="paragraph text_align_left"', "").replace('class="inline_title', 'class="x_title')
    item, parser = parse(NOISE, html=html)
    assert item.text == meta["expected"]["text"]
    assert parser.body_source == "dom"


def test_noise_blocks_are_removed_from_the_dom_before_reading():
    meta, _ = fixture(NOISE)
    _, parser = parse(NOISE)
    page_text = node_text(parser.sel.css("body")[0])
    for needle in meta["must_not_contain"]:
        assert needle not in page_text
    assert "Bijoux, consoles et outillage" in page_text


# ------------------------------------------------------------------------------ paywall
def test_paywall_from_jsonld_string_alone():
    _, html = fixture(PAYWALL)
    assert ld_article(html)["isAccessibleForFree"] == "False"
    item, _ = parse(PAYWALL, html=html.replace("paywall-article-section", "x-section").replace("paywall-abo", "x-abo"))
    assert item.paywalled is True


def test_paywall_from_dom_alone():
    item, _ = parse(PAYWALL, JSONLD)
    assert item.paywalled is True
    assert item.text == fixture(PAYWALL)[0]["expected"]["text"]


def test_paywall_from_the_subscribe_box_alone():
    """No JSON-LD and the paywalled section classes renamed: the teaser box still says it."""
    _, html = fixture(PAYWALL)
    html = html.replace("paywall-article-section", "x-section").replace("paywall-abo", "x-abo")
    assert Selector(text=html).css("div.paywall a.btn-subscribe")
    item, parser = parse(PAYWALL, JSONLD, html=html)
    assert item.paywalled is True
    assert not parser.sel.css("div.paywall"), "the box is still stripped"
    assert "abonner" not in item.text


def test_free_article_is_not_paywalled():
    _, html = fixture(APRIL)
    assert "isAccessibleForFree" not in ld_article(html)
    item, _ = parse(APRIL)
    assert item.paywalled is False


# ------------------------------------------------------------------------------ live blogs
def test_live_detection():
    assert parse(LIVE)[1].is_live()
    assert parse(LIVE, JSONLD)[1].is_live()  # #live-container alone
    assert not parse(APRIL)[1].is_live()


def test_live_body_falls_back_to_jsonld_updates():
    meta, _ = fixture(LIVE)
    item, parser = parse(LIVE, "#live-container div.standard-card_container")
    assert parser.body_source == "jsonld"
    assert item.text == meta["expected"]["text"]  # "L'essentiel" summary skipped in both sources


def test_html_blocks():
    assert html_blocks("<p>Un.</p><ul><li>Deux</li><li>Trois&nbsp;!</li></ul>") == ["Un.", "Deux", "Trois !"]
    assert html_blocks("Texte <b>nu</b>") == ["Texte nu"]
    assert html_blocks("<blockquote><p>Cité une fois</p></blockquote><ul><li><p>Puce</p></li></ul>") == [
        "Cité une fois", "Puce"]
    assert html_blocks("") == []


# ------------------------------------------------------------------------------ bad input
@pytest.mark.parametrize("body", [
    b"",
    b"<html><body><p>Une page sans article.</p></body></html>",
    b'<html><head><script type="application/ld+json">{"@type": "NewsArticle", broken</script></head>'
    b'<body><article class="article-full"><header class="article_header"><h1>Titre seul</h1></header>'
    b"</article></body></html>",
    b'<html><head><script type="application/ld+json">{"@type":"NewsArticle","keywords":42,"author":"x",'
    b'"datePublished":"hier","liveBlogUpdate":"rien","isAccessibleForFree":"peut-etre"}</script></head></html>',
])
def test_broken_pages_degrade_without_raising(body):
    url = "https://www.leparisien.fr/faits-divers/page-cassee-01-01-2024-AAAAAAAAAAAAAAAAAAAAAAAAAA.php"
    item, parser = parse_page(url, body, None, source="leparisien", strict=True)
    assert item.source == "leparisien"
    assert item.paywalled is False
    assert parser.field_errors == []


def test_jsonld_liveblog_with_bad_updates_is_skipped():
    url = "https://www.leparisien.fr/meteo/direct-01-01-2024-AAAAAAAAAAAAAAAAAAAAAAAAAA.php"
    body = (b'<html><head><script type="application/ld+json">{"@type":"LiveBlogPosting","headline":"T",'
            b'"liveBlogUpdate":[1, {"headline": 3}, {"headline":"Point","articleBody":"<p>Texte</p>"}]}'
            b"</script></head><body></body></html>")
    item, parser = parse_page(url, body, None, source="leparisien", strict=True)
    assert item.text == "Point\nTexte"
    assert parser.body_source == "jsonld"


def test_fixture_files_are_the_ones_tested():
    names = {p.stem for p in Path(PAGES).glob("*.json")}
    assert {APRIL, NOVEMBER, PAYWALL, LIVE, NOISE} <= names
