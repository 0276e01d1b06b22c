"""``python -m newscrawl crawl``: one incremental run of every site (or those named), for cron.

One process, one reactor: the sites' crawlers run at once (NEWSCRAWL_RUN_PARALLEL, the default:
each site has its own download slots and politeness delay, so they do not slow each other) or
one after another. The run:

1. checks the configuration (exit 3 on an unknown site, a bad ``--max-age``, contradictory or
   malformed settings), then takes the run lock (exit 2 at once if another run holds it; a
   lock left by a dead run is taken over);
2. writes ``<output>/<site>/<YYYY-MM-DD>.jsonl`` (WriteJsonlPipeline) and the text records
   ``<output>/<site>/text/NNN_<id>.txt``; the dedup state skips articles already collected;
3. logs a progress line per minute, then prints a summary table, writes the manifest
   ``<output>/runs/<run-id>.json`` and exits 0, or 1 when a site failed a health check
   (newscrawl.monitor) or the run was interrupted.

``--dry-run`` fetches the discovery documents only and lists the article URLs that a run would
fetch (after the age and already-collected filters); it takes no lock and writes nothing.
"""

from __future__ import annotations

import argparse
import logging
import math
import os
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scrapy.http import Request, Response
from scrapy.settings import SETTINGS_PRIORITIES, Settings
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware

from newscrawl import __version__
from newscrawl.atomic import write_json_atomic
from newscrawl.defaults import get_bool, get_value, state_folder
from newscrawl.lock import LockHeld, RunLock
from newscrawl.monitor import CheckResult, check_site, site_counts, thresholds_for, validate_settings
from newscrawl.publishers import CATALOG_KEYS, PUBLISHERS, SITE_KEYS
from newscrawl.text.dates import parse_duration

logger = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_UNHEALTHY = 1
EXIT_LOCKED = 2
EXIT_CONFIG = 3
CMDLINE = SETTINGS_PRIORITIES["cmdline"]
DRY_RUN_PRIORITY = 540  # spider middleware, after the dedup one (550) in the spider's output


class ConfigError(ValueError):
    """Bad configuration: the run does not start (exit code 3)."""


@dataclass
class Plan:
    sites: list[str]
    settings: Settings
    spider_args: dict[str, str]
    output: Path
    max_age: str
    dry_run: bool
    replay: str
    lock_path: Path
    parallel: bool
    progress_interval: float
    run_id: str
    run_timeout: float | None = None
    stop_grace: float = 2.0
    argv: list[str] = field(default_factory=list)
    window: dict[str, str | None] | None = None
    """The backfill window (--since/--until), None for a run by age."""


# ------------------------------------------------------------------------------ configuration
def parse_pairs(values: list[str], what: str) -> dict[str, str]:
    out = {}
    for raw in values:
        name, sep, value = raw.partition("=")
        if not sep or not name.strip():
            raise ConfigError(f"bad {what} {raw!r}: NAME=VALUE expected")
        out[name.strip()] = value
    return out


def project_settings(overrides: dict[str, str]) -> Settings:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "newscrawl.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    for name, value in overrides.items():
        settings.set(name, value, priority="cmdline")
    return settings


def resolve_sites(names: list[str], all_sites: bool, spider_args: dict[str, str], catalog: bool = False
                  ) -> list[str]:
    """The sites to crawl: those named, plus the named sites (``--all``) and/or every catalog
    entry (``--catalog``). ``-a SITE:NAME=VALUE`` arguments must name a site of the run."""
    if all_sites and names:
        raise ConfigError("name sites or pass --all, not both")
    if not (all_sites or catalog or names):
        raise ConfigError(f"name the sites to crawl or pass --all (sites: {', '.join(SITE_KEYS)}) or --catalog "
                          "(python -m newscrawl sites lists them)")
    sites = list(dict.fromkeys([*(SITE_KEYS if all_sites else names), *(CATALOG_KEYS if catalog else ())]))
    unknown = [s for s in sites if s not in PUBLISHERS]
    if unknown:
        raise ConfigError(f"unknown site(s): {', '.join(unknown)} (python -m newscrawl sites lists the known ones)")
    if "generic" in sites and not args_for(spider_args, "generic").get("start_urls"):
        raise ConfigError("the generic site needs -a start_urls=URL[,URL...]")
    strays = sorted({k.partition(":")[0] for k in spider_args if ":" in k} - set(sites))
    if strays:
        raise ConfigError(f"-a argument(s) for site(s) not in this run: {', '.join(strays)}")
    return sites


def args_for(spider_args: dict[str, str], site: str) -> dict[str, str]:
    """The spider arguments of ``site``: ``-a NAME=VALUE`` (every site), overridden by
    ``-a SITE:NAME=VALUE`` (that site only, e.g. ``-a lemonde:start_urls=URL``)."""
    out = {k: v for k, v in spider_args.items() if ":" not in k}
    prefix = f"{site}:"
    out.update({k[len(prefix):]: v for k, v in spider_args.items() if k.startswith(prefix)})
    return out


def resolve_max_age(cli: str | None, settings: Settings, replay: str) -> str:
    """--max-age, else NEWSCRAWL_MAX_AGE when set, else no limit when replaying an archive
    (it is already a bounded snapshot), else NEWSCRAWL_CRAWL_MAX_AGE (2d)."""
    setting = str(settings.get("NEWSCRAWL_MAX_AGE") or "")
    if cli is not None and setting and settings.getpriority("NEWSCRAWL_MAX_AGE") >= CMDLINE and cli != setting:
        raise ConfigError(f"--max-age {cli} contradicts -s NEWSCRAWL_MAX_AGE={setting}")
    what = "--max-age"
    if cli is not None:
        value = cli
    elif setting:
        value, what = setting, "NEWSCRAWL_MAX_AGE"
    elif replay:
        value = "0"
    else:
        value = str(settings.get("NEWSCRAWL_CRAWL_MAX_AGE") or "0")
    try:
        parse_duration(value)
    except ValueError as exc:
        raise ConfigError(f"bad {what} {value!r}: {exc}") from None
    return value


def make_plan(args: argparse.Namespace, argv: list[str] | None = None) -> Plan:
    overrides = parse_pairs(args.set, "-s setting")
    spider_args = parse_pairs(args.arg, "-a argument")
    from newscrawl.config_check import unknown_settings

    unknown = unknown_settings(overrides)
    if unknown:
        raise ConfigError("; ".join(unknown))
    settings = project_settings(overrides)
    sites = resolve_sites(args.sites, args.all, spider_args, getattr(args, "catalog", False))
    replay = str(settings.get("NEWSCRAWL_REPLAY") or "")
    if replay:
        from newscrawl.warc import warc_files

        files = warc_files(replay)
        if not Path(replay).exists() or not files or not all(f.is_file() for f in files):
            raise ConfigError(f"NEWSCRAWL_REPLAY={replay}: no WARC file there")
        if settings.get("NEWSCRAWL_WARC_DIR"):
            raise ConfigError("NEWSCRAWL_REPLAY and NEWSCRAWL_WARC_DIR together: "
                              "a replay must not archive itself again")
        from newscrawl.replay import replay_state_dir, state_dir_given

        if not state_dir_given(settings):  # a replay re-extracts everything: a fresh state of its own
            settings.set("NEWSCRAWL_STATE_DIR", replay_state_dir(), priority="cmdline")
    window = resolve_window(args, spider_args, settings)
    if window is not None:
        given = args.max_age if getattr(args, "max_age", None) is not None else str(
            settings.get("NEWSCRAWL_MAX_AGE") or "")
        if given and given != "0":
            print(f"newscrawl crawl: --max-age/NEWSCRAWL_MAX_AGE ({given}) does not apply in a backfill "
                  f"(--since/--until): ignored", file=sys.stderr)
        settings.set("NEWSCRAWL_MAX_AGE", "", priority="cmdline")
        max_age = "0"
    else:
        max_age = resolve_max_age(args.max_age, settings, replay)
    try:
        validate_settings(settings, sites)
        interval = float(settings.get("NEWSCRAWL_PROGRESS_INTERVAL") or 0)
        parallel = get_bool(settings, "NEWSCRAWL_RUN_PARALLEL")
        settings.getint("NEWSCRAWL_WARC_MAX_SIZE")
        run_timeout, stop_grace = run_limits(settings)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    state_dir = state_folder(settings)
    lock_path = Path(str(settings.get("NEWSCRAWL_LOCK_FILE") or state_dir / "crawl.lock"))
    run_id = f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}-{os.getpid()}"
    return Plan(sites=sites, settings=settings, spider_args=spider_args, output=Path(args.output),
                max_age=max_age, dry_run=args.dry_run, replay=replay, lock_path=lock_path,
                parallel=parallel, progress_interval=interval, run_id=run_id, argv=list(argv or sys.argv[1:]),
                window=window, run_timeout=run_timeout, stop_grace=stop_grace)


def resolve_window(args: argparse.Namespace, spider_args: dict[str, str],
                   settings: Settings) -> dict[str, str | None] | None:
    """--since/--until (or -a since=/until=): checked here (exit 3 when bad), passed to every
    spider as its ``since``/``until`` arguments; the manifest records the window."""
    from newscrawl.backfill import parse_window

    per_site = sorted(k for k in spider_args if k.partition(":")[2] in ("since", "until"))
    if per_site:  # the window is the run's: its manifest, its log line, the age limit lifted
        raise ConfigError(f"-a {per_site[0]}: a backfill window applies to the whole run "
                          "(--since/--until or -a since=/until=)")
    for name in ("since", "until"):
        flag = getattr(args, name, None)
        if flag is not None and spider_args.get(name, flag) != flag:
            raise ConfigError(f"--{name} {flag} contradicts -a {name}={spider_args[name]}")
        if flag is not None:
            spider_args[name] = flag
    try:
        window = parse_window(spider_args.get("since"), spider_args.get("until"),
                              settings.get("NEWSCRAWL_BACKFILL_LASTMOD_SLACK"))
    except ValueError as exc:
        raise ConfigError(f"bad backfill window: {exc}") from None
    return window.to_dict() if window is not None else None


def run_limits(settings: Settings) -> tuple[float | None, float]:
    """NEWSCRAWL_RUN_TIMEOUT in seconds (None: no limit) and NEWSCRAWL_STOP_GRACE; ValueError
    on a bad value."""
    raw = settings.get("NEWSCRAWL_RUN_TIMEOUT") or ""
    try:
        limit = parse_duration(raw.strip() if isinstance(raw, str) else raw)
    except ValueError as exc:
        raise ValueError(f"NEWSCRAWL_RUN_TIMEOUT: {exc}") from None
    try:
        grace = float(get_value(settings, "NEWSCRAWL_STOP_GRACE"))
    except (TypeError, ValueError):
        raise ValueError(f"NEWSCRAWL_STOP_GRACE: not a number of seconds: {settings.get('NEWSCRAWL_STOP_GRACE')!r}") from None
    if not 0 <= grace < math.inf:  # NaN too: the abort is a reactor.callLater(grace)
        raise ValueError(f"NEWSCRAWL_STOP_GRACE: must be a finite number of seconds, 0 or more, got {grace}")
    return (limit.total_seconds() if limit else None), grace


def phases(sites: list[str]) -> list[list[str]]:
    """Publishers, then aggregators (each phase non-empty, order kept)."""
    first = [s for s in sites if PUBLISHERS[s].kind != "aggregator"]
    then = [s for s in sites if PUBLISHERS[s].kind == "aggregator"]
    return [p for p in (first, then) if p]


def site_settings(plan: Plan, site: str) -> dict[str, Any]:
    """Settings a site's crawler gets on top of the run's (output folders, age window)."""
    values: dict[str, Any] = {"NEWSCRAWL_MAX_AGE": plan.max_age}
    if plan.replay and plan.settings.getpriority("NEWSCRAWL_RENDER") < CMDLINE:
        values["NEWSCRAWL_RENDER"] = False  # a replay never starts a browser (it could reach the network)
    if plan.dry_run:  # writes nothing: no output, no archive, no dedup state (nor its pruning), takes no
        # lock (it may list beside a running cron run)
        values.update(NEWSCRAWL_OUTPUT_DIR="", NEWSCRAWL_RECORDS_DIR="", NEWSCRAWL_WARC_DIR="",
                      NEWSCRAWL_DEDUP_WINDOW="", NEWSCRAWL_WRITER_LOCK=False)
        values["NEWSCRAWL_MONITOR_ENABLED"] = False  # dry_run_checks judge it: the spiders' monitor counts records
        if not plan.settings.get("NEWSCRAWL_REDIS_URL") and not dry_run_state_exists(plan.settings):
            values["NEWSCRAWL_DEDUP_ENABLED"] = False  # nothing collected yet: nothing to filter
        return values
    values["NEWSCRAWL_OUTPUT_DIR"] = str(plan.output)
    records = plan.settings.get("NEWSCRAWL_RECORDS_DIR")
    if plan.settings.getpriority("NEWSCRAWL_RECORDS_DIR") >= CMDLINE:  # given with -s: "" disables
        values["NEWSCRAWL_RECORDS_DIR"] = str(Path(records) / site) if records else ""
    else:
        values["NEWSCRAWL_RECORDS_DIR"] = str(plan.output / site / "text")
    return values


# ------------------------------------------------------------------------------ dry run
def dry_run_state_exists(settings: Settings) -> bool:
    from newscrawl.dedup.store import SQLITE_FILE

    return (state_folder(settings) / SQLITE_FILE).is_file()


def dry_run_checks(site: str, counts: dict[str, Any], stats: dict[str, Any], limits: Any) -> list[CheckResult]:
    """The checks a dry run can make, as a real run makes them: articles found by discovery
    (would be fetched + already collected) and the discovery error rate."""
    found = int(stats.get("newscrawl/dry_run/would_fetch", 0) or 0) + counts["skipped_seen"]
    dry = dict(counts, records=found, skipped_seen=0, duplicates=0, already_written=0, parsed=0)
    return [c for c in check_site(site, dry, limits) if not c.check.startswith("coverage/")]


class DryRunMiddleware(BaseSpiderMiddleware):
    """Spider middleware of ``--dry-run``: lists each article request the spider makes and drops
    it. It sits after the dedup middleware (550), so already collected articles are not listed;
    robots.txt is not consulted for the listing.

    Stats written: newscrawl/dry_run/would_fetch.
    """

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        if not request.meta.get("newscrawl_article"):
            return request
        assert self.crawler is not None
        site = self.crawler.spider.name
        self.crawler.stats.inc_value("newscrawl/dry_run/would_fetch")
        print(f"would fetch\t{site}\t{request.url}", flush=True)
        return None


# ------------------------------------------------------------------------------ reporting
PROGRESS_FIELDS = (("fetched", "fetched"), ("records", "records"), ("skipped_seen", "seen"),
                   ("duplicates", "dups"), ("errors", "errors"))


def progress_line(stats_by_site: dict[str, dict[str, Any]]) -> str:
    parts = []
    for site, stats in stats_by_site.items():
        counts = site_counts(stats)
        shown = []
        for key, label in PROGRESS_FIELDS:
            value = counts[key]
            shown.append(f"{label} {sum(value.values()) if isinstance(value, dict) else value}")
        parts.append(f"{site}: " + ", ".join(shown))
    return " | ".join(parts)


TABLE_COLUMNS = ("discovered", "fetched", "skipped_seen", "records", "duplicates", "paywalled", "dropped", "errors")
TABLE_HEADERS = ("discovered", "fetched", "seen", "records", "dups", "paywalled", "dropped", "errors")


def summary_table(report: dict[str, dict[str, Any]]) -> str:
    rows = [("site", *TABLE_HEADERS, "status")]
    for site, entry in report.items():
        counts = entry["counts"]
        cells = [str(sum(counts[c].values()) if isinstance(counts[c], dict) else counts[c]) for c in TABLE_COLUMNS]
        failed = [c["check"] for c in entry["checks"] if not c["ok"]]
        status = (entry.get("error") and "FAILED (crawl error)") or ("FAIL " + ", ".join(failed) if failed else "ok")
        rows.append((site, *cells, status))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    lines = []
    for row in rows:
        cells = [row[0].ljust(widths[0])] + [c.rjust(w) for c, w in zip(row[1:-1], widths[1:-1], strict=True)]
        lines.append("  ".join([*cells, row[-1]]))
    return "\n".join(lines)


def _iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).replace(microsecond=0).isoformat()


def parser_version(site: str) -> str:
    try:
        cls = PUBLISHERS[site].parser_class()
    except (ImportError, AttributeError) as exc:
        return f"unavailable ({exc})"
    # a catalog entry read by the generic parser writes "generic/<version>" (newscrawl/parsers/catalog.py)
    return f"{getattr(cls, 'label', None) or getattr(cls, 'key', site)}/{getattr(cls, 'version', '?')}"


# ------------------------------------------------------------------------------ the run
def run(args: argparse.Namespace) -> int:
    try:
        plan = make_plan(args)
    except ConfigError as exc:
        print(f"newscrawl crawl: configuration error: {exc}", file=sys.stderr)
        return EXIT_CONFIG
    if plan.dry_run:
        return execute(plan, None)
    lock = RunLock(plan.lock_path, run_folders(plan))
    try:
        lock.acquire()
    except LockHeld as exc:
        print(f"newscrawl crawl: {exc}; not starting (exit {EXIT_LOCKED})", file=sys.stderr)
        return EXIT_LOCKED
    except OSError as exc:  # a folder to write to cannot be created (a file in its way, no permission)
        print(f"newscrawl crawl: configuration error: cannot create or lock {exc.filename or ''}: "
              f"{exc.strerror or exc}", file=sys.stderr)
        return EXIT_CONFIG
    try:
        return execute(plan, lock)
    finally:
        lock.release()


def run_folders(plan: Plan) -> list[Path]:
    """Every folder the run's crawlers write to (the lock covers them: newscrawl.lock)."""
    from newscrawl.lock import writer_folders

    folders: list[Path] = []
    for site in plan.sites:
        settings = plan.settings.copy()
        for name, value in site_settings(plan, site).items():
            settings.set(name, value, priority="cmdline")
        folders += [f for f in writer_folders(settings, site) if f not in folders]
    return folders


def execute(plan: Plan, lock: RunLock | None) -> int:
    from scrapy import signals
    from scrapy.crawler import CrawlerProcess

    started = time.time()
    manifest_path = plan.output / "runs" / f"{plan.run_id}.json"
    manifest: dict[str, Any] = {
        "run_id": plan.run_id, "version": __version__, "status": "running", "started": _iso(started),
        "finished": None, "pid": os.getpid(), "argv": plan.argv, "sites": plan.sites, "dry_run": plan.dry_run,
        "max_age": plan.max_age, "window": plan.window, "replay": plan.replay or None,
        "warc_dir": plan.settings.get("NEWSCRAWL_WARC_DIR") or None,
        "state_dir": str(plan.settings.get("NEWSCRAWL_STATE_DIR")), "output": str(plan.output),
        "lock": {"path": str(plan.lock_path),
                 "took_over_pid": lock.previous.pid if lock and lock.previous else None},
        "exit_code": None, "sites_report": {},
    }
    try:
        process = CrawlerProcess(plan.settings)
    except Exception as exc:  # a component named in the settings cannot be loaded
        print(f"newscrawl crawl: configuration error: cannot set up the crawl: {exc!r}", file=sys.stderr)
        return EXIT_CONFIG
    logger.info("Run %(run)s: sites %(sites)s, %(age)s%(mode)s", {
        "run": plan.run_id, "sites": ", ".join(plan.sites),
        "age": (f"backfill {plan.window['since'] or '…'}..{plan.window['until'] or '…'} (no max age)"
                if plan.window else f"max age {plan.max_age if plan.max_age != '0' else 'none'}"),
        "mode": " (dry run)" if plan.dry_run else (f", replaying {plan.replay}" if plan.replay else "")})
    crawlers: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for site in plan.sites:
        try:
            crawler = process.create_crawler(process.spider_loader.load(site))
        except Exception as exc:
            print(f"newscrawl crawl: configuration error: cannot create the {site} crawler: {exc!r}", file=sys.stderr)
            return EXIT_CONFIG
        for name, value in site_settings(plan, site).items():
            crawler.settings.set(name, value, priority="cmdline")
        if plan.dry_run:
            middlewares = crawler.settings.getdict("SPIDER_MIDDLEWARES")
            middlewares["newscrawl.run.DryRunMiddleware"] = DRY_RUN_PRIORITY
            crawler.settings.set("SPIDER_MIDDLEWARES", middlewares, priority="cmdline")
        crawlers[site] = crawler

    if not plan.dry_run:  # a manifest left "running" is a run that died: the next run marks it killed
        from newscrawl.lifecycle import mark_killed_runs

        manifest["marked_killed"] = mark_killed_runs(manifest_path.parent, plan.run_id)
        try:
            write_json_atomic(manifest_path, manifest)
        except OSError as exc:  # tried again at the end; the records say the rest
            logger.error("Cannot write the manifest %(path)s: %(exc)s", {"path": manifest_path, "exc": exc})
    interrupted = {"flag": False}
    start_failed: set[str] = set()
    stopping: dict[str, str] = {}  # why the run stops early: "timeout", "start_failed", "signal"
    aborting: list[bool] = []  # the downloads in flight are aborted after the grace

    def on_closed(spider: Any, reason: str) -> None:
        if reason == "shutdown":
            interrupted["flag"] = True

    for crawler in crawlers.values():
        crawler.signals.connect(on_closed, signal=signals.spider_closed, weak=False)

    def start(site: str) -> Any:
        d = process.crawl(crawlers[site], **args_for(plan.spider_args, site))

        def failed(failure: Any) -> None:
            # Raised while the crawler set up its components (a bad setting value, a missing
            # module, a dedup state built with other parameters): the run cannot do its job.
            errors[site] = f"{failure.type.__name__}: {failure.value}"
            start_failed.add(site)
            logger.error("Crawl of %(site)s failed: %(error)s", {"site": site, "error": errors[site]},
                         exc_info=(failure.type, failure.value, failure.getTracebackObject()))
            stop_run("start_failed", f"the {site} crawler failed to start")

        d.addErrback(failed)
        return d

    from scrapy.utils.defer import deferred_from_coro
    from twisted.internet import defer

    @defer.inlineCallbacks
    def run_phases() -> Any:
        # Publishers first, aggregators after: an aggregator's copy must meet its original
        # already collected, or the copy would be kept and the original dropped as its duplicate.
        for phase in phases(plan.sites):
            if interrupted["flag"] or stopping:
                for site in phase:
                    errors.setdefault(site, f"not started: {not_started_reason()}")
                continue
            if plan.parallel:
                started_now = []
                for site in phase:
                    if stopping:  # an earlier site of the phase failed to start
                        errors.setdefault(site, f"not started: {not_started_reason()}")
                        continue
                    started_now.append(start(site))
                yield defer.DeferredList(started_now)
            else:
                for site in phase:
                    if interrupted["flag"] or stopping:
                        errors.setdefault(site, f"not started: {not_started_reason()}")
                        continue
                    yield start(site)

    def not_started_reason() -> str:
        return {"timeout": "the run time limit was reached", "start_failed": "another site failed to start"}.get(
            stopping.get("why", ""), "the run was interrupted")

    def stop_run(why: str, message: str) -> None:
        """Stop every crawler gracefully (they write what they have), then abort the downloads
        still in flight after NEWSCRAWL_STOP_GRACE seconds: a server that never answers must not
        hold the run for DOWNLOAD_TIMEOUT."""
        if stopping:
            return
        stopping.update(why=why, message=message)
        logger.warning("Stopping the run: %(message)s", {"message": message})
        for c in crawlers.values():
            stop_crawler(c)
        schedule_abort()

    def stop_crawler(c: Any) -> None:
        # Crawler.stop_async() on an engine not running yet (opened, not started) only clears
        # ``crawling``, and the engine, once started, could then never stop: wait for it.
        if not getattr(c, "crawling", False):
            return
        engine = getattr(c, "engine", None)
        if engine is not None and engine.running:
            deferred_from_coro(c.stop_async())
        else:
            from twisted.internet import reactor

            reactor.callLater(0.1, stop_crawler, c)

    def schedule_abort() -> None:
        from twisted.internet import reactor  # installed by the first crawler by now

        from newscrawl.lifecycle import abort_downloads

        if aborting:
            return
        aborting.append(True)

        def abort() -> None:
            if not reactor.running:
                return
            n = abort_downloads()
            if n:
                logger.warning("Aborted %(n)d connection(s) of downloads still in flight %(grace)s s after the stop",
                               {"n": n, "grace": plan.stop_grace})
            reactor.callLater(0.5, abort)  # Twisted retries a lost GET once on a new connection

        reactor.callLater(plan.stop_grace, abort)

    done = run_phases()  # starts the first crawler, which installs the reactor of the settings

    from twisted.internet import reactor, task

    from newscrawl.lifecycle import on_stop_signal, stop_reactor

    def on_signal(signum: int) -> None:  # Scrapy's handler stops the crawlers gracefully
        stopping.setdefault("why", "signal")
        stopping.setdefault("message", f"signal {signum} received")
        schedule_abort()

    on_stop_signal(on_signal)
    timer = None
    if plan.run_timeout:
        timer = reactor.callLater(plan.run_timeout, lambda: stop_run(
            "timeout", f"the run time limit NEWSCRAWL_RUN_TIMEOUT ({plan.settings.get('NEWSCRAWL_RUN_TIMEOUT')}) "
                       f"was reached"))

    ticker = None
    if plan.progress_interval > 0:
        def tick() -> None:
            started_sites = {s: crawler_stats(c) for s, c in crawlers.items() if getattr(c, "_stats", None)}
            logger.info("progress: %(line)s", {"line": progress_line(started_sites)})

        ticker = task.LoopingCall(tick)
        ticker.start(plan.progress_interval, now=False)

    def finish(_: Any) -> None:
        if ticker is not None and ticker.running:
            ticker.stop()
        if timer is not None and timer.active():
            timer.cancel()
        stop_reactor()  # the crawlers may all have failed before the reactor started

    done.addBoth(finish)
    process.start(stop_after_crawl=False)

    # ------------------------------------------------------------------ verdict
    report: dict[str, dict[str, Any]] = {}
    failures: list[str] = []
    for site, crawler in crawlers.items():
        stats = crawler_stats(crawler)
        counts = site_counts(stats)
        checks: list[CheckResult] = []
        if site not in errors:
            limits = thresholds_for(plan.settings, site)
            checks = (dry_run_checks(site, counts, stats, limits) if plan.dry_run
                      else check_site(site, counts, limits))
        entry = {
            "counts": counts,
            "checks": [c.to_dict() for c in checks],
            "parser": parser_version(site),
            "files": sorted(str(p) for p in _written_files(crawler)),
        }
        if site in errors:
            entry["error"] = errors[site]
            failures.append(f"{site}: crawl failed ({errors[site]})")
        failures += [c.message for c in checks if not c.ok]
        report[site] = entry
    timed_out = stopping.get("why") == "timeout"
    if stopping.get("why") == "signal":  # a second signal forces the stop before any spider closes
        interrupted["flag"] = True
    if timed_out:
        failures.append(f"{stopping['message']}: stopped early, what was collected is written")
    elif interrupted["flag"] and not start_failed:
        failures.append("the run was interrupted before it finished")
    code = EXIT_CONFIG if start_failed else EXIT_UNHEALTHY if failures else EXIT_OK
    finished = time.time()

    print(f"\nnewscrawl run {plan.run_id}{' (dry run)' if plan.dry_run else ''}: {len(plan.sites)} site(s), "
          f"{finished - started:.1f} s, exit {code}")
    print(summary_table(report))
    for message in failures:
        print(f"FAILED: {message}")
        logger.error("Run %(run)s: %(message)s", {"run": plan.run_id, "message": message})
    if plan.dry_run:
        listed = sum(int(crawler_stats(c).get("newscrawl/dry_run/would_fetch", 0) or 0) for c in crawlers.values())
        print(f"dry run: {listed} article URL(s) would be fetched; nothing was written")
        return code
    if plan.replay:
        written = sum(entry["counts"]["records"] for entry in report.values())
        print(f"replay of {plan.replay}: {written} record(s) written")
    write_failed = any(entry["counts"].get("write_errors") for entry in report.values())
    # "failed": a crawler did not start, or records could not be written (a full disk)
    status = ("timeout" if timed_out else "failed" if start_failed or write_failed
              else "interrupted" if interrupted["flag"] else "finished")
    manifest.update(status=status, stop_reason=stopping.get("message"), finished=_iso(finished),
                    duration_s=round(finished - started, 3), exit_code=code, failures=failures, sites_report=report)
    try:
        write_json_atomic(manifest_path, manifest)
    except OSError as exc:  # a full disk: the run's verdict cannot be kept, so it is not a success
        print(f"FAILED: cannot write the manifest {manifest_path}: {exc.strerror or exc}")
        logger.error("Run %(run)s: cannot write the manifest %(path)s: %(exc)s",
                     {"run": plan.run_id, "path": manifest_path, "exc": exc})
        code = max(code, EXIT_UNHEALTHY)
    else:
        print(f"manifest: {manifest_path}")
    from newscrawl.dataset import write_dataset_card

    try:
        card = write_dataset_card(plan.output)  # datasets.load_dataset("<output>/") reads its schema
    except OSError as exc:
        logger.warning("Cannot write the dataset card in %(dir)s: %(exc)s", {"dir": plan.output, "exc": exc})
    else:
        if card is not None:
            print(f"dataset card: {card}")
    for entry in report.values():
        for path in entry["files"]:
            print(f"records:  {path}")
    return code


def crawler_stats(crawler: Any) -> dict[str, Any]:
    """The crawler's stats; empty for a crawler that never started (an interrupted run)."""
    stats = getattr(crawler, "_stats", None)  # Crawler.stats raises before the crawl starts
    return dict(stats.get_stats()) if stats is not None else {}


def _written_files(crawler: Any) -> list[Path]:
    """The dated JSONL files the crawl wrote: its item pipelines' writers that keep
    ``written_paths`` (pipelines/write_jsonl.py), found without importing the app layer."""
    engine = getattr(crawler, "_engine", None)  # Crawler.engine raises before the crawl starts
    pipelines = getattr(getattr(getattr(engine, "scraper", None), "itemproc", None), "middlewares", None) or ()
    paths: set[Path] = set()
    for pipeline in pipelines:
        paths.update(getattr(getattr(pipeline, "writer", None), "written_paths", None) or ())
    return sorted(paths)
