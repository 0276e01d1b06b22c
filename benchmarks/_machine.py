"""What every benchmark prints first: the machine its figures come from."""

from __future__ import annotations

import os
import platform
from pathlib import Path


def machine(*versions: str) -> str:
    """Host, CPU model, cores, OS, Python, then ``versions`` ("lxml 6.1.3", ...)."""
    model = "?"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return ", ".join((f"{platform.node()}: {model}", f"{os.cpu_count()} cores",
                      f"{platform.system()} {platform.release()}", f"Python {platform.python_version()}", *versions))


def rss_mb(pid: int) -> float | None:
    """Resident memory of process ``pid`` in MB (from /proc), None when it cannot be read."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None
