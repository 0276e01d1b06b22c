"""Fingerprints: normalisation, exact hash, MinHash/LSH, head anchors, pinned hashing."""

from __future__ import annotations

import random

import numpy as np
import pytest

from newscrawl.dedup.fingerprints import (
    CANARY_TEXT,
    PARAMS,
    SketchParams,
    _fold_token,
    anchors,
    band_keys,
    canary_digest,
    estimate_jaccard,
    exact_hash,
    excerpt_anchors,
    fingerprint,
    minhash,
    normalize_words,
    shingle_hashes,
    text_hashes,
    word_hashes,
)
from newscrawl.memo import Memo

# An invented dispatch, long enough for MinHash (~210 words).
SENTENCES = [
    "Le conseil départemental du Cantal a voté lundi un plan de 12 millions d'euros pour rénover les routes de montagne.",
    "Les travaux commenceront au printemps sur la départementale qui relie Aurillac au col du Pas de Peyrol.",
    "« Nous avons trop attendu, certaines chaussées sont dangereuses l'hiver », a reconnu le président de l'assemblée.",
    "Les élus de l'opposition ont voté pour, tout en regrettant l'absence de pistes cyclables dans le projet.",
    "Les transporteurs routiers saluent une décision attendue depuis une dizaine d'années dans les vallées.",
    "Un premier chantier est prévu près de Salers, où un pont de 1936 doit être entièrement reconstruit.",
    "La circulation y sera alternée pendant quatre mois, avec des feux tricolores installés de jour comme de nuit.",
    "Le département espère obtenir une aide de l'État pour financer la seconde tranche des travaux en 2026.",
    "Les maires des communes concernées seront réunis à Murat à la fin du mois pour discuter du calendrier.",
    "Une réunion publique est aussi annoncée à Saint-Flour pour présenter les déviations aux habitants.",
    "Les randonneurs sont invités à consulter le site de la préfecture avant de prendre la route du col.",
    "Le coût total du programme pourrait dépasser 20 millions d'euros d'ici la fin de la décennie.",
]
TEXT = " ".join(SENTENCES)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("L’Élysée a déclaré : « Non ! »", ["l", "elysee", "a", "declare", "non"]),
        ("L'ÉLYSÉE   a\u00a0déclaré\n\n:  «\u202fnon\u202f»", ["l", "elysee", "a", "declare", "non"]),
        ("4,2 millions d'euros en 2024", ["4", "2", "millions", "d", "euros", "en", "2024"]),
        ("cœur, sœur et ﬁn", ["cœur", "sœur", "et", "fin"]),
        ("snake_case et — tirets – longs", ["snake", "case", "et", "tirets", "longs"]),
        ("", []),
        ("  ¡ — ! ", []),
    ],
)
def test_normalize_words(text, words):
    assert normalize_words(text) == words


def test_normalisation_token_by_token_equals_the_whole_text():
    # normalize_words and text_hashes fold each whitespace-separated token on its own (cached);
    # that must give the words of the whole text folded at once (the definition, _fold_token).
    rng = random.Random(7)
    alphabet = list("abcdeé èÉàçœŒßﬁ'’`´ʼ-–—«»…,.;:!?_0123456789\u00a0\u202f\u0301\u0327\n\t¨½ΣσςИ")
    for _ in range(300):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 60)))
        expected = list(_fold_token(text.casefold()))
        assert normalize_words(text) == expected, text
        assert text_hashes(text).tolist() == word_hashes(expected).tolist(), text


def test_exact_hash_folds_case_spacing_and_punctuation():
    a = exact_hash(word_hashes(normalize_words(TEXT)))
    variant = TEXT.upper().replace(" ", "  ").replace(",", " ,").replace("'", "’")
    assert exact_hash(word_hashes(normalize_words(variant))) == a
    assert exact_hash(word_hashes(normalize_words(TEXT.replace("12 millions", "13 millions")))) != a
    assert -(2**63) <= a < 2**63  # fits a SQLite INTEGER


def test_minhash_estimates_jaccard():
    words = normalize_words(TEXT)
    edited = list(words)
    edited[40:60] = ["remplace"] * 20  # ~20 words changed in ~190
    a, b = shingle_hashes(words, 5), shingle_hashes(edited, 5)
    true_j = len(set(a.tolist()) & set(b.tolist())) / len(set(a.tolist()) | set(b.tolist()))
    est = estimate_jaccard(minhash(a), minhash(b), SketchParams(sig_bits=32))
    assert abs(est - true_j) < 0.15  # 128 permutations: standard error ~0.04
    assert estimate_jaccard(minhash(a), minhash(a)) == 1.0


def test_unrelated_texts_have_low_similarity_and_share_no_band():
    rng = random.Random(7)
    other = SENTENCES[:]
    rng.shuffle(other)
    unrelated = " ".join(s.split(" ", 3)[-1][::-1] for s in other)  # same letters, different words
    fa, fb = fingerprint(TEXT), fingerprint(unrelated)
    assert fa.signature is not None
    assert fb.signature is not None
    assert estimate_jaccard(fa.signature, fb.signature) < 0.1
    assert not set(fa.bands) & set(fb.bands)


def test_band_keys_shape_and_band_position():
    sig = minhash(shingle_hashes(normalize_words(TEXT), 5))
    keys = band_keys(sig)
    assert len(keys) == PARAMS.bands
    assert len(set(keys)) == PARAMS.bands
    # the same rows in another band give another key
    rows = sig.reshape(PARAMS.bands, PARAMS.rows)
    swapped = rows[[1, 0, *range(2, PARAMS.bands)]].reshape(-1)
    assert band_keys(swapped)[0] != keys[1]


def test_short_bodies_get_exact_hash_and_anchors_only():
    fp = fingerprint("Un texte de neuf mots seulement pour ce test.", min_words=80)
    assert fp.signature is None
    assert fp.bands == []
    assert fp.words == 9


def test_anchors_are_a_content_defined_sample_of_the_head():
    fp = fingerprint(TEXT, "Un chapô inventé pour le test.")
    head_words = normalize_words("Un chapô inventé pour le test.") + normalize_words(TEXT)[: PARAMS.head_words]
    head = shingle_hashes(head_words, 5)
    all_anchors = set(anchors(head))
    assert set(fp.anchors) == all_anchors
    # about one shingle in anchor_mod, never all of them
    assert 0 < len(all_anchors) < len(head)
    # an excerpt (the first sentences) samples the same shingles as the article's head
    excerpt = excerpt_anchors(" ".join(SENTENCES[:4]))
    assert excerpt
    assert set(excerpt) <= all_anchors


def test_params_version_describes_every_parameter():
    v = PARAMS.version
    for name in ("num_perm", "shingle", "bands", "rows", "sig_bits", "head_words", "anchor_mod", "hasher"):
        assert f'"{name}"' in v
    assert SketchParams(shingle=4).version != v


def test_params_are_validated():
    with pytest.raises(ValueError, match="bands x rows"):
        SketchParams(bands=30, rows=4)
    with pytest.raises(ValueError, match="power of two"):
        SketchParams(anchor_mod=3)


def test_canary_digest_is_pinned():
    # The stored state is only comparable with signatures computed exactly the same way. If this
    # fails, normalisation or hashing changed (our code, rensa, numpy, Unicode data): bump
    # SketchParams.hasher/normalizer, and existing states will be refused (ParamsMismatch).
    assert canary_digest() == "4f7f6f6eb5c23b4c5681fc58"
    assert "Saint-Brieuc" in CANARY_TEXT


def test_minhash_of_empty_input_matches_nothing():
    empty = minhash(np.zeros(0, dtype=np.uint64))
    full = minhash(shingle_hashes(normalize_words(TEXT), 5))
    assert estimate_jaccard(empty, full) < 0.05


def test_memo_is_bounded_and_keeps_frequent_keys():
    calls: list[str] = []
    memo = Memo(3, lambda k: calls.append(k) or k.upper())
    for word in ["a", "b", "c", "a", "d", "e", "a", "f", "g", "h"]:
        assert memo[word] == word.upper()
    assert len(memo) + len(memo.previous) <= 2 * 3  # two generations at most
    assert calls.count("a") == 1  # "a" kept coming back: never computed again
    assert calls == ["a", "b", "c", "d", "e", "f", "g", "h"]
