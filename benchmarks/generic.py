"""The generic parser against trafilatura on public extraction benchmarks: quality and speed, same pages, same run.

    .venv/bin/python benchmarks/generic.py                       # ../shared/bench: scrapinghub, fundus-eval
    .venv/bin/python benchmarks/generic.py --bench DIR -d scrapinghub --worst 10
    .venv/bin/python benchmarks/generic.py --precision           # + trafilatura favor_precision
    .venv/bin/python benchmarks/generic.py --rounds 3            # speed: each method's best of 3 rounds

The pages and the harness (``extract_bench.py``: datasets, ScrapingHub's shingle metric) live in a
benchmark folder outside the repository (``--bench``, default ``../shared/bench`` beside the project);
without it the script says so and exits with status 2.

Methods, each given the page's HTML as a string and its URL:

- ``generic``: the record of :class:`newscrawl.parsers.generic.GenericParser` (parse with
  ``source="generic"``, the three cleaning steps, finalize), ``lead`` then ``text``: what the
  record gives a reader of an unknown site;
- ``trafilatura``: ``trafilatura.extract(html, include_comments=False)`` (its defaults, the
  harness's ``-e trafilatura``); ``--precision`` adds ``favor_precision=True``.

Quality: the harness's metric (word 4-gram shingles, per-page precision and recall averaged, F1 of
the means; an empty output counts 0 in recall and is left out of precision). "empty" counts pages
whose output has no word. Speed: the methods run interleaved, page by page, in an order that
alternates, so that the load of the machine weighs on each alike; pages/s is pages over the time
spent inside the calls (wall clock and CPU of this process); with ``--rounds N`` each method's best
round counts (one-off costs, such as dateparser loading a language's data the first time htmldate
meets it, fall in the first), and the ratio of each round (both methods timed in the same
interleaved round) is printed with its median. Nothing is asserted: figures only.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import importlib.util
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from types import ModuleType

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_BENCH = ROOT.parent / "shared" / "bench"
DATASETS = ("scrapinghub", "fundus-eval")
FETCHED_AT = "2025-01-01T00:00:00+00:00"  # parsers never read the clock; a fixed fetch time


def generic_record_text(html: str, url: str | None = None) -> str:
    """Lead and text of the generic parser's cleaned record of a page (the page's whole road,
    ``newscrawl.road.run``, with the generic parser)."""
    from newscrawl import road

    item = road.run(url or "https://example.org/article", html, FETCHED_AT, source="generic").item
    return "\n".join(part for part in (item.lead, item.text) if part) if item is not None else ""


def trafilatura_default(html: str, url: str | None = None) -> str:
    import trafilatura

    return trafilatura.extract(html, include_comments=False) or ""


def trafilatura_precision(html: str, url: str | None = None) -> str:
    import trafilatura

    return trafilatura.extract(html, include_comments=False, favor_precision=True) or ""


def load_harness(bench: Path) -> ModuleType | None:
    path = bench / "extract_bench.py"
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location("extract_bench", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["extract_bench"] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def run(methods: dict[str, Callable[[str, str | None], str]], pages: Sequence, verbose: bool = False,
        warmup: int = 1) -> tuple[dict[str, dict[str, str]], dict[str, float], dict[str, float], dict[str, int]]:
    """Outputs, wall and CPU seconds, errors per method; page by page, the order alternating;
    after an untimed warm-up of each method on the first ``warmup`` pages."""
    names = list(methods)
    outputs: dict[str, dict[str, str]] = {n: {} for n in names}
    wall = dict.fromkeys(names, 0.0)
    cpu = dict.fromkeys(names, 0.0)
    errors = dict.fromkeys(names, 0)
    for name in names:  # warm-up, untimed: lazy imports and first-call costs
        for page in pages[: max(1, warmup)]:
            with contextlib.suppress(Exception):
                methods[name](page.html, page.url)
    for k, page in enumerate(pages):
        order = names if k % 2 == 0 else names[::-1]
        for name in order:
            w0, c0 = time.perf_counter(), time.process_time()
            try:
                out = methods[name](page.html, page.url) or ""
            except Exception as exc:  # an error is an empty output, and counted
                out = ""
                errors[name] += 1
                if verbose:
                    print(f"  {name} failed on {page.id}: {exc!r}", file=sys.stderr)
            wall[name] += time.perf_counter() - w0
            cpu[name] += time.process_time() - c0
            outputs[name][page.id] = out
    return outputs, wall, cpu, errors


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    ap.add_argument("--bench", type=Path, default=DEFAULT_BENCH, help="benchmark folder (default: %(default)s)")
    ap.add_argument("-d", "--dataset", action="append", choices=DATASETS, help="default: both")
    ap.add_argument("--precision", action="store_true", help="also trafilatura with favor_precision")
    ap.add_argument("--limit", type=int, help="first N pages of each dataset")
    ap.add_argument("--rounds", type=int, default=1, metavar="N",
                    help="timed rounds over the pages; each method's best round counts, as in benchmarks/extraction.py "
                         "(one-off costs such as a library's first use of a language are paid in the first; default 1)")
    ap.add_argument("--warmup", type=int, default=1, metavar="N",
                    help="untimed calls of each method on the first N pages before timing (default 1, as the harness)")
    ap.add_argument("--worst", type=int, default=0, metavar="N", help="print the generic parser's N worst pages")
    ap.add_argument("--per-page", type=Path, help="write per-page precision/recall of each method as CSV")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args(argv)

    harness = load_harness(args.bench)
    datasets = args.dataset or list(DATASETS)
    missing = [d for d in datasets if not (args.bench / d).is_dir()]
    if harness is None or missing:
        what = "extract_bench.py" if harness is None else ", ".join(missing)
        print(f"benchmarks/generic.py: no benchmark pages at {args.bench} ({what} missing); "
              "give the folder with --bench", file=sys.stderr)
        return 2

    import lxml
    import trafilatura

    from benchmarks._machine import machine

    print(machine(f"lxml {lxml.__version__}", f"trafilatura {trafilatura.__version__}"))
    methods: dict[str, Callable[[str, str | None], str]] = {
        "generic": generic_record_text, "trafilatura": trafilatura_default}
    if args.precision:
        methods["trafilatura_precision"] = trafilatura_precision
    rows = []
    for dataset in datasets:
        pages = harness.load_dataset(dataset, cache=args.bench)
        if args.limit:
            pages = pages[: args.limit]
        outputs, wall, cpu, errors = run(methods, pages, args.verbose, args.warmup)
        round_ratios = [(wall["trafilatura"] / wall["generic"], cpu["trafilatura"] / cpu["generic"])]
        for _ in range(args.rounds - 1):
            _, wall_k, cpu_k, _ = run(methods, pages, False, 0)
            round_ratios.append((wall_k["trafilatura"] / wall_k["generic"], cpu_k["trafilatura"] / cpu_k["generic"]))
            wall = {name: min(wall[name], wall_k[name]) for name in wall}
            cpu = {name: min(cpu[name], cpu_k[name]) for name in cpu}
        rounds = f", best of {args.rounds} rounds" if args.rounds > 1 else ""
        print(f"\n{dataset}: {len(pages)} pages, interleaved, warm-up on {max(1, args.warmup)}{rounds}")
        print(f"{'method':<22} {'F1':>6} {'P':>6} {'R':>6} {'empty':>6} {'errors':>6} {'pages/s':>8} {'cpu p/s':>8}")
        per_page: dict[str, list[dict]] = {}
        for name in methods:
            metrics, page_rows = harness.score(pages, outputs[name], n_boot=0)
            per_page[name] = page_rows
            empty = sum(1 for p in pages if not harness.tokenize(outputs[name].get(p.id)))
            print(f"{name:<22} {metrics['f1']:6.3f} {metrics['precision']:6.3f} {metrics['recall']:6.3f} "
                  f"{empty:6d} {errors[name]:6d} {len(pages) / wall[name]:8.1f} {len(pages) / cpu[name]:8.1f}")
        ratio = wall["trafilatura"] / wall["generic"]
        cpu_ratio = cpu["trafilatura"] / cpu["generic"]
        print(f"generic pages/s = {ratio:.2f}x trafilatura's (CPU: {cpu_ratio:.2f}x)")
        if args.rounds > 1:  # each round's ratio is measured interleaved, under the same load
            walls = ", ".join(f"{w:.2f}" for w, _ in round_ratios)
            print(f"per round: {walls}; median {statistics.median(w for w, _ in round_ratios):.2f}x "
                  f"(CPU: median {statistics.median(c for _, c in round_ratios):.2f}x)")
        if args.worst:
            worst = sorted(per_page["generic"], key=lambda r: r["f1"])[: args.worst]
            traf = {r["id"]: r for r in per_page["trafilatura"]}
            for r in worst:
                t = traf[r["id"]]
                print(f"  {r['id']}: generic P {r['precision']:.2f} R {r['recall']:.2f} "
                      f"({r['pred_tokens']}/{r['true_tokens']} words); trafilatura P {t['precision']:.2f} "
                      f"R {t['recall']:.2f} ({t['pred_tokens']} words)")
        for name, page_rows in per_page.items():
            rows.extend({"dataset": dataset, "method": name, **r} for r in page_rows)
    if args.per_page:
        with args.per_page.open("w", newline="") as f:
            writer = csv.DictWriter(f, fieldnames=["dataset", "method", "id", "lang", "precision", "recall", "f1",
                                                   "pred_tokens", "true_tokens"])
            writer.writeheader()
            writer.writerows(rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
