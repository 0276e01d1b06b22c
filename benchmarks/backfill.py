"""Backfill benchmark: memory and discovery order of a long ``--since/--until`` run.

    .venv/bin/python benchmarks/backfill.py                        # 120 days x 100 articles
    .venv/bin/python benchmarks/backfill.py --days 30 --per-day 50  # quick

A local server (newscrawl.localsite, 127.0.0.1 only, in this process) serves an archive sitemap
index of one sitemap per day (``/sitemaps/2024-01-01.xml``: Google News entries with their
publication date), twice as many days as the window so half the index is skipped, and small
article pages in the generic markup (invented text, each its own). One
``python -m newscrawl crawl generic --since ... --until ...`` subprocess backfills the window
with the project's pipelines (dedup state, dated JSONL without fsync, no text records).

Every 0.5 s it samples the crawler's RSS (/proc/<pid>/status VmRSS), the article pages and the
day sitemaps served so far. Printed: RSS at 10%, 50% and 100% of the articles and the growth
per 1,000 articles after the first 10%; how many sitemaps had been fetched when 10% and 50% of
the articles were (discovery streams: about 10% and 50%, not all of them at the start); the
crawl's pages/s. Nothing is asserted. Overrides: DOWNLOAD_DELAY=0, AUTOTHROTTLE off,
CONCURRENT_REQUESTS(_PER_DOMAIN)=16, NEWSCRAWL_PROGRESS_INTERVAL=5.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from html import escape
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._machine import rss_mb  # noqa: E402 (after the sys.path line)
from newscrawl.localsite import LocalSite, Page  # noqa: E402

WORDS = ["conseil", "budget", "école", "marché", "rivière", "pont", "tramway", "forêt", "musée", "stade", "bibliothèque", "vignoble", "port", "gare", "hôpital", "quartier", "festival", "récolte", "chantier", "sentier"]
SYLLABLES = ["ba", "be", "bi", "bo", "bu", "ca", "ce", "ci", "co", "da", "de", "di", "do", "fa", "fe", "fi", "fo", "ga", "ge", "go", "la", "le", "li", "lo", "ma", "me", "mi", "mo", "na", "ne", "ni", "no", "pa", "pe", "pi", "po", "ra", "re", "ri", "ro", "sa", "se", "si", "so", "ta", "te", "ti", "to", "va", "ve", "vi", "vo"]


def words(rng: random.Random, n: int) -> str:
    """``n`` invented words: each article's text is its own (content dedup keeps them all)."""
    return " ".join("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))) for _ in range(n))


def article(n: int, day: date) -> str:
    rng = random.Random(n)
    title = f"Dossier {n} : le {WORDS[n % len(WORDS)]} de {words(rng, 2)}"
    paras = [f"Le projet {n} du {day:%d/%m/%Y} : {words(rng, 18)}.", f"{words(rng, 16).capitalize()}.",
             f"{words(rng, 14).capitalize()}."]
    body = "".join(f"<p>{escape(p)}</p>" for p in paras)
    return (f'<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta property="og:title" content="{escape(title)}">'
            f'<meta property="article:published_time" content="{day.isoformat()}T09:00:00+01:00"></head>'
            f'<body><main><article class="post"><h1>{escape(title)}</h1><div class="post-content">{body}</div>'
            "</article></main></body></html>")


def build(days: int, per_day: int, first: date) -> tuple[dict[str, Page], dict[str, tuple[int, date]]]:
    pages: dict[str, Page] = {"/robots.txt": Page("User-agent: *\nAllow: /\n", content_type="text/plain")}
    arts: dict[str, tuple[int, date]] = {}
    index = []
    for d in range(2 * days):  # the window is the first half of the index
        day = first + timedelta(days=d)
        doc = f"/sitemaps/{day.isoformat()}.xml"
        index.append(f"<sitemap><loc>{{{{BASE}}}}{doc}</loc></sitemap>")
        rows = []
        for k in range(per_day):
            n = d * per_day + k
            path = f"/actualites/dossier-{n}-{SYLLABLES[n % len(SYLLABLES)]}.html"
            arts[path] = (n, day)
            rows.append(f"<url><loc>{{{{BASE}}}}{path}</loc><news:news><news:publication_date>{day.isoformat()}"
                        "T09:00:00+01:00</news:publication_date></news:news></url>")
        pages[doc] = Page('<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
                          'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + "".join(rows) + "</urlset>",
                          content_type="application/xml")
    pages["/index.xml"] = Page('<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/'
                               'sitemap/0.9">' + "".join(index) + "</sitemapindex>", content_type="application/xml")
    return pages, arts


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--days", type=int, default=120, help="days in the window (120)")
    ap.add_argument("--per-day", type=int, default=100, help="articles per day sitemap (100)")
    args = ap.parse_args()
    first = date(2024, 1, 1)
    until = first + timedelta(days=args.days - 1)
    pages, arts = build(args.days, args.per_day, first)

    def fallback(path: str) -> Page | None:
        hit = arts.get(path)
        return Page(article(*hit)) if hit else None

    total = args.days * args.per_day
    with tempfile.TemporaryDirectory(prefix="newscrawl-backfill-") as tmp, LocalSite(pages, fallback=fallback) as site:
        cmd = [sys.executable, "-m", "newscrawl", "crawl", "generic", "--since", first.isoformat(),
               "--until", until.isoformat(), "-a", f"start_urls={site.base}/index.xml", "--output", f"{tmp}/out",
               "-s", f"NEWSCRAWL_STATE_DIR={tmp}/state", "-s", f"NEWSCRAWL_STATS_FILE={tmp}/stats.json",
               "-s", "NEWSCRAWL_RECORDS_DIR=", "-s", "NEWSCRAWL_JSONL_FSYNC=False", "-s", "DOWNLOAD_DELAY=0",
               "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "CONCURRENT_REQUESTS=16",
               "-s", "CONCURRENT_REQUESTS_PER_DOMAIN=16", "-s", "NEWSCRAWL_PROGRESS_INTERVAL=5",
               "-s", "LOG_LEVEL=INFO"]
        with open(f"{tmp}/crawl.log", "w") as log:
            proc = subprocess.Popen(cmd, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)},
                                    stdout=subprocess.DEVNULL, stderr=log)
            samples: list[tuple[float, int, int, float]] = []
            start = time.monotonic()
            while proc.poll() is None:
                rss = rss_mb(proc.pid)
                served = sum(n for p, n in list(site.hits.items()) if p.startswith("/actualites/"))
                maps = sum(1 for p in list(site.hits) if p.startswith("/sitemaps/"))
                if rss is not None:
                    samples.append((time.monotonic() - start, served, maps, rss))
                time.sleep(0.5)
        stats = json.loads(Path(f"{tmp}/stats.json").read_text())
        if os.environ.get("KEEP"):
            import shutil

            shutil.copytree(tmp, os.environ["KEEP"], dirs_exist_ok=True)
        progress = [line.split("INFO: ", 1)[-1] for line in Path(f"{tmp}/crawl.log").read_text().splitlines()
                    if "backfill generic" in line]
    elapsed = float(stats.get("elapsed_time_seconds", 0) or 0)
    fetched = int(stats.get("newscrawl/requests/article/total", 0))
    print(f"backfill of {args.days} days x {args.per_day} articles ({total} in the window, an index of "
          f"{2 * args.days} day sitemaps): exit {proc.returncode}, {fetched} articles fetched, "
          f"{stats.get('newscrawl/jsonl/written', 0)} written, {elapsed:.0f} s, {fetched / max(elapsed, 1):.0f} pages/s")
    drops = {k.rsplit("/", 1)[-1]: v for k, v in stats.items() if "dropped" in k and isinstance(v, int)}
    if drops:
        print(f"dropped: {drops}")
    print(f"sitemaps fetched {stats.get('newscrawl/backfill/sitemaps/read')}, skipped "
          f"{stats.get('newscrawl/backfill/skipped_sitemap/period_after', 0)} (after the window)")

    def at(share: float) -> tuple[float, int, int, float] | None:
        return next((s for s in samples if s[1] >= share * total), samples[-1] if samples else None)

    marks = {share: at(share) for share in (0.1, 0.5, 1.0)}
    for share, s in marks.items():
        if s:
            print(f"at {share:>4.0%} of the articles ({s[1]} served, {s[0]:.0f} s): RSS {s[3]:.1f} MB, "
                  f"{s[2]} of the {args.days + 1} window sitemaps fetched (a day of margin)")
    peak = max((s[3] for s in samples), default=0.0)
    a, b = marks[0.1], marks[1.0]
    if a and b and b[1] > a[1]:
        print(f"peak RSS {peak:.1f} MB; growth after the first 10%: {b[3] - a[3]:.1f} MB "
              f"({1000 * (b[3] - a[3]) / (b[1] - a[1]):.2f} MB per 1,000 articles)")
    m = marks[0.5]
    if m and b and b[1] > m[1]:
        print(f"growth over the second half: {b[3] - m[3]:.1f} MB "
              f"({1000 * (b[3] - m[3]) / (b[1] - m[1]):.2f} MB per 1,000 articles)")
    if progress:
        print("progress lines: " + str(len(progress)) + "; last: " + progress[-1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
