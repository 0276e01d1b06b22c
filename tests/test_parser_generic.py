"""Generic parser, beyond the registry-driven fixture tests: the pure helpers (language,
excerpt test, DOM pruning), each fallback of each field on invented pages, the lead rule,
and determinism (trafilatura's cross-page dedup is off)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from lxml import etree
from parsel import Selector

from newscrawl.parsers import parse_page
from newscrawl.parsers.generic import (
    GenericParser,
    is_excerpt_of,
    prune_blocks,
    prune_related_lists,
)
from newscrawl.text.blocks import node_text
from newscrawl.text.language import guess_language
from tests.conftest import FIXTURES

NOW = datetime(2025, 6, 20, 12, 0, tzinfo=UTC)
URL = "https://www.le-courrier-du-plateau.fr/actualite/la-fete-du-village-reportee-a-cause-de-la-pluie-4412"
TITLE = "La fête du village reportée à cause de la pluie"
PARAS = [
    ("Le comité des fêtes a annoncé vendredi matin le report de la fête du village, prévue samedi sur la place "
     "de la mairie, en raison des fortes pluies attendues pendant tout le week-end sur le plateau."),
    ("Les stands, le repas champêtre et le feu d'artifice sont décalés au samedi suivant. Les bénévoles "
     "assurent que le programme restera le même, à l'exception du concert de l'après-midi, annulé."),
    ("Les personnes qui avaient réservé une table pour le repas peuvent demander le remboursement de leur "
     "ticket auprès de la mairie jusqu'à la fin du mois, ou le conserver pour la nouvelle date."),
]
DASH = "\u2013"  # en dash, as French sites write "Titre \u2013 Site" and "Nom \u2013 bio"


def page(article: str = "", head: str = "", outside: str = "") -> str:
    body = article or "".join(f"<p>{p}</p>" for p in PARAS)
    return (
        f"<html lang='fr'><head><meta charset='utf-8'><title>{TITLE}</title>{head}</head><body>"
        f"<header><a href='/'>Le Courrier du Plateau</a></header><main><article><h1>{TITLE}</h1>"
        f"{body}</article>{outside}</main><footer>© Le Courrier du Plateau</footer></body></html>"
    )


def parse(html: str, url: str = URL, now: datetime = NOW) -> tuple[dict, GenericParser]:
    item, parser = parse_page(url, html.encode("utf-8"), now, source="generic", strict=True)
    assert isinstance(parser, GenericParser)
    return item.to_record(), parser


# ------------------------------------------------------------------ pure helpers
@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (" ".join(PARAS), "fr"),
        (("The committee said on Friday that the village fair would be postponed, and that the stands "
          "which were planned for Saturday have been moved to the following week by the volunteers."), "en"),
        ("Bonjour", None),
        ("", None),
    ],
)
def test_guess_language(text, expected):
    assert guess_language(text) == expected


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        (PARAS[0], True),
        (PARAS[0][:120] + " […]", True),
        (PARAS[0][:120] + "…", True),
        (PARAS[0][:120] + " [...]", True),
        (PARAS[1], True),  # anywhere in the body: still a repeat
        ("Le comité des fêtes s'adapte à la météo : la fête aura lieu une semaine plus tard.", False),
    ],
)
def test_is_excerpt_of(candidate, expected):
    assert is_excerpt_of(candidate, PARAS) is expected


P0, P1 = PARAS[0], PARAS[1]  # the article's text: related lists are a minor share of it


def _pruned(html: str) -> list[str]:
    root = Selector(text=html).root
    prune_related_lists(root)
    return [node_text(Selector(root=el)) for el in root.iter("p", "li", "h3") if node_text(Selector(root=el))]


@pytest.mark.parametrize(
    ("html", "kept"),
    [
        # label + list of links
        ((f"<div><p>{P0}</p><p><strong>À lire aussi :</strong></p><ul><li><a href='/a'>Un</a></li>"
          f"<li><a href='/b'>Deux</a></li></ul><p>{P1}</p></div>"), [PARAS[0], PARAS[1]]),
        # one-line "read also" link
        (f"<div><p>{P0}</p><p>Lire aussi : <a href='/a'>Un autre article sur le même thème</a></p></div>",
         [PARAS[0]]),
        # share prompt with its links
        ((f"<div><p>{P0}</p><h3>Partager :</h3><ul><li><a href='/f'>Facebook</a></li><li><a href='/x'>X</a>"
          "</li></ul></div>"), [PARAS[0]]),
        # a list made only of links, without a label
        (f"<div><p>{P0}</p><ul><li><a href='/a'>Un</a></li><li><a href='/b'>Deux</a></li></ul></div>",
         [PARAS[0]]),
        # a list of text items stays; a sentence starting like a label stays
        (("<div><ul><li>Un point</li><li>Un autre point avec <a href='/x'>un lien</a></li></ul>"
          "<p>Voir aussi le rapport de la chambre régionale des comptes, publié en mars dernier.</p></div>"),
         ["Un point", "Un autre point avec un lien",
          "Voir aussi le rapport de la chambre régionale des comptes, publié en mars dernier."]),
    ],
)
def test_prune_related_lists(html, kept):
    assert _pruned(html) == kept


def test_prune_blocks_never_removes_the_article_container():
    """WordPress puts tag-<slug> / category-<slug> classes on the article itself."""
    html = (
        "<html><body><div class='post tag-social category-commentaires'><h1>Titre</h1><p>"
        + " ".join(PARAS) + "</p></div><div class='social-links'><p>Suivez-nous</p></div></body></html>"
    )
    root = Selector(text=html).root
    prune_blocks(root, ("[class*=social]", "[class*=comment]"))
    text = etree.tostring(root, encoding="unicode")
    assert PARAS[0] in text
    assert "Suivez-nous" not in text


# ------------------------------------------------------------------ body
def test_title_is_never_a_body_line():
    body = f"<p>{TITLE}</p>" + "".join(f"<p>{p}</p>" for p in PARAS) + f"<p>{TITLE}</p>"
    record, parser = parse(page(body))
    assert record["text"].split("\n") == PARAS
    assert parser.body_source == "container"  # the article's paragraphs, trafilatura not run


@pytest.mark.parametrize(
    "noise",
    [
        "<div class='comments-area'><h3>3 commentaires</h3><p>Jean : Quel dommage pour les enfants du village !</p></div>",
        "<div id='respond'><h3>Laisser un commentaire</h3><p>Votre adresse e-mail ne sera pas publiée.</p></div>",
        "<div class='related-posts'><h3>Articles similaires</h3><p><a href='/x'>Le marché de Noël reporté</a></p></div>",
        "<div class='share-buttons'><p>Partagez cet article sur vos réseaux sociaux préférés</p></div>",
        "<aside><p>Abonnez-vous à notre lettre d'information hebdomadaire</p></aside>",
    ],
)
def test_precision_no_comments_related_or_share_prompts(noise):
    marker = node_text(Selector(text=noise).css("p")[0])
    body = "".join(f"<p>{p}</p>" for p in PARAS[:2]) + noise + f"<p>{PARAS[2]}</p>"
    record, _ = parse(page(body))
    assert record["text"].split("\n") == PARAS
    assert marker not in record["text"]


def ld(**fields) -> str:
    return "<script type='application/ld+json'>" + json.dumps({"@type": "NewsArticle", **fields}) + "</script>"


def test_jsonld_article_body_when_the_dom_is_empty():
    html = page("<div id='app'></div>", head=ld(headline=TITLE, articleBody="\n\n".join(PARAS)))
    record, parser = parse(html)
    assert parser.body_source == "jsonld"
    assert record["text"].split("\n") == PARAS


def test_jsonld_article_body_when_trafilatura_finds_much_less():
    html = page(f"<p>{PARAS[0]}</p>", head=ld(headline=TITLE, articleBody="\n".join(PARAS + PARAS[::-1])))
    record, parser = parse(html)
    assert parser.body_source == "jsonld"
    assert record["text"].split("\n") == PARAS + PARAS[::-1]


def test_same_page_parsed_many_times_gives_the_same_text():
    """trafilatura's default dedup is a process-wide cache: a page parsed a third time lost its
    paragraphs. The parser passes a fresh cache per page."""
    texts = {parse(page())[0]["text"] for _ in range(5)}
    assert texts == {"\n".join(PARAS)}


# ------------------------------------------------------------------ lead
LEAD = "Le comité des fêtes s'adapte à la météo : la fête aura lieu une semaine plus tard."


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (f"<meta property='og:description' content=\"{LEAD}\">", LEAD),
        (f"<meta property='og:description' content=\"{PARAS[0]}\">", None),
        (f"<meta property='og:description' content=\"{PARAS[0][:100]} [&hellip;]\">", None),
        (f"<meta name='description' content=\"{PARAS[0][:100]}...\">", None),
        (ld(headline=TITLE, description=LEAD), LEAD),
        ("", None),
    ],
)
def test_lead_from_description_unless_it_repeats_the_body(head, expected):
    record, _ = parse(page(head=head))
    assert record["lead"] == expected
    assert record["text"].split("\n") == PARAS


def test_visible_standfirst_is_the_lead_and_not_a_body_line():
    body = f"<p class='article__chapo'>{LEAD}</p>" + "".join(f"<p>{p}</p>" for p in PARAS)
    record, _ = parse(page(body))
    assert record["lead"] == LEAD
    assert record["text"].split("\n") == PARAS


def test_description_shown_above_the_body_but_not_in_article_body_is_a_lead():
    body = f"<p>{LEAD}</p>" + "".join(f"<p>{p}</p>" for p in PARAS)
    html = page(body, head=ld(headline=TITLE, description=LEAD, articleBody="\n".join(PARAS)))
    record, _ = parse(html)
    assert record["lead"] == LEAD
    assert record["text"].split("\n") == PARAS


# ------------------------------------------------------------------ authors
@pytest.mark.parametrize(
    ("head", "article_extra", "expected"),
    [
        (ld(headline=TITLE, author=[{"@type": "Person", "name": "Claire Roche"}]),
         "<p class='byline'>Par Autre Nom</p>", ["Claire Roche"]),
        ("<meta name='author' content='Paul Girard'>", "", ["Paul Girard"]),
        ("<meta name='author' content='https://www.facebook.com/courrier'>",
         "<a rel='author' href='/auteur/ines-morel'>Inès Morel</a>", ["Inès Morel"]),
        ("", "<span class='byline'>Par Anne Roux et Paul Mas</span>", ["Anne Roux", "Paul Mas"]),
        ("", f"<div class='meta'><p>Auteur : Louis Perrin {DASH} journaliste indépendant depuis 2010.</p></div>",
         ["Louis Perrin"]),
        ("", "<p>Par Nadia Benali</p>", ["Nadia Benali"]),
        ("", "", []),
    ],
)
def test_authors_fallback_chain(head, article_extra, expected):
    body = article_extra + "".join(f"<p>{p}</p>" for p in PARAS)
    record, _ = parse(page(body, head=head))
    assert record["authors"] == expected


def test_comment_authors_are_not_authors():
    outside = ("<div id='comments'><ol class='comment-list'><li><span class='comment-author'>"
               "<a rel='author external' href='https://blog.example'>Un lecteur</a></span></li></ol></div>")
    record, _ = parse(page(outside=outside))
    assert record["authors"] == []


# ------------------------------------------------------------------ dates
@pytest.mark.parametrize(
    ("head", "article_extra", "expected"),
    [
        (ld(headline=TITLE, datePublished="2025-06-18T07:30:00+02:00"),
         "<time class='published' datetime='2025-06-01T00:00:00+02:00'>1er juin</time>", "2025-06-18T07:30:00+02:00"),
        ("<meta property='article:published_time' content='2025-06-17T09:00:00+0200'>", "",
         "2025-06-17T09:00:00+02:00"),
        ("", "<time class='entry-date published' datetime='2025-06-16T18:45:00+02:00'>16 juin</time>",
         "2025-06-16T18:45:00+02:00"),
        ("", "<p class='date'>Publié le 15 juin 2025 à 11h20</p>", "2025-06-15T11:20:00+02:00"),
        ("", "<p>Date de publication : 2025-06-14 08:05:00</p>", "2025-06-14T08:05:00+02:00"),
    ],
)
def test_published_fallback_chain(head, article_extra, expected):
    body = article_extra + "".join(f"<p>{p}</p>" for p in PARAS)
    record, _ = parse(page(body, head=head))
    assert record["published"] == expected


def test_modified_from_time_or_text():
    body = ("<time class='updated' datetime='2025-06-19T10:00:00+02:00'>19 juin</time>"
            + "".join(f"<p>{p}</p>" for p in PARAS))
    assert parse(page(body))[0]["modified"] == "2025-06-19T10:00:00+02:00"
    body = "<p>Mis à jour le 19 juin 2025 à 10h00</p>" + "".join(f"<p>{p}</p>" for p in PARAS)
    assert parse(page(body))[0]["modified"] == "2025-06-19T10:00:00+02:00"


DATED_URL = "https://www.le-courrier-du-plateau.fr/2025/06/12/la-fete-du-village-reportee/"


def test_htmldate_is_the_last_resort_and_bounded_by_the_fetch_time():
    """No structured or textual date: htmldate reads the URL. A date after the fetch time is
    rejected, whatever the clock says (the fetch time is passed, not the clock)."""
    record, _ = parse(page(), url=DATED_URL, now=NOW)
    assert record["published"] == "2025-06-12T00:00:00+02:00"
    record, _ = parse(page(), url=DATED_URL, now=datetime(2025, 6, 10, tzinfo=UTC))
    assert record["published"] is None


# ------------------------------------------------------------------ other fields
def test_title_falls_back_to_og_title_without_site_name():
    html = page().replace(f"<h1>{TITLE}</h1>", "").replace(f"<title>{TITLE}</title>", "")
    head = (f"<meta property='og:title' content=\"{TITLE} {DASH} Le Courrier du Plateau\">"
            "<meta property='og:site_name' content='Le Courrier du Plateau'>")
    record, _ = parse(html.replace("</head>", head + "</head>"))
    assert record["title"] == TITLE
    assert record["publisher"] == "Le Courrier du Plateau"


def test_tags_section_language_fallbacks():
    body = ("".join(f"<p>{p}</p>" for p in PARAS)
            + "<p><a rel='category tag' href='/c/vie-locale'>Vie locale</a> "
              "<a rel='tag' href='/t/fete'>fête</a> <a rel='tag' href='/t/meteo'>météo</a></p>")
    html = page(body).replace("<html lang='fr'>", "<html>")
    record, _ = parse(html)
    assert record["tags"] == ["fête", "météo"]
    assert record["section"] == "Vie locale"
    assert record["language"] == "fr"


def test_paywall_from_jsonld():
    record, _ = parse(page(head=ld(headline=TITLE, isAccessibleForFree="False")))
    assert record["paywalled"] is True


def test_garbage_input_never_crashes():
    for raw in ("", "<html>", "<<<>>>", "<html><body><article></article></body></html>", "\x00\x01"):
        item, parser = parse_page(URL, raw.encode("utf-8"), NOW, source="generic")
        assert item.text == ""
        assert parser.body_source == "none"


def test_fixture_pages_parse_the_same_without_the_cleaning_step():
    """The generic fixtures' precision does not depend on text-level cleaning for the structural
    noise (lists, share bars, comments): the parser alone already drops it."""
    for name, needles in {
        "2025-05-16_wordpress-haies-mayenne": ["À lire aussi", "Laisser un commentaire", "Retour en haut", "Partager"],
        "2025-06-04_og-only-passerelle-bayonne": ["Partager", "Sur le même sujet", "WhatsApp"],
        "2025-06-29_jsonld-jazz-auxerre": ["Partagez cet article", "Lire aussi", "newsletter", "Publicité"],
    }.items():
        meta = json.loads((FIXTURES / "pages" / "generic" / f"{name}.json").read_text(encoding="utf-8"))
        body = (FIXTURES / "pages" / "generic" / f"{name}.html").read_bytes()
        item, _ = parse_page(meta["url"], body, NOW, source="generic", strict=True)
        for needle in needles:
            assert needle not in item.text, (name, needle)
        assert item.text == meta["expected"]["text"], name


def test_recall_mode_when_precision_finds_a_short_text(monkeypatch):
    """generic/5: trafilatura's precision mode keeps the first paragraph of a page whose other
    paragraphs sit in blocks it drops (a short result, under SHORT_RESULT_WORDS words, on a page
    that shows no longer block nor description to judge it by): its recall mode runs, and its
    text is taken when it has more words. A short brief that recall does not lengthen stays."""
    from newscrawl.parsers import generic

    calls = []

    def fake(html, url, *, recall=False):
        calls.append(recall)
        return answers[recall]

    monkeypatch.setattr(generic, "trafilatura_lines", fake)
    monkeypatch.setattr(generic, "dominant_container", lambda root: (None, 0))  # a page without one
    answers = {False: PARAS[:1], True: list(PARAS)}
    record, parser = parse(page())
    assert calls == [False, True]
    assert record["text"].split("\n") == list(PARAS)
    assert parser.body_source == "trafilatura"

    answers = {False: list(PARAS), True: PARAS[:2]}  # a brief: recall finds no more
    calls.clear()
    record, _ = parse(page())
    assert calls == [False, True]
    assert record["text"].split("\n") == list(PARAS)


def test_recall_mode_when_precision_finds_nothing(monkeypatch):
    """trafilatura's precision mode finds nothing on some layouts: its recall mode is read, unless
    all it adds is the page's description (a subscriber teaser's standfirst, which is the lead)."""
    from newscrawl.parsers import generic

    calls = []

    def fake(html, url, *, recall=False):
        calls.append(recall)
        return answers[recall]

    monkeypatch.setattr(generic, "trafilatura_lines", fake)
    monkeypatch.setattr(generic, "dominant_container", lambda root: (None, 0))  # a page without one
    answers = {False: [], True: list(PARAS)}
    record, parser = parse(page())
    assert record["text"].split("\n") == list(PARAS)
    assert parser.body_source == "trafilatura"
    assert calls == [False, True]

    description = "Le comité des fêtes reporte la fête du village d'une semaine."
    answers = {False: [], True: [description]}
    calls.clear()
    record, parser = parse(page(head=f'<meta name="description" content="{description}">'))
    assert calls == [False, True]
    assert record["lead"] == description  # the description stays the lead
    assert description not in record["text"].split("\n")

    long_paras = [f"{para} {para}" for para in PARAS]  # over SHORT_RESULT_WORDS words
    answers = {False: long_paras, True: ["ne doit pas servir"]}
    calls.clear()
    record, _ = parse(page())
    assert calls == [False]  # precision found the article: no second run
