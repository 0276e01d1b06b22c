"""A page's language from its text, when its markup does not say (``<html lang>``, og:locale,
JSON-LD ``inLanguage``): French or English function words, the two languages of the pages the
generic and Daily8 parsers meet."""

from __future__ import annotations

import re

_FR_WORDS = frozenset((
    "le", "la", "les", "des", "du", "et", "est", "une", "dans", "pour", "que", "qui", "sur", "pas", "au",
    "aux", "avec", "ce", "cette", "il", "elle", "ont", "sont", "été", "plus", "par", "ses", "leur", "mais",
    "ou", "son", "sa", "nous", "vous", "selon", "après", "depuis",
))
_EN_WORDS = frozenset((
    "the", "and", "of", "to", "is", "that", "for", "with", "was", "are", "it", "this", "by", "from", "have",
    "has", "be", "at", "were", "which", "their", "they", "after", "been", "said", "would", "will",
))


def guess_language(text: str) -> str | None:
    """'fr' or 'en' from function words, when the text has enough of them; else None."""
    words = re.findall(r"[a-zàâçéèêëîïôûùüÿœæ]+", text.lower())
    fr = sum(w in _FR_WORDS for w in words)
    en = sum(w in _EN_WORDS for w in words)
    if fr >= 5 and fr > 1.5 * en:
        return "fr"
    if en >= 5 and en > 1.5 * fr:
        return "en"
    return None
