"""Le Figaro parser: the rules the fixture pages cannot isolate (each paywall marker on its own,
each fallback step, the decoding of pages without a charset, degraded input).

Pages here are tiny hand-made variants of the 2019+ template, with invented text.
"""



from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from parsel import Selector

from newscrawl.parsers import parse_page, parser_for
from newscrawl.parsers.lefigaro import LeFigaroParser
from newscrawl.text.blocks import node_text
from tests.conftest import FIXTURES

URL = "https://www.lefigaro.fr/sciences/un-telescope-amateur-repere-une-comete-20240612"
FETCHED = datetime(2024, 6, 12, 15, 0, tzinfo=UTC)
PAGES = FIXTURES / "pages" / "lefigaro"

PARAS = (
    "Un astronome amateur de la Drôme a repéré mardi soir une comète encore inconnue.",
    "L’objet devrait rester visible aux jumelles jusqu’à la fin du mois.",
)
LD_ARTICLE = {
    "@context": "https://schema.org",
    "@type": "Article",
    "headline": "Un télescope amateur repère une comète",
    "description": "La découverte a été confirmée par l’Union astronomique internationale.",
    "datePublished": "2024-06-12T10:15:00+02:00",
    "dateModified": "2024-06-12T12:40:00+02:00",
    "author": [{"@type": "Person", "name": "Paul Izard"}, {"@type": "Person", "name": "N.B."}],
    "keywords": "Astronomie, Comète, Sciences",
    "isAccessibleForFree": True,
    "articleBody": " ".join(PARAS),
}


def page(
    *,
    h1: bool = True,
    standfirst: str | None = "La découverte a été confirmée par l’Union astronomique internationale.",
    authors: str | None = "Par&nbsp;<span>Paul Izard</span> et <a href='/journaliste/nb'>N.B.</a>",
    times: bool = True,
    body: str | None = None,
    premium_attr: str = "false",
    extra_body: str = "",
    extra_page: str = "",
    ld: dict[str, object] | None = LD_ARTICLE,
    script: str = "window.FFF.isPremium = false;",
    meta: str = '<meta property="og:title" content="Comète : la trouvaille d’un amateur">',
) -> bytes:
    """A 2019+ template page (no <meta charset>, like the 2024 pages)."""
    paras = "".join(f'<p class="fig-paragraph">{p}</p>' for p in PARAS) if body is None else body
    ld_block = f'<script type="application/ld+json">{json.dumps([ld])}</script>' if ld else ""
    headline = '<h1 class="fig-headline">Un télescope amateur repère une comète</h1>' if h1 else ""
    byline = f'<span class="fig-content-metas__authors">{authors}</span>' if authors is not None else ""
    dates = (
        '<span class="fig-content-metas__pub-date">Publié '
        '<time datetime="2024-06-12T10:15:00+02:00">il y a 5 heures</time></span>'
        '<span class="fig-content-metas__pub-maj-date">Mis à jour '
        '<time datetime="2024-06-12T12:41:07+02:00">il y a 2 heures</time></span>'
        if times
        else '<span class="fig-content-metas__pub-date">Publié <time>il y a 5 heures</time></span>'
    )
    lead = f'<p class="fig-standfirst">{standfirst}</p>' if standfirst is not None else ""
    html = f"""<!DOCTYPE html><html lang="fr"><head><script>{script}</script>
<title>Comète</title>{meta}{ld_block}</head><body>
<div class="fig-main"><article>{headline}
<div class="fig-content-metas-info">{byline}{dates}</div>{lead}
<div class="fig-content-body" data-component="fig-content-body" data-premium="{premium_attr}">{paras}{extra_body}</div>
</article>
<div class="fig-recommended"><a class="fig-recommended__link fig-premium-mark" href="/x">Les étoiles filantes</a></div>
</div>{extra_page}
<article class="fig-ranking-profile-container fig-ranking-profile--premium">
<h2 class="fig-ranking-profile-headline fig-premium-mark">Voir Saturne sans télescope</h2></article>
</body></html>"""
    return html.encode("utf-8")


BROKEN_LD = page(ld=None).replace(b"<script>", b'<script type="application/ld+json">{"@type": [</script><script>')


def parse(body: bytes, url: str = URL, encoding: str | None = None) -> tuple[dict[str, object], LeFigaroParser]:
    item, parser = parse_page(url, body, FETCHED, source="lefigaro", encoding=encoding, strict=True)
    assert isinstance(parser, LeFigaroParser)
    return item.to_record(), parser


def test_registry_routes_both_url_templates_to_this_parser():
    legacy = "https://www.lefigaro.fr/politique/2018/03/01/01002-20180301ARTFIG00158-un-titre.php"
    assert parser_for(URL) is LeFigaroParser
    assert parser_for(legacy) is LeFigaroParser


def test_dom_fields_on_the_2019_template():
    record, parser = parse(page())
    assert record["title"] == "Un télescope amateur repère une comète"  # h1, not og:title
    assert record["authors"] == ["Paul Izard", "N.B."]
    assert record["published"] == "2024-06-12T10:15:00+02:00"
    assert record["modified"] == "2024-06-12T12:41:07+02:00"  # the DOM's, not JSON-LD's 12:40:00
    assert record["text"] == "\n".join(PARAS)
    assert parser.body_source == "dom"
    assert record["paywalled"] is False


def test_lead_keeps_the_kicker_as_the_page_shows_it():
    record, _ = parse(page(standfirst="<strong>DÉCRYPTAGE -</strong> La découverte a été confirmée."))
    assert record["lead"] == "DÉCRYPTAGE - La découverte a été confirmée."


@pytest.mark.parametrize(
    ("kwargs", "field", "expected"),
    [
        pytest.param({"h1": False}, "title", "Comète : la trouvaille d’un amateur", id="title<-og:title"),
        pytest.param(
            {"h1": False, "meta": ""}, "title", "Un télescope amateur repère une comète", id="title<-jsonld-headline"
        ),
        pytest.param(
            {"standfirst": None},
            "lead",
            "La découverte a été confirmée par l’Union astronomique internationale.",
            id="lead<-jsonld-description",
        ),
        pytest.param({"authors": None}, "authors", ["Paul Izard", "N.B."], id="authors<-jsonld"),
        pytest.param({"authors": "Par Le Figaro avec AFP"}, "authors", ["Le Figaro avec AFP"], id="authors-bare-text"),
        pytest.param({"times": False}, "published", "2024-06-12T10:15:00+02:00", id="published<-jsonld"),
        pytest.param({"times": False}, "modified", "2024-06-12T12:40:00+02:00", id="modified<-jsonld"),
        pytest.param({"body": ""}, "text", " ".join(PARAS), id="text<-jsonld-articleBody"),
        pytest.param({}, "tags", ["Astronomie", "Comète", "Sciences"], id="tags<-jsonld-keywords-split"),
        pytest.param(
            {"extra_page": '<div class="fig-tags"><a class="fig-tags__link" href="/tag/cometes">Comètes</a></div>'},
            "tags",
            ["Comètes"],
            id="tags<-fig-tags-links",
        ),
    ],
)
def test_fallback_chain(kwargs, field, expected):
    record, _ = parse(page(**kwargs))
    assert record[field] == expected


def test_metadata_from_meta_tags_when_there_is_no_jsonld():
    meta = (
        '<meta property="og:title" content="Comète : la trouvaille d’un amateur">'
        '<meta name="description" content="Une comète repérée dans la Drôme.">'
        '<meta property="article:published_time" content="2024-06-12T10:15:00+02:00">'
        '<meta property="article:tag" content="Astronomie, Comète">'
    )
    record, _ = parse(page(h1=False, standfirst=None, times=False, ld=None, meta=meta))
    assert record["title"] == "Comète : la trouvaille d’un amateur"
    assert record["lead"] == "Une comète repérée dans la Drôme."
    assert record["published"] == "2024-06-12T10:15:00+02:00"
    assert record["tags"] == ["Astronomie", "Comète"]


PAYWALL_BOX = (
    '<div id="fig-premium-paywall" class="fig-premium-paywall"><div class="fig-premium-paywall__wrapper">'
    '<p class="fig-premium-paywall__infos">Cet article est réservé aux abonnés. Il vous reste 72% à découvrir.</p>'
    '<p class="fig-paragraph">Vous avez envie de lire la suite ?</p></div></div>'
)


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param({"premium_attr": "true"}, id="body-data-premium"),
        pytest.param({"extra_body": PAYWALL_BOX}, id="paywall-box-in-body"),
        pytest.param({"extra_page": '<div class="fig-premium-paywall"></div>'}, id="paywall-class-after-body"),
        pytest.param({"ld": {**LD_ARTICLE, "isAccessibleForFree": False}}, id="jsonld-not-free"),
        pytest.param({"ld": {**LD_ARTICLE, "isAccessibleForFree": "False"}}, id="jsonld-not-free-string"),
        pytest.param({"script": "window.FFF = window.FFF || {}; window.FFF.isPremium = true;"}, id="fff-script"),
        pytest.param(
            {"script": "figAnalytics.init({\n isPremium: true,\n customEvents: true,\n});"}, id="legacy-script"
        ),
    ],
)
def test_each_paywall_marker_alone_flags_the_page(kwargs):
    record, _ = parse(page(**kwargs))
    assert record["paywalled"] is True


# Premium markers seen only in public code (no premium page at hand), each alone on an otherwise free page.
PREMIUM_BANNER = '<div class="fig-premium-mark-article"><span>Réservé aux abonnés</span></div>'


@pytest.mark.parametrize(
    "kwargs",
    [
        pytest.param(
            {"extra_body": '<div class="fig-premium-paywall__wrapper"><p class="fig-premium-paywall__infos">'
             "Il vous reste 64% à découvrir.</p></div>"},
            id="paywall-wrapper-without-the-box-class",
        ),
        pytest.param(
            {"extra_body": '<div class="fig-paywall-2026"><p>Cet article est réservé aux abonnés. '
             "Il vous reste 64&nbsp;% à découvrir.</p></div>"},
            id="paywall-phrase-in-an-unknown-box",
        ),
        pytest.param(
            {"script": 'window.dataLayer = [{"BU_subscriptionContentType":"premium",'
             '"BU_subscriptionContentState":"fermé"}]; window.FFF.isPremium = false;'},
            id="datalayer-premium",
        ),
    ],
)
def test_public_code_paywall_markers_alone_flag_the_page(kwargs):
    record, _ = parse(page(**kwargs))
    assert record["paywalled"] is True
    assert record["text"] == "\n".join(PARAS)  # the box's text never reaches the record


def test_premium_banner_of_the_article_is_a_paywall_but_not_on_a_card():
    own = page().replace(b"<h1 ", PREMIUM_BANNER.encode() + b"<h1 ", 1)
    assert parse(own)[0]["paywalled"] is True
    card = page(extra_page=f'<article class="fig-ranking-profile-container">{PREMIUM_BANNER}'
                '<h2 class="fig-ranking-profile-headline">Voir Jupiter</h2></article>')
    assert parse(card)[0]["paywalled"] is False


def test_free_datalayer_is_not_a_paywall():
    script = ('window.dataLayer = [{"BU_subscriptionContentType":"gratuit","BU_subscriptionContentState":"ouvert"}];'
              " window.FFF.isPremium = false;")
    assert parse(page(script=script))[0]["paywalled"] is False


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("Par Jean Dupont et Marie Curie", ["Jean Dupont", "Marie Curie"]),
        ("Par D.D. et J.-M. Leclerc", ["D.D.", "J.-M. Leclerc"]),
        ("Par Le Figaro et AFP", ["Le Figaro et AFP"]),  # an outlet credit stays one author
        ("Par Jean Dupont, avec AFP", ["Jean Dupont, avec AFP"]),
    ],
)
def test_bare_text_byline_is_split_into_people_only(byline, expected):
    assert parse(page(authors=byline))[0]["authors"] == expected


def test_tags_from_meta_keywords_and_section_from_the_url_as_last_fallbacks():
    ld = {k: v for k, v in LD_ARTICLE.items() if k != "keywords"}
    record, _ = parse(page(ld=ld, meta='<meta name="keywords" content="Astronomie, Comète">'))
    assert record["tags"] == ["Astronomie", "Comète"]
    assert record["section"] == "sciences"  # no article:section, articleSection nor breadcrumb


def test_premium_marks_on_related_cards_are_not_a_paywall():
    body = page(
        extra_body='<p class="fig-body-link"><span>À lire aussi</span>'
        '<a class="fig-body-link__link fig-premium-mark" href="/y">Les comètes de l’hiver</a></p>'
    )
    assert b"fig-premium-mark" in body
    record, _ = parse(body)
    assert record["paywalled"] is False


def test_premium_flags_of_related_items_in_scripts_are_not_a_paywall():
    record, _ = parse(page(script="var related = [{isPremium: true}]; window.FFF.isPremium = false;"))
    assert record["paywalled"] is False


def test_legacy_premium_attribute():
    html = (PAGES / "2017-06-12_legacy-ruchers-lyon-frelon-asiatique.html").read_bytes()
    url = json.loads((PAGES / "2017-06-12_legacy-ruchers-lyon-frelon-asiatique.json").read_text("utf-8"))["url"]
    assert parse(html, url)[0]["paywalled"] is False
    premium = html.replace(b'data-is-premium="false"', b'data-is-premium="true"')
    assert parse(premium, url)[0]["paywalled"] is True


def test_paywall_box_text_never_reaches_the_text():
    record, _ = parse(page(premium_attr="true", extra_body=PAYWALL_BOX))
    assert record["text"] == "\n".join(PARAS)
    assert "Il vous reste" not in record["text"]
    assert "lire la suite" not in record["text"]


def test_link_only_paragraphs_are_dropped_but_prose_mentioning_them_is_kept():
    prose = "Les chercheurs conseillent de lire aussi les carnets des anciens observateurs."
    body = (
        f'<p class="fig-paragraph">{PARAS[0]}</p>'
        '<p class="fig-paragraph"><strong>À voir aussi -</strong> <a href="/v">La comète en vidéo</a></p>'
        '<p class="fig-paragraph"><b>» LIRE AUSSI - <a href="/w">Observer le ciel en ville</a></b></p>'
        f'<p class="fig-paragraph">{prose}</p>'
        '<p class="fig-paragraph"></p>'  # the empty paragraph left after an embed
    )
    record, _ = parse(page(body=body))
    assert record["text"] == f"{PARAS[0]}\n{prose}"


# Every noise block the parser strips (LeFigaroParser.strip_css), and a string it shows.
NOISE_BLOCKS = {
    "p.fig-body-link": "À lire aussi",
    ".fig-crosslinking": "À découvrir",
    "div.fig-newsletter-box": "Newsletter Météo",
    "div.fig-free": "Publication X",
    "div.fig-sharebar": "Copier le lien",
    "div.fig-table-contents": "Sommaire",
    "a.fig-a11y-skip": "Passer la publicité",
    "div.fig-ad-content": "Publicité",
    "div.etx-player": "Écouter cet article",
    "div.fig-recommended": "La rédaction vous conseille",
    "div.fig-tags": "Sujets",
    "div.fig-comments": "12 commentaires",
    "div.fig-consent-banner": "Vous avez choisi de refuser les cookies",
    "#tabbar": "S'ABONNER",
    "section.fig-seo-footer": "Plus de services",
}


def test_every_noise_block_is_removed_from_the_dom_before_reading():
    html = (PAGES / "2024-11-22_tempete-doriane-bretagne-tous-les-blocs.html").read_bytes()
    raw = Selector(text=html.decode("utf-8"))
    _, parser = parse(html, "https://www.lefigaro.fr/actualite-france/tempete-doriane-20241122")
    for css, shown in NOISE_BLOCKS.items():
        assert any(shown in node_text(n) or n.css("iframe") for n in raw.css(css)), f"fixture lacks {css}"
        assert not parser.sel.css(css), f"{css} survived the strip"
    article = node_text(parser.sel.css("div.fig-main > article")[0])
    for shown in NOISE_BLOCKS.values():
        assert shown not in article


def test_page_without_charset_decodes_as_utf8_whatever_the_header_says():
    html = (PAGES / "2024-04-16_eboulement-col-forclaz-sans-charset.html").read_bytes()
    meta = json.loads((PAGES / "2024-04-16_eboulement-col-forclaz-sans-charset.json").read_text("utf-8"))
    assert b"charset" not in html.lower().split(b"</head>")[0]
    assert "charset" not in meta["headers"]["Content-Type"]
    for declared in (None, "iso-8859-1", "windows-1252"):
        record, _ = parse(html, meta["url"], encoding=declared)
        assert record["title"] == meta["expected"]["title"]
        assert "Ã" not in record["text"]


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(b"", id="empty"),
        pytest.param(b"\x00\xff\xfe garbage \x89PNG", id="binary"),
        pytest.param(b"<html><body><p>Rien ici</p></body></html>", id="no-article"),
        pytest.param(page()[:900], id="truncated"),
        pytest.param(BROKEN_LD, id="broken-jsonld"),
    ],
)
def test_degraded_input_never_raises(body):
    item, parser = parse_page(URL, body, FETCHED, source="lefigaro")
    assert item.source == "lefigaro"
    assert item.parser == "lefigaro/2"
    assert parser.field_errors == []
