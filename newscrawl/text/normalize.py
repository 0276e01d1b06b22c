"""Whitespace and character normalisation shared by parsers and cleaning rules."""

from __future__ import annotations

import html
import re
import unicodedata

# NBSP, narrow NBSP, thin spaces, figure space: French typography puts them before ":;?!»"
# and the expected records use plain spaces.
_SPACES = re.compile(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_ZERO_WIDTH = re.compile(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]")


def clean_text(value: str | None) -> str:
    """Decode stray entities, drop zero-width chars, fold every space run to one space, strip."""
    if not value:
        return ""
    if "&" in value:
        value = html.unescape(value)
    value = _ZERO_WIDTH.sub("", value)
    value = unicodedata.normalize("NFC", value)
    return _SPACES.sub(" ", value).strip()


def fold_for_match(value: str) -> str:
    """Lowercase, strip accents and punctuation: the form text rules and dedup hashes compare."""
    value = unicodedata.normalize("NFKD", clean_text(value).lower())
    value = "".join(c for c in value if not unicodedata.combining(c))
    value = re.sub(r"[’'`´]", "'", value)
    return re.sub(r"[^\w']+", " ", value).strip()


def word_count(text: str) -> int:
    return len(re.findall(r"\w+(?:[-'’]\w+)*", text))
