"""How a ``python -m newscrawl crawl`` run ends: never hanging, and saying why.

* :func:`stop_reactor` stops the reactor whether or not it runs yet: a crawler that fails while
  it is set up (a bad setting, a corrupt dedup state) fails *before* ``reactor.run()``, and a
  plain ``reactor.stop()`` then would be skipped, leaving the process running for ever with
  the lock held.
* :func:`abort_downloads` drops the connections of the downloads still in flight. Scrapy's
  graceful stop (SIGTERM, the run time limit) waits for them, up to DOWNLOAD_TIMEOUT (30 s
  here) for a server that never answers; the run gives them NEWSCRAWL_STOP_GRACE seconds,
  then aborts them, again every half second until the crawl has ended (each fails as a lost
  connection, nothing is written for it, the next run fetches it).
* :func:`on_stop_signal` chains a callback to Scrapy's SIGTERM/SIGINT handlers.
* :func:`mark_killed_runs`: a manifest still saying ``running`` whose process is gone is a run
  that was killed (kill -9, power loss); the next run marks it ``killed``.
"""

from __future__ import annotations

import json
import logging
import os
import re
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

from newscrawl.lock import pid_alive

logger = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
_HEAD_BYTES = 4096
_STATUS = re.compile(rb'"status"\s*:\s*"')
_RUNNING = re.compile(rb'"status"\s*:\s*"running"')


def stop_reactor() -> None:
    """Stop the reactor now if it runs, else as soon as it has started."""
    from twisted.internet import reactor

    if reactor.running:
        reactor.stop()
    else:
        reactor.callWhenRunning(lambda: reactor.running and reactor.stop())


def abort_downloads() -> int:
    """Abort every TCP client connection of the reactor (the downloads in flight, and idle
    keep-alive ones); their number. The dedup state (SQLite or redis-py) and the writers use no
    reactor connection. Twisted retries a GET once, on a new connection, when a reused one is
    lost before the answer: call this again until the crawl has ended."""
    from twisted.internet import reactor, tcp

    aborted = 0
    seen: set[int] = set()
    for selectable in [*reactor.getReaders(), *reactor.getWriters()]:
        if isinstance(selectable, tcp.Client) and id(selectable) not in seen and selectable.connected:
            seen.add(id(selectable))
            selectable.abortConnection()
            aborted += 1
    return aborted


def on_stop_signal(callback: Callable[[int], None]) -> None:
    """Call ``callback(signum)`` from the reactor on the first SIGTERM/SIGINT, before Scrapy's
    own handler (graceful stop; a second signal still forces it). Install once the reactor
    runs: Scrapy installs its handlers at startup and would replace this one."""
    from twisted.internet import reactor

    def install() -> None:
        for signum in STOP_SIGNALS:
            previous = signal.getsignal(signum)

            def handler(num: int, frame: Any, previous: Any = previous) -> None:
                reactor.callFromThread(callback, num)
                if callable(previous):
                    previous(num, frame)

            signal.signal(signum, handler)

    reactor.callWhenRunning(lambda: reactor.callLater(0, install))


def mark_killed_runs(runs_dir: Path, own_run_id: str) -> list[str]:
    """Mark ``killed`` the manifests of ``runs_dir`` that still say ``running`` while their
    process is gone; the run ids marked. A manifest whose pid is alive (a concurrent run on
    other sites of the same output folder) is left as it is."""
    marked: list[str] = []
    if not runs_dir.is_dir():
        return marked
    from newscrawl.atomic import write_json_atomic

    for path in sorted(runs_dir.glob("*.json")):
        try:
            with path.open("rb") as fh:
                head = fh.read(_HEAD_BYTES)
                # A cron run's folder holds a manifest per run, each with its sites' report:
                # the status, near the top, tells which few are worth reading in full.
                if _STATUS.search(head) and not _RUNNING.search(head):
                    continue
                data = json.loads(head + fh.read())
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict) or data.get("status") != "running" or data.get("run_id") == own_run_id:
            continue
        pid = data.get("pid")
        if isinstance(pid, int) and pid != os.getpid() and pid_alive(pid):
            continue
        data.update(status="killed", killed_noticed_by=own_run_id,
                    failures=[*data.get("failures", []), "the run was killed before it finished (found by a later run)"])
        try:
            write_json_atomic(path, data)
        except OSError as exc:
            logger.error("Cannot mark %(path)s killed: %(exc)s", {"path": path, "exc": exc})
            continue
        marked.append(str(data.get("run_id") or path.stem))
        logger.warning("Run %(run)s (pid %(pid)s) never finished: its manifest %(path)s is marked killed",
                       {"run": data.get("run_id"), "pid": pid, "path": path})
    return marked
