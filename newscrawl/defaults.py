"""A ``NEWSCRAWL_*`` setting's value, or its default as newscrawl/settings.py declares it.

The defaults live once, in newscrawl/settings.py; code that may run with bare Scrapy
``Settings`` (tests, the dedup CLI, a library caller) reads them here instead of restating them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from newscrawl import settings as _project


def default(name: str) -> Any:
    """The default of setting ``name`` (newscrawl/settings.py)."""
    return getattr(_project, name)


def setting_or_default(settings: Any, name: str) -> Any:
    """``settings[name]``, or its default when unset or empty."""
    return settings.get(name) or default(name)


def state_folder(settings: Any) -> Path:
    """The state folder (NEWSCRAWL_STATE_DIR, default ``.newscrawl``)."""
    return Path(str(setting_or_default(settings, "NEWSCRAWL_STATE_DIR")))
