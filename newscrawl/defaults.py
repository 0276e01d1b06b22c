"""A ``NEWSCRAWL_*`` setting's value, or its default as newscrawl/settings.py declares it.

The defaults live once, in newscrawl/settings.py; code that may run with bare Scrapy
``Settings`` (tests, the dedup CLI, a library caller) reads them here instead of restating them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from scrapy.settings import SETTINGS_PRIORITIES

from newscrawl import settings as _project


def setting_default(name: str) -> Any:
    """The default of setting ``name`` (newscrawl/settings.py)."""
    return getattr(_project, name)


def setting_or_default(settings: Any, name: str) -> Any:
    """``settings[name]``, or its default when unset or empty."""
    return settings.get(name) or setting_default(name)


def get_value(settings: Any, name: str) -> Any:
    """``settings.get(name)``, with the project default when the setting is absent."""
    return settings.get(name, setting_default(name))


def given(settings: Any, name: str) -> bool:
    """Whether ``name`` was set above the project's settings: with ``-s`` on the command line,
    by ``python -m newscrawl crawl``'s options or in a spider's ``custom_settings``."""
    return (settings.getpriority(name) or 0) > SETTINGS_PRIORITIES["project"]


def get_bool(settings: Any, name: str) -> bool:
    return bool(settings.getbool(name, setting_default(name)))


def get_int(settings: Any, name: str) -> int:
    return int(settings.getint(name, setting_default(name)))


def get_float(settings: Any, name: str) -> float:
    return float(settings.getfloat(name, setting_default(name)))


def state_folder(settings: Any) -> Path:
    """The state folder (NEWSCRAWL_STATE_DIR, default ``.newscrawl``)."""
    return Path(str(setting_or_default(settings, "NEWSCRAWL_STATE_DIR")))
