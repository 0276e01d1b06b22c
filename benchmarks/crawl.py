"""Crawl benchmark: the full pipeline against the same Scrapy crawl with a no-op callback, same run.

    .venv/bin/python benchmarks/crawl.py                       # 5,000 pages + the 50,000-page memory crawl
    .venv/bin/python benchmarks/crawl.py --pages 1000 --memory-pages 0     # quick
    .venv/bin/python benchmarks/crawl.py --sites franceinfo --memory-pages 5000

A local server (a child process, 127.0.0.1 only) serves, per site, a sitemap index of sitemaps of
1,000 URLs and the article pages of ``benchmarks/_pages.py`` (realistic size and markup, invented
text, rendered when requested). For each site, two ``scrapy crawl <site> -a start_urls=<sitemap>``
subprocesses run one after the other, with the project's settings and the same overrides:

- **full**: the real spider and every pipeline: discover (sitemaps), fetch, parse, clean, dedup
  (SQLite state), write (dated JSONL with fsync, text records);
- **noop**: the same spider, discovery and settings, but the article callback returns nothing
  (``-s SPIDER_MODULES=benchmarks.crawl``: this module defines spiders of the same names).

Figures come from each crawl's stats file (NEWSCRAWL_STATS_FILE: ``elapsed_time_seconds``,
``memusage/*``, item counts) and from the child's resource usage (``os.wait4``: CPU time, peak RSS).
pages/s = article pages / elapsed_time_seconds (the crawl itself, without interpreter start-up).
Then one more full crawl of ``--memory-pages`` pages (one site) is sampled every 0.5 s
(/proc/<pid>/status VmRSS against the pages served so far, kept in ``rss.csv`` of its run
folder) for the RSS growth, with the most requests that waited in its scheduler at once.

Overrides (both crawls): DOWNLOAD_DELAY=0, AUTOTHROTTLE off, CONCURRENT_REQUESTS=16 and
CONCURRENT_REQUESTS_PER_DOMAIN=16 (the politeness defaults would measure the delay, not the
crawler), MEMUSAGE_CHECK_INTERVAL_SECONDS=1, LOG_LEVEL=INFO to a log file. Targets (issue 7):
full/no-op pages/s >= 0.7; RSS growth over the 50,000-page crawl < 50 MB. Nothing is asserted.

Why this server and not newscrawl.localsite.LocalSite: ``--server localsite`` runs LocalSite
(http.server, a thread per connection) instead; see docs/benchmarks.md for the comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import json
import multiprocessing as mp
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(ROOT))

from benchmarks._machine import machine, rss_mb  # noqa: E402
from spiders._base import NewsSpider  # noqa: E402

SITES = ("franceinfo", "lefigaro", "leparisien", "daily8", "generic")
SITEMAP_SIZE = 1000  # URLs per sitemap file (like the publishers' daily sitemaps)
TARGET_RATIO = 0.7  # full pipeline pages/s at least this share of the no-op crawl's
TARGET_GROWTH_MB = 50.0  # RSS growth over the memory crawl


# ---------------------------------------------------------------- no-op spiders (Scrapy loads these)


def _noop_spider(key: str) -> type[NewsSpider]:
    """The site's spider with an article callback that does nothing: same discovery, same requests."""
    module = importlib.import_module(f"spiders.{key}")
    base = next(obj for obj in vars(module).values()
                if isinstance(obj, type) and issubclass(obj, NewsSpider) and getattr(obj, "name", None) == key)

    def parse_article(self: NewsSpider, response: Any, hints: dict[str, Any] | None = None) -> Iterator[Any]:
        self.inc("bench/noop_pages")
        return iter(())

    return type(f"Noop{base.__name__}", (base,), {"parse_article": parse_article, "__module__": __name__})


for _key in SITES:
    globals()[f"Noop_{_key}"] = _noop_spider(_key)


class Unoptimise:
    """``--unoptimised``: an extension that puts back, in the crawl process, the code issue 7's hot-path
    fixes replaced (benchmarks.extraction.unoptimise), for the "before" figures."""

    @classmethod
    def from_crawler(cls, crawler: Any) -> Unoptimise:
        from benchmarks.extraction import unoptimise

        unoptimise()
        return cls()


class MemoryProbe:
    """Diagnosis extension (``--trace-memory N``): tracemalloc from the Nth response on (after the
    bounded caches have filled), and the allocation sites that grew most since, written at close
    to NEWSCRAWL_BENCH_TRACE_FILE."""

    def __init__(self, crawler: Any) -> None:
        from scrapy import signals

        self.path = crawler.settings.get("NEWSCRAWL_BENCH_TRACE_FILE")
        self.start = crawler.settings.getint("NEWSCRAWL_BENCH_TRACE_FROM", 500)
        self.seen = 0
        self.first: Any = None
        self.first_mb = 0.0
        if not self.path:  # only the memory crawl is traced
            return
        crawler.signals.connect(self.response_received, signal=signals.response_received)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> MemoryProbe:
        return cls(crawler)

    def response_received(self, **kwargs: Any) -> None:
        import tracemalloc

        self.seen += 1
        if self.seen == self.start:
            tracemalloc.start(8)
            self.first = tracemalloc.take_snapshot()
            self.first_mb = tracemalloc.get_traced_memory()[0] / 2**20

    def spider_closed(self, **kwargs: Any) -> None:
        import gc
        import tracemalloc

        if self.first is None or not self.path:
            return
        gc.collect()
        last = tracemalloc.take_snapshot()
        diffs = last.compare_to(self.first, "traceback")
        now, peak = tracemalloc.get_traced_memory()
        lines = [f"{self.seen} responses; Python allocations (tracemalloc): {self.first_mb:.1f} MB at response "
                 f"{self.start}, {now / 2**20:.1f} MB at the end (peak {peak / 2**20:.1f}); growth "
                 f"{sum(s.size_diff for s in diffs) / 2**20:.1f} MB in all, by allocation site:"]
        for stat in diffs[:25]:
            lines.append(f"{stat.size_diff / 1024:10.0f} KiB {stat.count_diff:8d} blocks")
            lines.extend("      " + line for line in stat.traceback.format()[-12:])
        Path(self.path).write_text("\n".join(lines))


class MallocTrim:
    """Experiment (``--malloc-trim SECONDS``): glibc ``malloc_trim(0)`` every SECONDS, which hands
    the free pages inside the C heap back to the system; CPU spent in it as the stat
    ``bench/malloc_trim_seconds``."""

    def __init__(self, crawler: Any) -> None:
        import ctypes

        from scrapy import signals

        self.every = crawler.settings.getfloat("NEWSCRAWL_BENCH_MALLOC_TRIM", 0)
        self.stats = crawler.stats
        self.libc = ctypes.CDLL("libc.so.6")
        self.loop: Any = None
        crawler.signals.connect(self.opened, signal=signals.spider_opened)
        crawler.signals.connect(self.closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler: Any) -> MallocTrim:
        return cls(crawler)

    def trim(self) -> None:
        c0 = time.process_time()
        self.libc.malloc_trim(0)
        self.stats.inc_value("bench/malloc_trim_seconds", time.process_time() - c0)

    def opened(self, spider: Any) -> None:
        if self.every > 0:
            from twisted.internet import task

            self.loop = task.LoopingCall(self.trim)
            self.loop.start(self.every, now=False)

    def closed(self, spider: Any) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()


class BacklogProbe:
    """Memory crawl: the most requests waiting in the scheduler at once (``scheduler/enqueued`` -
    ``scheduler/dequeued``, checked at each response), as the stat ``bench/scheduler_backlog_max``."""

    def __init__(self, crawler: Any) -> None:
        from scrapy import signals

        self.stats = crawler.stats
        self.most = 0
        crawler.signals.connect(self.response_received, signal=signals.response_received)

    @classmethod
    def from_crawler(cls, crawler: Any) -> BacklogProbe:
        return cls(crawler)

    def response_received(self, **kwargs: Any) -> None:
        backlog = self.stats.get_value("scheduler/enqueued", 0) - self.stats.get_value("scheduler/dequeued", 0)
        if backlog > self.most:
            self.most = backlog
            self.stats.set_value("bench/scheduler_backlog_max", backlog)


# ---------------------------------------------------------------- the server


@dataclass
class SiteMap:
    """What the server serves: per site, the article paths (index -> path) and sitemaps."""

    pages: dict[str, int]
    """path -> page index, for one site."""
    sitemaps: dict[str, bytes]


def _sitemap(urls: Sequence[str]) -> bytes:
    rows = "".join(f"<url><loc>{escape(u)}</loc></url>" for u in urls)
    return (f'<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{rows}</urlset>").encode()


def _sitemap_index(urls: Sequence[str]) -> bytes:
    rows = "".join(f"<sitemap><loc>{escape(u)}</loc></sitemap>" for u in urls)
    return (f'<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{rows}</sitemapindex>").encode()


class Catalogue:
    """Every page the server can serve: ``/sitemaps/<site>/<n>/index.xml`` lists the first n pages of
    <site> (sitemap files of SITEMAP_SIZE URLs), article paths render ``PageFactory.page(i, site)``."""

    def __init__(self, factory: Any, counts: dict[str, int], base: str) -> None:
        self.factory = factory
        self.paths: dict[str, tuple[str, int]] = {}
        self.docs: dict[str, bytes] = {"/robots.txt": b"User-agent: *\nAllow: /\n"}
        for site, n in counts.items():
            paths = [factory.path(i, site) for i in range(n)]
            for i, path in enumerate(paths):
                self.paths[path] = (site, i)
            parts = []
            for k in range(0, n, SITEMAP_SIZE):
                doc = f"/sitemaps/{site}/{n}/{k // SITEMAP_SIZE}.xml"
                self.docs[doc] = _sitemap([base + p for p in paths[k:k + SITEMAP_SIZE]])
                parts.append(base + doc)
            self.docs[f"/sitemaps/{site}/{n}/index.xml"] = _sitemap_index(parts)
            self.docs[f"/sitemaps/{site}/0/index.xml"] = _sitemap_index([])  # the start-up baseline
    def get(self, path: str) -> tuple[int, str, bytes]:
        doc = self.docs.get(path)
        if doc is not None:
            ctype = "text/plain; charset=utf-8" if path.endswith(".txt") else "application/xml; charset=utf-8"
            return 200, ctype, doc
        hit = self.paths.get(path)
        if hit is None:
            return 404, "text/html; charset=utf-8", b"<html><body><h1>Not found</h1></body></html>"
        page = self.factory.page(hit[1], hit[0])
        return 200, page.content_type, page.body


async def _serve_asyncio(catalogue: Catalogue, sock: Any, served: Any) -> None:
    """A minimal HTTP/1.1 keep-alive server: GET only, whole responses, no compression."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                line = head.split(b"\r\n", 1)[0].split()
                path = line[1].decode("latin-1").split("?", 1)[0] if len(line) > 1 else "/"
                status, ctype, body = catalogue.get(path)
                if status == 200 and path in catalogue.paths:
                    with served.get_lock():
                        served.value += 1
                writer.write(f"HTTP/1.1 {status} {'OK' if status == 200 else 'Not Found'}\r\n"
                             f"Content-Type: {ctype}\r\nContent-Length: {len(body)}\r\n\r\n".encode() + body)
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, sock=sock)
    async with server:
        await server.serve_forever()


def _serve_localsite(catalogue: Catalogue, sock: Any, served: Any) -> None:
    from newscrawl.localsite import LocalSite, Page

    def fallback(path: str) -> Page | None:
        status, ctype, body = catalogue.get(path.split("?", 1)[0])
        if status == 200 and path in catalogue.paths:
            with served.get_lock():
                served.value += 1
        return Page(body=body, status=status, content_type=ctype)

    site = LocalSite(port=0, fallback=fallback)
    # Serve on the socket the parent bound (it stays open there: binding its port again fails).
    site.server.socket.close()
    site.server.socket = sock
    site.server.server_address = sock.getsockname()
    site.start()
    threading.Event().wait()


def _server_main(kind: str, sites: Sequence[str], counts: dict[str, int], sock: Any, served: Any,
                 ready: Any) -> None:
    from benchmarks._pages import PageFactory

    base = f"http://127.0.0.1:{sock.getsockname()[1]}"
    catalogue = Catalogue(PageFactory.load(sites), counts, base)
    ready.set()
    if kind == "localsite":
        _serve_localsite(catalogue, sock, served)
    else:
        asyncio.run(_serve_asyncio(catalogue, sock, served))


class Server:
    """The page server in a child process (forked: it reuses nothing of Scrapy's)."""

    def __init__(self, kind: str, sites: Sequence[str], counts: dict[str, int]) -> None:
        import socket

        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(128)
        self.base = f"http://127.0.0.1:{self.sock.getsockname()[1]}"
        ctx = mp.get_context("fork")
        self.served = ctx.Value("q", 0)
        ready = ctx.Event()
        self.proc = ctx.Process(target=_server_main, args=(kind, sites, counts, self.sock, self.served, ready),
                                daemon=True)
        self.proc.start()
        if not ready.wait(300):
            raise RuntimeError("the page server did not start")

    def cpu_seconds(self) -> float:
        return _proc_cpu(self.proc.pid) if self.proc.pid else 0.0

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.join(10)
        self.sock.close()


def _proc_cpu(pid: int) -> float:
    """user + system CPU seconds of a live process (/proc/<pid>/stat)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


# ---------------------------------------------------------------- crawls


@dataclass
class Run:
    site: str
    mode: str
    pages: int
    elapsed: float
    cpu: float
    peak_rss_mb: float
    stats: dict[str, Any]
    server_cpu: float
    samples: list[tuple[float, int, float]] = field(default_factory=list)
    """(seconds since start, pages served, RSS MB) every 0.5 s."""
    startup_cpu: float = 0.0
    """CPU seconds of the same crawl with no article (interpreter, imports, engine; 0 if not measured)."""

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.elapsed if self.elapsed else 0.0

    @property
    def cpu_ms_per_page(self) -> float:
        """CPU per article page, start-up excluded when it was measured."""
        return 1000 * (self.cpu - self.startup_cpu) / max(self.pages, 1)


def crawl(server: Server, site: str, n: int, mode: str, workdir: Path, extra: Sequence[str] = (),
          sample: bool = False, profile: bool = False) -> Run:
    run_dir = workdir / f"{site}-{mode}-{n}"
    shutil.rmtree(run_dir, ignore_errors=True)
    run_dir.mkdir(parents=True)
    stats_file = run_dir / "stats.json"
    prof = ["-m", "cProfile", "-o", str(run_dir / "crawl.prof")] if profile else []
    args = [sys.executable, *prof, "-m", "scrapy", "crawl", site,
            "-a", f"start_urls={server.base}/sitemaps/{site}/{n}/index.xml",
            "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0",
            "-s", "CONCURRENT_REQUESTS=16", "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16",
            "-s", "MEMUSAGE_CHECK_INTERVAL_SECONDS=1", "-s", "LOG_LEVEL=INFO",
            "-s", f"LOG_FILE={run_dir / 'crawl.log'}",
            "-s", f"NEWSCRAWL_STATS_FILE={stats_file}",
            "-s", f"NEWSCRAWL_STATE_DIR={run_dir / 'state'}",
            "-s", f"NEWSCRAWL_RECORDS_DIR={run_dir / 'records'}",
            "-s", f"NEWSCRAWL_OUTPUT_DIR={run_dir / 'out'}",
            "-s", "NEWSCRAWL_MAX_ARTICLES_PER_RUN=0",  # an archive crawl: every page of the sitemaps
            *extra]
    if mode == "noop":
        args += ["-s", "SPIDER_MODULES=benchmarks.crawl"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    served0, server_cpu0 = server.served.value, server.cpu_seconds()
    t0 = time.monotonic()
    err_path = run_dir / "stderr.txt"
    with err_path.open("wb") as err:  # a file, not a pipe: nobody reads a pipe while we wait
        proc = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=err)
    samples: list[tuple[float, int, float]] = []
    while True:  # wait4 (not Popen.poll/wait): it also gives the child's CPU time and peak RSS
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG if sample else 0)
        if pid:
            break
        rss = rss_mb(proc.pid)
        if rss is not None:
            samples.append((time.monotonic() - t0, server.served.value - served0, rss))
        time.sleep(0.5)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if samples:
        (run_dir / "rss.csv").write_text("seconds,pages,rss_mb\n" + "".join(
            f"{t:.1f},{n},{rss:.1f}\n" for t, n, rss in samples))
    if not stats_file.exists():
        stderr = err_path.read_text(errors="replace")
        raise RuntimeError(f"{site} {mode} crawl wrote no stats (exit {proc.returncode}):\n{stderr[-3000:]}")
    stats = json.loads(stats_file.read_text())
    pages = server.served.value - served0
    return Run(site=site, mode=mode, pages=pages, elapsed=float(stats.get("elapsed_time_seconds") or 0.0),
               cpu=usage.ru_utime + usage.ru_stime, peak_rss_mb=usage.ru_maxrss / 1024, stats=stats,
               server_cpu=server.cpu_seconds() - server_cpu0, samples=samples)


# ---------------------------------------------------------------- report


def _written(run: Run) -> int:
    return int(run.stats.get("newscrawl/records/text_written", 0))


def report(runs: list[Run]) -> None:
    print()
    print(f"{'site':11} {'pages':>6} {'noop p/s':>9} {'full p/s':>9} {'ratio':>6} {'noop cpu ms/p':>14} "
          f"{'full cpu ms/p':>14} {'written':>8} {'dups':>5} {'peak RSS MB noop/full':>22} {'server cpu s':>13}")
    by_site: dict[str, dict[str, Run]] = {}
    for r in runs:
        by_site.setdefault(r.site, {})[r.mode] = r
    tot = {"pages": 0, "noop_t": 0.0, "full_t": 0.0, "noop_cpu": 0.0, "full_cpu": 0.0}
    for site, pair in by_site.items():
        noop, full = pair.get("noop"), pair.get("full")
        if noop is None or full is None:
            continue
        dups = sum(v for k, v in full.stats.items() if k.startswith("newscrawl/dedup/duplicate/"))
        print(f"{site:11} {full.pages:6d} {noop.pages_per_s:9.0f} {full.pages_per_s:9.0f} "
              f"{full.pages_per_s / noop.pages_per_s:6.2f} {noop.cpu_ms_per_page:14.2f} "
              f"{full.cpu_ms_per_page:14.2f} {_written(full):8d} {dups:5d} "
              f"{noop.peak_rss_mb:10.0f} / {full.peak_rss_mb:<9.0f} "
              f"{noop.server_cpu:6.1f}/{full.server_cpu:<6.1f}")
        tot["pages"] += full.pages
        tot["noop_t"] += noop.elapsed
        tot["full_t"] += full.elapsed
        tot["noop_cpu"] += noop.cpu - noop.startup_cpu
        tot["full_cpu"] += full.cpu - full.startup_cpu
    if tot["pages"] and tot["noop_t"] and tot["full_t"]:
        noop_ps, full_ps = tot["pages"] / tot["noop_t"], tot["pages"] / tot["full_t"]
        ratio = full_ps / noop_ps
        print(f"{'all':11} {tot['pages']:6d} {noop_ps:9.0f} {full_ps:9.0f} {ratio:6.2f} "
              f"{1000 * tot['noop_cpu'] / tot['pages']:14.2f} {1000 * tot['full_cpu'] / tot['pages']:14.2f}")
        print()
        print(f"full pipeline vs no-op callback: {ratio:.2f} of the pages/s (target >= {TARGET_RATIO}): "
              f"{'met' if ratio >= TARGET_RATIO else 'NOT met'}")
        cpu_ratio = tot["noop_cpu"] / tot["full_cpu"]
        print(f"  (in CPU time per page, start-up excluded, the steadier figure on a shared machine: {cpu_ratio:.2f})")
    peak = max((r.peak_rss_mb for r in runs), default=0.0)
    print(f"peak RSS of a crawl process: {peak:.0f} MB")


def memory_report(run: Run) -> None:
    samples = [s for s in run.samples if s[1] > 0]
    print()
    print(f"memory crawl ({run.site}, {run.pages} pages, {run.pages_per_s:.0f} pages/s, "
          f"{_written(run)} records written):")
    if not samples:
        print("  no samples")
        return
    start_rss = run.stats.get("memusage/startup", 0) / 2**20
    marks = sorted({max(1, run.pages * k // 10) for k in range(1, 11)})
    row = []
    for mark in marks:
        at = next((s for s in samples if s[1] >= mark), samples[-1])
        row.append(f"{at[1]:>6d}: {at[2]:5.0f}")
    print("  RSS MB after N pages:  " + "  ".join(row))
    warm = next((s for s in samples if s[1] >= run.pages // 10), samples[0])
    end = samples[-1]
    growth_warm = end[2] - warm[2]
    growth_all = end[2] - start_rss if start_rss else float("nan")
    first = next((s for s in samples if s[1] >= min(1000, run.pages)), samples[0])
    print(f"  RSS at engine start {start_rss:.0f} MB, after {first[1]:,} pages {first[2]:.0f} MB, after the first "
          f"10% of pages {warm[2]:.0f} MB, at the end {end[2]:.0f} MB, peak {run.peak_rss_mb:.0f} MB")
    print(f"  growth over the crawl (start -> end): {growth_all:.0f} MB; after warm-up (10% -> end): "
          f"{growth_warm:.0f} MB (target < {TARGET_GROWTH_MB:g} MB): "
          f"{'met' if growth_all < TARGET_GROWTH_MB else 'NOT met'}")
    backlog = run.stats.get("bench/scheduler_backlog_max")
    if backlog is not None:
        print(f"  most requests waiting in the scheduler at once: {backlog}")


def print_profile(path: Path, top: int) -> None:
    import pstats

    stats = pstats.Stats(str(path)).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--pages", type=int, default=5000, help="article pages in all, split over the sites (5000)")
    ap.add_argument("--sites", default=",".join(SITES), help="comma-separated spiders (default: all five)")
    ap.add_argument("--memory-pages", type=int, default=50_000,
                    help="pages of the RSS-growth crawl (0: skip it; default 50000)")
    ap.add_argument("--memory-site", default="franceinfo")
    ap.add_argument("--server", choices=("asyncio", "localsite"), default="asyncio")
    ap.add_argument("--modes", default="noop,full",
                    help="crawls per site: noop, full or both (default; the comparison needs both)")
    ap.add_argument("--workdir", help="keep the crawls' output, logs and stats here (default: a temp dir)")
    ap.add_argument("-s", dest="settings", action="append", default=[], metavar="NAME=VALUE",
                    help="extra Scrapy setting for every crawl (repeatable)")
    ap.add_argument("--unoptimised", action="store_true",
                    help="crawl with the code as it was before issue 7's hot-path fixes (the 'before' figures)")
    ap.add_argument("--trace-memory", type=int, default=0, metavar="N",
                    help="diagnosis: tracemalloc in the memory crawl from its Nth response (slow); prints the "
                         "allocation sites that grew most")
    ap.add_argument("--malloc-trim", type=float, default=0, metavar="SECONDS",
                    help="experiment: glibc malloc_trim(0) every SECONDS in every crawl")
    ap.add_argument("--no-baseline", action="store_true",
                    help="skip the empty crawls that measure start-up CPU (subtracted from CPU per page)")
    ap.add_argument("--profile", type=int, default=0, metavar="N",
                    help="run each crawl under cProfile and print its top N functions (slower: figures are off)")
    args = ap.parse_args(argv)

    sites = [s.strip() for s in args.sites.split(",") if s.strip()]
    per_site = args.pages // len(sites)  # 0: the memory crawl only
    counts = dict.fromkeys(sites, per_site) if per_site else {}
    if args.memory_pages:
        counts[args.memory_site] = max(counts.get(args.memory_site, 0), args.memory_pages)
    extra = [x for s in args.settings for x in ("-s", s)]
    extensions: dict[str, int] = {}
    if args.unoptimised:
        extensions["benchmarks.crawl.Unoptimise"] = 0
    if args.trace_memory:
        extensions["benchmarks.crawl.MemoryProbe"] = 900
    if args.malloc_trim:
        extensions["benchmarks.crawl.MallocTrim"] = 920
        extra += ["-s", f"NEWSCRAWL_BENCH_MALLOC_TRIM={args.malloc_trim}"]
    from newscrawl import settings as project_settings

    if extensions:
        extra += ["-s", f"EXTENSIONS={json.dumps({**project_settings.EXTENSIONS, **extensions})}"]
    memory_extra = [*extra, "-s", "EXTENSIONS=" + json.dumps(
        {**project_settings.EXTENSIONS, **extensions, "benchmarks.crawl.BacklogProbe": 910})]
    workdir = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="newscrawl-bench-"))
    import scrapy

    print("machine: " + machine(f"Scrapy {scrapy.__version__}"))
    print(f"server: {args.server}; {per_site} pages per site ({', '.join(sites)}); workdir {workdir}"
          + ("; UNOPTIMISED (before issue 7's fixes)" if args.unoptimised else ""))
    t0 = time.monotonic()
    server = Server(args.server, sorted(set(sites) | {args.memory_site}), counts)
    print(f"catalogue ready in {time.monotonic() - t0:.1f} s at {server.base}")
    runs: list[Run] = []
    try:
        modes = [m for m in ("noop", "full") if m in args.modes.split(",")]
        for site in sites if per_site else ():
            for mode in modes:
                startup = 0.0 if args.no_baseline else crawl(server, site, 0, mode, workdir, extra).cpu
                run = crawl(server, site, per_site, mode, workdir, extra, profile=bool(args.profile))
                run.startup_cpu = startup
                runs.append(run)
                if args.profile:
                    print_profile(workdir / f"{site}-{mode}-{per_site}" / "crawl.prof", args.profile)
                print(f"  {site:11} {mode:4}: {run.pages} pages in {run.elapsed:.1f} s ({run.pages_per_s:.0f}/s), "
                      f"cpu {run.cpu:.1f} s (start-up {startup:.1f} s; {run.cpu_ms_per_page:.2f} ms/page), "
                      f"peak RSS {run.peak_rss_mb:.0f} MB, "
                      f"server cpu {run.server_cpu:.1f} s, "
                      f"items {run.stats.get('item_scraped_count', 0)}, finish {run.stats.get('finish_reason')}")
        if runs:
            report(runs)
        if args.memory_pages:
            if args.trace_memory:
                memory_extra += ["-s", f"NEWSCRAWL_BENCH_TRACE_FILE={workdir / 'memory-trace.txt'}",
                                 "-s", f"NEWSCRAWL_BENCH_TRACE_FROM={args.trace_memory}"]
            mem = crawl(server, args.memory_site, args.memory_pages, "full", workdir, memory_extra, sample=True)
            memory_report(mem)
            if args.trace_memory:
                print((workdir / "memory-trace.txt").read_text())
    finally:
        server.stop()
        if not args.workdir:
            shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
