"""The generic path's shortcuts (issue 13, speed) decide as the full computation would.

Each shortcut skips work (cleaning and folding a text, a str scan) only where its answer is
certain; these tests hold each one against the full computation, on crafted texts that sit on
the edges (accents, entities, NUL characters, non-ASCII spaces, apostrophes, long blocks whose
cleaning shrinks) and on the fixture pages. Speed itself is measured by benchmarks/generic.py.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from lxml import etree
from parsel.selector import create_root_node

from newscrawl.parsers.generic import (
    _SHORT_LINE_BOUND,
    _SHORT_LINE_PREFIX,
    RELATED_LABEL,
    SHORT_LINE_MAX_CHARS,
    ascii_fold_start,
    is_excerpt_of,
    may_fold_to,
    may_start_a_label,
)
from newscrawl.text.fastcss import html_root
from newscrawl.text.normalize import clean_text, fold_for_match, word_count

FIXTURES = Path(__file__).parent / "fixtures" / "pages"

#: Starts and ends of texts: labels and near-labels, accents composed and not, entities, spaces
#: of every kind, apostrophes, punctuation, digits, "_".
HEADS = (
    "", " ", "  \t\n", "À lire aussi :", "A lire aussi", "a\u0300 lire aussi", "&Agrave; lire aussi", "Lire aussi",
    "LIRE AUSSI", "lire-aussi", "Voir aussi", "Voir aussi le rapport", "Sur le même sujet", "sur le meme theme",
    "Dans la même rubrique", "Articles similaires", "Article lié", "Nos articles liés", "Vous aimerez aussi",
    "Ces articles pourraient vous intéresser", "Related posts", "Read also", "See also", "You may also like",
    "Plus d'articles", "Plus d’articles", "Partager", "Partagez cet article", "Share", "Share this:", "Shared",
    "...Voir aussi", "« Voir aussi »", "(See also)", "\u00a0Voir aussi", "\u200bVoir aussi", "_Voir aussi",
    "'Voir aussi", "`see also", "&amp; voir aussi", "&nbsp;Voir aussi", "2024 Voir aussi", "Le Monde", "Par Jean",
    "ﬁn de l'article", "Ⓢee also", "Ｓee also", "\x1cSee also", "Élections", "élections", "Écrit par",
)
TAILS = ("", " ", ":", " : <a>x</a>", " la suite du dossier", "!!!", "\u0301", "&eacute;", " \u00a0 ")


def _texts() -> list[str]:
    return [head + tail for head, tail in itertools.product(HEADS, TAILS)]


@pytest.mark.parametrize("raw", _texts())
def test_may_start_a_label_is_never_wrong(raw):
    """False only where the folded, cleaned text matches no related-list label."""
    if not may_start_a_label(raw):
        assert RELATED_LABEL.match(fold_for_match(clean_text(raw))) is None


def test_may_start_a_label_decides_ascii_words():
    assert not may_start_a_label("Le gouvernement a annoncé")
    assert not may_start_a_label("  2024 : une année")
    assert may_start_a_label("Lire aussi : la suite")
    assert may_start_a_label("À lire aussi")  # an accent: left to the pattern
    assert may_start_a_label("Sur")  # a first word of a label: left to the pattern


@pytest.mark.parametrize("raw", _texts())
def test_ascii_fold_start_is_the_fold_start(raw):
    first = ascii_fold_start(raw)
    if first is not None:
        assert fold_for_match(raw)[:1] == first
    for title in ("voir aussi", "see also", "le monde", "x", "elections"):
        if not may_fold_to(raw, title):
            assert fold_for_match(raw) != title


def test_may_fold_to_an_empty_title_always_folds():
    """No title: a line of punctuation folds to "" like the empty title, only the fold tells."""
    assert may_fold_to("***", "")
    assert may_fold_to("Le texte", "")


def test_is_excerpt_of_reads_the_body_line_by_line_as_a_whole():
    """A passage of the body is found across lines, whatever the punctuation at their ends."""
    lines = ["Premier paragraphe du texte.", "", "« Deuxième » paragraphe, avec des accents !",
             "Troisième — et dernier.", "...", "Quatrième paragraphe après les points."]
    whole = fold_for_match(" ".join(lines))
    assert " ".join(f for f in map(fold_for_match, lines) if f) == whole
    assert is_excerpt_of("accents ! Troisième - et", lines)
    assert is_excerpt_of("dernier. Quatrième paragraphe", lines)  # across the "..." line
    assert not is_excerpt_of("Un chapeau qui n'est pas dans le texte.", lines)


def _short_line(raw: str) -> str | None:
    """_short_lines' test on one text, with the prefix bound (the parser's rule)."""
    if len(raw) > _SHORT_LINE_PREFIX and len(clean_text(raw[:_SHORT_LINE_PREFIX])) > _SHORT_LINE_BOUND:
        return None
    text = clean_text(raw)
    return text if text and len(text) <= SHORT_LINE_MAX_CHARS else None


@pytest.mark.parametrize("raw", [
    "Par Jeanne Martin" + " " * 3000,  # cleaning shrinks it to a line
    "Mis à jour le 3 juin" + "\n\t " * 1000 + "à 18h05",
    "Publié le " + "&amp;" * 600,  # entities decode to fewer characters
    "Auteur : X" + "\u200b" * 2000,  # zero-width characters go
    "Par " + "e\u0301" * 700,  # combining sequences compose
    "Par Jean " + "mot " * 400,  # a block: too long either way
    "Par " + "x" * (_SHORT_LINE_PREFIX - 4) + "&#" + "0" * 50 + "65;",  # an entity cut by the prefix
])
def test_short_line_bound_keeps_every_line(raw):
    text = clean_text(raw)
    expected = text if text and len(text) <= SHORT_LINE_MAX_CHARS else None
    assert _short_line(raw) == expected


@pytest.mark.parametrize("text", [
    "", " ", "\x00", "\x00 <p>a</p>", "  <html><body>x\x00y</body></html>\n", "<p>é\x00ü</p>",
    "\u00a0<p>nbsp</p>\u2003", "\ufeff<html><p>bom</p></html>", "<p>\x00</p>\x00",
])
def test_html_root_parses_as_parsel(text):
    assert etree.tostring(html_root(text)) == etree.tostring(create_root_node(text, etree.HTMLParser))


def test_html_root_parses_the_fixture_pages_as_parsel():
    pages = sorted(FIXTURES.rglob("*.html"))
    assert pages
    for path in pages:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert etree.tostring(html_root(text)) == etree.tostring(create_root_node(text, etree.HTMLParser)), path


def test_word_count_memo_counts_each_text():
    assert word_count("Un deux trois") == 3
    assert word_count("Un deux trois") == 3
    assert word_count("Un deux-trois l'été") == 3
    assert word_count("") == 0
