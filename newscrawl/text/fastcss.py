"""Faster CSS for the parsers, with the same results as parsel: used by newscrawl.parsers.base.

1. **Dropping noise in one walk.** ``for css in selectors: sel.css(css).drop()`` costs one XPath
   evaluation per selector, and a selector that does not start with a tag name
   (``[class*=newsletter]``, ``.sr-only``) evaluates its predicate on every element of the page: with
   ~80 noise selectors that was the biggest cost of a parse (docs/benchmarks.md). The selectors made
   only of a tag, ``#id``, ``.class`` and attribute tests (``[a]``, ``[a=v]``, ``[a*=v]``, ``[a^=v]``,
   ``[a$=v]``, ``[a~=v]``: all our noise selectors but one) are compiled into lookup tables and
   matched in one walk over the elements; any other selector (combinators, pseudo-classes) still
   goes through parsel, in its place in the sequence.

   Same tree as the sequential drops: a simple selector's match depends only on the element's own
   tag and attributes, which dropping other elements never changes, and ``drop_tree`` joins the
   tails of dropped elements in document order whatever the order of the drops. Two details of the
   sequential version are kept on purpose: a selector that matches the root element drops nothing
   (parsel raises on the root, which comes first in document order, before dropping anything), and
   a selector that cannot be parsed is skipped; both are logged at DEBUG, as before.

2. **A page index** (class tokens, ids, tag names) collected on that walk: :class:`IndexedSelector`
   answers at once, with no match, a query that needs a class, id or tag the page does not have
   (most fallback selectors are for the other template generation).

3. **Subject first**: a query like ``.publication-date__published time[datetime]`` runs as
   ``descendant-or-self::time[@datetime][ancestor::*[<class test>]]`` (:func:`subject_first_xpath`)
   instead of testing the class on every element of the page.

tests/test_text_fastcss.py compares each of them with parsel on synthetic and fixture pages.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from cssselect import SelectorError, parse
from cssselect.parser import Attrib, Class, CombinedSelector, Element, Hash
from cssselect.xpath import is_non_whitespace, is_safe_name
from lxml import etree
from parsel import Selector
from parsel.csstranslator import HTMLTranslator
from parsel.selector import CannotDropElementWithoutParent, create_root_node

logger = logging.getLogger(__name__)

_XML_SPACE = re.compile(r"[ \t\r\n]+")  # XPath normalize-space() whitespace, not str.split()'s

_TRANSLATOR = HTMLTranslator()


def class_tokens(value: str | None) -> list[str]:
    """The tokens of a class attribute as XPath's ``normalize-space`` splits them."""
    return [t for t in _XML_SPACE.split(value) if t] if value else []


@dataclass(frozen=True)
class Simple:
    """A compound selector of the simple kind: ``tag#id.a.b[x][y*=z]`` (every part optional)."""

    css: str
    tag: str | None = None
    id: str | None = None
    classes: tuple[str, ...] = ()
    attrs: tuple[tuple[str, str, str | None], ...] = ()
    """(name, operator, value): cssselect's operators ``exists``, ``=``, ``*=``, ``^=``, ``$=``, ``~=``."""

    def matches(self, tag: str, attrib: dict[str, str]) -> bool:
        if self.tag is not None and tag != self.tag:
            return False
        if self.id is not None and attrib.get("id") != self.id:
            return False
        if self.classes:
            tokens = class_tokens(attrib.get("class"))
            if not all(c in tokens for c in self.classes):
                return False
        return all(_attr_ok(attrib.get(name), op, value) for name, op, value in self.attrs)


def _attr_ok(actual: str | None, op: str, value: str | None) -> bool:
    """cssselect's HTML translation of one attribute test (an empty value never matches
    ``*=``/``^=``/``$=``/``~=``)."""
    if actual is None:
        return False
    if op == "exists":
        return True
    if op == "=":
        return actual == value
    if not value:
        return False
    if op == "*=":
        return value in actual
    if op == "^=":
        return actual.startswith(value)
    if op == "$=":
        return actual.endswith(value)
    if op == "~=":
        return bool(is_non_whitespace(value)) and value in class_tokens(actual)
    raise ValueError(op)


_OPERATORS = {"exists", "=", "*=", "^=", "$=", "~="}


def compile_simple(css: str) -> list[Simple] | None:
    """``css`` (a group of selectors) as Simple selectors, or None when any part is not simple
    (combinator, pseudo-class, namespace, case flag, unsupported operator, syntax error)."""
    return _compile_branches(css, subjects=False)


def compile_subjects(css: str) -> list[Simple] | None:
    """The subject (the compound that matches, right of any combinator) of each comma branch of
    ``css`` as a Simple selector: an element ``css`` matches is matched by one of them. None when
    a subject is not simple or ``css`` does not parse."""
    return _compile_branches(css, subjects=True)


def _compile_branches(css: str, *, subjects: bool) -> list[Simple] | None:
    try:
        selectors = parse(css)
    except SelectorError:
        return None
    out = []
    for selector in selectors:
        if selector.pseudo_element is not None:
            return None
        node = selector.parsed_tree
        while subjects and isinstance(node, CombinedSelector):
            node = node.subselector
        simple = compile_compound(node, css)
        if simple is None:
            return None
        out.append(simple)
    return out


def compile_compound(node: Any, css: str) -> Simple | None:
    """One compound of a parsed selector (cssselect's tree, no combinator) as a Simple selector,
    or None when it is not of the simple kind."""
    tag: str | None = None
    ident: str | None = None
    classes: list[str] = []
    attrs: list[tuple[str, str, str | None]] = []
    while True:
        if isinstance(node, Element):
            if node.namespace is not None:
                return None
            if node.element and node.element != "*":
                tag = node.element.lower()
            break
        if isinstance(node, Class):
            classes.append(node.class_name)
        elif isinstance(node, Hash):
            if ident is not None and ident != node.id:
                return None  # "#a#b": leave such oddities to parsel
            ident = node.id
        elif isinstance(node, Attrib):
            if node.namespace is not None or node.flag is not None or node.operator not in _OPERATORS:
                return None
            value = None if node.value is None else node.value.value
            attrs.append((node.attrib.lower(), node.operator, value))
        else:
            return None
        node = node.selector
    if any(not c or not is_non_whitespace(c) for c in classes):
        return None  # cssselect makes these match nothing; rare enough to leave to parsel
    return Simple(css=css, tag=tag, id=ident, classes=tuple(classes), attrs=tuple(attrs))


@dataclass(eq=False)  # compared and hashed by identity (walkers are cached per group tuple)
class _Group:
    """Simple selectors matched together: lookup tables built from their conditions, so that an
    element costs a few dictionary lookups and one regex search per attribute, whatever the number
    of selectors."""

    selectors: list[Simple] = field(default_factory=list)
    tags: set[str] = field(default_factory=set)
    """Selectors that are a bare tag name."""
    anything: bool = False
    """A ``*`` selector: every element matches."""
    by_tag: dict[str, list[Simple]] = field(default_factory=dict)
    """Selectors with a tag and more (no class, no id)."""
    by_class: dict[str, list[Simple]] = field(default_factory=dict)
    """Selectors with a class, by their first class."""
    by_id: dict[str, list[Simple]] = field(default_factory=dict)
    by_attr: dict[str, list[Simple]] = field(default_factory=dict)
    """Selectors of several attribute tests (no tag, class, id), by their first attribute's name."""
    exists: set[str] = field(default_factory=set)
    """``[a]`` alone: attribute names."""
    equals: dict[str, set[str]] = field(default_factory=dict)
    """``[a=v]`` alone: values per attribute name."""
    _contains: dict[str, list[str]] = field(default_factory=dict)
    _prefix: dict[str, list[str]] = field(default_factory=dict)
    _suffix: dict[str, list[str]] = field(default_factory=dict)
    _includes: dict[str, set[str]] = field(default_factory=dict)
    contains_rx: dict[str, re.Pattern[str]] = field(default_factory=dict)
    """``[a*=v]`` alone: one alternation of the substrings per attribute name."""
    prefixes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    suffixes: dict[str, tuple[str, ...]] = field(default_factory=dict)
    _names: set[str] | None = None

    def add(self, s: Simple) -> None:
        self.selectors.append(s)
        self._names = None
        if s.classes:
            self.by_class.setdefault(s.classes[0], []).append(s)
        elif s.id is not None:
            self.by_id.setdefault(s.id, []).append(s)
        elif s.tag is not None and not s.attrs:
            self.tags.add(s.tag)
        elif s.tag is not None:
            self.by_tag.setdefault(s.tag, []).append(s)
        elif len(s.attrs) == 1:
            self._add_attr(*s.attrs[0])
        elif s.attrs:
            self.by_attr.setdefault(s.attrs[0][0], []).append(s)
        else:
            self.anything = True

    def _add_attr(self, name: str, op: str, value: str | None) -> None:
        if op == "exists":
            self.exists.add(name)
        elif op == "=":
            self.equals.setdefault(name, set()).add(value or "")
        elif not value:
            return  # an empty *=, ^=, $=, ~= value matches nothing
        elif op == "*=":
            self._contains.setdefault(name, []).append(value)
            self.contains_rx[name] = re.compile("|".join(map(re.escape, self._contains[name])))
        elif op == "^=":
            self._prefix.setdefault(name, []).append(value)
            self.prefixes[name] = tuple(self._prefix[name])
        elif op == "$=":
            self._suffix.setdefault(name, []).append(value)
            self.suffixes[name] = tuple(self._suffix[name])
        elif op == "~=" and is_non_whitespace(value):
            self._includes.setdefault(name, set()).add(value)

    def active(self, root: Any) -> _Group:
        """This group without the selectors that match ``root``: parsel raises on the root, first in
        document order, so such a selector (with the rest of its comma group) drops nothing."""
        tag, attrib = root.tag, dict(root.attrib)
        refused = {s.css for s in self.selectors if s.matches(tag, attrib)}
        if not refused:
            return self
        for css in sorted(refused):
            logger.debug("Cannot drop %s: it matches the root element", css)
        group = _Group()
        for s in self.selectors:
            if s.css not in refused:
                group.add(s)
        return group

    @property
    def names(self) -> set[str]:
        """Attribute names some selector of the group looks at."""
        if self._names is None:
            self._names = {*self.exists, *self.equals, *self.contains_rx, *self.prefixes, *self.suffixes,
                           *self._includes, *self.by_attr}
            if self.by_class:
                self._names.add("class")
            if self.by_id:
                self._names.add("id")
        return self._names

    def attr_hit(self, name: str, value: str) -> bool | tuple[Simple, ...]:
        """True when this attribute alone makes a match, else the selectors it makes candidates
        (checked against the whole element), possibly none. A function of (name, value) only."""
        if name in self.exists:
            return True
        values = self.equals.get(name)
        if values is not None and value in values:
            return True
        rx = self.contains_rx.get(name)
        if rx is not None and rx.search(value):
            return True
        affixes = self.prefixes.get(name)
        if affixes is not None and value.startswith(affixes):
            return True
        affixes = self.suffixes.get(name)
        if affixes is not None and value.endswith(affixes):
            return True
        words = self._includes.get(name)
        if words is not None and words.intersection(class_tokens(value)):
            return True
        candidates: list[Simple] = list(self.by_attr.get(name, ()))
        if name == "class" and self.by_class:
            for token in class_tokens(value):
                candidates.extend(self.by_class.get(token, ()))
        elif name == "id":
            candidates.extend(self.by_id.get(value, ()))
        return tuple(candidates)


class PageIndex:
    """The class tokens and ids of a page's elements, collected before the strip drops anything,
    and its tag names, looked up in the tree when a query first asks (memoised). Elements are only
    ever removed afterwards, so it stays a superset of what the tree holds."""

    def __init__(self, root: Any = None) -> None:
        self.classes: set[str] = set()
        self.ids: set[str] = set()
        self._class_values: set[str] = set()
        self._root = root
        self._tags: dict[str, bool] = {}

    def add(self, el: Any) -> None:
        value = el.get("class")
        if value is not None:
            self.add_class_value(value)
        ident = el.get("id")
        if ident is not None:
            self.ids.add(ident)

    def add_class_value(self, value: str) -> None:
        if value not in self._class_values:
            self._class_values.add(value)
            self.classes.update(class_tokens(value))

    def has_tag(self, tag: str) -> bool:
        """Whether an element named ``tag`` is in the tree (one C-level search, stopped at the
        first; True when there is no tree to look in)."""
        found = self._tags.get(tag)
        if found is None:
            root = self._root
            found = root is None or root.tag == tag or next(root.iter(tag), None) is not None
            self._tags[tag] = found
        return found

    def excludes(self, css: str) -> bool:
        """True when no element can match ``css``: each of its comma branches needs a class, id or
        tag name that no element of the page has. False when in doubt (unparsable query)."""
        branches = requirements(css)
        if branches is None:
            return False
        return all(
            not (c <= self.classes and i <= self.ids and all(self.has_tag(t) for t in ts))
            for c, i, ts in branches
        )


Needs = tuple[frozenset[str], frozenset[str], frozenset[str]]


@lru_cache(maxsize=4096)
def requirements(css: str) -> tuple[Needs, ...] | None:
    """Per comma branch of ``css``, the class tokens, ids and tag names an element of the page must
    have for the branch to match anything (only the subjects of compounds count: what sits inside
    :not(), :has() and other arguments is not required). None when cssselect cannot parse it."""
    try:
        selectors = parse(css)
    except SelectorError:
        return None
    out = []
    for selector in selectors:
        classes: set[str] = set()
        ids: set[str] = set()
        tags: set[str] = set()
        _needs(selector.parsed_tree, classes, ids, tags)
        out.append((frozenset(classes), frozenset(ids), frozenset(tags)))
    return tuple(out)


def _needs(node: Any, classes: set[str], ids: set[str], tags: set[str]) -> None:
    while node is not None:
        if isinstance(node, CombinedSelector):  # "a b", "a > b", "a + b", "a ~ b": both sides match an element
            _needs(node.subselector, classes, ids, tags)
        elif isinstance(node, Element):
            name = node.element
            if node.namespace is None and name and name != "*" and is_safe_name(name):
                tags.add(name.lower())
            return
        elif isinstance(node, Class):
            if node.class_name and is_non_whitespace(node.class_name):
                classes.add(node.class_name)
        elif isinstance(node, Hash):
            ids.add(node.id)
        node = getattr(node, "selector", None)


@lru_cache(maxsize=4096)
def subject_first_xpath(css: str) -> str | None:
    """``css`` as an XPath that tests the subject's tag first, when parsel's translation would test
    a class on every element of the page: ``.a time[datetime]`` becomes
    ``descendant-or-self::time[@datetime][ancestor::*[<.a>]]`` (parsel: ``descendant-or-self::*[<.a>]
    /descendant::time[@datetime]``), the same node-set from the document root, in document order.

    Only for comma groups of chains of plain compounds (tag, #id, .class, [attr]) joined by " " or
    ">", whose subject has a tag and whose leftmost compound has none; None otherwise (parsel's
    translation is then used). Valid from the root element only (the ancestors it tests may lie
    above a sub-selector's node)."""
    try:
        selectors = parse(css)
    except SelectorError:
        return None
    branches = []
    for selector in selectors:
        if selector.pseudo_element is not None:
            return None
        chain: list[tuple[str, Any]] = []  # (combinator to the compound on its right, compound), subject first
        node, combinator = selector.parsed_tree, ""
        while isinstance(node, CombinedSelector):
            if node.combinator not in (" ", ">"):
                return None
            chain.append((combinator, node.subselector))
            node, combinator = node.selector, node.combinator
        chain.append((combinator, node))
        if len(chain) < 2 or any(compile_compound(c, css) is None for _, c in chain):
            return None
        parts = [_TRANSLATOR.xpath(c) for _, c in chain]  # subject first
        if parts[0].element == "*" or parts[-1].element != "*":
            return None
        xpath = ""
        for (comb, _), part in zip(reversed(chain[1:]), reversed(parts[1:]), strict=True):
            axis = "ancestor" if comb == " " else "parent"
            cond = f"[{part.condition}]" if part.condition else ""
            xpath = f"[{axis}::{part.element}{cond}{xpath}]"
        subject = parts[0]
        cond = f"[{subject.condition}]" if subject.condition else ""
        branches.append(f"descendant-or-self::{subject.element}{cond}{xpath}")
    return " | ".join(branches) if branches else None


def remove_keeping_tail(el: Any, *, blank_tail: bool = True) -> bool:
    """Remove ``el`` and its children, keeping the text that follows it: its tail joins the
    previous sibling's tail, or the parent's text. A tail of only spaces is kept too unless
    ``blank_tail`` is False. False (nothing removed) when ``el`` has no parent."""
    parent = el.getparent()
    if parent is None:
        return False
    if el.tail and (blank_tail or el.tail.strip()):
        previous = el.getprevious()
        if previous is None:
            parent.text = (parent.text or "") + el.tail
        else:
            previous.tail = (previous.tail or "") + el.tail
    parent.remove(el)
    return True


def drop_tree(el: Any) -> None:
    """``lxml.html``'s ``HtmlElement.drop_tree()`` for any element: remove ``el`` and its children;
    its tail text joins the previous sibling's tail, or the parent's text."""
    if not remove_keeping_tail(el):
        raise CannotDropElementWithoutParent("The node you're trying to remove has no parent")


def html_root(text: str, base_url: str | None = None, huge_tree: bool = True) -> Any:
    """parsel's ``create_root_node(text, etree.HTMLParser, ...)``, the same bytes to the same
    parser: ``text.strip().replace("\\x00", "").encode("utf-8")``, with the NUL characters removed
    from the UTF-8 bytes instead (a NUL byte is only ever U+0000 in UTF-8): a bytes search costs a
    fraction of ``str.replace``'s scan of a non-ASCII page (~0.3 ms on a 150 kB page)."""
    if not text or not huge_tree:  # parsel's own path (and its warning on a too big page)
        return create_root_node(text, etree.HTMLParser, base_url=base_url, huge_tree=huge_tree)
    body = text.strip().encode("utf-8")
    if b"\x00" in body:
        body = body.replace(b"\x00", b"")
    if not body:
        body = b"<html/>"
    parser = etree.HTMLParser(recover=True, encoding="utf-8", huge_tree=huge_tree)
    root = etree.fromstring(body, parser=parser, base_url=base_url)
    if root is None:
        root = etree.fromstring(b"<html/>", parser=parser, base_url=base_url)
    return root


class IndexedSelector(Selector):
    """A parsel Selector whose ``css()`` answers at once, with no match, a query that needs a class,
    id or tag name absent from the page (``index``, set by :func:`drop_selected`); any other query,
    and every query before the index exists or on a sub-selector, goes to parsel unchanged.

    A class-first selector (``.publication-date__modified time``) costs parsel an XPath predicate on
    every element of the page, 1-2 ms on a real page; most of a parser's fallback selectors are for
    the other template generation and match nothing.

    Built from ``text``, its tree is parsed as parsel does (same parser options, same tree) but with
    ``lxml.etree.HTMLParser`` rather than ``lxml.html``'s: lxml.html asks a Python class lookup for
    every element object it hands out (each iteration step, each XPath result), which made half the
    cost of a walk over the page. The only ``lxml.html`` method the parsers used, ``drop_tree()``,
    is :func:`drop_tree`; ``drop()`` uses it."""

    index: PageIndex | None = None

    def __init__(self, text: str | None = None, **kwargs: Any) -> None:
        if text is not None and kwargs.get("type") in (None, "html") and "root" not in kwargs:
            kwargs["root"] = html_root(text, base_url=kwargs.pop("base_url", None),
                                       huge_tree=kwargs.pop("huge_tree", True))
            kwargs["type"] = "html"
            text = None
        super().__init__(text, **kwargs)

    def drop(self) -> None:
        root = self.root
        if self.type == "html" and isinstance(root, etree._Element):
            drop_tree(root)
        else:
            super().drop()

    def css(self, query: str) -> Any:
        index = self.index
        if index is None:
            return super().css(query)
        if index.excludes(query):
            return self.selectorlist_cls([])
        xpath = subject_first_xpath(query)
        return super().css(query) if xpath is None else self.xpath(xpath)


@dataclass
class _Walker:
    """The groups of one drop, merged for the walk: per tag, the selectors to test (None: a bare tag
    name, it matches); per (attribute name, value), memoised, what each group makes of it."""

    groups: tuple[_Group, ...]
    by_tag: dict[str, list[tuple[int, Simple | None]]] = field(default_factory=dict)
    every: tuple[int, ...] = ()
    """Groups with a ``*`` selector: every element matches."""
    names: set[str] = field(default_factory=lambda: {"class", "id"})
    _memo: dict[tuple[str, str], tuple[tuple[int, bool | tuple[Simple, ...]], ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.every = tuple(gi for gi, g in enumerate(self.groups) if g.anything)
        for gi, g in enumerate(self.groups):
            for tag in g.tags:
                self.by_tag.setdefault(tag, []).append((gi, None))
            for tag, selectors in g.by_tag.items():
                self.by_tag.setdefault(tag, []).extend((gi, s) for s in selectors)
            self.names |= g.names

    def attr_result(self, name: str, value: str) -> tuple[tuple[int, bool | tuple[Simple, ...]], ...]:
        key = (name, value)
        found = self._memo.get(key)
        if found is None:
            found = tuple((gi, r) for gi, r in ((gi, g.attr_hit(name, value)) for gi, g in enumerate(self.groups)) if r)
            if len(self._memo) > 20_000:  # bounded (~4 MB): attribute values repeat, ids less so
                self._memo.clear()
            self._memo[key] = found
        return found


@lru_cache(maxsize=256)
def _walker(groups: tuple[_Group, ...]) -> _Walker:
    return _Walker(groups)


class SelectorDropper:
    """Drops what ``selectors`` match, as ``for css in selectors: sel.css(css).drop()`` would."""

    def __init__(self, selectors: Sequence[str]) -> None:
        self.selectors = tuple(selectors)
        self.steps: list[_Group | str] = []
        for css in self.selectors:
            simple = compile_simple(css)
            if simple is None:
                self.steps.append(css)
                continue
            if not self.steps or not isinstance(self.steps[-1], _Group):
                self.steps.append(_Group())
            group = self.steps[-1]
            assert isinstance(group, _Group)
            for s in simple:
                group.add(s)

    def drop(self, sel: Selector, keep: Callable[[Any], bool] | None = None) -> PageIndex | None:
        """Drop, and return the index of the page collected on the way (None when no walk was needed).
        ``keep``: a matched element for which it returns True stays (newscrawl.text.guard: the
        page's content containers), and so does what it holds unless matched itself."""
        if sel.type != "html":  # drop_tree() and tails differ for XML: the plain way
            for css in self.selectors:
                self._drop_css(sel, css, keep)
            return None
        root = sel.root
        groups = [step.active(root) if isinstance(step, _Group) else None for step in self.steps]
        # One walk finds the elements of every group: a simple selector's match depends only on
        # the element's own tag and attributes, which the drops before its turn do not change.
        index = PageIndex(root) if isinstance(getattr(root, "tag", None), str) else None
        found = self._find(root, [g for g in groups if g is not None and g.selectors], index)
        for step, group in zip(self.steps, groups, strict=True):
            if group is None:
                assert isinstance(step, str)
                self._drop_css(sel, step, keep)  # after the drops before it, as in the sequential version
            else:
                for el in found.get(id(group), ()):  # document order; one inside a dropped one goes with it
                    # getparent() None: already dropped (by an earlier group or selector)
                    if el.getparent() is not None and (keep is None or not keep(el)):
                        drop_tree(el)
        if isinstance(sel, IndexedSelector):
            sel.index = index
        return index

    @staticmethod
    def _find(root: Any, groups: list[_Group], index: PageIndex | None) -> dict[int, list[Any]]:
        """The elements (document order, never the root) each group matches, in one walk that also
        fills ``index``. (libxml2's XPath is no faster here: ``//*[<conditions>]`` costs more per
        element than this loop, and ``//@class`` alone half of it.)"""
        found: dict[int, list[Any]] = {id(g): [] for g in groups}
        if index is None:
            return found
        index.add(root)  # indexed, never dropped (see _Group.active)
        ids, add_class_value = index.ids, index.add_class_value
        it = root.iter(etree.Element)  # elements only: no comments, processing instructions, entities
        next(it)
        if not groups:
            for el in it:
                value = el.get("class")
                if value is not None:
                    add_class_value(value)
                value = el.get("id")
                if value is not None:
                    ids.add(value)
            return found
        outs = [found[id(g)] for g in groups]
        walker = _walker(tuple(groups))
        by_tag, names, every = walker.by_tag, walker.names, walker.every
        memo, attr_result = walker._memo, walker.attr_result
        class_values = index._class_values
        for el in it:
            tag = el.tag
            items = el.items()
            tag_selectors = by_tag.get(tag)
            if not items and not tag_selectors and not every:
                continue
            hits: set[int] | None = None
            if tag_selectors:
                for gi, s in tag_selectors:
                    if s is None or s.matches(tag, dict(items)):
                        hits = hits or set()
                        hits.add(gi)
            for name, value in items:
                if name not in names:
                    continue
                if name == "class":
                    if value not in class_values:
                        add_class_value(value)
                elif name == "id":
                    ids.add(value)
                result = memo.get((name, value))
                if result is None:
                    result = attr_result(name, value)
                for gi, res in result:
                    if res is True or any(c.matches(tag, dict(items)) for c in res):  # type: ignore[union-attr]
                        hits = hits or set()
                        hits.add(gi)
            if every:
                hits = (hits or set()).union(every)
            if hits:
                for gi in hits:
                    outs[gi].append(el)
        return found

    @staticmethod
    def _drop_css(sel: Selector, css: str, keep: Callable[[Any], bool] | None = None) -> None:
        try:
            found = sel.css(css)
            if keep is not None:
                found = [node for node in found if not (isinstance(node.root, etree._Element) and keep(node.root))]
            for node in found:
                node.drop()
        except Exception:  # parsel refuses to drop the root; a bad selector must not kill a page
            logger.debug("Cannot drop %s", css, exc_info=True)


@lru_cache(maxsize=256)
def dropper(selectors: tuple[str, ...]) -> SelectorDropper:
    """The compiled dropper of a selector sequence (parser classes reuse theirs)."""
    return SelectorDropper(selectors)


def drop_selected(sel: Selector, selectors: tuple[str, ...],
                  keep: Callable[[Any], bool] | None = None) -> PageIndex | None:
    """Remove from ``sel``'s tree every element ``selectors`` match (see the module docstring),
    except those ``keep`` says to keep; on an :class:`IndexedSelector`, also set its ``index``."""
    return dropper(selectors).drop(sel, keep)
