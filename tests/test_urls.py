"""The URL canonicalisation table: what dedup compares and what record ids hash."""

from __future__ import annotations

import hashlib
import re

import pytest

from newscrawl.text.urls import canonical_url, is_plausible_canonical, url_id

FI = "https://www.franceinfo.fr/monde/europe/espagne-un-incendie-pres-de-valence_6543210.html"
FIG = "https://www.lefigaro.fr/international/guerre-en-ukraine-le-point-sur-la-situation-20241122"
LP = "https://www.leparisien.fr/faits-divers/un-incendie-a-rungis-07-04-2023-MNMGS7OUPRB4NNWMDFCRXDPULI.php"
D8 = "https://www.daily8.com/fr/article/5c0e2d7a9b3f4e61a8d4c2b7f09e1a36"

TABLE = [
    # franceinfo: two hosts are one site; RSS tracking fragment
    ("https://www.francetvinfo.fr/monde/europe/espagne-un-incendie-pres-de-valence_6543210.html", FI),
    ("https://francetvinfo.fr/monde/europe/espagne-un-incendie-pres-de-valence_6543210.html", FI),
    ("https://franceinfo.fr/monde/europe/espagne-un-incendie-pres-de-valence_6543210.html", FI),
    (FI + "#xtor=RSS-3-[lestitres]", FI),
    ("http://www.francetvinfo.fr/monde/europe/espagne-un-incendie-pres-de-valence_6543210.html#xtor=RSS-3", FI),
    # scheme, host case, default ports, trailing dot and slash, whitespace
    ("HTTP://WWW.LeFigaro.FR/international/guerre-en-ukraine-le-point-sur-la-situation-20241122/", FIG),
    ("http://www.lefigaro.fr:80/international/guerre-en-ukraine-le-point-sur-la-situation-20241122", FIG),
    ("https://www.lefigaro.fr:443/international/guerre-en-ukraine-le-point-sur-la-situation-20241122", FIG),
    ("https://www.lefigaro.fr./international/guerre-en-ukraine-le-point-sur-la-situation-20241122", FIG),
    ("  https://www.lefigaro.fr/international/guerre-en-ukraine-le-point-sur-la-situation-20241122\n", FIG),
    ("https://lefigaro.fr/international/guerre-en-ukraine-le-point-sur-la-situation-20241122", FIG),
    # tracking parameters (utm_*, xtor, at_*, fbclid, ito...) go, the others stay, sorted
    (FIG + "?utm_source=rss&utm_medium=flux&utm_campaign=x", FIG),
    (FIG + "?xtor=AL-155-[twitter]", FIG),
    (FIG + "?at_medium=social&at_campaign=facebook", FIG),
    (FIG + "?fbclid=IwAR0abc&gclid=xyz", FIG),
    (FIG + "?utm_source", FIG),
    (FIG + "?page=2&utm_source=rss", FIG + "?page=2"),
    (FIG + "?b=2&a=1", FIG + "?a=1&b=2"),
    (LP + "?ito=rss&origin=PW", LP),
    (LP + "#xtor=RSS-1", LP),
    # fragments of any kind
    (FIG + "#comments", FIG),
    # AMP variants
    ("https://amp.lefigaro.fr/international/guerre-en-ukraine-le-point-sur-la-situation-20241122", FIG),
    (FIG + "/amp", FIG),
    (FIG + "/amp/", FIG),
    ("https://www.leparisien.fr/amp/faits-divers/un-incendie-a-rungis-07-04-2023-MNMGS7OUPRB4NNWMDFCRXDPULI.php", LP),
    ("https://www.franceinfo.fr/monde/europe/espagne-un-incendie-pres-de-valence_6543210.amp.html", FI),
    ("https://www.franceinfo.fr/amp/monde/europe/espagne-un-incendie-pres-de-valence_6543210.html", FI),
    (FI + "?amp=1", FI),
    (FI + "?outputType=amp", FI),
    # "amp" inside a word is not AMP
    ("https://www.lefigaro.fr/sciences/la-campagne-des-amphores-20240101",
     "https://www.lefigaro.fr/sciences/la-campagne-des-amphores-20240101"),
    # percent-encoding normalised, path case kept (Le Parisien ids are upper case)
    ("https://www.lefigaro.fr/culture/caf%c3%a9-des-arts-20240101", "https://www.lefigaro.fr/culture/caf%C3%A9-des-arts-20240101"),
    ("https://www.lefigaro.fr/culture/café-des-arts-20240101", "https://www.lefigaro.fr/culture/caf%C3%A9-des-arts-20240101"),
    # IDN hosts in punycode; user info dropped
    ("https://café.example/x", "https://xn--caf-dma.example/x"),
    ("https://user:secret@www.lefigaro.fr/international/guerre-en-ukraine-le-point-sur-la-situation-20241122", FIG),
    # a URL written without scheme
    ("//www.lefigaro.fr/international/guerre-en-ukraine-le-point-sur-la-situation-20241122", FIG),
    ("www.lefigaro.fr/international/guerre-en-ukraine-le-point-sur-la-situation-20241122", FIG),
    # Daily8
    ("https://daily8.com/fr/article/5c0e2d7a9b3f4e61a8d4c2b7f09e1a36/", D8),
    # a local mirror keeps its scheme and port (it may not speak TLS)
    ("http://127.0.0.1:8080/international/slug-20240430/#xtor=RSS-1", "http://127.0.0.1:8080/international/slug-20240430"),
    ("https://127.0.0.1:8443/x", "https://127.0.0.1:8443/x"),
    # site roots
    ("https://www.lefigaro.fr", "https://www.lefigaro.fr/"),
]


@pytest.mark.parametrize(("raw", "expected"), TABLE)
def test_canonical_url(raw, expected):
    assert canonical_url(raw) == expected


@pytest.mark.parametrize(("raw", "expected"), TABLE)
def test_canonical_url_is_idempotent(raw, expected):
    assert canonical_url(canonical_url(raw)) == canonical_url(raw)


@pytest.mark.parametrize("raw", ["", "not a url", "http://[::1", "mailto:redaction@lefigaro.fr", "javascript:void(0)"])
def test_canonical_url_never_raises(raw):
    assert isinstance(canonical_url(raw), str)


def test_url_id_is_16_hex_and_stable_across_variants():
    variants = [FI, FI + "#xtor=RSS-3-[lestitres]", FI.replace("www.franceinfo.fr", "www.francetvinfo.fr"),
                FI.replace("https", "http") + "?utm_source=twitter"]
    ids = {url_id(v) for v in variants}
    assert len(ids) == 1
    (the_id,) = ids
    assert re.fullmatch(r"[0-9a-f]{16}", the_id)
    assert url_id(FIG) != the_id


def test_url_id_is_pinned():
    # Record ids are a contract across runs and releases: sha1 of the canonical URL, 16 hex chars.
    # If this fails, every record id changes and every article would be collected again.
    assert url_id(FI + "#xtor=RSS-3-[lestitres]") == "3f8260568f57f7dd"
    assert url_id(FI) == hashlib.sha1(FI.encode()).hexdigest()[:16]


@pytest.mark.parametrize(
    ("declared", "fetched", "ok"),
    [
        (FIG, FIG, True),
        (FIG, "http://127.0.0.1:8080/international/x-20241122", True),  # a mirror's page declares the real URL
        (D8, "https://www.daily8.com/fr/article/5c0e2d7a9b3f4e61a8d4c2b7f09e1a36", True),
        ("https://www.lefigaro.fr/", FIG, False),  # a template bug: every page would be one article
        ("https://www.lefigaro.fr/international", FIG, False),  # a section
        ("https://www.lefigaro.fr/international/", FIG, False),
        ("https://www.example.fr/article-12345", "https://www.example.fr/news/article-12345", True),  # ids have digits
        ("https://www.example.fr/?p=123", "https://www.example.fr/2024/01/slug", True),
        (None, FIG, False),
        ("", FIG, False),
        ("mailto:x@y.fr", FIG, False),
    ],
)
def test_is_plausible_canonical(declared, fetched, ok):
    assert is_plausible_canonical(declared, fetched) is ok


@pytest.mark.parametrize(("url", "section"), [
    ("https://www.francetvinfo.fr/faits-divers/justice-proces/un-titre_5755658.html", "faits-divers"),
    ("https://www.lefigaro.fr/international/un-titre-20241122", "international"),
    ("https://www.lefigaro.fr/un-titre-20241122", None),  # no section level
    ("https://exemple.fr/Actu%C3%A9/un-titre", None),  # not a plain slug
    ("https://exemple.fr/", None),
])
def test_url_section(url, section):
    from newscrawl.text.urls import url_section

    assert url_section(url) == section
