"""Browser rendering benchmark: N local pages whose text is injected by JavaScript, rendered
through newscrawl.render (scrapy-playwright + Debian chromium), with memory and open pages
sampled over time. The point is the absence of growth: pages are closed after each render and
browser contexts are rotated (NEWSCRAWL_RENDER_CONTEXT_PAGES), so the last third of the run
should use no more memory than the second.

    .venv/bin/python benchmarks/render.py                       # 300 pages
    .venv/bin/python benchmarks/render.py --pages 100 --max-pages 2 --context-pages 50

Printed: a timeline (renders done, open pages, open contexts, memory of the whole process tree:
this Python process, the Playwright driver and every chromium process, as PSS, which counts
shared pages once, and RSS), then peak memory, renders per second, and the growth check.
Exit status 1 when a page failed to render or memory/page counts grew.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "newscrawl.settings")

TOWNS = ("Lons-le-Saunier", "Bourg-en-Bresse", "Chaumont", "Bar-le-Duc", "Privas", "Valence", "Annonay", "Vesoul")
THINGS = ("la médiathèque", "le marché couvert", "la piscine", "le pont", "la gare routière", "le stade",
          "le musée")
ACTS = ("rouvre après travaux", "change d'horaires", "accueille une exposition", "sera rénové", "ferme pour l'été")


def page_html(n: int) -> str:
    """An invented article written into the page by JavaScript 0.1 s after load."""
    town, thing, act = TOWNS[n % len(TOWNS)], THINGS[n % len(THINGS)], ACTS[n % len(ACTS)]
    paragraphs = [
        f"À {town}, {thing} {act}, a annoncé la mairie lundi dans un communiqué (page {n}).",
        (f"Les habitants de {town} pourront suivre le projet lors d'une réunion publique prévue le mois prochain "
        f"à la salle des fêtes, où les élus présenteront le calendrier et le budget, estimé à {100 + n} 000 "
         "euros."),
        ("Les associations du quartier se disent satisfaites mais demandent davantage de places de stationnement "
        f"et une meilleure desserte en bus, en particulier le samedi matin (marqueur-{n})."),
    ]
    inner = f"<h1>{town} : {thing} {act}</h1>" + "".join(f"<p>{p}</p>" for p in paragraphs)
    return (f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>Essai {n}</title></head>'
            f'<body><main id="app">Chargement…</main><img src="/photo-{n}.jpg" alt="photo">'
            f"<script>setTimeout(function () {{ document.getElementById('app').innerHTML = {json.dumps(inner)}; }},"
            f" 100);</script></body></html>")


# ------------------------------------------------------------------------------ memory of the process tree


def _children_map() -> dict[int, list[int]]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", encoding="ascii", errors="replace") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(ppid, []).append(int(entry))
    return children


def tree(pid: int) -> list[int]:
    children, out, todo = _children_map(), [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(children.get(p, []))
    return out


def _kb(path: str, field: str) -> int:
    try:
        with open(path, encoding="ascii", errors="replace") as f:
            for line in f:
                if line.startswith(field):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def memory_mb(pid: int) -> tuple[float, float, int]:
    """(PSS, RSS, number of processes) of ``pid`` and its descendants, in MiB."""
    pids = tree(pid)
    pss = sum(_kb(f"/proc/{p}/smaps_rollup", "Pss:") for p in pids)
    rss = sum(_kb(f"/proc/{p}/status", "VmRSS:") for p in pids)
    return pss / 1024, rss / 1024, len(pids)


@dataclass
class Sample:
    t: float
    done: int
    open_pages: int
    contexts: int
    pss: float
    rss: float
    procs: int


# ------------------------------------------------------------------------------ the run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--pages", type=int, default=300)
    parser.add_argument("--max-pages", type=int, default=4, help="NEWSCRAWL_RENDER_MAX_PAGES")
    parser.add_argument("--context-pages", type=int, default=100, help="NEWSCRAWL_RENDER_CONTEXT_PAGES")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between samples")
    parser.add_argument("--executable", default="/usr/bin/chromium", help="NEWSCRAWL_RENDER_EXECUTABLE")
    args = parser.parse_args(argv)

    from scrapy import Request, Spider, signals
    from scrapy.crawler import CrawlerProcess
    from scrapy.utils.project import get_project_settings

    from newscrawl.localsite import LocalSite, Page
    from newscrawl.render import browser_problem, handler_of, render_request

    problem = browser_problem(args.executable)
    if problem:
        print(f"cannot run: {problem}", file=sys.stderr)
        return 2

    done: list[int] = []
    bad: list[str] = []

    class RenderBench(Spider):
        name = "render_bench"

        async def start(self) -> Any:
            for n in range(args.pages):
                yield render_request(Request(site.url(f"/essai/{n}.html"), callback=self.parse, cb_kwargs={"n": n},
                                             errback=self.failed))

        def parse(self, response: Any, n: int) -> None:
            if f"marqueur-{n}" not in response.text or "playwright" not in response.flags:
                bad.append(response.url)
            done.append(n)

        def failed(self, failure: Any) -> None:
            bad.append(f"{failure.request.url} ({failure.value!r})")
            done.append(-1)

    pages = {f"/essai/{n}.html": Page(page_html(n)) for n in range(args.pages)}
    settings = get_project_settings()
    settings.setdict({
        "NEWSCRAWL_RENDER": True, "NEWSCRAWL_RENDER_EXECUTABLE": args.executable,
        "NEWSCRAWL_RENDER_NO_SANDBOX": os.geteuid() == 0,  # chromium refuses its sandbox as root
        "NEWSCRAWL_RENDER_MAX_PAGES": args.max_pages, "NEWSCRAWL_RENDER_CONTEXT_PAGES": args.context_pages,
        "CONCURRENT_REQUESTS": args.max_pages * 2, "CONCURRENT_REQUESTS_PER_DOMAIN": args.max_pages * 2,
        "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "ROBOTSTXT_OBEY": False, "ITEM_PIPELINES": {},
        "NEWSCRAWL_DEDUP_ENABLED": False, "NEWSCRAWL_MONITOR_ENABLED": False, "NEWSCRAWL_RECORDS_DIR": "",
        "LOG_LEVEL": "WARNING",
    }, priority="cmdline")
    samples: list[Sample] = []
    started = time.monotonic()

    with LocalSite(pages) as site:
        process = CrawlerProcess(settings)
        crawler = process.create_crawler(RenderBench)

        def sample() -> None:
            handler = handler_of(crawler)
            pss, rss, procs = memory_mb(os.getpid())
            samples.append(Sample(
                t=time.monotonic() - started, done=len(done),
                open_pages=handler.open_pages() if handler is not None else 0,
                contexts=handler.open_contexts() if handler is not None else 0, pss=pss, rss=rss, procs=procs))

        loops: list[Any] = []

        def start_sampling() -> None:
            from twisted.internet import task  # only once the crawl has installed the asyncio reactor

            loops.append(task.LoopingCall(sample))
            loops[0].start(args.interval)

        def stop_sampling(spider: Any = None) -> None:
            sample()  # after the last render, before the browser closes
            if loops and loops[0].running:
                loops[0].stop()

        crawler.signals.connect(start_sampling, signal=signals.engine_started, weak=False)

        crawler.signals.connect(stop_sampling, signal=signals.spider_closed, weak=False)
        process.crawl(crawler)
        process.start()
    elapsed = time.monotonic() - started
    return report(samples, done, bad, elapsed, args, crawler.stats.get_stats())


def report(samples: list[Sample], done: list[int], bad: list[str], elapsed: float, args: argparse.Namespace,
           stats: dict[str, Any]) -> int:
    print(f"{'t (s)':>7} {'renders':>8} {'open pages':>10} {'contexts':>8} {'PSS MiB':>8} {'RSS MiB':>8} {'procs':>5}")
    step = max(1, len(samples) // 40)
    for s in samples[::step] + ([samples[-1]] if samples and (len(samples) - 1) % step else []):
        print(f"{s.t:7.1f} {s.done:8d} {s.open_pages:10d} {s.contexts:8d} {s.pss:8.0f} {s.rss:8.0f} {s.procs:5d}")
    ok = len(done) == args.pages and not bad
    print()
    print(f"pages rendered: {len(done) - len(bad)}/{args.pages} in {elapsed:.1f} s "
          f"({args.pages / elapsed:.1f} pages/s, including start-up)")
    for line in bad[:10]:
        print(f"  failed: {line}")
    if not samples:
        print("no sample taken")
        return 1
    peak = max(samples, key=lambda s: s.pss)
    print(f"peak memory: PSS {peak.pss:.0f} MiB, RSS {max(s.rss for s in samples):.0f} MiB "
          f"(at {peak.t:.1f} s, {peak.procs} processes)")
    print(f"open pages: max {max(s.open_pages for s in samples)} (limit {args.max_pages}), "
          f"at the end {samples[-1].open_pages}; contexts: max {max(s.contexts for s in samples)}, "
          f"closed by rotation {stats.get('newscrawl/render/contexts_closed', 0)}")
    print(f"playwright pages created {stats.get('playwright/page_count', 0)}, "
          f"closed {stats.get('playwright/page_count/closed', 0)}")
    busy = [s for s in samples if 0 < s.done < args.pages]
    growth_ok = True
    if len(busy) >= 6:
        third = len(busy) // 3
        middle = statistics.median(s.pss for s in busy[third:2 * third])
        last = statistics.median(s.pss for s in busy[2 * third:])
        growth = (last - middle) / middle if middle else 0.0
        growth_ok = growth < 0.15
        print(f"memory growth, median PSS of the last third vs the middle third: {middle:.0f} -> {last:.0f} MiB "
              f"({growth:+.0%}) {'OK' if growth_ok else 'GROWING'}")
    else:
        print("run too short to judge growth (fewer than 6 samples while rendering)")
    pages_ok = samples[-1].open_pages == 0 and max(s.open_pages for s in samples) <= args.max_pages
    return 0 if ok and growth_ok and pages_ok else 1


if __name__ == "__main__":
    sys.exit(main())
