"""Per-site health checks of a crawl: zero articles, field coverage, write errors, error rate.

Pure functions turn a crawl's stats into per-site counts (:func:`site_counts`) and check them
against thresholds (:func:`check_site`). ``python -m newscrawl crawl`` uses them for its exit
code and manifest; :class:`MonitorExtension` runs the same checks at the end of any
``scrapy crawl`` and logs the verdict; :class:`FetchOutcomeMiddleware` counts the final outcome
of every discovery and article request, which the error rate is computed from.

Why not spidermon: it installs from PyPI and runs offline (1.27.0 was tried with Scrapy
2.19), but the verdict is needed outside the crawl, in the process that sets the exit code and
writes the manifest, while spidermon keeps its results inside its unittest runner (reachable
only through a custom action); it would add about fifteen packages (jsonschema[format] and its
format checkers) for three comparisons, emits a ScrapyDeprecationWarning (``Spider.log``) on
Scrapy 2.19 at each close, and its useful extras (Slack, e-mail, Sentry actions) need the
network. cron already mails a run's output when the exit code says so.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from scrapy import signals
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request, Response

from newscrawl.defaults import get_bool
from newscrawl.items import COVERAGE_FIELDS

logger = logging.getLogger(__name__)

FETCH_KINDS = ("article", "discovery")
DUPLICATE_DROPS = ("DuplicateUrl", "DuplicateContent", "NearDuplicate")
# Stats of the dedup middleware counting article URLs skipped because already collected.
SEEN_STATS_PREFIXES = ("newscrawl/dedup/skipped_seen",)
# Pages the spider drops before any pipeline sees them: newscrawl/page/dropped/<reason>.
SPIDER_DROP_PREFIXES = ("newscrawl/page/dropped",)
# Of those, the reasons that mean a field is missing.
SPIDER_DROP_FIELDS = {"title": "no_title", "text": "no_body"}
# Article URLs the spider requested after its filters (age, duplicates in the documents).
DISCOVERED_STATS = ("newscrawl/discovery/requested",)


# ------------------------------------------------------------------------------- thresholds
@dataclass(frozen=True)
class Thresholds:
    min_articles: int = 1
    """A site must yield at least this many articles (written, already seen or duplicates)."""
    max_missing: dict[str, float] = field(default_factory=lambda: {"title": 0.2, "text": 0.2, "published": 0.2})
    """Field -> highest share of parsed pages allowed without it."""
    max_error_rate: float = 0.25
    """Highest share of failed discovery + article requests (after retries)."""
    min_sample: int = 10
    """Coverage is judged only once this many pages were parsed (a small run proves nothing)."""
    max_dead_entry_points: int = 0
    """Start URLs (feeds, sitemaps) that may fail or not be a feed/sitemap before the site fails."""


_KEYS = {"min_articles", "max_missing", "max_error_rate", "min_sample", "max_dead_entry_points"}


def _ratio(name: str, value: Any) -> float:
    try:
        ratio = float(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: not a number: {value!r}") from None
    if not 0 <= ratio <= 1:
        raise ValueError(f"{name}: a share between 0 and 1 is expected, got {value!r}")
    return ratio


def _count(name: str, value: Any) -> int:
    try:
        count = int(value)
    except (TypeError, ValueError):
        raise ValueError(f"{name}: not an integer: {value!r}") from None
    if count < 0:
        raise ValueError(f"{name}: must not be negative, got {value!r}")
    return count


def _apply(base: Thresholds, values: dict[str, Any], where: str) -> Thresholds:
    unknown = set(values) - _KEYS
    if unknown:
        raise ValueError(f"{where}: unknown threshold(s) {sorted(unknown)}; known: {sorted(_KEYS)}")
    out = base
    if "min_articles" in values:
        out = replace(out, min_articles=_count(f"{where}.min_articles", values["min_articles"]))
    if "min_sample" in values:
        out = replace(out, min_sample=_count(f"{where}.min_sample", values["min_sample"]))
    if "max_dead_entry_points" in values:
        out = replace(out, max_dead_entry_points=_count(f"{where}.max_dead_entry_points",
                                                        values["max_dead_entry_points"]))
    if "max_error_rate" in values:
        out = replace(out, max_error_rate=_ratio(f"{where}.max_error_rate", values["max_error_rate"]))
    if "max_missing" in values:
        if not isinstance(values["max_missing"], dict):
            raise ValueError(f"{where}.max_missing: a mapping field -> share is expected")
        merged = dict(out.max_missing)
        for name, ratio in values["max_missing"].items():
            merged[str(name)] = _ratio(f"{where}.max_missing.{name}", ratio)
        out = replace(out, max_missing=merged)
    return out


def thresholds_for(settings: Any, site: str) -> Thresholds:
    """The thresholds of ``site``: the NEWSCRAWL_MONITOR_* settings (NEWSCRAWL_MONITOR_MAX_MISSING
    is the whole field map), then its entry in NEWSCRAWL_MONITOR_SITES (its ``max_missing``
    entries are merged into that map). Raises ValueError on a bad value (a configuration error)."""
    defaults = Thresholds()
    base = _apply(replace(defaults, max_missing={}), {
        "min_articles": settings.get("NEWSCRAWL_MONITOR_MIN_ARTICLES", defaults.min_articles),
        "max_missing": settings.getdict("NEWSCRAWL_MONITOR_MAX_MISSING", defaults.max_missing),
        "max_error_rate": settings.get("NEWSCRAWL_MONITOR_MAX_ERROR_RATE", defaults.max_error_rate),
        "min_sample": settings.get("NEWSCRAWL_MONITOR_MIN_SAMPLE", defaults.min_sample),
        "max_dead_entry_points": settings.get("NEWSCRAWL_MONITOR_MAX_DEAD_ENTRY_POINTS",
                                              defaults.max_dead_entry_points),
    }, "NEWSCRAWL_MONITOR")
    entry = settings.getdict("NEWSCRAWL_MONITOR_SITES").get(site) or {}
    if not isinstance(entry, dict):
        raise ValueError(f"NEWSCRAWL_MONITOR_SITES.{site}: a mapping of thresholds is expected")
    return _apply(base, entry, f"NEWSCRAWL_MONITOR_SITES.{site}")


def validate_settings(settings: Any, sites: list[str] | tuple[str, ...]) -> None:
    """Raise ValueError when a threshold setting is malformed or names an unknown site."""
    per_site = settings.getdict("NEWSCRAWL_MONITOR_SITES")
    from newscrawl.publishers import PUBLISHERS

    unknown = set(per_site) - set(PUBLISHERS)
    if unknown:
        raise ValueError(f"NEWSCRAWL_MONITOR_SITES: unknown site(s) {sorted(unknown)}")
    for site in sites:
        thresholds_for(settings, site)


# ----------------------------------------------------------------------------------- counts
def _sum(stats: dict[str, Any], prefix: str) -> dict[str, int]:
    """``{rest of key: value}`` for the numeric stats under ``prefix/``."""
    out: dict[str, int] = {}
    for key, value in stats.items():
        if key.startswith(prefix + "/") and isinstance(value, int | float):
            out[key[len(prefix) + 1:]] = int(value)
    return out


def site_counts(stats: dict[str, Any]) -> dict[str, Any]:
    """Per-site counts for the manifest and the checks, from one crawl's stats."""
    get = lambda key: int(stats.get(key, 0) or 0)  # noqa: E731 (a local shorthand)
    drop_reasons = _sum(stats, "item_dropped_reasons_count")
    duplicates = sum(drop_reasons.get(name, 0) for name in DUPLICATE_DROPS)
    dropped: dict[str, int] = {}
    spider_drops: dict[str, int] = {}
    for prefix in SPIDER_DROP_PREFIXES:
        for reason, n in _sum(stats, prefix).items():
            spider_drops[reason] = spider_drops.get(reason, 0) + n
    for source in (spider_drops, _sum(stats, "newscrawl/dropped")):
        for reason, n in source.items():
            dropped[reason] = dropped.get(reason, 0) + n
    for name, n in drop_reasons.items():
        # NotAnArticle is newscrawl/dropped/<reason>; DeferredCopy is a hold, not a drop;
        # WriteFailed is a write error (newscrawl/write_error/...), a failure of the run.
        if name not in (*DUPLICATE_DROPS, "NotAnArticle", "DeferredCopy", "WriteFailed"):
            dropped[name] = dropped.get(name, 0) + n
    errors: dict[str, int] = {}
    attempts = 0
    for kind in FETCH_KINDS:
        attempts += get(f"newscrawl/requests/{kind}/total")
        for reason, n in _sum(stats, f"newscrawl/requests/{kind}/error").items():
            errors[f"{kind}/{reason}"] = n
    n_errors = sum(errors.values())
    skipped_seen = sum(v for k, v in stats.items() if isinstance(v, int | float)
                       and any(k == p or k.startswith(p + "/") for p in SEEN_STATS_PREFIXES))
    records = get("newscrawl/jsonl/written") if "newscrawl/jsonl/written" in stats else get("item_scraped_count")
    # Coverage: over the records written plus the pages dropped for lacking a title or a body.
    # (FinalizePipeline's newscrawl/field/* counts an item held back by content dedup and released
    # later twice, so they serve only when the JSONL writer is off.)
    field_drops = {f: spider_drops.get(reason, 0) + get(f"newscrawl/dropped/{reason}")
                   for f, reason in SPIDER_DROP_FIELDS.items()}
    if "newscrawl/jsonl/written" in stats:
        parsed = records + sum(field_drops.values())
        missing_key = "newscrawl/jsonl/missing/{}"
    else:
        parsed = get("newscrawl/parse/items") + sum(spider_drops.get(r, 0) for r in SPIDER_DROP_FIELDS.values())
        missing_key = "newscrawl/field/{}/missing"
        field_drops = {f: spider_drops.get(reason, 0) for f, reason in SPIDER_DROP_FIELDS.items()}
    missing = {f: get(missing_key.format(f)) + field_drops.get(f, 0) for f in COVERAGE_FIELDS}
    parser_versions = _sum(stats, "newscrawl/jsonl/parser")
    return {
        "discovered": sum(get(k) for k in DISCOVERED_STATS),
        "fetched": get("newscrawl/requests/article/ok"),
        "skipped_seen": int(skipped_seen),
        "records": records,
        "already_written": get("newscrawl/jsonl/already_written"),
        "duplicates": duplicates,
        # Teasers among the records written (FinalizePipeline's count sees a deferred copy twice).
        "paywalled": get("newscrawl/jsonl/paywalled") if "newscrawl/jsonl/written" in stats
        else get("newscrawl/items/paywalled"),
        "dropped": {k: v for k, v in sorted(dropped.items()) if v},
        "errors": dict(sorted(errors.items())),
        "requests": attempts,
        "error_rate": round(n_errors / attempts, 4) if attempts else 0.0,
        "parsed": parsed,
        "missing": missing,
        "parser_versions": dict(sorted(parser_versions.items())),
        "entry_points": get("newscrawl/discovery/entry_point/total"),
        "dead_entry_points": get("newscrawl/discovery/entry_point/dead"),
        "write_errors": dict(sorted(_sum(stats, "newscrawl/write_error").items())),
        "finish_reason": stats.get("finish_reason"),
    }


# ----------------------------------------------------------------------------------- checks
@dataclass(frozen=True)
class CheckResult:
    check: str
    ok: bool
    value: float
    threshold: float
    message: str

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def check_site(site: str, counts: dict[str, Any], limits: Thresholds) -> list[CheckResult]:
    """Every check of one site's counts; failures have ``ok=False`` and say why."""
    results = []
    yielded = counts["records"] + counts["skipped_seen"] + counts["duplicates"] + counts["already_written"]
    results.append(CheckResult(
        "articles", yielded >= limits.min_articles, yielded, limits.min_articles,
        f"{site}: {yielded} article(s) found (written {counts['records']}, already collected "
        f"{counts['skipped_seen'] + counts['already_written']}, duplicates {counts['duplicates']}); "
        f"at least {limits.min_articles} expected",
    ))
    parsed = counts["parsed"]
    for name, limit in sorted(limits.max_missing.items()):
        share = counts["missing"].get(name, 0) / parsed if parsed else 0.0
        judged = parsed >= max(1, limits.min_sample)
        results.append(CheckResult(
            f"coverage/{name}", not judged or share <= limit, round(share, 4), limit,
            f"{site}: {share:.0%} of {parsed} parsed page(s) without {name} (at most {limit:.0%} allowed"
            + ("" if judged else f"; not judged under {limits.min_sample} pages") + ")",
        ))
    dead = counts.get("dead_entry_points", 0)
    results.append(CheckResult(
        "entry_points", dead <= limits.max_dead_entry_points, dead, limits.max_dead_entry_points,
        f"{site}: {dead} of {counts.get('entry_points', 0)} entry point(s) dead (failed, or not a feed or "
        f"sitemap; see the \"Dead entry point\" log lines); at most {limits.max_dead_entry_points} allowed",
    ))
    write_errors = counts.get("write_errors") or {}
    n_write = sum(write_errors.values())
    results.append(CheckResult(
        "write_errors", n_write == 0, n_write, 0,
        f"{site}: {n_write} record(s) could not be written "
        f"({', '.join(f'{k} {v}' for k, v in write_errors.items()) or 'none'}); none of them is marked seen, "
        "the next run collects them",
    ))
    rate = counts["error_rate"]
    results.append(CheckResult(
        "error_rate", rate <= limits.max_error_rate, rate, limits.max_error_rate,
        f"{site}: {sum(counts['errors'].values())} of {counts['requests']} request(s) failed ({rate:.0%}; "
        f"at most {limits.max_error_rate:.0%} allowed)",
    ))
    return results


# ----------------------------------------------------------------------------- components
def request_kind(request: Request) -> str | None:
    if request.meta.get("newscrawl_article"):
        return "article"
    if request.meta.get("newscrawl_discovery"):
        return "discovery"
    return None


class FetchOutcomeMiddleware:
    """Downloader middleware (priority 540, below Retry and Redirect, so it sees final outcomes
    only): counts each discovery and article request once, as ok, error or ignored.

    Stats written: newscrawl/requests/<kind>/{total,ok,ignored}, newscrawl/requests/<kind>/error/<reason>
    (``http_<status>`` for status >= 400, else the exception class), kind = article|discovery.
    Ignored requests (robots.txt, already collected, --dry-run) are not errors.
    """

    def __init__(self, crawler: Any) -> None:
        self.stats = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Any) -> FetchOutcomeMiddleware:
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        kind = request_kind(request)
        if kind:
            self.stats.inc_value(f"newscrawl/requests/{kind}/total")
            if response.status >= 400:
                self.stats.inc_value(f"newscrawl/requests/{kind}/error/http_{response.status}")
            else:
                self.stats.inc_value(f"newscrawl/requests/{kind}/ok")
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        kind = request_kind(request)
        if not kind:
            return
        if isinstance(exception, IgnoreRequest):
            self.stats.inc_value(f"newscrawl/requests/{kind}/ignored")
            return
        self.stats.inc_value(f"newscrawl/requests/{kind}/total")
        self.stats.inc_value(f"newscrawl/requests/{kind}/error/{type(exception).__name__}")


class MonitorExtension:
    """Run the checks when a spider closes and log the verdict (any ``scrapy crawl``): one
    WARNING per failed check.

    Settings read: NEWSCRAWL_MONITOR_ENABLED and the NEWSCRAWL_MONITOR_* thresholds.
    Stats written: newscrawl/monitor/failed (number of failed checks),
    newscrawl/monitor/failed/<check>.
    """

    def __init__(self, crawler: Any) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Any) -> MonitorExtension:
        if not get_bool(crawler.settings, "NEWSCRAWL_MONITOR_ENABLED"):
            raise NotConfigured
        ext = cls(crawler)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_closed(self, spider: Any, reason: str) -> None:
        stats = self.crawler.stats
        try:
            limits = thresholds_for(self.crawler.settings, spider.name)
        except ValueError as exc:
            logger.error("Monitor not run: bad threshold setting: %(exc)s", {"exc": exc})
            return
        counts = site_counts({**stats.get_stats(), "finish_reason": reason})
        failed = [r for r in check_site(spider.name, counts, limits) if not r.ok]
        stats.set_value("newscrawl/monitor/failed", len(failed))
        for result in failed:
            stats.set_value(f"newscrawl/monitor/failed/{result.check}", 1)
            # WARNING, not ERROR: a plain `scrapy crawl` reports; the crawl command decides (exit 1).
            logger.warning("Monitor check failed: %(message)s", {"message": result.message})
        if not failed:
            logger.info("Monitor: all checks passed for %(site)s", {"site": spider.name})
