"""Shared fixtures: project paths, the fixture pages, local sites."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


def run_scrapy(args: list[str], cwd: Path = ROOT, timeout: int = 180, env: dict[str, str] | None = None
               ) -> subprocess.CompletedProcess[str]:
    """Run ``scrapy <args>`` in a subprocess from the project root (a fresh reactor each time)."""
    full_env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "scrapy", *args,
         "-s", "DOWNLOAD_DELAY=0", "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=INFO"],
        cwd=cwd, env=full_env, capture_output=True, text=True, timeout=timeout, check=False,
    )


@pytest.fixture
def project_root() -> Path:
    return ROOT


REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
IN_CI = bool(os.environ.get("CI"))


def missing_tool(path: str) -> bool:
    """True when a Debian tool the test needs is absent *outside CI*: such tests skip on a
    developer machine without it, but in CI (.ci/run installs it) they run and fail loudly."""
    return not Path(path).exists() and not IN_CI


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def redis_server_process(workdir: Path) -> Iterator[str]:
    """A throwaway redis-server on a free 127.0.0.1 port, no persistence; yields its URL and
    stops it by pid on exit."""
    if missing_tool(REDIS_SERVER):
        pytest.skip("redis-server is not installed (CI installs it: apt-get install redis-server)")
    import redis

    port = free_port()
    workdir.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        [REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(workdir), "--protected-mode", "yes"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    try:
        for _ in range(100):
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if proc.poll() is not None:
                    pytest.fail(f"redis-server exited with {proc.returncode}")
                time.sleep(0.05)
        else:
            pytest.fail("redis-server did not answer within 5 s")
        yield url
    finally:
        client.close()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
