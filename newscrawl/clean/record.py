"""Cleaning a flattened text record (like seeds/): title on the first line, then the lead and the
paragraphs, one per line. There is no separate lead: line 2.. is the text."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

from newscrawl.clean.rules import LINE_RULES, TITLE_SKIP, Context, Line, first_match
from newscrawl.clean.steps import DEFAULT_MAX_REMOVED_RATIO, GUARD_KEY, run_step
from newscrawl.items import ArticleItem

_TITLE_SKIP_RULES = tuple(r for r in LINE_RULES if r.name in TITLE_SKIP)


@dataclass
class RecordResult:
    """A cleaned text record and what was found in its noise."""

    text: str
    """The cleaned record: title on the first line, one paragraph per line, final newline."""
    title: str | None
    published: str | None = None
    modified: str | None = None
    authors: list[str] = field(default_factory=list)
    paywalled: bool = False
    removed: Counter[str] = field(default_factory=Counter)
    """Removed lines per rule."""
    guarded: list[str] = field(default_factory=list)
    """Steps whose guard kept the original text."""


def split_title(lines: list[str]) -> tuple[str | None, list[str], Counter[str]]:
    """The title (first line that is not blank nor chrome such as "logo"), the lines after it,
    and the chrome lines skipped before it."""
    skipped: Counter[str] = Counter()
    parsed = [Line.of(text) for text in lines]
    for i, line in enumerate(parsed):
        if line.blank:
            continue
        rule = first_match(_TITLE_SKIP_RULES, line, Context(lines=parsed, index=i))
        if rule is not None:
            skipped[rule.name] += 1
            continue
        return line.raw, [p.raw for p in parsed[i + 1:]], skipped
    return None, [], skipped


def clean_record(content: str, *, name: str = "record",
                 max_removed_ratio: float = DEFAULT_MAX_REMOVED_RATIO) -> RecordResult:
    """Clean one text record's content; ``name`` (file path) is what warnings cite."""
    title, rest, removed = split_title(content.splitlines())
    item = ArticleItem(url=name, source="record", title=title, text="\n".join(rest))
    guarded: list[str] = []
    for step in ("paywall", "related", "noise"):
        counts = run_step(item, step, max_removed_ratio)
        if counts.pop(GUARD_KEY, 0):
            guarded.append(step)
        removed.update(counts)
    body = [line for line in item.text.split("\n") if line.strip()]
    text = "\n".join([title, *body]) + "\n" if title else ""
    return RecordResult(text=text, title=title, published=item.published, modified=item.modified,
                        authors=item.authors, paywalled=item.paywalled, removed=removed, guarded=guarded)
