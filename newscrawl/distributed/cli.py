"""Command line: ``python -m newscrawl.distributed seed|status|reset`` (docs/scaling.md)."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from newscrawl.distributed.keys import DEFAULT_PREFIX, Keys, connect, text
from newscrawl.distributed.seeds import push_seeds


def cluster_status(server: Any, keys: Keys) -> dict[str, Any]:
    workers = {}
    for wid in sorted(text(w) or "" for w in server.smembers(keys.workers)):
        workers[wid] = {"state": text(server.get(keys.worker(wid))) or "dead",
                        "in_flight": int(server.hlen(keys.inflight(wid)))}
    return {"queue": int(server.zcard(keys.requests)), "seeds": int(server.llen(keys.seeds)),
            "dupefilter": int(server.scard(keys.dupefilter)), "workers": workers}


def reset(server: Any, keys: Keys) -> int:
    """Delete a spider's run state (queue, seeds, dupefilter, workers, in-flight)."""
    names = [keys.requests, keys.seeds, keys.dupefilter, keys.workers]
    for pattern in (f"{keys.base}:worker:*", f"{keys.base}:inflight:*"):
        names += [text(k) or "" for k in server.scan_iter(match=pattern)]
    return int(server.delete(*names))


def _read_urls(args: argparse.Namespace) -> list[str]:
    urls = list(args.urls)
    if args.file:
        stream = sys.stdin if args.file == "-" else open(args.file, encoding="utf-8")  # noqa: SIM115
        with stream:
            urls += stream.read().split()
    return urls


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newscrawl.distributed",
                                     description="Seed, inspect or reset a distributed crawl (docs/scaling.md).")
    parser.add_argument("--redis", help="redis://host:6379/0 (default: NEWSCRAWL_REDIS_URL of the settings)")
    parser.add_argument("--prefix", help="key prefix (default: NEWSCRAWL_REDIS_KEY_PREFIX, 'newscrawl')")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("seed", help="push seed URLs (default: the site's registry start URLs)")
    p.add_argument("spider")
    p.add_argument("urls", nargs="*", help="feeds, sitemaps, listing or article pages")
    p.add_argument("--file", help="read more URLs from this file ('-' = stdin), one per line")
    p = sub.add_parser("status", help="queue, seeds, dupefilter and workers of spiders")
    p.add_argument("spiders", nargs="+")
    p = sub.add_parser("reset", help="delete a spider's run state (queue, seeds, dupefilter); not the dedup store")
    p.add_argument("spider")
    p.add_argument("--force", action="store_true", help="even when workers are alive")
    args = parser.parse_args(argv)

    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "newscrawl.settings")
    from scrapy.utils.project import get_project_settings

    settings = get_project_settings()
    url = args.redis or str(settings.get("NEWSCRAWL_REDIS_URL") or "")
    if not url:
        print("No Redis: pass --redis redis://host:6379/0 or set NEWSCRAWL_REDIS_URL", file=sys.stderr)
        return 2
    prefix = args.prefix or str(settings.get("NEWSCRAWL_REDIS_KEY_PREFIX") or DEFAULT_PREFIX)
    try:
        server = connect(url)
    except ConnectionError as exc:
        print(exc, file=sys.stderr)
        return 2
    if args.command == "seed":
        urls = _read_urls(args)
        if not urls and not args.file:
            from newscrawl.publishers import PUBLISHERS

            pub = PUBLISHERS.get(args.spider)
            urls = list(pub.start_urls) if pub else []
        keys = Keys.of(prefix, args.spider)
        pushed, bad = push_seeds(server, keys, urls)
        for url_ in bad:
            print(f"not an absolute http(s) URL, skipped: {url_}", file=sys.stderr)
        print(f"{pushed} seed(s) pushed to {keys.seeds}")
        return 1 if bad or not pushed else 0
    if args.command == "status":
        print(json.dumps({s: cluster_status(server, Keys.of(prefix, s)) for s in args.spiders}, indent=2))
        return 0
    keys = Keys.of(prefix, args.spider)
    alive = [w for w, v in cluster_status(server, keys)["workers"].items() if v["state"] != "dead"]
    if alive and not args.force:
        print(f"{len(alive)} worker(s) alive on {keys.base}: {', '.join(alive)} (use --force)", file=sys.stderr)
        return 1
    print(f"{reset(server, keys)} key(s) deleted under {keys.base}")
    return 0
