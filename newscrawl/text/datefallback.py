"""htmldate's last-resort date search, with dateparser loading only the languages a page needs.

htmldate (the generic parser's last date fallback) hands the date strings its own patterns cannot
read to dateparser through one process-wide ``DateDataParser(languages=None)``, and gates them with
the month names of *every* dateparser locale. The first such string in a process then loads all
~200 locales: about 2 s of CPU, paid again by every ``python -m newscrawl extract`` (and by a
crawl's first page of an unknown site), and a string that no locale reads costs that much every time.

:func:`find_date` runs ``htmldate.find_date`` with both replaced by their equivalents for the
page's languages (:func:`date_languages`: the page's language when dateparser knows it, then
French and English), one ``DateDataParser`` per language set, cached. htmldate 1.11 (pinned)
looks both up as module globals of ``htmldate.extractors`` at call time; :func:`install` replaces
them once, and tests/test_text_datefallback.py checks that the hook is in place. Its results cache
(``try_date_expr``) is keyed on the string only, so it is cleared when the language set changes.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dateparser import DateDataParser

logger = logging.getLogger(__name__)

#: Always tried after the page's language: the project's press is French, and English is the
#: web's default.
DEFAULT_LANGUAGES: tuple[str, ...] = ("fr", "en")

#: htmldate 1.11's settings for its DateDataParser (htmldate.extractors.get_external_parser).
_SETTINGS: dict[str, Any] = {
    "NORMALIZE": True,
    "PARSERS": ["custom-formats", "absolute-time"],
    "PREFER_DATES_FROM": "past",
    "PREFER_LOCALE_DATE_ORDER": True,
    "RETURN_AS_TIMEZONE_AWARE": False,
    "STRICT_PARSING": True,
}

_current: tuple[str, ...] = DEFAULT_LANGUAGES
_installed = False


@lru_cache(maxsize=1)
def _known_languages() -> frozenset[str]:
    from dateparser.data.languages_info import language_order

    return frozenset(language_order)


def date_languages(page_language: str | None) -> tuple[str, ...]:
    """The languages to read a page's dates in: its own (a code such as "de" or "pt-BR", when
    dateparser knows it, else its primary subtag), then French and English."""
    out: list[str] = []
    if page_language:
        code = page_language.strip().replace("_", "-")
        known = _known_languages()
        for candidate in (code, code.split("-")[0].lower()):
            if candidate in known:
                out.append(candidate)
                break
    out.extend(lang for lang in DEFAULT_LANGUAGES if lang not in out)
    return tuple(out)


@lru_cache(maxsize=16)
def date_data_parser(languages: tuple[str, ...]) -> DateDataParser:
    """dateparser's parser for ``languages`` (htmldate's settings), built once per language set."""
    from dateparser import DateDataParser

    return DateDataParser(languages=list(languages), settings=dict(_SETTINGS))


@lru_cache(maxsize=16)
def month_words(languages: tuple[str, ...]) -> frozenset[str]:
    """htmldate's ``month_words()`` (month names that make a string worth parsing) for the locales
    of ``languages`` only."""
    from dateparser.languages.loader import default_loader
    from htmldate.extractors import MONTH_KEYS, WORD, _fold_month_name

    return frozenset(
        _fold_month_name(word)
        for locale in default_loader.get_locales(languages=list(languages))
        for key in MONTH_KEYS
        for word in locale.info.get(key, [])
        if WORD.fullmatch(word)
    )


def _external_parser() -> DateDataParser:
    return date_data_parser(_current)


def _month_words() -> frozenset[str]:
    return month_words(_current)


def install() -> None:
    """Make htmldate use the current language set (idempotent)."""
    global _installed
    if _installed:
        return
    from htmldate import extractors

    extractors.get_external_parser = _external_parser  # type: ignore[assignment]
    extractors.month_words = _month_words  # type: ignore[assignment]
    _installed = True


def use_languages(languages: tuple[str, ...]) -> None:
    """Read the next dates in ``languages`` (htmldate's string cache is cleared on a change)."""
    global _current
    install()
    if languages != _current:
        from htmldate.extractors import try_date_expr

        try_date_expr.cache_clear()
        _current = languages


def find_date(html: str, *, url: str | None, max_date: str, languages: tuple[str, ...]) -> str | None:
    """``htmldate.find_date`` (original date, extensive search, bounded by ``max_date``) with its
    dateparser fallback restricted to ``languages``: "YYYY-MM-DD" or None."""
    from htmldate import find_date as htmldate_find_date

    use_languages(languages)
    return htmldate_find_date(html, url=url, original_date=True, extensive_search=True, max_date=max_date)
