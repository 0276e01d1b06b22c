"""Daily8 parser, beyond the registry-driven fixture tests: the pure helpers (source + date line,
dates, credits, copied artefacts), the text signals on DOMs the fixtures do not use, each source
of ``original_url``, the paywall rules, and the embedded-data fallbacks (__NEXT_DATA__, RSC).

Every page here is invented and synthetic (no real Daily8 HTML exists)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from scrapy.http import HtmlResponse, Request
from scrapy.utils.test import get_crawler

from newscrawl.parsers import parse_page
from newscrawl.parsers.daily8 import (
    Daily8Parser,
    article_from_data,
    clean_blocks,
    is_credit,
    parse_listing_date,
    rsc_paragraphs,
    rsc_payload,
    rsc_values,
    split_meta,
)
from newscrawl.text.dates import parse_iso

NOW = datetime(2025, 9, 18, 7, 40, tzinfo=UTC)
URL = "https://www.daily8.com/fr/article/" + "ab" * 16
TITLE = "Lyon : le tunnel de la Croix-Rousse fermé deux nuits pour maintenance"
PARAS = [
    ("Le tunnel routier de la Croix-Rousse sera fermé à la circulation dans la nuit de lundi à mardi, puis de "
     "mardi à mercredi, de 21 heures à 6 heures, pour des opérations de maintenance des équipements de sécurité."),
    ("Une déviation sera mise en place par les quais du Rhône. La métropole conseille aux automobilistes "
     "d'anticiper leurs trajets et de privilégier les transports en commun pendant ces deux nuits."),
]
NOISE = "Cette phrase vient d'un bloc qui n'est pas l'article et ne doit jamais apparaître."


def page(
    body: str = "",
    *,
    meta_line: str = "<div><span>Le Figaro</span><span>7 hours ago</span></div>",
    head: str = "",
    after: str = "",
    title: str | None = TITLE,
    scripts: str = "",
) -> str:
    """An invented Daily8 page: logo, headline twice, source + date, ``body``, AI block, ``after``."""
    paras = body or "".join(f"<p>{p}</p>" for p in PARAS)
    heading = f"<div>{title}</div><h1>{title}</h1>" if title else ""
    return (
        f"<html lang='fr'><head><title>{title or 'Daily8'} | Daily8</title>{head}</head><body>"
        f"<div id='__next'><header><img alt='logo' src='/logo.svg'>{heading}</header>"
        f"<main>{meta_line if title else ''}<section>{paras}</section>"
        "<section><img alt='Orange background' src='/bg.png'><h3>Essayez nos fonctionnalités IA</h3>"
        "<p>Découvrez ce que Daily8 IA peut faire pour vous :</p></section>"
        f"{after}</main></div>{scripts}</body></html>"
    )


def parse(html: str, url: str = URL, now: datetime = NOW) -> tuple[dict, Daily8Parser]:
    item, parser = parse_page(url, html.encode("utf-8"), now, source="daily8", strict=True)
    assert isinstance(parser, Daily8Parser)
    return item.to_record(), parser


# ------------------------------------------------------------------ pure helpers
@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Le Figaro7 days ago", ("Le Figaro", "7 days ago")),
        ("Le Parisien13-07-2025", ("Le Parisien", "13-07-2025")),
        ("Franceinfo12 minutes ago", ("Franceinfo", "12 minutes ago")),
        ("Le Figaro17 days ago", ("Le Figaro", "17 days ago")),
        ("Ouest-France a day ago", ("Ouest-France", "a day ago")),
        ("Sud Ouestan hour ago", ("Sud Ouest", "an hour ago")),
        ("Le Télégramme 4-11-2025", ("Le Télégramme", "4-11-2025")),
        ("Le Figaro", None),
        ("7 days ago", None),
        ("Les secours sont arrivés sur place. 2 hours ago", None),
        ("Une phrase bien trop longue pour être le nom d'une source suivie d'une date 3 days ago", None),
    ],
)
def test_split_meta(line, expected):
    assert split_meta(line) == expected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("13-07-2025", "2025-07-13T00:00:00+02:00"),
        ("4-01-2025", "2025-01-04T00:00:00+01:00"),
        ("12 minutes ago", "2025-09-18T07:28:00+00:00"),
        ("7 hours ago", "2025-09-18T00:40:00+00:00"),
        ("4 days ago", "2025-09-14T07:40:00+00:00"),
        ("a day ago", "2025-09-17T07:40:00+00:00"),
        ("an hour ago", "2025-09-18T06:40:00+00:00"),
        ("il y a 3 heures", "2025-09-18T04:40:00+00:00"),
    ],
)
def test_parse_listing_date(raw, expected):
    assert parse_listing_date(raw, NOW) == parse_iso(expected)
    assert parse_listing_date(raw, NOW).isoformat() == expected


@pytest.mark.parametrize("raw", [None, "", "hier", "31-02-2025", "yesterday"])
def test_parse_listing_date_rejects(raw):
    assert parse_listing_date(raw, NOW) is None


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("Lafargue Raphael/ABACA", True),
        ("LOIC KERMARREC/AFP", True),
        ("LP/Camille Roussel", True),
        ("© AFP", True),
        ("Photo : Julien Marchal / France Télévisions", True),
        ("Crédit photo : Mairie de Brest", True),
        ("Pacte de défense mutuelle", False),
        ("https://www.lefigaro.fr/a/b", False),
        ("Le 13/07/2025", False),
        ("Il a répondu «oui/non» à la question.", False),
        ("un rapport entrée/sortie des stocks", False),
    ],
)
def test_is_credit(line, expected):
    assert is_credit(line) is expected


def test_clean_blocks_drops_copied_artefacts():
    lines = [
        TITLE,
        "Réservé aux abonnés",
        "Premier paragraphe du texte repris par l'agrégateur, avec sa ponctuation.",
        "Publicité",
        "Le port de Brest, mercredi soir.",
        "FRED DUPONT/AFP",
        "VidéoLa Corée du Nord rend hommage à ses soldats",
        "Un intertitre conservé",
        "Dernier paragraphe du texte.",
        "Lire l'article original",
    ]
    out, premium = clean_blocks(lines, TITLE)
    assert out == [
        "Premier paragraphe du texte repris par l'agrégateur, avec sa ponctuation.",
        "Un intertitre conservé",
        "Dernier paragraphe du texte.",
    ]
    assert premium is True


def test_clean_blocks_glued_premium_prefix():
    out, premium = clean_blocks(["Réservé aux abonnés DÉCRYPTAGE - Le texte du chapeau."], None)
    assert out == ["DÉCRYPTAGE - Le texte du chapeau."]
    assert premium is True


def test_clean_blocks_keeps_a_long_paragraph_before_a_credit():
    para = " ".join(["mot"] * 40) + "."
    out, _ = clean_blocks([para, "X/AFP"], None)
    assert out == [para]


# ------------------------------------------------------------------ text signals on other DOMs
@pytest.mark.parametrize(
    "stop",
    [
        "<h3>Commentaires</h3><p>Aucun commentaire pour le moment...</p>",
        "<h3>Comments</h3><p>No comments yet...</p>",
        "<h2>Articles connexes</h2>",
        "<h2>Related Articles</h2>",
        "<div>Hashtags <a href='/fr/hashtag/Lyon'>#Lyon</a></div>",
        "<p>TÉLÉCHARGER L'APPLICATION</p>",
        "<p>Try Our AI Features</p>",
        "<img alt='Orange background' src='/x.png'>",
    ],
)
def test_text_ends_at_each_boilerplate_block(stop):
    body = "".join(f"<p>{p}</p>" for p in PARAS) + stop + f"<p>{NOISE}</p>"
    record, parser = parse(page(body))
    assert record["text"].split("\n") == PARAS
    assert parser.body_source == "dom"


def test_table_layout_without_classes_and_split_meta():
    """A DOM unlike any fixture: table cells, <br> separated paragraphs, font tags."""
    html = (
        "<html><body><table><tr><td><img alt='logo' src='/l.png'></td></tr>"
        f"<tr><td><font size=5>{TITLE}</font></td></tr><tr><td><b>{TITLE}</b></td></tr>"
        "<tr><td>Le Parisien</td></tr><tr><td><img alt='time' src='/t.svg'> 02-07-2025</td></tr>"
        f"<tr><td>{PARAS[0]}<br><br>{PARAS[1]}</td></tr>"
        "<tr><td>Essayez nos fonctionnalités IA</td></tr>"
        f"<tr><td>{NOISE}</td></tr></table></body></html>"
    )
    record, _ = parse(html)
    assert record["title"] == TITLE  # no h1, og:title nor <title>: the headline printed twice
    assert record["text"].split("\n") == PARAS
    assert record["publisher"] == "Le Parisien"
    assert record["published"] == "2025-07-02T00:00:00+02:00"


def test_a_related_card_with_the_same_headline_is_not_the_article():
    card = (
        f"<h2>Articles connexes</h2><div><div>{TITLE}</div><div>Le Parisien</div>"
        f"<div><img alt='time'>3 hours ago</div><p>{NOISE}</p></div>"
    )
    record, _ = parse(page(after=card))
    assert record["publisher"] == "Le Figaro"
    assert record["published"] == "2025-09-18T00:40:00+00:00"
    assert NOISE not in record["text"]


def test_headline_repeated_as_first_body_line_is_dropped():
    body = f"<p>{TITLE}</p>" + "".join(f"<p>{p}</p>" for p in PARAS)
    record, _ = parse(page(body))
    assert record["text"].split("\n") == PARAS


def test_menu_hashtags_are_not_tags():
    html = page(after="<div>Hashtags <a href='/fr/hashtag/Lyon'>#Lyon</a> <a href='/fr/hashtag/Trafic'>#Trafic</a></div>")
    html = html.replace("<header>", "<header><nav><a href='/fr/hashtag/Monde'>Monde</a></nav>")
    record, _ = parse(html)
    assert record["tags"] == ["Lyon", "Trafic"]


# ------------------------------------------------------------------ publisher, original URL, canonical
@pytest.mark.parametrize(
    ("name", "expected"),
    [("Le Figaro", "Le Figaro"), ("lefigaro.fr", "Le Figaro"), ("Franceinfo", "franceinfo"),
     ("Le Parisien", "Le Parisien"), ("Midi Libre", "Midi Libre")],
)
def test_publisher_display_names(name, expected):
    record, _ = parse(page(meta_line=f"<div>{name}<span>2 hours ago</span></div>"))
    assert record["publisher"] == expected
    assert record["source"] == "daily8"
    assert record["via"] == "daily8"


def test_publisher_from_the_original_url_when_no_source_line():
    head = "<link rel='canonical' href='https://www.leparisien.fr/paris-75/x-02-07-2025-ABCDEFGHIJKLMNOPQRSTUVWXYZ.php'>"
    record, _ = parse(page(meta_line="", head=head))
    assert record["publisher"] == "Le Parisien"


ORIGINAL = "https://www.lefigaro.fr/actualite-france/lyon-le-tunnel-ferme-20250917"


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        # the "read the original" link wins over everything else
        ({"body": "".join(f"<p>{p}</p>" for p in PARAS) + f"<p><a href='{ORIGINAL}?utm_source=daily8'>Lire "
          "l'article original</a></p>", "head": "<link rel='canonical' href='https://www.lefigaro.fr/other-20250101'>"},
         ORIGINAL),
        ({"meta_line": f"<div><a href='{ORIGINAL}'>Le Figaro</a><span>7 hours ago</span></div>"}, ORIGINAL),
        ({"head": f"<link rel='canonical' href='{ORIGINAL}'>"}, ORIGINAL),
        ({"head": f"<meta property='og:see_also' content='{ORIGINAL}'>"}, ORIGINAL),
        # on-site canonical, app stores and social links are never the original
        ({"head": f"<link rel='canonical' href='{URL}'>"}, None),
        ({"body": "".join(f"<p>{p}</p>" for p in PARAS) + "<p><a href='https://apps.apple.com/app/id1'>Source</a></p>"},
         None),
        ({"after": f"<h2>Articles connexes</h2><a href='{ORIGINAL}'>Le Figaro</a>"}, None),
    ],
)
def test_original_url_sources(kwargs, expected):
    record, _ = parse(page(**kwargs))
    assert record["original_url"] == expected
    assert "Lire l'article original" not in record["text"]


def test_canonical_stays_on_daily8():
    head = f"<link rel='canonical' href='{ORIGINAL}'><meta property='og:url' content='{URL}'>"
    record, _ = parse(page(head=head), url=URL + "?utm_source=x")
    assert record["canonical_url"] == URL
    assert record["original_url"] == ORIGINAL


def test_canonical_to_a_section_is_ignored():
    record, _ = parse(page(head="<link rel='canonical' href='https://www.daily8.com/fr'>"))
    assert record["canonical_url"] == URL


def test_mirror_host_keeps_the_declared_daily8_canonical():
    mirror = "http://127.0.0.1:8123/fr/article/" + "ab" * 16
    record, _ = parse(page(head=f"<link rel='canonical' href='{URL}'>"), url=mirror)
    assert record["canonical_url"] == URL
    assert record["url"] == mirror


# ------------------------------------------------------------------ paywall, language
@pytest.mark.parametrize(
    ("source", "last", "expected"),
    [
        ("Le Figaro", "Le président doit encore trancher, alors que ses proches…", True),
        ("Le Figaro", "Le président doit encore trancher, alors que ses proches...", True),
        ("Le Figaro", "Le président doit encore trancher.", False),
        ("Le Parisien", "Le président doit encore trancher, alors que ses proches…", False),
    ],
)
def test_paywall_from_an_ellipsis_of_a_premium_source(source, last, expected):
    body = f"<p>{PARAS[0]}</p><p>{last}</p>"
    record, _ = parse(page(body, meta_line=f"<div>{source}<span>2 hours ago</span></div>"))
    assert record["paywalled"] is expected


def test_paywall_from_the_pages_own_marker():
    body = f"<p>Réservé aux abonnés</p><p>{PARAS[0]}</p>"
    record, _ = parse(page(body, meta_line="<div>Le Parisien<span>2 hours ago</span></div>"))
    assert record["paywalled"] is True
    assert "Réservé aux abonnés" not in record["text"]


def test_language_is_the_texts_not_the_ui():
    fr, _ = parse(page().replace("lang='fr'", "lang='en'"))
    assert fr["language"] == "fr"
    english = (
        "<p>The city council said on Tuesday that the tunnel would be closed for two nights, and that "
        "drivers were advised to use public transport which will run later than usual.</p>"
    )
    en, _ = parse(page(english))
    assert en["language"] == "en"


# ------------------------------------------------------------------ embedded data
ARTICLE = {
    "id": "ab" * 16,
    "title": TITLE,
    "content": "".join(f"<p>{p}</p>" for p in PARAS) + "<p>Publicité</p>",
    "source": {"name": "Le Progrès", "url": "https://www.leprogres.fr/"},
    "sourceUrl": "https://www.leprogres.fr/transport/2025/09/17/tunnel-croix-rousse?utm_source=daily8",
    "publishedAt": "2025-09-17T15:00:00.000Z",
    "hashtags": ["#Lyon", "Trafic"],
}
RELATED = {"id": "cd" * 16, "title": "Une autre histoire", "description": NOISE * 5}


def shell(scripts: str) -> str:
    """A client-rendered shell: no headline, no text, only the chrome and the AI block."""
    return page(title=None, body="<div class='skeleton'></div>", scripts=scripts)


def test_next_data_fallback():
    data = {"props": {"pageProps": {"related": [RELATED], "article": ARTICLE}}, "page": "/[lang]/article/[id]"}
    scripts = f"<script id='__NEXT_DATA__' type='application/json'>{json.dumps(data)}</script>"
    record, parser = parse(shell(scripts))
    assert parser.body_source == "embedded"
    assert record["text"].split("\n") == PARAS
    assert record["title"] == TITLE
    assert record["publisher"] == "Le Progrès"
    assert record["original_url"] == "https://www.leprogres.fr/transport/2025/09/17/tunnel-croix-rousse"
    assert record["published"] == "2025-09-17T15:00:00+00:00"
    assert record["tags"] == ["Lyon", "Trafic"]


def rsc_script(chunk: str) -> str:
    return f"<script>self.__next_f.push([1,{json.dumps(chunk)}])</script>"


def test_rsc_article_object_fallback():
    row = "5:" + json.dumps({"article": {**ARTICLE, "content": "\n".join(PARAS)}}) + "\n"
    # the row is split over two push() calls, as Next.js streams it
    scripts = "<script>self.__next_f.push([0])</script>" + rsc_script(row[:50]) + rsc_script(row[50:])
    record, parser = parse(shell(scripts))
    assert parser.body_source == "embedded"
    assert record["text"].split("\n") == PARAS
    assert record["publisher"] == "Le Progrès"


def test_rsc_element_tree_fallback():
    tree = ["$", "article", None, {"children": [
        ["$", "h2", None, {"children": "Un intertitre"}],
        *[["$", "p", None, {"children": ["Texte : ", ["$", "b", None, {"children": p}]]}] for p in PARAS],
    ]}]
    scripts = rsc_script('0:["$","$L1",null,{}]\n7:' + json.dumps(tree) + "\n")
    record, parser = parse(shell(scripts))
    assert parser.body_source == "embedded"
    assert record["text"].split("\n") == ["Un intertitre", *(f"Texte : {p}" for p in PARAS)]


def test_rsc_helpers():
    payload = rsc_payload([rsc_script('1:{"a":1}\n2:["$","p",null,{"children":"Bonjour"}]\n3:Tnot json')])
    values = rsc_values(payload)
    assert values == [{"a": 1}, ["$", "p", None, {"children": "Bonjour"}]]
    assert rsc_paragraphs(values) == ["Bonjour"]


def test_article_from_data_prefers_the_pages_own_object():
    found = article_from_data([RELATED, ARTICLE], page_id=ARTICLE["id"])
    assert found is not None
    assert found.title == TITLE
    assert article_from_data({"x": 1}) is None


@pytest.mark.parametrize(
    "scripts",
    [
        "",
        "<script id='__NEXT_DATA__' type='application/json'>{not json</script>",
        "<script id='__NEXT_DATA__' type='application/json'>{\"props\":{\"pageProps\":{}}}</script>",
        rsc_script("0:broken[\n"),
    ],
)
def test_neither_dom_nor_embedded_body_gives_empty_text(scripts):
    record, parser = parse(shell(scripts))
    assert record["text"] == ""
    assert parser.body_source == "none"
    assert parser.field_errors == []


def test_spider_counts_a_page_without_body():
    from spiders.daily8 import Daily8Spider

    crawler = get_crawler(Daily8Spider)
    spider = Daily8Spider.from_crawler(crawler)
    html = shell("").replace("<title>Daily8 | Daily8</title>", f"<title>{TITLE} | Daily8</title>")
    response = HtmlResponse(URL, body=html.encode("utf-8"), encoding="utf-8", request=Request(URL),
                            headers={"Content-Type": "text/html; charset=utf-8"})
    assert list(spider.parse_article(response)) == []
    stats = crawler.stats.get_stats()
    no_body = {k: v for k, v in stats.items() if k.endswith("/no_body")}  # newscrawl/<...>/no_body
    assert no_body
    assert set(no_body.values()) == {1}
    assert stats.get("newscrawl/parse/body_source/none") == 1
