"""Date parsing: ISO 8601 variants, French textual dates, English relative times.

All functions are pure: relative dates resolve against an explicit ``now`` (the page's fetch
time), never against the clock.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

PARIS = ZoneInfo("Europe/Paris")

_ISO = re.compile(
    r"^\s*(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2}|[+-]\d{2})?\s*$",
    re.IGNORECASE,
)

FRENCH_MONTHS = {
    "janvier": 1, "fevrier": 2, "février": 2, "mars": 3, "avril": 4, "mai": 5, "juin": 6,
    "juillet": 7, "aout": 8, "août": 8, "septembre": 9, "octobre": 10, "novembre": 11,
    "decembre": 12, "décembre": 12,
}  # fmt: skip

# "7 avril 2023 à 18h39", "1er mai 2024 à 7h05", "14 mars 2025"
_FR_TEXT = re.compile(
    r"(\d{1,2})(?:er)?\s+(" + "|".join(FRENCH_MONTHS) + r")\s+(\d{4})"
    r"(?:\s*(?:à|a)\s*(\d{1,2})\s*[h:]\s*(\d{2})?)?",
    re.IGNORECASE,
)
# "14/03/2025 à 07h12", "13-07-2025", "14/03/2025 07:12"
_FR_NUMERIC = re.compile(
    r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})(?:\s*(?:à|a)?\s*(\d{1,2})\s*[h:]\s*(\d{2}))?",
    re.IGNORECASE,
)
_RELATIVE = re.compile(
    r"\b(an?|one|\d+)\s+(second|minute|hour|day|week|month|year)s?\s+ago\b"
    r"|\bil y a\s+(une?|\d+)\s+(seconde|minute|heure|jour|semaine|mois|an)s?\b",
    re.IGNORECASE,
)
_UNIT = {
    "second": timedelta(seconds=1), "seconde": timedelta(seconds=1),
    "minute": timedelta(minutes=1), "hour": timedelta(hours=1), "heure": timedelta(hours=1),
    "day": timedelta(days=1), "jour": timedelta(days=1), "week": timedelta(weeks=1),
    "semaine": timedelta(weeks=1), "month": timedelta(days=30), "mois": timedelta(days=30),
    "year": timedelta(days=365), "an": timedelta(days=365),
}  # fmt: skip


NEWS_EPOCH = datetime(1900, 1, 1, tzinfo=UTC)
"""No news date is older: a published date before it is a placeholder (year 1) or garbage."""


def _tz(raw: str | None, default: tzinfo) -> tzinfo:
    """The offset ``raw`` names; ValueError when no offset can be it (+24:00, +99:00, +05:75)."""
    if not raw:
        return default
    if raw.upper() == "Z":
        return UTC
    sign = -1 if raw[0] == "-" else 1
    digits = raw[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if minutes > 59:
        raise ValueError(f"offset minutes out of range: {raw}")
    return timezone(sign * timedelta(hours=hours, minutes=minutes))  # ValueError from 24:00 on


def representable(value: datetime) -> bool:
    """Whether ``value`` is an instant Python can place in UTC (0001-01-01T00:00+14:00 is not:
    comparing or converting it raises OverflowError)."""
    try:
        (value if value.tzinfo is not None else value.replace(tzinfo=PARIS)).astimezone(UTC)
    except (OverflowError, ValueError):
        return False
    return True


def is_news_date(value: datetime | None) -> bool:
    """A date a news item can have: representable, and not before 1900 (NEWS_EPOCH)."""
    if value is None or not representable(value):
        return False
    return (value if value.tzinfo is not None else value.replace(tzinfo=PARIS)) >= NEWS_EPOCH


def parse_iso(raw: str | None, default_tz: tzinfo = PARIS) -> datetime | None:
    """Parse ISO 8601 and its common deviations ('+0200', 'Z', milliseconds, a space for 'T').

    A value with no offset is read in ``default_tz`` (Paris for French sites). An impossible
    value (month 13, offset +24:00 or +99:00, year 0, an instant outside Python's range) gives
    None, never an exception: one bad date costs that date only.
    """
    if not raw or not isinstance(raw, str):
        return None
    m = _ISO.match(raw)
    if not m:
        return None
    y, mo, d, h, mi, s, off = m.groups()
    try:
        naive = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0))
        value = naive.replace(tzinfo=_tz(off, default_tz))
    except ValueError:
        return None
    return value if representable(value) else None


def parse_french(raw: str | None, default_tz: tzinfo = PARIS) -> datetime | None:
    """Parse a French textual date ('Le 7 avril 2023 à 18h39', '14/03/2025 à 07h12')."""
    if not raw:
        return None
    m = _FR_TEXT.search(raw)
    try:
        if m:
            d, month, y, h, mi = m.groups()
            naive = datetime(int(y), FRENCH_MONTHS[month.lower()], int(d), int(h or 0), int(mi or 0))
            value = naive.replace(tzinfo=default_tz)
            return value if representable(value) else None
        m = _FR_NUMERIC.search(raw)
        if m:
            d, mo, y, h, mi = m.groups()
            naive = datetime(int(y), int(mo), int(d), int(h or 0), int(mi or 0))
            value = naive.replace(tzinfo=default_tz)
            return value if representable(value) else None
    except ValueError:
        return None
    return None


def parse_relative(raw: str | None, now: datetime) -> datetime | None:
    """Resolve '7 hours ago', 'a day ago', 'il y a 3 heures' against ``now`` (fetch time)."""
    if not raw:
        return None
    m = _RELATIVE.search(raw)
    if not m:
        return None
    amount, unit = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    n = 1 if amount.lower() in {"a", "an", "one", "un", "une"} else int(amount)
    try:
        return (now - n * _UNIT[unit.lower()]).replace(microsecond=0)
    except (OverflowError, ValueError):  # "99999999999 years ago"
        return None


def parse_any(raw: str | None, now: datetime | None = None) -> datetime | None:
    """ISO first, then French text, then (with ``now``) relative times."""
    value = parse_iso(raw) or parse_french(raw)
    if value is None and now is not None:
        value = parse_relative(raw, now)
    return value


def to_iso(value: datetime | None) -> str | None:
    """ISO 8601 with UTC offset, to the second: the record's date format."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=PARIS)
    return value.replace(microsecond=0).isoformat()


_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhdw]?)\s*$", re.IGNORECASE)
MAX_DURATION = timedelta(days=36_500)
"""The longest duration a setting may name (a century): beyond, a typo, not a time limit."""
_DURATION_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 7 * 86400, "": 86400}


def parse_duration(raw: str | float | int | None) -> timedelta | None:
    """'2d', '12h', '90m', '1w', or a bare number of days -> timedelta; ''/None/0 -> None.

    Raises ValueError on anything else, so a bad setting fails at start-up.
    """
    if raw is None or raw == "" or raw == 0:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise ValueError(f"not a duration: {raw!r} (expected e.g. 2d, 12h, 30m, 1w)")
    if isinstance(raw, int | float):
        seconds = float(raw) * 86400
    else:
        m = _DURATION.match(raw)
        if not m:
            raise ValueError(f"not a duration: {raw!r} (expected e.g. 2d, 12h, 30m, 1w)")
        seconds = float(m.group(1)) * _DURATION_UNIT[m.group(2).lower()]
    # A number from a settings file may be negative, NaN or infinite; any may be too large
    # for a timedelta (99999999999999d): a ValueError naming it, never an OverflowError.
    if not seconds == seconds or seconds < 0 or seconds > MAX_DURATION.total_seconds():
        raise ValueError(f"not a usable duration: {raw!r} (from 0 to {MAX_DURATION.days} days)")
    return timedelta(seconds=seconds) if seconds else None
