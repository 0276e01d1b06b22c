"""Whitespace and character normalisation shared by parsers and cleaning rules."""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

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
    if value.isprintable() and "  " not in value:
        # Fast path (most lines): no zero-width character, no space but single ASCII spaces.
        # isprintable() is False for every character the two patterns match (separators,
        # controls and format characters: categories Z*, Cc, Cf), and NFC keeps text printable.
        return unicodedata.normalize("NFC", value).strip()
    value = _ZERO_WIDTH.sub("", value)
    value = unicodedata.normalize("NFC", value)
    return _SPACES.sub(" ", value).strip()


class _DropCombining(dict[int, "int | None"]):
    """``str.translate`` table deleting combining marks, filled as characters are met: the same
    test as ``unicodedata.combining(c)`` per character, at C speed once a character is known."""

    def __missing__(self, code: int) -> int | None:
        value = None if unicodedata.combining(chr(code)) else code
        self[code] = value
        return value


_DROP_COMBINING = _DropCombining()
_APOSTROPHES = re.compile(r"[’'`´]")
_NOT_WORD = re.compile(r"[^\w']+")
_WORD = re.compile(r"\w+(?:[-'’]\w+)*")


@lru_cache(maxsize=4096)  # the same lines are folded by every cleaning step and rule (bounded: ~4 MB)
def fold_for_match(value: str) -> str:
    """Lowercase, strip accents and punctuation: the form text rules and dedup hashes compare."""
    value = unicodedata.normalize("NFKD", clean_text(value).lower())
    value = value.translate(_DROP_COMBINING)
    value = _APOSTROPHES.sub("'", value)
    return _NOT_WORD.sub(" ", value).strip()


@lru_cache(maxsize=8)
def word_count(text: str) -> int:
    """Words of ``text``. Memoised (a few entries): a record's text is counted by the parser, by
    the pipeline's finalize and by the generic parser's checks, often the same string; comparing
    it costs a fraction of the regex over it."""
    return len(_WORD.findall(text))
