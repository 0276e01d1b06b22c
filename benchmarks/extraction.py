"""Extraction benchmark: our parse + clean against trafilatura and a bare lxml parse, same pages, same run.

    .venv/bin/python benchmarks/extraction.py                  # 1,000 pages, 3 rounds
    .venv/bin/python benchmarks/extraction.py --pages 200 --rounds 1
    .venv/bin/python benchmarks/extraction.py --profile 30     # + cProfile of ours, top 30 functions

Pages come from ``benchmarks/_pages.py`` (the project's fixtures turned into templates, filled with
invented text, varied length and noise). Each method gets the same raw bytes a crawl would get:

- ``newscrawl``: ``newscrawl.fixtures.extract_article`` (decode, parse, every field with its fallbacks,
  the three cleaning steps, finalize): what ``python -m newscrawl extract`` runs on a page;
- ``trafilatura``: ``trafilatura.extract(body)`` with its defaults;
- ``lxml``: ``lxml.html.fromstring(body)``, the floor any HTML extractor pays.

Each round runs the three methods in turn over all pages; the best round of each counts (the one
least disturbed by other processes). Figures are given in wall-clock and in CPU time of this
process (``time.process_time``): on a shared machine the CPU figure is the steadier one, and the
ratios are computed from it. Targets (issue 7): newscrawl at least 5x trafilatura's pages/s and at
most 3x the bare parse's time per page. Nothing is asserted: this script prints figures.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import lxml
import lxml.html
import trafilatura

from benchmarks._machine import machine
from benchmarks._pages import SITES, Page, PageFactory
from newscrawl.fixtures import extract_article

TARGET_VS_TRAFILATURA = 5.0  # our pages/s at least this times trafilatura's
TARGET_VS_LXML = 3.0  # our time per page at most this times a bare lxml parse


@dataclass
class Timing:
    """One method over all pages, one round."""

    wall: float
    cpu: float
    per_site: dict[str, float] = field(default_factory=dict)
    """Wall seconds per site."""


def unoptimise() -> list[str]:
    """Put back, in this process, the code that issue 7's hot-path fixes replaced (docs/benchmarks.md):
    the "before" figures, measured on today's parsers and cleaning. Returns what was undone."""
    import re
    import unicodedata

    from parsel import Selector

    from newscrawl.clean import steps
    from newscrawl.parsers import base, lefigaro
    from newscrawl.text import fastcss, normalize, urls

    def strip(self: base.ArticleParser) -> None:  # one parsel query and drop per selector
        for css in (*self.strip_css, *base.GENERIC_STRIP_CSS):
            try:
                self.sel.css(css).drop()
            except Exception:
                continue

    def fold_for_match(value: str) -> str:  # a Python loop over the characters, patterns looked up per call
        value = unicodedata.normalize("NFKD", normalize.clean_text(value).lower())
        value = "".join(c for c in value if not unicodedata.combining(c))
        value = re.sub(r"[’'`´]", "'", value)
        return re.sub(r"[^\w']+", " ", value).strip()

    def text_of(cls: type[steps.Text], lines: Any, item: Any) -> steps.Text:  # computed for each step
        ctxs = steps._contexts(lines, item)
        heading = [None if ln.blank else steps.heading_rule(ln, c) for ln, c in zip(lines, ctxs, strict=True)]
        noise = [None if ln.blank else steps.first_match(steps.LINE_RULES, ln, c)
                 for ln, c in zip(lines, ctxs, strict=True)]
        time_ = [not ln.blank and steps.is_time_line(ln) for ln in lines]
        return cls(lines=lines, ctxs=ctxs, heading=heading, noise=noise, time=time_)

    def replace(old: object, new: object) -> None:  # every module that imported ``old`` by name
        for module in list(sys.modules.values()):
            for name, value in list(getattr(module, "__dict__", {}).items()):
                if value is old:
                    setattr(module, name, new)

    base.ArticleParser.strip = strip  # type: ignore[method-assign]
    fastcss.IndexedSelector.css = Selector.css  # type: ignore[method-assign]
    replace(normalize.fold_for_match, fold_for_match)
    replace(urls.canonical_url, urls.canonical_url.__wrapped__)
    replace(lefigaro.premium_script, lambda html: bool(lefigaro._PREMIUM_SCRIPT.search(html)))
    steps.Text.of = classmethod(text_of)  # type: ignore[method-assign, assignment, arg-type]
    return ["strip: one XPath per selector", "no page index", "fold_for_match: per-character loop",
            "canonical_url: no cache", "Le Figaro premium regex over the whole page", "cleaning: rules per step"]


def ours(page: Page) -> object:
    return extract_article(page.url, page.body, page.fetched_at, source=page.site)


def peer_trafilatura(page: Page) -> object:
    return trafilatura.extract(page.body)


def bare_lxml(page: Page) -> object:
    return lxml.html.fromstring(page.body)


METHODS: dict[str, Callable[[Page], object]] = {
    "newscrawl": ours,
    "trafilatura": peer_trafilatura,
    "lxml": bare_lxml,
}


def time_method(fn: Callable[[Page], object], pages: Sequence[Page]) -> Timing:
    per_site: dict[str, float] = defaultdict(float)
    clock = time.perf_counter
    cpu0, wall0 = time.process_time(), clock()
    for page in pages:
        t = clock()
        fn(page)
        per_site[page.site] += clock() - t
    return Timing(wall=clock() - wall0, cpu=time.process_time() - cpu0, per_site=dict(per_site))


def load() -> str:
    try:
        return " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def quality(pages: Sequence[Page]) -> tuple[int, int]:
    """Pages whose extracted text is exactly the generated body, and pages whose title is right."""
    text_ok = title_ok = 0
    for page in pages:
        item = extract_article(page.url, page.body, page.fetched_at, source=page.site)
        text_ok += item.text.split("\n") == page.expected_lines
        title_ok += item.title == page.title
    return text_ok, title_ok


def reference_pages(root: Path) -> list[Page]:
    """Saved real pages ``<root>/<site>/<name>.html`` (+ ``<name>.expected.json``: url, title,
    paragraphs), for timing only: read at run time, nothing of them is kept."""
    pages = []
    for html_path in sorted(root.glob("*/*.html")):
        meta_path = html_path.with_name(html_path.name[: -len(".html")] + ".expected.json")
        meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
        pages.append(Page(
            index=len(pages), site=html_path.parent.name, template=html_path.stem, url=str(meta.get("url") or ""),
            path="", body=html_path.read_bytes(), content_type="text/html", fetched_at="2025-07-20T00:00:00+00:00",
            title=str(meta.get("title") or ""), lead=str(meta.get("lead") or ""),
            expected_lines=[str(p) for p in meta.get("paragraphs") or []], noise_blocks=0, noise_lines=[],
        ))
    return pages


def profile(pages: Sequence[Page], top: int) -> str:
    prof = cProfile.Profile()
    prof.enable()
    for page in pages:
        ours(page)
    prof.disable()
    out = io.StringIO()
    stats = pstats.Stats(prof, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--pages", type=int, default=1000, help="pages generated (default 1000)")
    ap.add_argument("--rounds", type=int, default=3, help="rounds; the best of each method counts (default 3)")
    ap.add_argument("--sites", default=",".join(SITES), help="comma-separated site keys (default: all five)")
    ap.add_argument("--seed", type=int, default=2025)
    ap.add_argument("--profile", type=int, metavar="N", default=0, help="also cProfile ours, print the top N")
    ap.add_argument("--reference", metavar="DIR",
                    help="time saved real pages DIR/<site>/*.html instead of generated ones (e.g. ../shared/reference)")
    ap.add_argument("--unoptimised", action="store_true",
                    help="measure the code as it was before issue 7's hot-path fixes (the 'before' figures)")
    args = ap.parse_args(argv)

    sites = [s.strip() for s in args.sites.split(",") if s.strip()]
    if args.unoptimised:
        print("UNOPTIMISED (before issue 7's fixes): " + "; ".join(unoptimise()))
    t0 = time.perf_counter()
    if args.reference:
        pages = [p for p in reference_pages(Path(args.reference)) if p.site in sites]
        origin = f"real pages of {args.reference}"
    else:
        factory = PageFactory.load(sites, seed=args.seed)
        pages = list(factory.pages(args.pages))
        origin = (f"generated in {time.perf_counter() - t0:.1f} s from {len(factory.templates)} fixture templates "
                  f"({', '.join(f'{s}: {len(ts)}' for s, ts in factory.by_site.items())})")
    if not pages:
        ap.error("no page to time")
    size = sum(len(p.body) for p in pages) / len(pages)
    print("machine: " + machine(f"lxml {lxml.__version__}", f"trafilatura {trafilatura.__version__}"))
    print(f"load average at start: {load()}")
    print(f"pages: {len(pages)} {origin}; mean size {size / 1024:.1f} KiB")
    by_site: dict[str, int] = defaultdict(int)
    for p in pages:
        by_site[p.site] += 1

    for fn in METHODS.values():  # warm-up: imports, caches, lazy module loads
        for page in pages[:20]:
            fn(page)

    best: dict[str, Timing] = {}
    for r in range(args.rounds):
        for name, fn in METHODS.items():
            timing = time_method(fn, pages)
            print(f"  round {r + 1} {name:12} wall {timing.wall:7.2f} s  cpu {timing.cpu:7.2f} s")
            if name not in best or timing.cpu < best[name].cpu:
                best[name] = timing

    n = len(pages)
    print()
    print(f"{'method':12} {'pages/s (cpu)':>14} {'pages/s (wall)':>15} {'ms/page (cpu)':>14}")
    for name, t in best.items():
        print(f"{name:12} {n / t.cpu:14.0f} {n / t.wall:15.0f} {1000 * t.cpu / n:14.3f}")
    ours_t, traf_t, lxml_t = best["newscrawl"], best["trafilatura"], best["lxml"]
    vs_traf = traf_t.cpu / ours_t.cpu
    vs_lxml = ours_t.cpu / lxml_t.cpu
    print()
    print(f"newscrawl vs trafilatura: {vs_traf:.1f}x the pages/s (target >= {TARGET_VS_TRAFILATURA:g}x): "
          f"{'met' if vs_traf >= TARGET_VS_TRAFILATURA else 'NOT met'}")
    print(f"newscrawl vs bare lxml parse: {vs_lxml:.1f}x the time per page (target <= {TARGET_VS_LXML:g}x): "
          f"{'met' if vs_lxml <= TARGET_VS_LXML else 'NOT met'}")
    print()
    print("per site (wall ms/page of the best rounds; ratios per site):")
    print(f"  {'site':11} {'pages':>5} {'newscrawl':>10} {'trafilatura':>12} {'lxml':>7} {'vs traf':>8} {'vs lxml':>8}")
    for site in sorted(by_site):
        k = by_site[site]
        o, tr, lx = (1000 * t.per_site.get(site, 0.0) / k for t in (ours_t, traf_t, lxml_t))
        print(f"  {site:11} {k:5d} {o:10.3f} {tr:12.3f} {lx:7.3f} {tr / o:7.1f}x {o / lx:7.1f}x")
    sites_no_generic = [s for s in by_site if s != "generic"]
    if "generic" in by_site and sites_no_generic:
        k = sum(by_site[s] for s in sites_no_generic)
        o, tr, lx = (sum(t.per_site.get(s, 0.0) for s in sites_no_generic) for t in (ours_t, traf_t, lxml_t))
        print(f"  {'4 sites':11} {k:5d} {1000 * o / k:10.3f} {1000 * tr / k:12.3f} {1000 * lx / k:7.3f} "
              f"{tr / o:7.1f}x {o / lx:7.1f}x   (without the generic parser, which runs trafilatura)")
    if not args.reference:  # real pages' expectations are a reviewer's, not byte-exact text
        text_ok, title_ok = quality(pages)
        print()
        print(f"extraction check: text exactly the generated body on {text_ok}/{n} pages, "
              f"title right on {title_ok}/{n}")
    print(f"load average at end: {load()}")
    if args.profile:
        print()
        print(profile(pages, args.profile))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
