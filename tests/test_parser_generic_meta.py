"""Generic parser metadata (issue 13): bylines with several names, co-authors in parentheses,
labels and roles; a comma-separated keywords meta as a list of tags; a photo caption in
``[itemprop=description]`` is never the lead. Invented pages and names."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from newscrawl.parsers import parse_page
from newscrawl.text.metadata import byline_names, split_keywords

NOW = datetime(2025, 6, 20, 12, 0, tzinfo=UTC)
URL = "https://www.la-gazette-du-causse.fr/societe/la-voie-verte-prolongee-jusqu-au-viaduc-2231"
TITLE = "La voie verte prolongée jusqu'au viaduc"
PARAS = [
    ("Le département a voté lundi le prolongement de la voie verte sur onze kilomètres, jusqu'au pied du "
     "viaduc, un chantier attendu depuis dix ans par les associations de cyclistes du plateau."),
    ("Les travaux commenceront à l'automne et dureront deux ans, a précisé le vice-président chargé des "
     "mobilités, qui promet un revêtement adapté aux rollers et aux fauteuils roulants."),
    ("Les riverains de l'ancienne voie ferrée seront consultés en septembre sur l'emplacement des aires de "
     "repos et des parkings, lors de trois réunions publiques organisées dans les mairies."),
]
OG_LEAD = "Onze kilomètres de plus pour les cyclistes et les marcheurs, jusqu'au pied du viaduc."


def page(article: str = "", head: str = "") -> bytes:
    body = article + "".join(f"<p>{p}</p>" for p in PARAS)
    return (
        f"<html lang='fr'><head><meta charset='utf-8'><title>{TITLE}</title>{head}</head><body>"
        f"<header><a href='/'>La Gazette du Causse</a></header><main><article><h1>{TITLE}</h1>"
        f"{body}</article></main><footer>© La Gazette du Causse</footer></body></html>"
    ).encode()


def parse(article: str = "", head: str = "") -> dict:
    item, _ = parse_page(URL, page(article, head), NOW, source="generic", strict=True)
    return item.to_record()


def ld(**fields: object) -> str:
    return f"<script type='application/ld+json'>{json.dumps({'@type': 'NewsArticle', **fields})}</script>"


# ------------------------------------------------------------------ bylines
@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Lucien Exemple (avec Damien Essai et Morgane Témoin)", ["Lucien Exemple", "Damien Essai", "Morgane Témoin"]),
        ("Par Lucien Exemple (avec Damien Essai)", ["Lucien Exemple", "Damien Essai"]),
        ("Jane Sample (with John Trial and Mary Proof)", ["Jane Sample", "John Trial", "Mary Proof"]),
        ("Par Anne Essai, Paul Témoin et Lina Exemple", ["Anne Essai", "Paul Témoin", "Lina Exemple"]),
        ("By Jane Sample and John Trial", ["Jane Sample", "John Trial"]),
        ("Jane Sample & John Trial", ["Jane Sample", "John Trial"]),
        ("Lucien Exemple avec Damien Essai", ["Lucien Exemple", "Damien Essai"]),
        ("Par Klervi Exemple, correspondante à Bordeaux (Gironde)", ["Klervi Exemple"]),
        ("Hélène Témoin (correspondante à Lyon)", ["Hélène Témoin"]),
        ("Jane Sample, Senior Reporter", ["Jane Sample"]),
        ("By JANE SAMPLE and JOHN TRIAL, Exemple Press Writers", ["JANE SAMPLE", "JOHN TRIAL"]),
        ("Propos recueillis par Léa Essai", ["Léa Essai"]),
        ("Analysis by John Trial", ["John Trial"]),
        ("De notre envoyée spéciale à Kyiv, Nina Exemple", ["Nina Exemple"]),
        ("Auteur : Romain Essai \u2013 Consulter sa biographie, ses projets et son travail.", ["Romain Essai"]),
        ("Marc Témoin - Rédaction", ["Marc Témoin"]),
        ("Jeanne Exemple, MS, RDN", ["Jeanne Exemple"]),
        ("Jeanne Exemple, La Gazette du Causse", ["Jeanne Exemple"]),  # the publisher, given below
        ("Jean de La Essai", ["Jean de La Essai"]),
        ("Par D.D.", ["D.D."]),
        ("https://www.la-gazette-du-causse.fr/auteur/x", []),
        ("Publié le 3 juin 2025", []),
        ("Une phrase beaucoup trop longue pour être le nom d'une personne qui signe", []),
        ("admin", []),
        # an outlet signing as such is one credit, as the site parsers write it
        ("franceinfo avec AFP", ["franceinfo avec AFP"]),
        ("la gazette du causse", ["la gazette du causse"]),
        ("Par La Gazette du Causse avec Reuters", ["La Gazette du Causse avec Reuters"]),
        ("Jean Essai avec AFP", ["Jean Essai"]),
    ],
)
def test_byline_names(raw, expected):
    assert byline_names(raw, publisher="La Gazette du Causse") == expected


@pytest.mark.parametrize(
    ("article", "head", "expected"),
    [
        # the form: co-authors in parentheses were lost or kept with the ")"
        ("<p class='byline'>Par Lucien Exemple (avec Damien Essai et Morgane Témoin)</p>", "",
         ["Lucien Exemple", "Damien Essai", "Morgane Témoin"]),
        ("<p>Par Lucien Exemple (avec Damien Essai et Morgane Témoin)</p>", "",
         ["Lucien Exemple", "Damien Essai", "Morgane Témoin"]),
        ("", ld(headline=TITLE, author={"@type": "Person", "name": "Lucien Exemple (avec Damien Essai)"}),
         ["Lucien Exemple", "Damien Essai"]),
        ("", "<meta name='author' content='Klervi Exemple, correspondante à Rodez'>", ["Klervi Exemple"]),
        ("<span class='byline'>By Jane Sample with John Trial</span>", "", ["Jane Sample", "John Trial"]),
        # a source with no name in it gives way to the next one
        ("<span class='byline'>Par Lina Exemple</span>", "<meta name='author' content='admin'>", ["Lina Exemple"]),
    ],
)
def test_authors_from_byline_forms(article, head, expected):
    assert parse(article, head)["authors"] == expected


# ------------------------------------------------------------------ tags
def test_split_keywords():
    assert split_keywords("Transports, Vélo ; Mobilité douce,, \"") == ["Transports", "Vélo", "Mobilité douce"]


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        ("<meta name='keywords' content='Transports, Vélo, Mobilité douce'>", ["Transports", "Vélo", "Mobilité douce"]),
        ("<meta name='news_keywords' content='Voie verte;Causse'>", ["Voie verte", "Causse"]),
        ("<meta property='article:tag' content='Transports, Vélo'>", ["Transports", "Vélo"]),
        # several tags, one per meta: a comma inside one is part of that tag
        (("<meta property='article:tag' content='Élections, départementales'><meta property='article:tag' "
          "content='Vélo'>"), ["Élections, départementales", "Vélo"]),
        (ld(headline=TITLE, keywords=["Transports, Vélo"]), ["Transports", "Vélo"]),
    ],
)
def test_keywords_meta_is_a_list_of_tags(head, expected):
    assert parse(head=head)["tags"] == expected


def test_rel_tag_links_come_before_the_keywords_meta():
    article = "<p class='tags'><a rel='tag' href='/tag/velo'>Vélo</a></p>"
    head = "<meta name='keywords' content='actualité, info, région'>"
    assert parse(article, head)["tags"] == ["Vélo"]


# ------------------------------------------------------------------ lead
CAPTION = "Le chantier de la voie verte au pied du viaduc, le 16 juin 2025."
OG = f"<meta property='og:description' content=\"{OG_LEAD}\">"


@pytest.mark.parametrize(
    "article",
    [
        f"<figure><img src='/v.jpg'><figcaption itemprop='description'>{CAPTION}</figcaption></figure>",
        (f"<div itemprop='image' itemscope itemtype='https://schema.org/ImageObject'><img src='/v.jpg'>"
         f"<span itemprop='description'>{CAPTION}</span></div>"),
        f"<div itemprop='articleBody'><p><img src='/v.jpg'><span itemprop='description'>{CAPTION}</span></p></div>",
    ],
    ids=["figure", "image-object", "article-body"],
)
def test_a_photo_caption_is_never_the_lead(article):
    record = parse(article, OG)
    assert record["lead"] == OG_LEAD


def test_a_standfirst_with_itemprop_description_is_still_the_lead():
    standfirst = "Le département a tranché : la voie verte ira jusqu'au viaduc, malgré l'opposition des riverains."
    record = parse(f"<p itemprop='description'>{standfirst}</p>", OG)
    assert record["lead"] == standfirst
