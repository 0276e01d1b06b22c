"""The three cleaning steps over an ArticleItem's text, each pure apart from mutating the item.

Every step first *plans* (which line goes, under which rule), then the guard decides, then the
plan is applied: removed lines, metadata harvested from them into missing fields, the counter of
removed lines per rule returned. The same functions serve the crawl pipelines and the ``clean``
command.

The guard: a step whose plan would remove more than ``max_removed_ratio`` of the text's
characters, or leave nothing, keeps the original text, logs a WARNING and returns
``{"guard/kept_original": 1}``. It weighs every step, closing blocks included. A block that
closes the page (a related/comments/footer heading followed by teaser cards and chrome to the
end) is first validated by its shape; its teaser cards (a card's source/time line and the title
and teaser under it), teasers cut with an ellipsis, and lines that are no paragraph (titles,
links, labels) are then left unweighed (on aggregator pages such blocks are routinely several
times longer than the article), but its paragraphs outside cards are weighed: a misread heading
above the article, or inside a long text written as subheading + paragraph, trips the guard.
A site footer heading (rights reserved, legal links, syndication notice) opens a closing block
only when what follows it is short and no longer than the text above it (``Rule.max_block_lines``):
the same line in the middle of a long text is one line of chrome, not the end of the page.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from newscrawl.clean.rules import (
    DATE_LINE,
    HEADING_RULES,
    LINE_RULES,
    ORPHAN_LABELS,
    PAYWALL_KICKER,
    PAYWALL_TEASER,
    SUBSCRIBE_CTA,
    Context,
    Line,
    Rule,
    author_names,
    first_match,
    is_time_line,
    time_match,
)
from newscrawl.items import ArticleItem
from newscrawl.text.dates import parse_french, parse_iso, to_iso

logger = logging.getLogger(__name__)

GUARD_KEY = "guard/kept_original"
"""Counter key of a step whose guard kept the original text (stats: newscrawl/clean/guard/kept_original)."""
DEFAULT_MAX_REMOVED_RATIO = 0.7
_CARD_BUDGET = 3  # lines after a card's source/time line that may hold its title and (long) teaser
_MAX_BOX_TITLES = 12  # teaser titles taken with a box heading in the middle of the text
_MAX_ARTICLE_LIKE = 0.15  # share of article-like paragraphs a closing block may hold (page footers)


@dataclass
class Plan:
    """What a step would do to the text lines (indices into the step's lines)."""

    remove: dict[int, str] = field(default_factory=dict)
    """Line index -> rule name."""
    closing: set[int] = field(default_factory=set)
    """Removed as part of a block closing the page and not weighed by the guard (its teaser cards,
    ellipsis teasers and lines that are no paragraph; the block is validated by its shape)."""
    harvest: list[int] = field(default_factory=list)
    """Removed lines whose metadata (dates, authors) fills the item's missing fields."""
    replace: dict[int, tuple[str, str]] = field(default_factory=dict)
    """Line index -> (new text, rule name): a prefix removed from the line."""
    lead: tuple[str | None, str] | None = None
    """(new lead or None to drop it, rule name) when the lead changes."""
    paywalled: bool = False


# ------------------------------------------------------------------------------------ helpers


def _fold(value: str | None) -> str:
    return Line.of(value).fold if value else ""


def _contexts(lines: Sequence[Line], item: ArticleItem) -> list[Context]:
    first = next((i for i, line in enumerate(lines) if not line.blank), len(lines))
    first_prose = next((i for i, line in enumerate(lines) if line.prose), len(lines))
    title, lead = _fold(item.title), _fold(item.lead)
    return [Context(lines=lines, index=i, title=title, lead=lead, first=first, first_prose=first_prose)
            for i in range(len(lines))]


def heading_rule(line: Line, ctx: Context | None = None) -> Rule | None:
    """The heading rule a line matches (a block that is not the article starts here), or None."""
    return first_match(HEADING_RULES, line, ctx or Context(lines=[line], index=0))


_LAST_TEXT: tuple[tuple[object, ...], Text] | None = None
"""The last Text.of() result and its key (the planners only read a Text)."""


@dataclass
class Text:
    """A step's view of the text: lines, their contexts and the rules each line matches."""

    lines: Sequence[Line]
    ctxs: list[Context]
    heading: list[Rule | None]
    noise: list[Rule | None]
    time: list[bool]

    @classmethod
    def of(cls, lines: Sequence[Line], item: ArticleItem) -> Text:
        # A function of (lines, title, lead) only, and the three steps mostly see the same ones
        # (a step that removes nothing hands the next the same text): the last one is reused.
        key = (tuple(lines), item.title, item.lead)
        global _LAST_TEXT
        if _LAST_TEXT is not None and _LAST_TEXT[0] == key:
            return _LAST_TEXT[1]
        ctxs = _contexts(lines, item)
        heading = [None if ln.blank else heading_rule(ln, c) for ln, c in zip(lines, ctxs, strict=True)]
        noise = [None if ln.blank else first_match(LINE_RULES, ln, c) for ln, c in zip(lines, ctxs, strict=True)]
        time = [not ln.blank and is_time_line(ln) for ln in lines]
        text = cls(lines=lines, ctxs=ctxs, heading=heading, noise=noise, time=time)
        _LAST_TEXT = (key, text)
        return text

    @property
    def first_prose(self) -> int:
        return self.ctxs[0].first_prose if self.ctxs else 0

    def next_nonblank(self, i: int, end: int) -> int | None:
        while i < end:
            if not self.lines[i].blank:
                return i
            i += 1
        return None


def _segment(text: Text, start: int, end: int) -> tuple[list[int], int, list[int]]:
    """Article-like paragraphs among the lines after the heading at ``start`` up to ``end`` (the
    next heading or the end), the count of non-blank lines scanned, and the paragraphs outside
    teaser cards (the article-like ones and the others: what the guard weighs).

    Block lines are headings, known noise, card source/time lines, short teaser titles, and long
    teasers inside a card (after its title or its source/time line) or cut with an ellipsis. A
    paragraph right after another paragraph (or right after a heading) is *article-like*: an
    article after a misread heading is mostly such paragraphs, page chrome almost never. The scan
    state restarts at every heading, so a block's figures are its segments' sums."""
    budget, count, after_prose = 0, 0, True
    found: list[int] = []
    weighed: list[int] = []
    for j in range(start + 1, end):
        line = text.lines[j]
        if line.blank:
            continue
        count += 1
        rule = text.noise[j]
        if rule is not None or text.time[j]:
            if rule is None or rule.card_header:
                budget = _CARD_BUDGET
            after_prose = False
            continue
        if line.prose:
            if budget == 0 and not line.ellipsis:
                weighed.append(j)
                if after_prose:
                    found.append(j)
            after_prose = True
        else:
            after_prose = False
        budget = max(budget - 1, 0)
    return found, count, weighed


def closing_block(text: Text) -> tuple[int, list[int]] | None:
    """The heading opening the block that closes the page, and the lines of the block the guard
    weighs (its paragraphs outside teaser cards, article-like or not).

    A candidate block (a heading and everything after it) is valid when article-like paragraphs
    are at most ``_MAX_ARTICLE_LIKE`` of its lines (long page footers carry a stray legal paragraph
    or two); among valid candidates the one holding the fewest article-like paragraphs wins (the
    earliest on ties), so a misread heading above the article loses to the real one below it. A
    heading above the first prose line is no candidate when article-like paragraphs follow it,
    nor is a heading whose rule caps the block (``max_block_lines``: site footers) when more lines,
    or more text than stands above it, follow it."""
    heads = [i for i, rule in enumerate(text.heading) if rule is not None]
    segments: dict[int, list[int]] = {}
    best: tuple[int, int] | None = None  # (heading, article-like count)
    found_after, count_after = 0, 0
    total = sum(len(line.raw) for line in text.lines)
    chars_from, k_end = 0, len(text.lines)  # characters from the current heading to the end
    for k in range(len(heads) - 1, -1, -1):
        h = heads[k]
        end = heads[k + 1] if k + 1 < len(heads) else len(text.lines)
        found, count, weighed = _segment(text, h, end)
        segments[h] = weighed
        if k + 1 < len(heads):
            count += 1 + count_after  # the next heading's line, then its block
        found_after, count_after = len(found) + found_after, count
        chars_after = chars_from + sum(len(text.lines[j].raw) for j in range(h + 1, k_end))
        chars_from, k_end = chars_after + len(text.lines[h].raw), h
        if h < text.first_prose and found_after:
            # A heading above the first paragraph ("Les plus lus" over the text) with article-like
            # paragraphs under it: from there to the end is the article, not a block closing it.
            # It stays a box of the head; as the closing block, the guard would refuse the step
            # and with it every other removal (a text that is only a block still is one).
            continue
        rule = text.heading[h]
        assert rule is not None
        if rule.max_block_lines is not None and (count_after > rule.max_block_lines
                                                 or chars_after > total - chars_from):
            # "© 2024 X. All rights reserved." above 760 lines of text is a credit line, not the
            # site footer: a footer is short and ends the page.
            continue
        if found_after <= _MAX_ARTICLE_LIKE * count_after and (best is None or found_after <= best[1]):
            best = (h, found_after)
    if best is None:
        return None
    start = best[0]
    return start, [j for h in heads if h >= start for j in segments[h]]


# ------------------------------------------------------------------------------------ plans


def plan_paywall(lines: Sequence[Line], item: ArticleItem) -> Plan:
    """Subscriber teaser at the end of the article (before any closing block), and the subscriber
    kicker at its start ("Réservé aux abonnés" line, or prefix of the first paragraph / lead)."""
    plan = Plan()
    text = Text.of(lines, item)
    closing = closing_block(text)
    end = len(lines) if closing is None else closing[0]
    # 1. The tail: teaser and subscription lines, possibly mixed with other chrome lines.
    tail: dict[int, str] = {}
    strong = False
    for i in range(end - 1, -1, -1):
        line = lines[i]
        if line.blank:
            continue
        if PAYWALL_TEASER.matches(line, text.ctxs[i]):
            tail[i], strong = PAYWALL_TEASER.name, True
        elif SUBSCRIBE_CTA.matches(line, text.ctxs[i]):
            tail[i] = SUBSCRIBE_CTA.name
        elif text.noise[i] is None:
            break
    if strong:
        plan.remove.update(tail)
        plan.paywalled = True
    # 2. The head: a kicker line before the first paragraph, or glued to it.
    first_prose = text.first_prose
    for i in range(min(first_prose, end)):
        if not lines[i].blank and i not in plan.remove and PAYWALL_TEASER.matches(lines[i], text.ctxs[i]):
            plan.remove[i] = "paywall_kicker"
            plan.paywalled = True
    lead = item.lead or ""
    m = PAYWALL_KICKER.match(lead)
    if m:
        plan.lead = (lead[m.end():], "paywall_kicker")
        plan.paywalled = True
    elif lead and PAYWALL_TEASER.matches(Line.of(lead)):
        plan.lead = (None, "paywall_kicker")
        plan.paywalled = True
    elif first_prose < end:
        m = PAYWALL_KICKER.match(lines[first_prose].raw)
        if m:
            plan.replace[first_prose] = (lines[first_prose].raw[m.end():], "paywall_kicker")
            plan.paywalled = True
    return plan


def plan_related(lines: Sequence[Line], item: ArticleItem) -> Plan:
    """Blocks that are not the article: the one closing the page (heading to the end) and boxes
    in the middle of the text (a heading and the teaser titles under it)."""
    plan = Plan()
    text = Text.of(lines, item)
    closing = closing_block(text)
    end = len(lines) if closing is None else closing[0]
    for i in range(end):
        rule = text.heading[i]
        if rule is None or i in plan.remove:
            continue
        plan.remove[i] = rule.name
        if rule.takes_titles:
            _take_box_titles(text, i + 1, end, rule.name, plan)
    if closing is not None:
        start, weighed = closing
        current = text.heading[start]
        assert current is not None
        for j in range(start, len(lines)):
            if lines[j].blank:
                continue
            current = text.heading[j] or current
            plan.remove[j] = current.name
            if j not in weighed:  # its paragraphs outside teaser cards stay weighed by the guard
                plan.closing.add(j)
            # Footers (syndication, site footer) carry the page's own metadata, cards do not.
            hit = text.noise[j]
            if current.name == "footer_block" and hit is not None and hit.harvest:
                plan.harvest.append(j)
    return plan


def _take_box_titles(text: Text, i: int, end: int, name: str, plan: Plan) -> None:
    """The teaser titles of a box in the middle of the text. The first title always goes; a later
    short line goes only when no paragraph follows it (a short line before a paragraph may be the
    article's own subheading: precision first)."""
    taken = 0
    j = text.next_nonblank(i, end)
    while j is not None and taken < _MAX_BOX_TITLES:
        line = text.lines[j]
        if text.heading[j] or line.prose:
            return
        rule = text.noise[j]
        if not (rule is not None and rule.card_header) and taken > 0:
            nxt = text.next_nonblank(j + 1, end)
            if nxt is None or text.lines[nxt].prose:
                return
        plan.remove[j] = name
        taken += 1
        j = text.next_nonblank(j + 1, end)


def plan_noise(lines: Sequence[Line], item: ArticleItem) -> Plan:
    """Single lines of page chrome anywhere, metadata lines, then labels left orphan at the end."""
    plan = Plan()
    text = Text.of(lines, item)
    for i, rule in enumerate(text.noise):
        if rule is None:
            continue
        plan.remove[i] = rule.name
        if rule.harvest or (rule.card_header and text.ctxs[i].in_head):
            plan.harvest.append(i)
    # A label that can end nothing ("Sources", "Application officielle :") left last.
    for i in range(len(lines) - 1, -1, -1):
        line = lines[i]
        if line.blank or i in plan.remove:
            continue
        if not line.prose and line.words <= 6 and (
            line.raw.endswith(":") or ORPHAN_LABELS.fullmatch(line.fold)
        ):
            plan.remove[i] = "orphan_heading"
            continue
        break
    if item.lead:
        lead = Line.of(item.lead)
        rule = first_match(_LEAD_RULES, lead, Context(lines=[lead], index=0))
        if rule is not None:
            plan.lead = (None, rule.name)
    return plan


_LEAD_RULES = tuple(r for r in LINE_RULES if r.name not in {"lead_repeat", "photo_caption", "metadata_date"})


# ------------------------------------------------------------------------------------ apply


def harvest_metadata(item: ArticleItem, text: str, *, bare_author: bool = False) -> None:
    """Fill ``published``/``modified``/``authors`` from a metadata line, only where missing.
    ``bare_author``: the line is only a name (its "Article rédigé par" label was the line before)."""
    m = DATE_LINE.fullmatch(text.strip())
    pub = mod = None
    if m:
        pub, mod = m.group("pub"), m.group("mod") or m.group("mod_only")
    else:
        t = time_match(Line.of(text))
        pub = t.date if t else None
    if pub and not item.published:
        item.published = to_iso(parse_iso(pub) or parse_french(pub))
    if mod and not item.modified:
        item.modified = to_iso(parse_iso(mod) or parse_french(mod))
    if not item.authors:
        names = author_names(text) or (author_names(text, bare=True) if bare_author else [])
        if names:
            item.authors = names


def run_plan(item: ArticleItem, step: str, raw_lines: list[str], lines: Sequence[Line], plan: Plan,
             max_removed_ratio: float = DEFAULT_MAX_REMOVED_RATIO) -> Counter[str]:
    """Apply ``plan`` to ``item`` unless the guard refuses; the counter of removed lines per rule."""
    removed: Counter[str] = Counter()
    if plan.paywalled:
        item.paywalled = True
    if plan.lead is not None:
        new_lead, rule = plan.lead
        item.lead = (new_lead or "").strip() or None
        removed[rule] += 1
    if not plan.remove and not plan.replace:
        return removed
    weighed = [i for i, line in enumerate(lines) if not line.blank and i not in plan.closing]
    total = sum(len(lines[i].raw) for i in weighed)
    cut = sum(len(lines[i].raw) for i in weighed if i in plan.remove)
    cut += sum(len(lines[i].raw) - len(new) for i, (new, _) in plan.replace.items())
    if max_removed_ratio < 1 and (total - cut <= 0 or cut / total > max_removed_ratio):
        share = 100 if total <= 0 else round(100 * cut / total)
        logger.warning(
            "Cleaning step %(step)s would remove %(share)d%% of the text of %(url)s (limit %(limit)d%%): "
            "original text kept",
            {"step": step, "share": share, "url": item.url, "limit": round(100 * max_removed_ratio)},
        )
        removed[GUARD_KEY] += 1
        return removed
    for i in plan.harvest:
        harvest_metadata(item, lines[i].raw, bare_author=plan.remove.get(i) == "metadata_author")
    out = []
    for i, text in enumerate(raw_lines):
        if i in plan.remove:
            continue
        out.append(plan.replace[i][0] if i in plan.replace else text)
    item.text = "\n".join(out)
    removed.update(plan.remove.values())
    removed.update(rule for _, rule in plan.replace.values())
    return removed


def run_step(item: ArticleItem, step: str, max_removed_ratio: float = DEFAULT_MAX_REMOVED_RATIO) -> Counter[str]:
    planner = _PLANNERS[step]
    raw_lines = (item.text or "").split("\n")
    lines = [Line.of(text) for text in raw_lines]
    return run_plan(item, step, raw_lines, lines, planner(lines, item), max_removed_ratio)


_PLANNERS = {"paywall": plan_paywall, "related": plan_related, "noise": plan_noise}
