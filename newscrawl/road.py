"""One road for a page: (url, body, fetched_at) -> a clean record, defined once.

The road's stops, in order (:data:`ROAD`):

1. ``check``: what the body is (empty, binary, not HTML, truncated, charset trouble): a drop
   reason or warnings (:func:`check_page`);
2. ``parse``: the site's parser (``newscrawl.parsers.parse_page``), then the page-level
   verdicts on what it found: fields in error, a canonical URL refused (:func:`parse_warnings`),
   no title, no body, markup too deep (:func:`page_reason`) and implausible dates
   (:func:`check_dates`);
3. ``paywall``, ``related``, ``noise``: the cleaning steps (:data:`CLEANING`, from
   ``newscrawl.clean``);
4. ``finalize``: ``word_count`` recomputed, no title / no body after cleaning (:func:`finalize`).

Who walks it: the spider runs ``check`` and ``parse`` (spiders/_base.py ``parse_article``),
the item pipelines run one cleaning step each (pipelines/strip_*.py, calling
:func:`clean_step`) and then ``finalize`` (pipelines/finalize.py), in ITEM_PIPELINES order,
which must be :data:`CLEANING`'s (tests/test_road.py checks it). ``python -m newscrawl
extract``, the fixtures' runner (``newscrawl.fixtures``) and the benchmarks run the whole road
at once with :func:`run`.

Each cleaning step and ``finalize`` runs once per item: an item that comes back through the
pipelines (a deferred aggregator copy or teaser released by the dedup step) is passed through
untouched, never cleaned twice (:func:`clean_step` returns None for it).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from newscrawl.clean import STEPS as CLEAN_STEPS
from newscrawl.clean import strip_line_noise, strip_paywall, strip_related
from newscrawl.clean.steps import DEFAULT_MAX_REMOVED_RATIO
from newscrawl.pagecheck import (
    HTML_TYPES,
    binary_kind,
    charset_problem,
    header_charset,
    is_before_news,
    is_future,
    looks_truncated,
    media_type,
)
from newscrawl.text.dates import parse_iso
from newscrawl.text.markup import wide_encoding
from newscrawl.text.normalize import word_count

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from newscrawl.items import ArticleItem
    from newscrawl.parsers.base import ArticleParser


@dataclass(frozen=True)
class CleaningStep:
    name: str
    """The step's name on the road ("paywall", "related", "noise")."""
    run: Callable[..., Counter[str]]
    """``run(item, max_removed_ratio=...)`` mutates the item, returns lines removed per rule."""


_STEP_NAMES = {strip_paywall: "paywall", strip_related: "related", strip_line_noise: "noise"}
CLEANING: tuple[CleaningStep, ...] = tuple(CleaningStep(_STEP_NAMES[run], run) for run in CLEAN_STEPS)
"""The cleaning steps, in the order they run (``newscrawl.clean.STEPS``'s, which
``clean_item`` follows too; ITEM_PIPELINES 200, 300, 400)."""
STEPS: dict[str, CleaningStep] = {step.name: step for step in CLEANING}
ROAD: tuple[str, ...] = ("check", "parse", *STEPS, "finalize")
"""Every stop of a page's road, in order."""

DEFAULT_FUTURE_TOLERANCE = timedelta(hours=6)
"""NEWSCRAWL_FUTURE_DATE_TOLERANCE's default."""
# Request flags of a body cut short (StopDownload, or a connection closed early).
PARTIAL_FLAGS = frozenset({"download_stopped", "partial", "dataloss"})
_DONE = "_newscrawl_road_done"
"""Attribute of an item naming the road's stops it has passed (not a record field)."""

NOT_AN_ARTICLE = {
    "no_title": "no headline was found (an index, a listing or an unknown layout?)",
    "no_body": "a headline but no article text was found (a video, a live page or an empty template?)",
    "too_deep": "no body text found in markup nested past 2,048 levels",
}
"""The road's reasons for "not an article", as sentences."""


# ---------------------------------------------------------------- once per item
def passed(item: Any, stop: str) -> bool:
    """``item`` has already passed this stop of the road."""
    return stop in getattr(item, _DONE, ())


def _mark(item: Any, stop: str) -> None:
    done = getattr(item, _DONE, None)
    if done is None:
        done = set()
        setattr(item, _DONE, done)
    done.add(stop)


# ---------------------------------------------------------------- check
@dataclass
class PageCheck:
    """What ``check`` found: the body to parse (UTF-16/32 re-encoded as UTF-8), the charset to
    read it with, a drop reason (then ``detail`` says why) and warnings (reason, detail)."""

    body: bytes | str
    encoding: str | None
    drop: str | None = None
    detail: str = ""
    warnings: list[tuple[str, str]] = field(default_factory=list)


def check_page(body: bytes | str, content_type: bytes | str | None = None, *, encoding: str | None = None,
               flags: Iterable[str] = ()) -> PageCheck:
    """The checks on the body itself, before any parse: ``empty_body``, ``truncated_body``
    (a body shorter than its Content-Length or a compressed body cut short: flag
    ``dataloss``), ``binary``, ``not_html``
    drop the page; ``content_type``, charset trouble, ``truncated_body``/``truncated_html``
    are warnings. ``encoding`` is the charset known from elsewhere (``extract --encoding``);
    by default the Content-Type's."""
    flags = set(flags)
    ctype = media_type(content_type)
    declared = encoding or header_charset(content_type)
    if isinstance(body, str):  # already text (a benchmark page): nothing to decode or sniff
        return PageCheck(body, declared, *(("empty_body", "empty body") if not body.strip() else ()))
    if not body.strip():
        return PageCheck(body, declared, "empty_body", "empty body")
    if "dataloss" in flags:  # shorter than its Content-Length, or a compressed stream cut short
        return PageCheck(body, declared, "truncated_body", f"{len(body)} bytes received, fewer than the "
                         "Content-Length announced or a compressed body cut short: a truncated download")
    wide = wide_encoding(body, declared)
    if wide:  # UTF-16/32 said by a BOM, the header or the meta: read as text, checked as UTF-8
        body, declared = body.decode(wide, errors="replace").lstrip("\ufeff").encode("utf-8"), None
    check = PageCheck(body, declared)
    kind = binary_kind(body)
    if kind:
        check.drop, check.detail = "binary", f"{kind} served as {ctype or 'no content type'}"
        return check
    if ctype and ctype not in HTML_TYPES:
        head = body[:1024].lower()
        if b"<html" not in head and b"<!doctype html" not in head:
            check.drop, check.detail = "not_html", f"content type {ctype}"
            return check
        check.warnings.append(("content_type", f"HTML served as {ctype}"))
    problem = None if wide else charset_problem(body, declared)
    if problem:
        check.warnings.append(problem)
    if PARTIAL_FLAGS & flags:
        check.warnings.append(("truncated_body", "the body was cut short in transfer"))
    elif looks_truncated(body):
        check.warnings.append(("truncated_html", "no </body> or </html>: markup cut short, read as far as it goes"))
    return check


# ---------------------------------------------------------------- parse
def page_reason(item: ArticleItem, parser: Any = None) -> str | None:
    """Why the parsed page is not an article (``no_title``, ``too_deep``, ``no_body``), or None."""
    if not item.title:
        return "no_title"
    if not item.text:
        return "too_deep" if getattr(parser, "too_deep", False) else "no_body"  # newscrawl.text.depth
    return None


def parse_warnings(item: ArticleItem, parser: Any) -> list[tuple[str, str]]:
    """What the parse says about the page, as warnings (reason, detail): fields left empty
    after an error (``field_error``), a declared canonical URL refused (``canonical_refused``,
    ``newscrawl.canonical``: the record is named after the fetched URL)."""
    warnings = []
    if parser.field_errors:
        warnings.append(("field_error", "fields left empty after an error: " + ", ".join(parser.field_errors)))
    refused = getattr(parser, "canonical_refused", None)
    if refused:
        detail = (f"declared canonical {refused[1]} refused ({refused[0]}): "
                  f"the record is named after the fetched URL {item.canonical_url}")
        warnings.append(("canonical_refused", detail))
    return warnings


def check_dates(item: ArticleItem, fetched_at: datetime, tolerance: timedelta = DEFAULT_FUTURE_TOLERANCE,
                hints: dict[str, Any] | None = None) -> list[tuple[str, str]]:
    """A date after the fetch time (+ tolerance), or before 1900, cannot be right: it is
    dropped (the feed's date in ``hints`` replaces ``published`` when that one is plausible)
    and the record kept. The warnings (reason, detail), one per date changed."""
    warnings = []
    for name in ("published", "modified"):
        value = getattr(item, name)
        if is_future(value, fetched_at, tolerance):
            reason, why = "future_date", "is after the fetch time"
        elif is_before_news(value):
            reason, why = "ancient_date", "is before 1900, no news date"
        else:
            continue
        fallback = (hints or {}).get("published") if name == "published" else None
        if fallback and (is_future(fallback, fetched_at, tolerance) or is_before_news(fallback)
                         or not parse_iso(fallback)):
            fallback = None
        setattr(item, name, fallback)
        warnings.append((reason, f"{name} {value} {why}; " + (f"feed date {fallback} used" if fallback else "dropped")))
    return warnings


# ---------------------------------------------------------------- clean, finalize
def clean_step(name: str, item: ArticleItem, max_removed_ratio: float = DEFAULT_MAX_REMOVED_RATIO) -> Counter[str] | None:
    """Run the cleaning step ``name`` on ``item``: lines removed per rule; None when the item
    has already passed this step (it is left as it is)."""
    if passed(item, name):
        return None
    counts = STEPS[name].run(item, max_removed_ratio=max_removed_ratio)
    _mark(item, name)
    return counts


def finalize(item: ArticleItem) -> str | None:
    """Recompute ``word_count``; the reason the item is not an article, or None."""
    item.text = "\n".join(line for line in item.text.split("\n") if line.strip())
    item.word_count = word_count(item.text)
    _mark(item, "finalize")
    if not item.title:
        return "no_title"
    if not item.text:
        return "no_body"
    return None


# ---------------------------------------------------------------- the whole road
@dataclass
class Outcome:
    """A page at the end of the road: the record (None when ``check`` dropped the page before
    any parse), why it is not an article (None: it is one), the warnings (reason, detail),
    the parser, and the lines the cleaning removed per rule."""

    item: ArticleItem | None
    reason: str | None = None
    detail: str = ""
    warnings: list[tuple[str, str]] = field(default_factory=list)
    parser: ArticleParser | None = None
    removed: Counter[str] = field(default_factory=Counter)


def run(url: str, body: bytes | str, fetched_at: datetime | str | None, *, source: str | None = None,
        encoding: str | None = None, content_type: bytes | str | None = None, hints: dict[str, Any] | None = None,
        strict: bool = False, max_removed_ratio: float = DEFAULT_MAX_REMOVED_RATIO,
        future_tolerance: timedelta = DEFAULT_FUTURE_TOLERANCE) -> Outcome:
    """The whole road at once (``extract``, the fixtures, the benchmarks): the same stops, in
    the same order, as the spider and its item pipelines. ``strict``: a field's error raises
    (tests) rather than leaving the field empty."""
    from newscrawl.parsers import parse_page
    when = parse_iso(fetched_at) if isinstance(fetched_at, str) else fetched_at
    check = check_page(body, content_type, encoding=encoding)
    if check.drop:
        return Outcome(None, check.drop, check.detail, check.warnings)
    item, parser = parse_page(url, check.body, when, source=source, encoding=check.encoding, hints=hints, strict=strict)
    _mark(item, "check")
    _mark(item, "parse")
    warnings = check.warnings + parse_warnings(item, parser)
    if when is not None:
        warnings += check_dates(item, when, future_tolerance, hints)
    removed: Counter[str] = Counter()
    for step in CLEANING:
        removed.update(clean_step(step.name, item, max_removed_ratio) or ())
    reason = page_reason(item, parser) if finalize(item) else None  # too_deep told from no_body once
    return Outcome(item, reason, NOT_AN_ARTICLE.get(reason or "", ""), warnings, parser, removed)
