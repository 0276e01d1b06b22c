"""The first date that falls back to dateparser, per process: every locale vs the page's languages.

    .venv/bin/python benchmarks/dates.py                    # 3 fresh processes per figure, best kept
    .venv/bin/python benchmarks/dates.py --runs 5 --other /work/main   # + extract run from another checkout

The generic parser's last date fallback is htmldate, which hands the strings its patterns cannot
read to dateparser. Left to itself, htmldate's dateparser loads every locale the first time (and
its month-name gate reads them all): the first such page of a process pays it, so each
``python -m newscrawl extract`` does. ``newscrawl.text.datefallback`` loads the page's language,
French and English only (issue 13). Figures, all in CPU seconds of a fresh process (a new
interpreter each run: the cost is per process; the best of ``--runs`` counts):

- ``find_date``: one ``find_date`` call on an invented page, after the imports: htmldate alone
  (every locale, what the parser ran before) vs ``datefallback.find_date`` (fr + en);
- ``extract``: the whole ``python -m newscrawl extract --source generic`` on that page (imports,
  parse, cleaning), from this checkout and, with ``--other``, from another one (the code before).

Two date strings: one dateparser reads ("14 févr. 2025"), and one no locale reads ("le 3 déc.,
10:30": dateparser then tries every language it has loaded, the costliest case). Nothing is
asserted: this script prints figures.
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the project importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._machine import machine

ROOT = Path(__file__).resolve().parent.parent
DATES = ("14 févr. 2025", "le 3 déc., 10:30")
PARAGRAPH = ("Le syndicat des eaux a annoncé la fin des travaux sur la conduite principale, qui alimente "
             "désormais les quatre communes du canton sans coupure, après trois mois de chantier.")


def page(date_text: str) -> str:
    """An invented French article with no structured date: htmldate is the last resort."""
    return (f"<html lang='fr'><head><meta charset='utf-8'><title>Travaux</title></head><body><article>"
            f"<h1>Fin des travaux</h1><p class='date'>{date_text}</p>{f'<p>{PARAGRAPH}</p>' * 3}"
            f"</article></body></html>")


_CALL = """
import sys, time
sys.path.insert(0, {root!r})
html = open({path!r}, encoding="utf-8").read()
{setup}
start = time.process_time()
found = {call}
print(time.process_time() - start, found)
"""
_CALLS = {
    "htmldate, every locale": (
        "from htmldate import find_date",
        "find_date(html, original_date=True, extensive_search=True, max_date='2025-06-20')",
    ),
    "datefallback, fr + en": (
        "from newscrawl.text.datefallback import find_date",
        "find_date(html, url=None, max_date='2025-06-20', languages=('fr', 'en'))",
    ),
}


def call_cpu(path: Path, setup: str, call: str) -> tuple[float, str]:
    """CPU seconds of one call in a fresh interpreter, and its result."""
    code = _CALL.format(root=str(ROOT), path=str(path), setup=setup, call=call)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), out[1]


def extract_cpu(root: Path, path: Path) -> tuple[float, str]:
    """CPU seconds (user + system) of ``python -m newscrawl extract`` run from ``root``, and the date."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    done = subprocess.run(
        [sys.executable, "-m", "newscrawl", "extract", "--source", "generic", "--url",
         "https://www.exemple.org/actualite/fin-des-travaux-42", "--fetched-at", "2025-06-20T12:00:00Z", str(path)],
        cwd=root, capture_output=True, text=True, check=False,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    published = '"published": ' in done.stdout and done.stdout.split('"published": ')[1].split(",")[0]
    return cpu, str(published)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=3, help="fresh processes per figure (the best counts)")
    ap.add_argument("--other", type=Path, help="another checkout whose extract to time too (e.g. the code before)")
    args = ap.parse_args()
    import dateparser
    import htmldate

    print(machine(f"htmldate {htmldate.__version__}", f"dateparser {dateparser.__version__}"))
    with tempfile.TemporaryDirectory() as tmp:
        for date_text in DATES:
            path = Path(tmp) / "page.html"
            path.write_text(page(date_text), encoding="utf-8")
            print(f"\ndate written {date_text!r}")
            for name, (setup, call) in _CALLS.items():
                runs = [call_cpu(path, setup, call) for _ in range(args.runs)]
                print(f"  find_date, {name:24} {min(r[0] for r in runs):6.3f} s CPU  -> {runs[0][1]}")
            roots = [("this checkout", ROOT)] + ([("--other", args.other)] if args.other else [])
            for label, root in roots:
                runs = [extract_cpu(root, path) for _ in range(args.runs)]
                print(f"  extract,   {label:24} {min(r[0] for r in runs):6.3f} s CPU  -> published {runs[0][1]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
