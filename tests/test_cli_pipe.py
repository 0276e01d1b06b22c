"""``python -m newscrawl extract|sites`` piped into a reader that quits early (``| head``) ends
quietly with exit 141 (the shell's code for SIGPIPE), not with a BrokenPipeError traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from tests.conftest import FIXTURES, ROOT

PAGE = FIXTURES / "pages" / "lefigaro" / "2024-05-14_greve-controleurs-aeriens-nantes.html"
URL = json.loads(PAGE.with_suffix(".json").read_text(encoding="utf-8"))["url"]


def run_into_closed_pipe(*args: str) -> subprocess.CompletedProcess:
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first byte: every write gets EPIPE
    try:
        return subprocess.run([sys.executable, "-m", "newscrawl", *args], cwd=ROOT, stdout=write_end,
                              stderr=subprocess.PIPE, text=True, timeout=120, check=False)
    finally:
        os.close(write_end)


def test_extract_into_a_closed_pipe_ends_without_a_traceback():
    done = run_into_closed_pipe("extract", "--url", URL, "--fetched-at", "2024-05-15T08:00:00Z", str(PAGE))
    assert "Traceback" not in done.stderr
    assert "BrokenPipeError" not in done.stderr
    assert done.returncode == 141


def test_sites_into_a_closed_pipe_ends_without_a_traceback():
    done = run_into_closed_pipe("sites", "--json")
    assert "Traceback" not in done.stderr
    assert done.returncode == 141
