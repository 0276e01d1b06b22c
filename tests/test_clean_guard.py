"""The cleaning guard covers every step, closing blocks included, and a footer heading closes the
page only where what follows it is really a footer (issue 13). Invented texts."""

from __future__ import annotations

import logging

from newscrawl.clean import GUARD_KEY, clean_item, strip_related
from newscrawl.items import ArticleItem
from tests.test_clean_steps import ARTICLE, CARD, P1, P2, P3, P4, TITLE

PLACES = ("Albi", "Rodez", "Cahors", "Figeac", "Millau", "Gaillac", "Castres", "Mazamet", "Lavaur", "Moissac")


def section(n: int) -> list[str]:
    """A subheading and a paragraph: a long guide or report, written as such, has no two
    paragraphs in a row (what the closing-block shape test counts as article-like)."""
    place = PLACES[n % len(PLACES)]
    paragraph = (f"La randonnée numéro {n} part de la place du marché de {place} et suit le canal pendant "
                 f"{n % 9 + 3} kilomètres avant de rejoindre la voie verte, balisée en jaune depuis le printemps.")
    return [f"Étape {n} : {place}", paragraph]


def item(*lines: str) -> ArticleItem:
    return ArticleItem(url="https://exemple.fr/guide", source="generic", title=TITLE, text="\n".join(lines))


def test_rights_reserved_line_in_the_middle_does_not_cut_the_rest():
    # 788 lines: a credit line "... All rights reserved." after the introduction was taken for the
    # site footer closing the page, and the 760 lines after it went with it, unweighed by the guard.
    body = [line for n in range(380) for line in section(n)]
    lines = [P1, P2, "Photo © 2024 Exemple Média. All rights reserved.", *body, P3]
    it = item(*lines)
    clean_item(it)
    kept = it.text.split("\n")
    assert kept[:2] == [P1, P2]
    assert kept[2:] == [*body, P3]  # the credit line alone goes


def test_a_footer_heading_followed_by_a_long_text_is_not_a_closing_block():
    # A rights line high in the page, then a list of short lines (no paragraph at all, so nothing
    # the guard would weigh): a footer is short and closes the page, this is not one.
    items = [f"{n} - Gîte communal de {PLACES[n % len(PLACES)]}, ouvert d'avril à octobre" for n in range(40)]
    lines = [P1, "© Exemple Média, tous droits réservés", *items]
    it = item(*lines)
    strip_related(it)
    assert it.text.split("\n") == [P1, *items]


def test_a_short_footer_closing_the_page_still_goes():
    footer = ["© Exemple Média 2025. Tous droits réservés.", "Mentions légales", "Politique de confidentialité",
              "Plan du site", "Nous contacter"]
    it = item(*ARTICLE, *footer)
    removed = strip_related(it)
    assert it.text.split("\n") == ARTICLE
    assert removed == {"footer_block": len(footer)}


def test_the_guard_weighs_the_paragraphs_of_a_closing_block(caplog):
    # A related heading after the introduction, and the rest of a long guide under it written as
    # subheading + paragraph: no paragraph follows another, so the block passed the shape test and
    # was never weighed; its paragraphs (outside any teaser card) are weighed now, and the guard
    # keeps the text.
    body = [line for n in range(30) for line in section(n)]
    lines = [P1, "Voir aussi", *body]
    it = item(*lines)
    with caplog.at_level(logging.WARNING, logger="newscrawl.clean"):
        assert strip_related(it) == {GUARD_KEY: 1}
    assert it.text.split("\n") == lines
    assert any("related" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)


def test_teaser_cards_of_a_closing_block_are_still_not_weighed():
    # Aggregator pages: the related cards (title, source, time, teaser) run several times longer
    # than the article; their teasers are inside cards and stay unweighed.
    it = item(P4, "Articles connexes", *CARD, *CARD, *CARD, *CARD)
    removed = strip_related(it)
    assert it.text == P4
    assert GUARD_KEY not in removed
    assert removed == {"related_block": 1 + 4 * len(CARD)}
