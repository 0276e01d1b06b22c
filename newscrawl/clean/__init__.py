"""Text-level cleaning: rules as data (``newscrawl.clean.rules``), one step per job.

- ``strip_paywall``: the subscriber teaser ending the article goes, ``paywalled`` is set, the free
  part stays; a "Réservé aux abonnés" kicker before the first paragraph goes too.
- ``strip_related``: blocks that are not the article: the one closing the page (related articles,
  comments, tags, app banner, site/syndication footer: from its heading to the end) and boxes in
  the middle of the text (a "Sur le même sujet" heading and its teaser titles).
- ``strip_line_noise``: single lines of chrome anywhere (ads, share/app/newsletter/consent prompts,
  navigation, image alt text, captions, source/time card lines, the title repeated); metadata
  written as text ("Publié le ...", "Auteur : ...") fills ``published``/``authors`` when missing.

Each step takes an ArticleItem, mutates it and returns a Counter of removed lines per rule name
(plus ``"guard/kept_original"`` when its guard kept the original text). ``clean_record`` cleans a
flattened text record (title on the first line), as the ``clean`` command does.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from newscrawl.clean.record import RecordResult, clean_record
from newscrawl.clean.rules import ALL_RULES, HEADING_RULES, LINE_RULES, NOISE_SAMPLES, PAYWALL_RULES, Rule
from newscrawl.clean.steps import DEFAULT_MAX_REMOVED_RATIO, GUARD_KEY, run_step
from newscrawl.items import ArticleItem

__all__ = [
    "ALL_RULES", "DEFAULT_MAX_REMOVED_RATIO", "GUARD_KEY", "HEADING_RULES", "LINE_RULES", "NOISE_SAMPLES",
    "PAYWALL_RULES", "STEPS", "RecordResult", "Rule", "Step", "clean_item", "clean_record", "strip_line_noise",
    "strip_paywall", "strip_related",
]  # fmt: skip

Step = Callable[..., Counter[str]]


def strip_paywall(item: ArticleItem, max_removed_ratio: float = DEFAULT_MAX_REMOVED_RATIO) -> Counter[str]:
    """Remove the subscriber teaser ending the article (and a leading kicker); set ``paywalled``."""
    return run_step(item, "paywall", max_removed_ratio)


def strip_related(item: ArticleItem, max_removed_ratio: float = DEFAULT_MAX_REMOVED_RATIO) -> Counter[str]:
    """Remove related/comments/tags/footer blocks: the one closing the page and boxes mid-text."""
    return run_step(item, "related", max_removed_ratio)


def strip_line_noise(item: ArticleItem, max_removed_ratio: float = DEFAULT_MAX_REMOVED_RATIO) -> Counter[str]:
    """Remove single chrome lines; metadata lines fill missing ``published``/``authors``."""
    return run_step(item, "noise", max_removed_ratio)


STEPS: tuple[Step, ...] = (strip_paywall, strip_related, strip_line_noise)


def clean_item(item: ArticleItem, max_removed_ratio: float = DEFAULT_MAX_REMOVED_RATIO) -> Counter[str]:
    """Run every step in order; the removed-lines counter per rule."""
    removed: Counter[str] = Counter()
    for step in STEPS:
        removed.update(step(item, max_removed_ratio=max_removed_ratio))
    return removed
