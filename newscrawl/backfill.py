"""Backfill by date: ``--since/--until`` (``-a since=... -a until=...``) collect the articles
published in a window instead of the last days.

Pure helpers, no Scrapy, except the progress extension at the end:

- :func:`parse_window` reads the two bounds (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``; both
  inclusive, calendar days in Europe/Paris; either may be left open);
- :func:`url_period` finds the period a sitemap covers from its URL (``.../2024-01-15.xml``,
  ``sitemap-2024-01.xml``, ``/2024/01/``, ``?yyyy=2024&mm=01``, ``sitemap-2024.xml``);
- :func:`url_date` finds an article's publication day in its URL (Le Figaro ``-20240430``,
  Le Parisien ``-30-04-2024-``, ``/2024/04/30/``);
- :meth:`Window.skip_sitemap` and :meth:`Window.skip_entry` say why a sitemap named in an index,
  or an entry of a sitemap, cannot hold an article of the window (None: fetch it).

What is sound and what is a bet (docs/operations.md, "Backfill"):
- a sitemap is fetched when its URL period, widened by one day on each side (a sitemap's day
  may be UTC where the window's is Paris), meets the window; its entries are then filtered
  exactly;
- a sitemap's ``lastmod`` is the last time it changed, so one before the window's first day
  cannot hold the window; a later one proves nothing (an old month edited last week);
- an entry's publication date (news sitemap, feed) or its URL date is exact; an entry dated by
  ``lastmod`` only (its last edit) before the window is skipped, and after it it is fetched
  while within NEWSCRAWL_BACKFILL_LASTMOD_SLACK of the window's end (articles edited after
  publication), the parsed ``published`` date deciding then.
"""

from __future__ import annotations

import calendar
import logging
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, urlsplit

from newscrawl.defaults import get_float, given, setting_default
from newscrawl.text.dates import PARIS, parse_duration

if TYPE_CHECKING:
    from typing import Self

    from scrapy.crawler import Crawler

    from newscrawl.discovery import Entry

logger = logging.getLogger(__name__)

ONE_DAY = timedelta(days=1)
_BOUND = re.compile(r"^\s*(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?\s*$")
# Dates in URLs. Day first (the most specific), then month, then a year alone.
_YMD = re.compile(r"(?<![0-9A-Za-z])((?:19|20)\d\d)([-/_.]?)(0[1-9]|1[0-2])\2(0[1-9]|[12]\d|3[01])(?!\d)")
_DMY = re.compile(r"(?<!\d)(0[1-9]|[12]\d|3[01])([-/_.])(0[1-9]|1[0-2])\2((?:19|20)\d\d)(?!\d)")
_YM = re.compile(r"(?<![0-9A-Za-z])((?:19|20)\d\d)[-/_.](0[1-9]|1[0-2])(?![0-9])")
# A year alone, in the path only (query values are often offsets: Arc's ``?from=2000``), as
# a whole token not following a paging word (``page-2010``).
_Y = re.compile(r"(?<![0-9A-Za-z])(?<!page-)(?<!page_)(?<!page/)((?:19|20)\d\d)(?![0-9A-Za-z])")
_QUERY_KEYS = {"year": ("yyyy", "year", "y"), "month": ("mm", "month", "m"), "day": ("dd", "day", "d")}


def _parse_bound(raw: str, *, end: bool) -> date:
    m = _BOUND.match(raw)
    if not m:
        raise ValueError(f"not a date: {raw!r} (expected YYYY-MM-DD, YYYY-MM or YYYY)")
    year, month, day = int(m.group(1)), m.group(2), m.group(3)
    try:
        if month is None:
            return date(year, 12, 31) if end else date(year, 1, 1)
        if day is None:
            return date(year, int(month), calendar.monthrange(year, int(month))[1] if end else 1)
        return date(year, int(month), int(day))
    except ValueError as exc:
        raise ValueError(f"not a date: {raw!r} ({exc})") from None


def default_lastmod_slack() -> timedelta:
    """NEWSCRAWL_BACKFILL_LASTMOD_SLACK's default (newscrawl/settings.py)."""
    return parse_duration(setting_default("NEWSCRAWL_BACKFILL_LASTMOD_SLACK")) or timedelta(0)


@dataclass(frozen=True)
class Window:
    """Calendar days ``since``..``until``, both inclusive, in Europe/Paris (None: open)."""

    since: date | None
    until: date | None
    lastmod_slack: timedelta = field(default_factory=default_lastmod_slack)
    """How long after the window an entry dated by ``lastmod`` only is still fetched
    (default: NEWSCRAWL_BACKFILL_LASTMOD_SLACK's default)."""

    @property
    def start(self) -> datetime | None:
        return datetime(self.since.year, self.since.month, self.since.day, tzinfo=PARIS) if self.since else None

    @property
    def end(self) -> datetime | None:
        """The first instant after the window."""
        if self.until is None:
            return None
        after = self.until + ONE_DAY
        return datetime(after.year, after.month, after.day, tzinfo=PARIS)

    def describe(self) -> str:
        return f"{self.since or '…'}..{self.until or '…'}"

    def to_dict(self) -> dict[str, str | None]:
        return {"since": self.since.isoformat() if self.since else None,
                "until": self.until.isoformat() if self.until else None,
                "timezone": "Europe/Paris"}

    # ------------------------------------------------------------------ tests
    def holds_days(self, first: date, last: date, *, margin: timedelta = timedelta(0)) -> bool:
        """Do days ``first``..``last`` (widened by ``margin``) meet the window?"""
        return (self.until is None or first - margin <= self.until) and (
            self.since is None or last + margin >= self.since)

    def position(self, when: datetime) -> str | None:
        """'before' or 'after' the window, or None (inside)."""
        if when.tzinfo is None:
            when = when.replace(tzinfo=PARIS)
        if self.start is not None and when < self.start:
            return "before"
        if self.end is not None and when >= self.end:
            return "after"
        return None

    def skip_sitemap(self, url: str, lastmod: datetime | None) -> str | None:
        """Why the sitemap at ``url`` (named in an index, with its ``lastmod``) cannot hold an
        article of the window: ``period_before``, ``period_after``, ``lastmod_before``; None:
        fetch it."""
        period = url_period(url)
        if period is not None and not self.holds_days(*period, margin=ONE_DAY):
            return "period_before" if self.since is not None and period[1] + ONE_DAY < self.since else "period_after"
        if lastmod is not None and self.position(lastmod) == "before":
            return "lastmod_before"
        return None

    def skip_entry(self, entry: Entry) -> str | None:
        """Why the sitemap or feed entry is not an article of the window: ``before``/``after``
        (publication date or URL date), ``lastmod_before``/``lastmod_after``; None: fetch it
        (undated entries are fetched, and their parsed date decides)."""
        if entry.published is not None and entry.published != entry.lastmod:  # a publication date
            return self.position(entry.published)
        day = url_date(entry.url)
        if day is not None:
            return None if self.holds_days(day, day) else ("before" if self.since and day < self.since else "after")
        if entry.published is not None:  # lastmod only: the last edit, not the publication
            where = self.position(entry.published)
            if where == "before":
                return "lastmod_before"
            if where == "after" and self.end is not None and entry.published >= self.end + self.lastmod_slack:
                return "lastmod_after"
        return None


def parse_window(since: str | None, until: str | None, lastmod_slack: str | None = None) -> Window | None:
    """The window of ``--since``/``--until`` (None when neither is given). Raises ValueError on
    a bad date or ``since`` after ``until``."""
    since = (since or "").strip() or None
    until = (until or "").strip() or None
    if since is None and until is None:
        return None
    first = _parse_bound(since, end=False) if since else None
    last = _parse_bound(until, end=True) if until else None
    if first and last and first > last:
        raise ValueError(f"--since {first} is after --until {last}")
    slack = default_lastmod_slack() if lastmod_slack in (None, "") else parse_duration(lastmod_slack)
    return Window(first, last, slack or timedelta(0))


# ---------------------------------------------------------------------- dates in URLs
def _day(y: str, m: str, d: str) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:  # 2023-02-30
        return None


def url_period(url: str) -> tuple[date, date] | None:
    """First and last day of the period a sitemap URL names (a day, a month or a year), or None."""
    parts = urlsplit(url)
    text = parts.path + ("?" + parts.query if parts.query else "")
    days = [d for m in _YMD.finditer(text) if (d := _day(m.group(1), m.group(3), m.group(4)))]
    days += [d for m in _DMY.finditer(text) if (d := _day(m.group(4), m.group(3), m.group(1)))]
    if days:
        return days[-1], days[-1]
    months = list(_YM.finditer(text))
    if months:
        y, mo = int(months[-1].group(1)), int(months[-1].group(2))
        return date(y, mo, 1), date(y, mo, calendar.monthrange(y, mo)[1])
    query = {k.lower(): v for k, v in parse_qsl(parts.query)}
    found = {what: next((query[k] for k in keys if k in query and query[k].isdigit()), None)
             for what, keys in _QUERY_KEYS.items()}
    if found["year"] and len(found["year"]) == 4 and found["year"][:2] in ("19", "20"):
        y = int(found["year"])
        if found["month"] and 1 <= int(found["month"]) <= 12:
            mo = int(found["month"])
            if found["day"] and (d := _day(str(y), str(mo), found["day"])):
                return d, d
            return date(y, mo, 1), date(y, mo, calendar.monthrange(y, mo)[1])
        return date(y, 1, 1), date(y, 12, 31)
    years = list(_Y.finditer(parts.path))
    if years:
        y = int(years[-1].group(1))
        return date(y, 1, 1), date(y, 12, 31)
    return None


def url_date(url: str) -> date | None:
    """The publication day an article URL carries (``-20240430``, ``-30-04-2024-``,
    ``/2024/04/30/``), or None. Only the path is read."""
    path = urlsplit(url).path
    for m in reversed(list(_YMD.finditer(path))):
        d = _day(m.group(1), m.group(3), m.group(4))
        if d:
            return d
    for m in reversed(list(_DMY.finditer(path))):
        d = _day(m.group(4), m.group(3), m.group(1))
        if d:
            return d
    return None


# ---------------------------------------------------------------------- progress
def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 86_400:
        return f"{seconds // 86_400}d{seconds % 86_400 // 3600:02d}h"
    if seconds >= 3600:
        return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"
    return f"{seconds // 60}m{seconds % 60:02d}s"


def progress(stats: dict[str, Any], rate: float | None) -> dict[str, Any]:
    """Counts of a backfill from its stats: sitemaps read of those selected, articles found,
    done (fetched, failed, or skipped as already collected) and left, an estimate of the
    articles in the sitemaps not read yet, and the time left at ``rate`` articles/s."""
    def get(key: str) -> int:
        return int(stats.get(f"newscrawl/{key}", 0) or 0)

    selected, read = get("backfill/sitemaps/selected"), get("backfill/sitemaps/read")
    found = get("discovery/requested")
    done = get("requests/article/total") + get("requests/article/ignored") + get("dedup/skipped_seen")
    done = min(done, found)
    unread = max(selected - read, 0)
    per_sitemap = found / read if read else 0.0
    estimated = found + round(unread * per_sitemap)
    left = estimated - done
    eta = left / rate if rate else None
    return {"sitemaps_selected": selected, "sitemaps_read": read, "found": found, "done": done,
            "estimated_total": estimated, "left": left, "rate": rate, "eta_s": eta}


def progress_line(name: str, window: Window, p: dict[str, Any]) -> str:
    sitemaps = f"sitemaps {p['sitemaps_read']}/{p['sitemaps_selected']}, " if p["sitemaps_selected"] else ""
    rate = f"{p['rate']:.2f}/s" if p["rate"] else "rate unknown"
    eta = _duration(p["eta_s"]) if p["eta_s"] is not None else "unknown"
    return (f"backfill {name} {window.describe()}: {sitemaps}articles {p['done']} done of {p['found']} found "
            f"(~{p['estimated_total']} estimated), {p['left']} left, {rate}, time left ~{eta}")


class BackfillProgressExtension:
    """Logs a backfill's progress every NEWSCRAWL_PROGRESS_INTERVAL seconds (``scrapy crawl``
    and ``python -m newscrawl crawl`` alike), and once at the end: sitemaps read, articles done
    of those found, an estimate of the total and the time left (rate of the last intervals).
    Does nothing for a spider without a window (``spider.window`` None).

    Settings read: NEWSCRAWL_PROGRESS_INTERVAL (0 disables).
    Stats written: newscrawl/backfill/eta_s (the last estimate, seconds).
    """

    RATE_INTERVALS = 5

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler = crawler
        self.interval = interval
        self.task: Any = None
        self.samples: list[tuple[float, int]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        interval = get_float(crawler.settings, "NEWSCRAWL_PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured("NEWSCRAWL_PROGRESS_INTERVAL is 0")
        ext = cls(crawler, interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def _window(self) -> Window | None:
        spider = getattr(self.crawler, "spider", None)
        return getattr(spider, "window", None)

    def spider_opened(self, spider: Any = None) -> None:
        if self._window() is None:
            return
        from twisted.internet import task

        self.samples = [(time.monotonic(), 0)]
        self.task = task.LoopingCall(self.log)
        self.task.start(self.interval, now=False)

    def log(self, final: bool = False) -> None:
        window = self._window()
        if window is None:
            return
        stats = self.crawler.stats.get_stats()
        now = time.monotonic()
        p = progress(stats, None)
        self.samples.append((now, p["done"]))
        self.samples = self.samples[-(self.RATE_INTERVALS + 1):]
        (t0, d0), (t1, d1) = self.samples[0], self.samples[-1]
        rate = (d1 - d0) / (t1 - t0) if t1 > t0 and d1 > d0 else None
        p = progress(stats, rate)
        if p["eta_s"] is not None:
            self.crawler.stats.set_value("newscrawl/backfill/eta_s", round(p["eta_s"]))
        name = getattr(self.crawler.spider, "name", "?")
        logger.info("%(prefix)s%(line)s", {"prefix": "done: " if final else "", "line": progress_line(name, window, p)})

    def spider_closed(self, spider: Any = None, reason: str = "") -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
        if self._window() is not None:
            self.log(final=True)


def backfill_bound_given(settings: Any, name: str) -> bool:
    """Whether the user set the article bound ``name`` (NEWSCRAWL_MAX_ARTICLES_PER_DOCUMENT/_RUN)
    on the command line or in a spider: in a backfill, only then does it apply. Their defaults
    are for cron runs over feeds (the newest first); a backfill wants its whole window and is
    bounded by the window and by interrupting and resuming it."""
    return given(settings, name)
