"""The hot-path rewrites of issue 7 (docs/benchmarks.md) give exactly what the code they replace gave."""

from __future__ import annotations

import random
import re
import unicodedata

import pytest

from newscrawl.parsers.lefigaro import _PREMIUM_SCRIPT, premium_script
from newscrawl.text.normalize import clean_text, fold_for_match, word_count
from newscrawl.text.urls import canonical_url


def reference_fold(value: str) -> str:
    """fold_for_match before issue 7 (a Python loop over the characters, patterns compiled per call)."""
    value = unicodedata.normalize("NFKD", clean_text(value).lower())
    value = "".join(c for c in value if not unicodedata.combining(c))
    value = re.sub(r"[’'`´]", "'", value)
    return re.sub(r"[^\w']+", " ", value).strip()


def test_fold_for_match_unchanged():
    samples = [
        "À lire aussi : l’Élysée",
        "Ça va ? Œuvre, naïve, São Paulo", "ﬁn ½ x²", "A\u0301\u0327b",
        "Ελληνικά και русский", "  Déjà\u00a0abonné ?  ", "Ǆ ǅ ǆ", "e\u20dd", "", "&eacute;t&eacute;",
    ]  # one sample a line was once swallowed by the comment: all ten must be there
    assert len(samples) == 10
    rng = random.Random(5)
    alphabet = [chr(c) for c in (*range(32, 127), *range(0xA0, 0x250), *range(0x300, 0x370), 0x2019, 0x2013, 0x1E9E)]
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 40))) for _ in range(3000)]
    for text in samples:
        assert fold_for_match(text) == reference_fold(text), text


def reference_clean_text(value: str | None) -> str:
    """clean_text before its fast path (two regex passes on every line)."""
    if not value:
        return ""
    if "&" in value:
        import html

        value = html.unescape(value)
    value = re.sub(r"[\u200b\u200c\u200d\u2060\ufeff\u00ad]", "", value)
    value = unicodedata.normalize("NFC", value)
    return re.sub(r"[\s\u00a0\u2000-\u200a\u202f\u205f\u3000]+", " ", value).strip()


def test_clean_text_unchanged():
    rng = random.Random(11)
    # every code point of the first planes that matter (spaces, controls, format characters,
    # combining marks, CJK spaces), mixed with plenty of ordinary letters and single spaces
    alphabet = [chr(c) for c in range(0x3100)] + list("ab éè  ") * 200
    samples = [None, "", " ", "a  b", "a\u00a0b", "a\u200bb", "e\u0301", "\ufeffx", "a&nbsp;b", "x\u00ad"]
    samples += ["".join(rng.choice(alphabet) for _ in range(rng.randint(1, 30))) for _ in range(50_000)]
    fast = 0
    for text in samples:
        assert clean_text(text) == reference_clean_text(text), repr(text)
        fast += bool(text) and text.isprintable() and "  " not in text
    assert fast > 1000  # the fast path was exercised, and so was the slow one
    assert len(samples) - fast > 1000


@pytest.mark.parametrize(("text", "words"), [
    ("", 0),
    ("  \n ", 0),
    ("l'État d’urgence", 2),
    ("porte-parole et 3 000 euros", 5),  # a hyphenated compound is one word; "3 000" two
    ("a-b-c d'e’f", 2),
    ("« Non ! » a-t-il dit", 3),  # punctuation is not a word
    ("aujourd'hui 12,5 %", 3),
    ("Le 1er mai\nà Paris", 5),  # lines are separated like spaces
])  # fmt: skip
def test_word_count(text, words):
    """Counted by hand: the definition of the record's ``word_count`` (README: words in ``text``)."""
    assert word_count(text) == words


def test_premium_script_is_the_regex_search():
    parts = ["FFF.isPremium", " = ", "=", "true", "false", "figAnalytics.init({", "isPremium", ":", " ", "}",
             "x", "_", ".", "\n", "aFFF.isPremium=true", "{", "(", "isPremium:true", "FFF", "trueish"]
    rng = random.Random(3)
    seen = {True: 0, False: 0}
    for _ in range(20_000):
        text = "".join(rng.choice(parts) for _ in range(rng.randint(0, 12)))
        expected = bool(_PREMIUM_SCRIPT.search(text))
        assert premium_script(text) == expected, text
        seen[expected] += 1
    assert seen[True] > 100  # both answers were exercised
    assert seen[False] > 100


@pytest.mark.parametrize(("url", "canonical"), [
    ("https://www.francetvinfo.fr/a/b_1234567.html#xtor=RSS-3", "https://www.franceinfo.fr/a/b_1234567.html"),
    ("www.lefigaro.fr/x?utm_source=y&b=2&a=1", "https://www.lefigaro.fr/x?a=1&b=2"),
    ("http://127.0.0.1:8080/p/", "http://127.0.0.1:8080/p"),
    ("http://[::1", "http://[::1"),  # not a URL: given back as it is
    ("  https://daily8.com/fr/article/ab  ", "https://www.daily8.com/fr/article/ab"),
])  # fmt: skip
def test_canonical_url_cache_is_transparent(url, canonical):
    canonical_url.cache_clear()
    assert canonical_url(url) == canonical  # computed, through the cache
    hits = canonical_url.cache_info().hits
    assert canonical_url(url) == canonical  # served by the cache: the same answer
    assert canonical_url.cache_info().hits == hits + 1
    assert canonical_url.__wrapped__(url) == canonical  # and the uncached function agrees
