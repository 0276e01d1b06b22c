"""newscrawl.text.fastcss: one walk must leave exactly the tree the selector-by-selector drops
leave, and the page index may only skip queries that parsel answers with nothing."""

from __future__ import annotations

import random

import pytest
from lxml import etree
from parsel import Selector

from newscrawl.parsers.base import GENERIC_STRIP_CSS
from newscrawl.publishers import PUBLISHERS
from newscrawl.text.fastcss import (
    IndexedSelector,
    compile_simple,
    drop_selected,
    requirements,
    subject_first_xpath,
)
from tests.conftest import FIXTURES

PAGE = """<html lang="fr" class="no-js page"><head><title>T</title>
<script>var a = 1;</script><style>.x{}</style></head>
<body><!-- a comment --><header id="fh" class="header">Menu <a href="/">Accueil</a></header>
<div class="c-body">Avant<p>Un.</p>tail-p<div class="ad-slot box">pub</div>tail-ad
<div><iframe src="x"></iframe></div>tail-iframe<div class="pic-embed-container"><div><iframe></iframe></div></div>
<p class="fig-paragraph  lead">Deux.</p><span data-id="dataviz-1">chart</span>tail-span
<div hidden>caché</div><div aria-hidden="true">x</div><div aria-hidden="false">garde</div>
<section id="comments"><div class="newsletter"><p>Inscrivez-vous</p></div>tail-inner</section>tail-sec
<p class="a&#9;b">tab</p><p class="share-bar-x">partage</p><ul class="menu"><li class="item">l</li></ul>
<div class="outer ad-slot"><div class="inner newsletter">nested</div>in-tail</div>end</div>
<footer id="footer">pied</footer></body></html>"""

SELECTORS = (
    "script", "style", "[class*=ad-slot]", ".lead", "#fh", "[data-id^=dataviz]", "[hidden]",
    "[aria-hidden=true]", "section#comments", "[class*=newsletter]", "p.a", ".b", "[class$=bar-x]",
    "[class~=menu]", "div.pic-embed-container", "div.c-body > div:has(iframe)", "footer#footer", "li.item",
    "header.header, nav.none",
)


def sequential(html: str, selectors: tuple[str, ...]) -> bytes:
    sel = Selector(text=html)
    for css in selectors:
        try:
            sel.css(css).drop()
        except Exception:
            continue
    return etree.tostring(sel.root)


def fast(html: str, selectors: tuple[str, ...], cls: type[Selector] = IndexedSelector) -> bytes:
    """drop_selected on the parsers' selector (plain lxml.etree elements) or on parsel's own."""
    sel = cls(text=html)
    drop_selected(sel, selectors)
    return etree.tostring(sel.root)


def test_indexed_selector_parses_the_tree_parsel_parses_with_plain_elements():
    import lxml.html

    for html in [PAGE, *_fixture_pages()]:
        ours, theirs = IndexedSelector(text=html), Selector(text=html)
        assert etree.tostring(ours.root) == etree.tostring(theirs.root)
        assert not isinstance(ours.root, lxml.html.HtmlElement)  # no Python class lookup per element
        assert isinstance(theirs.root, lxml.html.HtmlElement)


def test_indexed_selector_drop_keeps_tails_like_lxml_html():
    html = "<html><body><div>a<p>x</p>tail1<p>y</p>tail2</div><div><p>z</p>tail3</div></body></html>"
    for query in ("p", "div > p:first-child", "div p"):
        ours, theirs = IndexedSelector(text=html), Selector(text=html)
        ours.css(query).drop()
        theirs.css(query).drop()
        assert etree.tostring(ours.root) == etree.tostring(theirs.root)
    ours = IndexedSelector(text=html)
    ours.css("p").drop()
    assert etree.tostring(ours.root) == b"<html><body><div>atail1tail2</div><div>tail3</div></body></html>"
    with pytest.raises(Exception, match="no parent"):
        ours.xpath("/html").drop()


@pytest.mark.parametrize("cls", [IndexedSelector, Selector])
def test_same_tree_as_sequential_drops(cls):
    assert fast(PAGE, SELECTORS, cls) == sequential(PAGE, SELECTORS)
    # and it did drop things: ads, comments, tails kept in document order
    out = fast(PAGE, SELECTORS).decode()
    assert "pub" not in out
    assert "Inscrivez" not in out
    assert "garde" in out
    assert "tail-ptail-ad\ntail-iframe\ntail-span" in out


def test_order_matters_for_complex_selectors_and_is_kept():
    # the embed container goes first, so its iframe no longer makes the outer div match :has(iframe)
    html = '<html><body><div class="c-body"><div>keep<div class="pic-embed-container"><iframe></iframe></div></div></div></body></html>'
    order = ("div.pic-embed-container", "div.c-body > div:has(iframe)")
    assert fast(html, order) == sequential(html, order)
    assert b"keep" in fast(html, order)
    assert fast(html, order[::-1]) == sequential(html, order[::-1])
    assert b"keep" not in fast(html, order[::-1])


@pytest.mark.parametrize("selectors", [("html",), ("[lang]", "div"), ("*",), (".page, div",), ("html, p", "p")])
def test_a_selector_matching_the_root_drops_nothing(selectors):
    html = '<html lang="fr" class="page"><body><div>a<p>b</p></div><p>c</p></body></html>'
    assert fast(html, selectors) == sequential(html, selectors)


def test_unparsable_and_unsupported_selectors_fall_back_to_parsel():
    assert compile_simple("div > p") is None
    assert compile_simple("p:first-child") is None
    assert compile_simple("[x=y i]") is None
    assert compile_simple("p::text") is None
    assert compile_simple("div[") is None
    selectors = ("div[", "p:first-child", "div > p", "[class*=ad-slot]")
    assert fast(PAGE, selectors) == sequential(PAGE, selectors)


def test_compound_selectors_are_compiled():
    (simple,) = compile_simple("div#main.a.b[data-x][data-y*=z]") or []
    assert (simple.tag, simple.id, simple.classes) == ("div", "main", ("b", "a"))
    assert simple.matches("div", {"id": "main", "class": "a  b", "data-x": "", "data-y": "xzy"})
    assert not simple.matches("div", {"id": "main", "class": "a", "data-x": "", "data-y": "xzy"})
    assert not simple.matches("p", {"id": "main", "class": "a b", "data-x": "", "data-y": "xzy"})


def _fixture_pages() -> list[str]:
    return [p.read_text(encoding="utf-8", errors="replace") for p in sorted(FIXTURES.glob("pages/*/*.html"))]


@pytest.mark.parametrize("key", sorted(PUBLISHERS))
def test_parser_selectors_on_every_fixture(key):
    selectors = (*PUBLISHERS[key].parser_class().strip_css, *GENERIC_STRIP_CSS)
    for html in _fixture_pages():
        assert fast(html, selectors) == sequential(html, selectors)


def test_random_documents():
    rng = random.Random(7)
    tags = ["div", "p", "span", "section", "a", "li"]
    classes = ["ad-slot", "newsletter", "lead", "a", "b", "menu", "share-bar-x", "x"]
    for _ in range(200):
        parts = []
        for _ in range(rng.randint(1, 25)):
            tag = rng.choice(tags)
            cls = " ".join(rng.sample(classes, rng.randint(0, 2)))
            attrs = f' class="{cls}"' if cls else ""
            attrs += ' hidden' if rng.random() < 0.1 else ""
            attrs += f' id="{rng.choice(["fh", "comments", "z"])}"' if rng.random() < 0.2 else ""
            parts.append(f"<{tag}{attrs}>t{rng.randint(0, 9)}" if rng.random() < 0.6 else f"</{tag}>tail")
        html = "<html><body>" + "".join(parts) + "</body></html>"
        assert fast(html, SELECTORS) == sequential(html, SELECTORS)


def test_index_skips_only_queries_parsel_answers_empty():
    sel = IndexedSelector(text=PAGE)
    index = drop_selected(sel, ("script",))
    assert index is not None
    assert sel.index is index
    queries = [".lead", ".absent", "#fh", "#nope", "time", "div time", ".c-body p", ".c-body .absent", "p, .absent",
               "article h1", "div:not(.absent)", "div:has(.absent)", "ul.menu > li.item", "p::text", "[hidden]"]
    plain = Selector(text=PAGE)
    plain.css("script").drop()
    for query in queries:
        assert [x.get() for x in sel.css(query)] == [x.get() for x in plain.css(query)], query
    for impossible in (".absent", "#nope", "time", ".c-body .absent"):
        assert index.excludes(impossible)
    for possible in ("div:not(.absent)", "p, .absent", "div:has(.absent)"):
        assert not index.excludes(possible)
    assert not index.excludes("div[")  # unparsable: parsel decides (and raises)
    with pytest.raises(Exception):  # noqa: B017, PT011 (parsel's own error, whatever its class)
        sel.css("div[")


def test_requirements_ignore_pseudo_arguments():
    assert requirements("div.a > p#b:not(.c)") == ((frozenset({"a"}), frozenset({"b"}), frozenset({"div", "p"})),)
    assert requirements(".x, span") == ((frozenset({"x"}), frozenset(), frozenset()),
                                       (frozenset(), frozenset(), frozenset({"span"})))


@pytest.mark.parametrize("css", [
    ".c-body p", ".c-body > p", "* p", ".header a", "#fh a", ".c-body p.lead", "[hidden] p", ".x time[datetime]",
    ".c-body > div > iframe", ".c-body div iframe, .menu li", "#comments div p", ".c-body .x p",
])
def test_subject_first_xpath_selects_what_parsel_selects(css):
    xpath = subject_first_xpath(css)
    assert xpath is not None
    assert xpath.startswith("descendant-or-self::")
    for html in [PAGE, *_fixture_pages()]:
        sel = Selector(text=html)
        ours, parsels = sel.xpath(xpath), sel.css(css)  # both alive: lxml gives the same node the same proxy
        assert [x.root for x in ours] == [x.root for x in parsels], html[:80]


@pytest.mark.parametrize("css", ["div.c-body > p", ".lead", "p", ".a + p", ".a p:first-child", ".a p::text", "div[",
                                 ".c-body > .lead", "section#comments div p"])
def test_subject_first_xpath_only_where_it_helps(css):
    assert subject_first_xpath(css) is None


def test_index_answers_through_the_subject_first_xpath():
    sel = IndexedSelector(text=PAGE)
    drop_selected(sel, ("script",))
    plain = Selector(text=PAGE)
    plain.css("script").drop()
    for css in (".c-body p", ".c-body > .lead", "* p"):
        assert [x.get() for x in sel.css(css)] == [x.get() for x in plain.css(css)]
    sub = sel.css("div.c-body")[0]  # a sub-selector has no index: parsel's own translation, its own subtree
    assert [x.get() for x in sub.css("* p")] == [x.get() for x in plain.css("div.c-body")[0].css("* p")]
