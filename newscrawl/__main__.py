"""``python -m newscrawl``: extract one saved page, re-clean text records, run the crawls."""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
import textwrap
from datetime import UTC, datetime
from pathlib import Path

DESCRIPTION = "Extract one saved page, re-clean text records, run the crawls (help: python -m newscrawl crawl -h)."
CRAWL_DESCRIPTION = """\
Crawl the sites named (or every site with --all) incrementally, for cron: only articles not
collected before, into OUTPUT/<site>/<YYYY-MM-DD>.jsonl and OUTPUT/<site>/text/, with a run
manifest in OUTPUT/runs/. Named sites (--all): {sites}.
Generic: any other site, with -a start_urls=URL. The catalog's publishers (--catalog: all of
them; python -m newscrawl sites describes them):
{catalog}"""
CRAWL_EPILOG = """\
exit codes:
  0  all well
  1  a site failed a health check (zero articles, field coverage, error rate, dead start feeds),
     or the run was interrupted
  2  another run holds the lock
  3  bad configuration (unreadable command line, unknown site or NEWSCRAWL_* setting, bad --max-age,
     contradictory settings)
See docs/operations.md."""
BROKEN_PIPE = 141  # stdout closed early by its reader: the shell's code for a command killed by SIGPIPE


def cmd_extract(args: argparse.Namespace) -> int:
    from newscrawl import road
    from newscrawl.parsers import UnknownSource, check_source
    from newscrawl.text.dates import parse_iso

    try:
        check_source(args.source)
    except UnknownSource as exc:  # a configuration error, as for crawl: exit 3
        print(f"newscrawl extract: --source: {exc}", file=sys.stderr)
        return 3
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
    outcome = road.run(url, body, fetched_at, source=args.source, encoding=args.encoding)
    item, parser, reason = outcome.item, outcome.parser, outcome.reason
    if parser is not None and parser.field_errors:
        print(f"newscrawl extract: {url}: fields failed: {', '.join(parser.field_errors)}", file=sys.stderr)
    for warning, detail in outcome.warnings:  # what the crawl logs as "Page <url>: <reason> (...); kept"
        if warning != "field_error":  # said just above
            print(f"newscrawl extract: {url}: {warning}: {detail}", file=sys.stderr)
    if reason or item is None:  # not an article: say why, print no record
        reason = reason or "dropped"
        why = road.NOT_AN_ARTICLE.get(reason) or f"the page was dropped ({outcome.detail or reason})"
        print(f"newscrawl extract: {url}: {reason}: this page holds no article: {why}. No record printed.",
              file=sys.stderr)
        return 1
    print(json.dumps(item.to_record(), ensure_ascii=False, indent=2 if args.pretty else None))
    return 0


def cmd_clean(args: argparse.Namespace) -> int:
    from newscrawl.clean.command import run

    return run(args)


def cmd_crawl(args: argparse.Namespace) -> int:
    from newscrawl.run import run

    return run(args)


def cmd_sites(args: argparse.Namespace) -> int:
    from newscrawl.sites import render_sites, sites_listing

    listing = sites_listing(catalog_only=args.catalog)
    if args.json:
        print(json.dumps(listing, ensure_ascii=False, indent=1))
    else:
        print(render_sites(listing))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m newscrawl", description=DESCRIPTION)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("extract", help="one saved page -> one JSON record on stdout")
    p.add_argument("page", help="saved HTML file ('-' for stdin)")
    p.add_argument("--url", help="the page's URL (picks the parser; default: the file URI)")
    p.add_argument("--source", help="force a parser: franceinfo, lefigaro, leparisien, daily8, generic, or a "
                                    "catalog key (python -m newscrawl sites); generic: the generic parser "
                                    "whatever the URL; unknown: exit 3")
    p.add_argument("--fetched-at", help="ISO 8601 fetch time (resolves relative dates; default now)")
    p.add_argument("--encoding", help="charset from the HTTP header, if known")
    p.add_argument("--pretty", action="store_true", help="indent the JSON")
    p.set_defaults(func=cmd_extract)

    p = sub.add_parser("clean", help="re-clean existing text records (a folder or files)")
    p.add_argument("inputs", nargs="+", help="text records or folders of them")
    p.add_argument("-o", "--output", help="output folder (same file names); never an input's own folder")
    p.add_argument("--in-place", action="store_true", help="rewrite the inputs themselves (no -o, or -o naming the folder that holds them)")
    p.add_argument("--jsonl", help="write the metadata found in the noise to this JSONL file")
    p.set_defaults(func=cmd_clean)

    from newscrawl.publishers import CATALOG_KEYS, SITE_KEYS

    p = sub.add_parser("crawl", help="crawl sites incrementally into dated output (for cron)",
                       description=CRAWL_DESCRIPTION.format(
                           sites=", ".join(SITE_KEYS),
                           catalog=textwrap.fill(", ".join(CATALOG_KEYS), 96, initial_indent="  ",
                                                 subsequent_indent="  ")),
                       epilog=CRAWL_EPILOG,
                       formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("sites", nargs="*", help=f"site keys: {', '.join(SITE_KEYS)}, generic, or a catalog key "
                                            "(python -m newscrawl sites lists them)")
    p.add_argument("--all", action="store_true", help=f"the named sites ({', '.join(SITE_KEYS)})")
    p.add_argument("--catalog", action="store_true", help="every entry of the catalog of publishers "
                                                         "(with --all or site names: those too)")
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
                   help="a spider argument, e.g. start_urls=URL (applies to every site named); "
                        "SITE:NAME=VALUE applies to that site only, e.g. lemonde:start_urls=URL")
    p.set_defaults(func=cmd_crawl)

    p = sub.add_parser("sites", help="list the sites: key, name, domains, parser, entry points (confirmed?)")
    p.add_argument("--json", action="store_true", help="one JSON document (for scripts)")
    p.add_argument("--catalog", action="store_true", help="only the catalog's entries")
    p.set_defaults(func=cmd_sites)
    return parser


def main(argv: list[str] | None = None) -> int:
    # spiders/ and pipelines/ live beside the package (Scrapy project layout): make them
    # importable however the module is started.
    root = str(Path(__file__).resolve().parent.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    words = list(sys.argv[1:] if argv is None else argv)
    try:
        args = build_parser().parse_args(words)
    except SystemExit as exc:
        # argparse exits 2 on a usage error; for crawl, 2 is "another run holds the lock", which a
        # cron job skips (docs/operations.md): a crawl command line it cannot read exits 3.
        if exc.code == 2 and next((w for w in words if not w.startswith("-")), None) == "crawl":
            raise SystemExit(3) from None
        raise
    try:
        code = int(args.func(args))
        sys.stdout.flush()
    except BrokenPipeError:  # stdout closed by its reader (`| head`, `| jq` quitting): no traceback
        # Python ignores SIGPIPE; point stdout at /dev/null so the flush at exit cannot fail again.
        with contextlib.suppress(AttributeError, OSError, ValueError):  # (a stdout with no file: tests)
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return BROKEN_PIPE
    return code


if __name__ == "__main__":
    sys.exit(main())
