"""Shared fixtures: project paths, the fixture pages, local sites."""

from __future__ import annotations

import os
import subprocess
import sys
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
