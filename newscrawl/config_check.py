"""A misspelt ``NEWSCRAWL_*`` setting is a configuration error, not a silent no-op.

Every ``NEWSCRAWL_*`` setting has its default in ``newscrawl/settings.py``: a name that is not
there (``-s NEWSCRAWL_MAX_AGES=2d``) would be ignored, and the crawl would run without what the
user asked for. :func:`unknown_settings` finds such names (with the closest known one);
``python -m newscrawl crawl`` reports them as a configuration error (exit 3) and
:class:`SettingsCheckAddon` stops any ``scrapy crawl`` before it starts.

``NEWSCRAWL_BENCH_*`` names are reserved for the benchmark scripts' own components.
"""

from __future__ import annotations

import difflib
import logging
from typing import Any

logger = logging.getLogger(__name__)

PREFIX = "NEWSCRAWL_"
RESERVED_PREFIXES = ("NEWSCRAWL_BENCH_",)


class UnknownSettingError(ValueError):
    """A ``NEWSCRAWL_*`` setting that newscrawl does not have."""


def known_settings() -> frozenset[str]:
    from newscrawl import settings as defaults

    return frozenset(name for name in vars(defaults) if name.startswith(PREFIX))


def unknown_settings(names: Any) -> list[str]:
    """Messages for the ``NEWSCRAWL_*`` names among ``names`` that newscrawl does not have."""
    known = known_settings()
    messages = []
    for name in sorted({str(n) for n in names}):
        if not name.startswith(PREFIX) or name in known or name.startswith(RESERVED_PREFIXES):
            continue
        messages.append(f"unknown setting {name} (did you mean {closest(name, known)}?)")
    return messages


def closest(name: str, known: frozenset[str]) -> str:
    """The known name nearest to ``name``, compared without the common prefix."""
    suffixes = {k[len(PREFIX):]: k for k in known}
    wanted = name[len(PREFIX):]
    for cutoff in (0.6, 0.0):
        match = difflib.get_close_matches(wanted, list(suffixes), n=1, cutoff=cutoff)
        if match:
            return suffixes[match[0]]
    return min(known)


def check_settings(settings: Any) -> None:
    """Raise :class:`UnknownSettingError` when ``settings`` holds an unknown ``NEWSCRAWL_*`` name."""
    names = [name for name, _ in settings.items()] if hasattr(settings, "items") else list(settings)
    messages = unknown_settings(names)
    if messages:
        raise UnknownSettingError("; ".join(messages))


class SettingsCheckAddon:
    """Add-on: refuse to start a crawl whose settings hold an unknown ``NEWSCRAWL_*`` name.

    Settings read: every ``NEWSCRAWL_*`` name (against newscrawl/settings.py). Stats written: none.
    The error is logged, then raised: ``scrapy crawl`` stops with a non-zero exit.
    """

    def update_settings(self, settings: Any) -> None:
        try:
            check_settings(settings)
        except UnknownSettingError as exc:
            logger.error("Configuration error: %(error)s", {"error": exc})
            raise
