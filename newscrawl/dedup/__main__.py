"""``python -m newscrawl.dedup``: look into the dedup state.

    python -m newscrawl.dedup explain https://www.leparisien.fr/...php   # the cluster of a URL
    python -m newscrawl.dedup explain 7d26b300044aecdc                   # ... or of a record id
    python -m newscrawl.dedup stats
    python -m newscrawl.dedup prune --older-than 30d

``--state-dir`` (default NEWSCRAWL_STATE_DIR's default, ``.newscrawl``) or ``--redis-url``
select the state, as the crawl settings do.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from pathlib import Path

from newscrawl.dedup.cluster import Deduplicator
from newscrawl.dedup.factory import open_store
from newscrawl.dedup.store import SQLITE_FILE, DedupStateError, Store
from newscrawl.defaults import setting_default
from newscrawl.text.dates import parse_duration
from newscrawl.text.urls import canonical_url


class NoState(Exception):
    """The SQLite state the command would read does not exist (nothing collected there yet)."""


def _store(args: argparse.Namespace) -> Store:
    if not args.redis_url:
        path = Path(args.state_dir) / SQLITE_FILE
        if not path.is_file():  # opening it would create an empty state
            raise NoState(f"no dedup state in {path} (nothing collected there yet; "
                          "--state-dir names another NEWSCRAWL_STATE_DIR)")
    return open_store({"NEWSCRAWL_STATE_DIR": args.state_dir, "NEWSCRAWL_REDIS_URL": args.redis_url or "",
                       "NEWSCRAWL_DEDUP_REDIS_PREFIX": args.redis_prefix})


def cmd_explain(args: argparse.Namespace) -> int:
    store = _store(args)
    try:
        key = args.what.strip()
        if re.fullmatch(r"[0-9a-f]{16}", key):
            cluster = key
        else:
            entry = store.urls([canonical_url(key)]).get(canonical_url(key))
            if entry is None:
                print(f"Unknown URL: {canonical_url(key)}", file=sys.stderr)
                return 1
            cluster = entry.cluster
        members = Deduplicator(store).explain(cluster)
        if not members:
            print(f"Unknown cluster: {cluster}", file=sys.stderr)
            return 1
        art = store.article(cluster)
        print(json.dumps({
            "cluster": cluster,
            "kept": {"id": cluster, "words": art.words if art else None,
                     "added": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(art.added)) if art else None},
            "urls": [{"url": m.url, "reason": m.reason, "similarity": m.similarity,
                      "seen_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(m.seen_at))} for m in members],
        }, ensure_ascii=False, indent=2))
        return 0
    finally:
        store.close()


def cmd_stats(args: argparse.Namespace) -> int:
    store = _store(args)
    try:
        print(json.dumps({**store.counts(), "params_version": store.get_meta("params_version")}, indent=2))
        return 0
    finally:
        store.close()


def cmd_prune(args: argparse.Namespace) -> int:
    window = parse_duration(args.older_than)
    if window is None:
        print("--older-than must be a duration, e.g. 30d", file=sys.stderr)
        return 2
    store = _store(args)
    try:
        n = store.prune(time.time() - window.total_seconds())
        store.commit()
        print(f"Pruned the near-duplicate index of {n} article(s)")
        return 0
    finally:
        store.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m newscrawl.dedup", description=__doc__.split("\n\n")[0])
    parser.add_argument("--state-dir", default=setting_default("NEWSCRAWL_STATE_DIR"),
                        help=f"NEWSCRAWL_STATE_DIR (default {setting_default('NEWSCRAWL_STATE_DIR')})")
    parser.add_argument("--redis-url", help="NEWSCRAWL_REDIS_URL: the state is in Redis")
    parser.add_argument("--redis-prefix", default=setting_default("NEWSCRAWL_DEDUP_REDIS_PREFIX"), help="NEWSCRAWL_DEDUP_REDIS_PREFIX")
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("explain", help="the cluster of a URL or record id: kept copy, copies, similarities")
    p.add_argument("what", help="a URL (any form: it is canonicalised) or a 16-hex record id")
    p.set_defaults(func=cmd_explain)
    p = sub.add_parser("stats", help="sizes of the state")
    p.set_defaults(func=cmd_stats)
    p = sub.add_parser("prune", help="drop the near-duplicate index of old articles (URLs and hashes stay)")
    p.add_argument("--older-than", required=True, help="e.g. 30d")
    p.set_defaults(func=cmd_prune)
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except NoState as exc:
        print(f"python -m newscrawl.dedup: {exc}", file=sys.stderr)
        return 1
    except DedupStateError as exc:
        print(f"python -m newscrawl.dedup: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
