"""htmldate's dateparser fallback loads only the languages a page needs (issue 13): the page's
language, French and English, instead of every locale (~2 s of CPU on the first such page of a
process). The figure is printed by benchmarks/dates.py; nothing here is timed."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime

import pytest

from newscrawl.parsers import parse_page
from newscrawl.text import datefallback
from tests.conftest import ROOT

NOW = datetime(2025, 6, 20, 12, 0, tzinfo=UTC)
PARAS = {
    "fr": ("Le syndicat des eaux a annoncé la fin des travaux sur la conduite principale, qui alimente "
           "désormais les quatre communes du canton sans coupure, après trois mois de chantier."),
    "en": ("The water board said the works on the main pipe were over, and that the four villages of the "
           "district were now supplied without cuts, after three months of building."),
}


def page(lang: str, date_text: str) -> bytes:
    """No structured date and no "Publié le" line: htmldate is the last resort, and the date is
    written in a form only dateparser reads."""
    para = f"<p>{PARAS[lang]}</p>" * 3
    return (f"<html lang='{lang}'><head><meta charset='utf-8'><title>Travaux</title></head><body><article>"
            f"<h1>Fin des travaux</h1><p class='date'>{date_text}</p>{para}</article></body></html>").encode()


@pytest.mark.parametrize(
    ("lang", "date_text", "expected", "languages"),
    [
        ("fr", "14 févr. 2025", "2025-02-14T00:00:00+01:00", ("fr", "en")),
        ("fr", "sam. 15 févr. 2025", "2025-02-15T00:00:00+01:00", ("fr", "en")),
        ("en", "Feb. 14th, 2025", "2025-02-14T00:00:00+01:00", ("en", "fr")),
        ("en", "Friday 14th of Feb., 2025", "2025-02-14T00:00:00+01:00", ("en", "fr")),
    ],
)
def test_the_fallback_still_reads_french_and_english_dates(monkeypatch, lang, date_text, expected, languages):
    asked: list[tuple[str, ...]] = []
    build = datefallback.date_data_parser

    def spy(langs: tuple[str, ...]) -> object:
        asked.append(langs)
        return build(langs)

    monkeypatch.setattr(datefallback, "date_data_parser", spy)
    url = f"https://www.exemple-{lang}.org/actualite/fin-des-travaux-{len(date_text)}"
    item, _ = parse_page(url, page(lang, date_text), NOW, source="generic", strict=True)
    assert item.published == expected
    assert asked  # the date went through dateparser, in the page's languages only
    assert set(asked) == {languages}


@pytest.mark.parametrize(
    ("page_language", "expected"),
    [("fr", ("fr", "en")), ("en", ("en", "fr")), ("de", ("de", "fr", "en")), ("pt-BR", ("pt", "fr", "en")),
     ("FR", ("fr", "en")), ("xx", ("fr", "en")), (None, ("fr", "en"))],
)
def test_date_languages(page_language, expected):
    assert datefallback.date_languages(page_language) == expected


def test_htmldate_uses_the_restricted_parser():
    from htmldate import extractors

    datefallback.install()
    assert extractors.get_external_parser() is datefallback.date_data_parser(datefallback._current)
    assert "fevr" in extractors.month_words() or "févr" in extractors.month_words()


def test_a_process_loads_only_the_locales_of_the_page():
    """In a fresh process, the first page whose date falls back to dateparser (a French date that
    neither htmldate's patterns nor French/English locales read: the costliest case) loads the
    French and English locales only, not the ~200 of every language."""
    script = (
        "import json, sys\n"
        f"sys.path.insert(0, {str(ROOT)!r})\n"
        "from newscrawl.parsers import parse_page\n"
        "from tests.test_text_datefallback import NOW, page\n"
        "parse_page('https://www.exemple-fr.org/a/b-1', page('fr', 'le 3 déc., 10:30'), NOW, source='generic')\n"
        "from dateparser.languages.loader import default_loader\n"
        "print(json.dumps(sorted(default_loader._loaded_locales)))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120,
                          check=False)
    assert done.returncode == 0, done.stderr
    loaded = json.loads(done.stdout.strip().splitlines()[-1])
    assert loaded, "dateparser was not reached: the page no longer tests the fallback"
    assert {name.split("-")[0] for name in loaded} <= {"fr", "en"}, loaded
