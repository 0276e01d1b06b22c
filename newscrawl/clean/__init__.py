"""Text-level cleaning: rules as data, one step per job (paywall, related blocks, line noise).

Stub interface (filled by the cleaning work): each step takes an ArticleItem, mutates it and
returns a Counter of removed lines per rule name.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from newscrawl.items import ArticleItem

Step = Callable[[ArticleItem], Counter[str]]


def strip_paywall(item: ArticleItem) -> Counter[str]:
    return Counter()


def strip_related(item: ArticleItem) -> Counter[str]:
    return Counter()


def strip_line_noise(item: ArticleItem) -> Counter[str]:
    return Counter()


STEPS: tuple[Step, ...] = (strip_paywall, strip_related, strip_line_noise)


def clean_item(item: ArticleItem) -> Counter[str]:
    """Run every step in order; the removed-lines counter per rule."""
    removed: Counter[str] = Counter()
    for step in STEPS:
        removed.update(step(item))
    return removed
