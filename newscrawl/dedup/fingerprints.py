"""Content fingerprints: pure functions of text, no Scrapy, no store.

Three fingerprints per article, all computed on the *normalised* body (case, accents,
whitespace and punctuation folded, see :func:`normalize_words`):

- ``exact``: a 64-bit hash of the normalised body (exact copies, whatever their layout);
- ``signature``: a MinHash of the body's word 5-grams (128 values), cut into LSH bands
  (32 bands x 4 rows) whose keys are looked up to find near-duplicate candidates; the
  candidates' estimated Jaccard is then checked against a threshold;
- ``anchors``: a content-defined sample (1 in ``anchor_mod``) of the shingle hashes of the
  article's *head* (lead + first words of the body), to find the original of an aggregator's
  excerpt by containment, which Jaccard cannot see (a 60-word lead in a 600-word article has
  a Jaccard of ~0.1 but a containment of ~1).

We own the word and shingle hashing (stdlib blake2b for words, splitmix64 mixing, band keys);
the 128 permutations are computed by rensa's compiled RMinHash over our shingle hashes (the
numpy version it replaced cost ~0.1 ms per article, a tenth of the whole budget). A library
upgrade must not silently change the signatures stored across runs: rensa is pinned, its
algorithm version is in :data:`PARAMS`, whose version string is stored with the state, and :func:`canary_digest` hashes the signature of a fixed
text, so a store built with other parameters, or by code that hashes differently (rensa, numpy or
the Unicode database), is refused loudly (see ``store.check_params``).
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from itertools import chain

import numpy as np
import numpy.typing as npt
from rensa import RMinHash as _RMinHash

from newscrawl.memo import Memo

U64 = np.uint64
_MINHASH_SEED = 0x6E63  # "nc": part of the sketch (a new seed means new signatures)
Array = npt.NDArray[np.uint64]


@dataclass(frozen=True)
class SketchParams:
    """Everything that shapes stored fingerprints. Changing any field changes ``version``;
    a store built with another version is refused (``ParamsMismatch``)."""

    num_perm: int = 128
    """MinHash permutations (signature length)."""
    shingle: int = 5
    """Words per shingle (word n-grams)."""
    bands: int = 32
    rows: int = 4
    """bands x rows == num_perm: a pair with Jaccard s becomes a candidate with probability
    1 - (1 - s**rows)**bands (0.50 at s=0.3, 0.87 at s=0.4, 0.996 at s=0.5)."""
    sig_bits: int = 16
    """Bits of each MinHash value kept in the store (b-bit MinHash; 16 bits: collisions
    1/65536, corrected in the estimate)."""
    head_words: int = 100
    """Body words (after the lead) sampled for containment anchors (aggregator excerpts are
    the lead and the first sentences; 200 words found no more of them, with 70% more rows)."""
    anchor_mod: int = 4
    """One shingle hash in ``anchor_mod`` is an anchor (content-defined: both copies sample
    the same shingles)."""
    normalizer: int = 1
    """Version of :func:`normalize_words` (bump when it changes)."""
    hasher: int = 3
    """Version of the hashing scheme (word hash, shingle combination, permutations, bands).
    2: band keys mix two rows per 64-bit word with a per-band salt (1: one row at a time);
    3: the permutations are rensa's RMinHash over our shingle hashes (2: numpy multiply-shift),
    and the exact hash is taken over the word hashes (2: over the words joined by spaces)."""
    minhash: str = f"rensa-rminhash/{_RMinHash.ALGORITHM_VERSION}/seed-{_MINHASH_SEED}"
    """The MinHash implementation and its algorithm version (rensa is pinned; see :func:`minhash`)."""

    def __post_init__(self) -> None:
        if self.bands * self.rows != self.num_perm:
            raise ValueError(f"bands x rows must equal num_perm ({self.bands}x{self.rows} != {self.num_perm})")
        if self.anchor_mod & (self.anchor_mod - 1):
            raise ValueError("anchor_mod must be a power of two")

    @property
    def version(self) -> str:
        """A readable, complete description of the parameters, stored beside the state."""
        return "newscrawl-minhash/" + json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))


PARAMS = SketchParams()

# --------------------------------------------------------------------------------- text


_WORD = re.compile(r"[^\W_]+")  # letters and digits; "_" splits like punctuation
_APOSTROPHES = re.compile(r"[’`´ʼ]")  # apostrophes split words like ASCII ' does


def normalize_words(text: str) -> list[str]:
    """Words of ``text`` with case, accents, whitespace and punctuation folded.

    "L’Élysée a déclaré : « Non ! »" -> ["l", "elysee", "a", "declare", "non"]. Digits are
    kept (dates, figures and scores tell dispatches apart). Accents: NFKD, then combining marks
    dropped (é -> e, ﬁ -> fi; œ has no decomposition and stays).

    Every step works character by character and whitespace stays whitespace, so the words of a
    text are the words of its whitespace-separated tokens, one after the other: each distinct
    token is folded once (:func:`_fold_token`) and remembered (news vocabularies repeat).
    """
    if not text:
        return []
    return list(chain.from_iterable(map(_TOKENS.__getitem__, text.casefold().split())))


def _fold_token(text: str) -> tuple[str, ...]:
    """The words of one casefolded token (or of any casefolded text): the definition of the
    normalisation, which :func:`normalize_words` applies token by token."""
    if text.isascii():
        return tuple(text.encode("ascii").translate(_ASCII_SPLIT).decode("ascii").split())
    text = _COMBINING.sub("", unicodedata.normalize("NFKD", _APOSTROPHES.sub(" ", text)))
    # ASCII punctuation to spaces at C speed; the few tokens still holding other punctuation
    # (« », dashes, ellipses...) go through the regex. Same words as _WORD.findall(text).
    tokens = text.encode("utf-8").translate(_ASCII_SPLIT).decode("utf-8").split()
    out: list[str] = []
    for token in tokens:
        if token.isalnum():
            out.append(token)
        else:
            out.extend(_WORD.findall(token))
    return tuple(out)


_TOKENS: Memo[str, tuple[str, ...]] = Memo(50_000, _fold_token)
"""casefolded token -> its words."""


# ASCII bytes that are not letters or digits -> space (the other bytes, UTF-8 of non-ASCII, kept).
_ASCII_SPLIT = bytes(c if chr(c).isalnum() or c >= 128 else 32 for c in range(256))
# Combining marks (diacritics) after NFKD: the Unicode blocks of combining characters.
_COMBINING = re.compile("[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")


def exact_hash(hashes: Array) -> int:
    """Signed 64-bit hash (SQLite INTEGER friendly) of the normalised body, given as its
    :func:`word_hashes` (equal words, equal hashes: a hash of the word sequence)."""
    digest = hashlib.blake2b(hashes.astype("<u8", copy=False).tobytes(), digest_size=8, person=b"nc-exact").digest()
    return int.from_bytes(digest, "little", signed=True)


# --------------------------------------------------------------------------------- hashing

_M1 = U64(0xBF58476D1CE4E5B9)
_M2 = U64(0x94D049BB133111EB)


def mix64(x: Array) -> Array:
    """splitmix64 finaliser, vectorised (uint64 arithmetic wraps modulo 2**64)."""
    x = x ^ (x >> U64(30))
    x = x * _M1
    x = x ^ (x >> U64(27))
    x = x * _M2
    return x ^ (x >> U64(31))


def _word_hash(word: str) -> int:
    """The 64-bit blake2b hash of a word, as a *signed* int: numpy converts those to int64 at C
    speed (a Python int over 2**63 takes a slow path to uint64); arrays are then viewed as uint64."""
    return int.from_bytes(hashlib.blake2b(word.encode("utf-8"), digest_size=8, person=b"nc-word").digest(),
                          "little", signed=True)


_WORD_HASHES: Memo[str, int] = Memo(50_000, _word_hash)


def _coefficients(count: int, label: bytes) -> Array:
    out = []
    for i in range(count):
        digest = hashlib.blake2b(label + i.to_bytes(4, "little"), digest_size=8, person=b"nc-coef").digest()
        out.append(int.from_bytes(digest, "little") | 1)  # odd multipliers
    return np.array(out, dtype=U64)


@lru_cache(maxsize=8)
def _shingle_weights(shingle: int) -> Array:
    return _coefficients(shingle, b"shingle")


def word_hashes(words: list[str]) -> Array:
    return np.fromiter(map(_WORD_HASHES.__getitem__, words), dtype=np.int64, count=len(words)).view(U64)


def _token_hashes(token: str) -> tuple[int, ...]:
    return tuple(map(_WORD_HASHES.__getitem__, _fold_token(token)))


_TOKEN_HASHES: Memo[str, tuple[int, ...]] = Memo(50_000, _token_hashes)
"""casefolded token -> the (signed) hashes of its words: the hot path of :func:`text_hashes`
(at most 2 x 50,000 tokens, ~20 MB; the dedup benchmark's synthetic vocabulary, far more open
than real news text, still finds 96 % of its tokens here)."""


def text_hashes(text: str) -> Array:
    """``word_hashes(normalize_words(text))``, token by token with a cache (the hot path: no
    word list is built)."""
    if not text:
        return np.zeros(0, dtype=U64)
    tokens = text.casefold().split()
    return np.fromiter(chain.from_iterable(map(_TOKEN_HASHES.__getitem__, tokens)), dtype=np.int64).view(U64)


def shingle_hashes(words: list[str] | Array, shingle: int) -> Array:
    """64-bit hashes of the word ``shingle``-grams of ``words`` (words or their
    :func:`word_hashes`); one hash for a text shorter than a shingle, none for an empty one."""
    wh = words if isinstance(words, np.ndarray) else word_hashes(words)
    if wh.size == 0:
        return np.zeros(0, dtype=U64)
    k = min(shingle, len(wh))
    n = len(wh) - k + 1
    weights = _shingle_weights(shingle)
    acc = wh[0:n] * weights[0]
    for j in range(1, k):
        acc += wh[j : j + n] * weights[j]
    return mix64(acc + U64(k))


def minhash(hashes: Array, params: SketchParams = PARAMS) -> npt.NDArray[np.uint32]:
    """MinHash signature of the shingle hashes: ``params.num_perm`` 32-bit values.

    The permutations are rensa's ``RMinHash`` (compiled, ~8x faster than the numpy version
    this replaces) applied to *our* 64-bit shingle hashes, with a fixed seed. rensa is pinned
    in requirements.txt, its ``ALGORITHM_VERSION`` is part of :data:`PARAMS` (``minhash``), and
    :func:`canary_digest` covers its output: an upgrade that changed signatures would make
    stored states refuse to open rather than silently stop matching.
    Empty input gives all-ones (matches nothing real)."""
    if hashes.size == 0:
        return np.full(params.num_perm, 0xFFFFFFFF, dtype=np.uint32)
    hashes = np.ascontiguousarray(hashes, dtype=U64)
    matrix = _RMinHash.digest_matrix_from_flat_token_hashes(
        hashes, np.array([0, hashes.size], dtype=U64), params.num_perm, _MINHASH_SEED)
    return np.array(matrix.to_rows()[0], dtype=np.uint32)


def band_keys(signature: npt.NDArray[np.uint32], params: SketchParams = PARAMS) -> list[int]:
    """One signed 64-bit key per LSH band: the band's rows mixed (splitmix64) with a per-band
    salt, so equal rows in different bands give different keys. Vectorised over the bands."""
    key = _band_salts(params.bands)
    if params.rows % 2 == 0:
        # two 32-bit rows per 64-bit word: row r | row r+1 << 32 is the little-endian uint64
        # view of the pair, taken at once for every band
        words = signature.astype("<u4", copy=False).view("<u8").reshape(params.bands, params.rows // 2)
        for w in range(params.rows // 2):
            key = mix64(key ^ words[:, w].astype(U64, copy=False))
        return key.view(np.int64).tolist()  # type: ignore[no-any-return]
    rows = signature.astype(U64).reshape(params.bands, params.rows)
    for r in range(0, params.rows, 2):
        word = rows[:, r] | (rows[:, r + 1] << U64(32)) if r + 1 < params.rows else rows[:, r]
        key = mix64(key ^ word)
    return key.view(np.int64).tolist()  # type: ignore[no-any-return]


@lru_cache(maxsize=8)
def _band_salts(bands: int) -> Array:
    return _coefficients(bands, b"band-salt")


def stored_signature(signature: npt.NDArray[np.uint32], params: SketchParams = PARAMS) -> bytes:
    """The signature as stored: the low ``sig_bits`` of each value, little-endian."""
    if params.sig_bits == 16:
        return (signature & 0xFFFF).astype("<u2").tobytes()
    return signature.astype("<u4").tobytes()


def load_signature(blob: bytes, params: SketchParams = PARAMS) -> npt.NDArray[np.uint32]:
    dtype = "<u2" if params.sig_bits == 16 else "<u4"
    return np.frombuffer(blob, dtype=dtype).astype(np.uint32)


def estimate_jaccard(a: npt.NDArray[np.uint32], b: npt.NDArray[np.uint32], params: SketchParams = PARAMS) -> float:
    """Estimated Jaccard similarity of two (stored) signatures, corrected for b-bit collisions."""
    if a.shape != b.shape or a.size == 0:
        return 0.0
    if params.sig_bits >= 32:
        return float(np.count_nonzero(a == b)) / a.size
    bits = params.sig_bits
    mask = (1 << bits) - 1
    raw = float(np.count_nonzero((a & mask) == (b & mask))) / a.size
    chance = 1.0 / (1 << bits)
    return max(0.0, (raw - chance) / (1.0 - chance))


def anchors(hashes: Array, params: SketchParams = PARAMS) -> list[int]:
    """The content-defined sample of shingle hashes used for containment, as signed ints."""
    if hashes.size == 0:
        return []
    mask = U64(params.anchor_mod - 1)
    picked = np.unique(hashes[((hashes >> U64(40)) & mask) == 0])
    return picked.view(np.int64).tolist()  # type: ignore[no-any-return]


# --------------------------------------------------------------------------------- articles


@dataclass
class Fingerprint:
    """What the dedup store keeps about one article body (no text)."""

    exact: int
    words: int
    signature: npt.NDArray[np.uint32] | None = None
    """None for short bodies (exact hash only)."""
    bands: list[int] = field(default_factory=list)
    anchors: list[int] = field(default_factory=list)
    """Head anchors (for an article that may be excerpted)."""
    record_words: int | None = None
    """The record's ``word_count`` when known: what the store keeps as the article's words
    (``explain`` shows it), so there is one definition of a word count for users."""

    @property
    def stored_words(self) -> int:
        return self.words if self.record_words is None else self.record_words

    @property
    def stored_signature(self) -> bytes | None:
        return stored_signature(self.signature) if self.signature is not None else None


def fingerprint(text: str, lead: str | None = None, *, min_words: int = 80,
                params: SketchParams = PARAMS) -> Fingerprint:
    """Fingerprints of an article: ``text`` is the body (compared for exact and near copies:
    republishers change titles and leads), ``lead`` joins the head for containment anchors.
    Bodies under ``min_words`` words get the exact hash and anchors only."""
    body = text_hashes(text)
    fp = Fingerprint(exact=exact_hash(body), words=len(body))
    head = text_hashes(lead or "")
    k = params.shingle
    # One pass over lead + body: shingles starting in the body are the body's own shingles
    # (a shingle's hash depends on its words only), the first ones make the head.
    all_hashes = shingle_hashes(np.concatenate((head, body)) if head.size else body, k)
    n_lead = head.size
    n_words = body.size
    if n_words >= max(min_words, k):
        sig = minhash(all_hashes[n_lead:], params)
        # what the store compares is the stored (b-bit) form
        fp.signature = load_signature(stored_signature(sig, params), params)
        fp.bands = band_keys(sig, params)
    if n_lead + n_words >= k:
        fp.anchors = anchors(all_hashes[: max(1, n_lead + min(n_words, params.head_words) - k + 1)], params)
    return fp


def excerpt_anchors(text: str, lead: str | None = None, params: SketchParams = PARAMS) -> list[int]:
    """Anchors of an excerpt (an aggregator's lead-only copy): its own beginning, in the same
    sampling as the originals' heads. The lead is used only when the body is nearly empty."""
    words = text_hashes(text)
    if words.size < 2 * params.shingle:
        words = np.concatenate((text_hashes(lead or ""), words))
    words = words[: params.head_words]
    return anchors(shingle_hashes(words, params.shingle), params) if words.size >= params.shingle else []


CANARY_TEXT = (
    "Le conseil municipal de Saint-Brieuc a voté jeudi soir, après trois heures de débats, "
    "la rénovation de la halle aux poissons du port du Légué. Les travaux, estimés à 4,2 "
    "millions d'euros, doivent commencer à l'automne et durer dix-huit mois. « C'est un "
    "chantier attendu depuis vingt ans », a déclaré l'adjointe chargée du patrimoine. "
    "Les pêcheurs, qui vendaient jusqu'ici leurs prises sous des barnums, seront relogés "
    "pendant la durée du chantier dans un hangar prêté par la chambre de commerce. "
    "L'opposition a voté contre, jugeant le coût trop élevé au regard de l'état des finances "
    "de la ville, et réclamé un audit indépendant. Le maire a répondu que l'État et la région "
    "prendraient en charge près de la moitié de la facture. Une réunion publique est prévue "
    "le 12 mars à la salle Hermione pour présenter le projet aux riverains, inquiets du bruit "
    "et de la circulation des camions sur le quai Gabriel-Péri pendant les travaux de gros "
    "œuvre. Le nouveau bâtiment, en bois et en verre, accueillera aussi une école de cuisine."
)


def canary_digest(params: SketchParams = PARAMS) -> str:
    """Hash of the fingerprints of a fixed text: any change in normalisation or hashing
    (our code, numpy, the Unicode database) changes it, and the store refuses the state."""
    fp = fingerprint(CANARY_TEXT, "Un chapô", min_words=10, params=params)
    h = hashlib.blake2b(digest_size=12)
    h.update(fp.exact.to_bytes(8, "little", signed=True))
    h.update(fp.stored_signature or b"")
    for key in (*fp.bands, *fp.anchors):
        h.update(key.to_bytes(8, "little", signed=True))
    return h.hexdigest()
