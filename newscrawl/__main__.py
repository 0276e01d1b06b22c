"""``python -m newscrawl``: extract one saved page, re-clean text records, run the crawls."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import UTC, datetime
from pathlib import Path


def cmd_extract(args: argparse.Namespace) -> int:
    from newscrawl.clean import clean_item
    from newscrawl.parsers import parse_page
    from newscrawl.text.dates import parse_iso
    from pipelines.finalize import finalize

    path = Path(args.page)
    try:
        body = sys.stdin.buffer.read() if args.page == "-" else path.read_bytes()
    except OSError as exc:
        print(f"newscrawl extract: cannot read {args.page}: {exc.strerror}", file=sys.stderr)
        return 2
    fetched_at = parse_iso(args.fetched_at) if args.fetched_at else datetime.now(UTC)
    if fetched_at is None:
        print(f"newscrawl extract: bad --fetched-at {args.fetched_at!r}", file=sys.stderr)
        return 2
    url = args.url or path.resolve().as_uri()
    item, parser = parse_page(url, body, fetched_at, source=args.source, encoding=args.encoding)
    clean_item(item)
    reason = finalize(item)
    if reason:
        print(f"newscrawl extract: {url}: {reason}", file=sys.stderr)
    if parser.field_errors:
        print(f"newscrawl extract: {url}: fields failed: {', '.join(parser.field_errors)}", file=sys.stderr)
    print(json.dumps(item.to_record(), ensure_ascii=False, indent=2 if args.pretty else None))
    return 1 if reason else 0


def cmd_clean(args: argparse.Namespace) -> int:
    from newscrawl.clean.command import run

    return run(args)


def cmd_crawl(args: argparse.Namespace) -> int:
    from newscrawl.run import run

    return run(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m newscrawl", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("extract", help="one saved page -> one JSON record on stdout")
    p.add_argument("page", help="saved HTML file ('-' for stdin)")
    p.add_argument("--url", help="the page's URL (picks the parser; default: the file URI)")
    p.add_argument("--source", help="force a parser: franceinfo, lefigaro, leparisien, daily8, generic")
    p.add_argument("--fetched-at", help="ISO 8601 fetch time (resolves relative dates; default now)")
    p.add_argument("--encoding", help="charset from the HTTP header, if known")
    p.add_argument("--pretty", action="store_true", help="indent the JSON")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("clean", help="re-clean existing text records (a folder or files)")
    p.add_argument("inputs", nargs="+", help="text records or folders of them")
    p.add_argument("-o", "--output", required=True, help="output folder (same file names)")
    p.add_argument("--jsonl", help="write the metadata found in the noise to this JSONL file")
    p.set_defaults(func=cmd_clean)

    p = sub.add_parser("crawl", help="crawl sites incrementally into dated output (for cron)",
                       epilog="exit codes: 0 all well; 1 a site failed a health check (zero articles, "
                              "field coverage, error rate) or the run was interrupted; 2 another run holds "
                              "the lock; 3 bad configuration. See docs/operations.md.")
    p.add_argument("sites", nargs="*", help="site keys (default with --all: every site)")
    p.add_argument("--all", action="store_true", help="every site of the registry")
    p.add_argument("--max-age", help="skip feed/sitemap entries older than this, e.g. 12h, 2d "
                                     "(default 2d; 0 = no limit; no limit when replaying a WARC)")
    p.add_argument("--since", help="backfill: collect the articles published from this day on (YYYY-MM-DD, "
                                   "YYYY-MM or YYYY, Paris time), read from the archive sitemap indexes")
    p.add_argument("--until", help="backfill: ... up to this day included (default: no end); --max-age "
                                   "does not apply in a backfill")
    p.add_argument("--dry-run", action="store_true", help="list what would be fetched, fetch no article")
    p.add_argument("--output", default="output", help="output folder (default output/)")
    p.add_argument("-s", "--set", action="append", default=[], metavar="NAME=VALUE",
                   help="a Scrapy/NEWSCRAWL_* setting, as with scrapy crawl -s")
    p.add_argument("-a", "--arg", action="append", default=[], metavar="NAME=VALUE",
                   help="a spider argument, e.g. start_urls=URL (applies to every site named)")
    p.set_defaults(func=cmd_crawl)
    return parser


def main(argv: list[str] | None = None) -> int:
    # spiders/ and pipelines/ live beside the package (Scrapy project layout): make them
    # importable however the module is started.
    root = str(Path(__file__).resolve().parent.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    args = build_parser().parse_args(argv)
    return int(args.func(args))


if __name__ == "__main__":
    sys.exit(main())
