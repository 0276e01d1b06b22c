"""Sampling profile of the hot path with py-spy: where the time goes, without cProfile's distortion.

    .venv/bin/python benchmarks/spy.py extraction --pages 300      # parse + clean of generated pages
    .venv/bin/python benchmarks/spy.py -- .venv/bin/python -m scrapy crawl franceinfo -a start_urls=...

cProfile (``extraction.py --profile``, ``crawl.py --profile``) counts every Python call, which
inflates code made of many small calls (the strip walk, the cleaning rules) against code that runs
in C (libxml2's parse, XPath); py-spy samples the stacks of the running process from outside, at a
fixed rate, and costs the profiled program nothing. This script runs the workload under
``py-spy record --format raw`` and prints, for the frames under ``--root`` (by default the function
each workload measures: the extraction loop, after 20 warm-up pages), the share of samples spent in each
function including its callees, and spent in the function itself.

py-spy is in requirements.txt; it needs ptrace on its own child (allowed by default for a child
process). Nothing is asserted: this prints figures.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_LINE_NO = re.compile(r":\d+\)$")


def extraction_workload(pages: int) -> None:
    """What ``extraction.py`` measures for newscrawl: extract_article on generated pages."""
    sys.path.insert(0, str(ROOT))
    from benchmarks._pages import PageFactory
    from newscrawl.fixtures import extract_article

    factory = PageFactory.load()
    generated = [factory.page(i) for i in range(pages)]
    for page in generated[:20]:  # first-call costs (imports, compiled patterns) out of the profile
        extract_article(page.url, page.body, page.fetched_at)
    measured_extraction(generated)


def measured_extraction(generated: list) -> None:
    """The profiled loop (the default ``--root`` of the extraction workload)."""
    from newscrawl.fixtures import extract_article

    for page in generated:
        extract_article(page.url, page.body, page.fetched_at)


def summarise(raw: Path, root: str | None, top: int) -> str:
    """The inclusive and self shares of the functions under ``root`` (a function name)."""
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in raw.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [_LINE_NO.sub(")", f) for f in stack.split(";")]
        if root is not None:
            at = next((i for i, f in enumerate(frames) if f.split(" (")[0].endswith(root)), None)
            if at is None:
                continue
            frames = frames[at:]
        n = int(count)
        total += n
        own[frames[-1]] += n
        for frame in set(frames):
            inclusive[frame] += n
    if not total:
        return f"no samples under {root!r}"
    out = [f"{total} samples under {root or 'the whole program'}", "", "including callees:"]
    out += [f"  {100 * n / total:5.1f} %  {f}" for f, n in inclusive.most_common(top)]
    out += ["", "in the function itself:"]
    out += [f"  {100 * n / total:5.1f} %  {f}" for f, n in own.most_common(top)]
    return "\n".join(out)


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    command: list[str] = []
    if "--" in argv:
        at = argv.index("--")
        argv, command = argv[:at], argv[at + 1:]
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("workload", nargs="?", choices=["extraction", "_run_extraction"], default=None)
    ap.add_argument("--pages", type=int, default=300)
    ap.add_argument("--rate", type=int, default=250, help="samples per second (py-spy --rate)")
    ap.add_argument("--root", default=None, help="only stacks through this function (default: the workload's)")
    ap.add_argument("--top", type=int, default=30)
    ap.add_argument("--native", action="store_true", help="also sample C frames (lxml, libxml2)")
    ap.add_argument("--raw", type=Path, default=None, help="keep the collapsed stacks here")
    args = ap.parse_args(argv)
    if args.workload == "_run_extraction":  # the child py-spy runs
        extraction_workload(args.pages)
        return 0
    if args.workload == "extraction":
        command = [sys.executable, str(Path(__file__).resolve()), "_run_extraction", "--pages", str(args.pages)]
        root = args.root or "measured_extraction"
    elif command:
        root = args.root
    else:
        ap.error("give a workload (extraction) or a command after --")
    spy = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    if not Path(spy).exists():
        print("py-spy is not installed (pip install -r requirements.txt)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        raw = args.raw or Path(tmp) / "stacks.txt"
        spy_args = [spy, "record", "--format", "raw", "--rate", str(args.rate), "--output", str(raw)]
        if args.native:
            spy_args.append("--native")
        done = subprocess.run([*spy_args, "--", *command], cwd=ROOT, check=False)
        if done.returncode != 0 or not raw.exists():
            print(f"py-spy failed (exit {done.returncode})", file=sys.stderr)
            return done.returncode or 1
        print(summarise(raw, root, args.top))
    return 0


if __name__ == "__main__":
    sys.exit(main())
