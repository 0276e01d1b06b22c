"""Run the parsers (+ cleaning, exactly as ``python -m newscrawl extract``) over a folder of real
pages with ``.expected.json`` files beside them, and print per-field agreement.

    python scripts/reference_check.py ../shared/reference [-v]
    python scripts/reference_check.py ../shared/reference --generic   # the generic parser on them

Not a repository test: the real pages are not the project's and are not in the repository.
Dates agree when they are the same instant ("Z" and "+00:00" alike); an expected ``null`` title
means the annotator had none and is not counted.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from newscrawl.fixtures import extract_article as _site_extract  # noqa: E402
from newscrawl.text.dates import parse_iso  # noqa: E402
from newscrawl.text.normalize import clean_text  # noqa: E402


def extract_article(url: str, body: bytes, fetched_at: str, *, source: str, generic: bool = False):
    """What ``python -m newscrawl extract`` gives, or the same steps with the generic parser."""
    return _site_extract(url, body, fetched_at, source="generic" if generic else source)


FIELDS = ("title", "lead", "paragraphs", "authors", "published", "modified", "paywalled")


def _norm(value: object) -> object:
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_norm(v) for v in value]
    return value


def agree(name: str, got: object, want: object) -> bool:
    if name in ("published", "modified"):
        a, b = parse_iso(got) if isinstance(got, str) else None, parse_iso(want) if isinstance(want, str) else None
        return a == b if (a and b) else got == want
    return _norm(got) == _norm(want)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("folder", type=Path)
    ap.add_argument("-v", "--verbose", action="store_true", help="show each disagreement")
    ap.add_argument("--generic", action="store_true",
                    help="the generic parser on every page: how the same pages would fare on an unknown site")
    args = ap.parse_args()
    totals: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    if not args.folder.is_dir():
        print(f"reference_check: no folder {args.folder}: the real reference pages are not part of the repository "
              "(a fresh clone has none); point it at a folder of <site>/<page>.html + <page>.expected.json",
              file=sys.stderr)
        return 2
    pages = sorted(args.folder.glob("*/*.html"))
    if not pages:
        print(f"reference_check: no <site>/*.html page under {args.folder}: nothing checked", file=sys.stderr)
        return 2
    for page in pages:
        expected = json.loads(page.with_name(page.stem + ".expected.json").read_text(encoding="utf-8"))
        site = page.parent.name
        item = extract_article(expected["url"], page.read_bytes(), "2026-01-01T00:00:00+00:00", source=site, generic=args.generic)
        got = {**item.to_record(), "paragraphs": item.text.split("\n") if item.text else []}
        is_live = not expected.get("paragraphs") and "direct" in expected["url"]
        for name in FIELDS:
            want = expected.get(name)
            if name == "title" and want is None:
                continue
            if name == "paragraphs" and is_live:
                continue  # the live blog has no expected paragraphs
            ok = agree(name, got.get(name), want)
            for key in (site, "ALL"):
                totals[key][name][0] += ok
                totals[key][name][1] += 1
            if not ok and args.verbose:
                print(f"  {site}/{page.stem[:50]} {name}:\n    got  {got.get(name)!r:.300}\n    want {want!r:.300}")
    width = max(len(f) for f in FIELDS)
    print(f"{'site':<12}" + "".join(f"{f:>{width + 2}}" for f in FIELDS))
    for site, fields in sorted(totals.items(), key=lambda kv: (kv[0] == "ALL", kv[0])):
        cells = "".join(f"{f'{fields[f][0]}/{fields[f][1]}':>{width + 2}}" for f in FIELDS)
        print(f"{site:<12}{cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
