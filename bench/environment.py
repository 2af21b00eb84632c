"""Capture of the run's environment: interpreter, platform, CPU and package versions."""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata
from pathlib import Path
from typing import Any

# Packages whose versions change the numbers; recorded so runs can be compared honestly.
_PACKAGES = (
    "ddd-bench",
    "pyperf",
    "uvloop",
    "aiosqlite",
    "numpy",
    "scipy",
    "matplotlib",
)


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def capture() -> dict[str, Any]:
    packages = {}
    for name in _PACKAGES:
        try:
            packages[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            packages[name] = "not installed"
    import sqlite3

    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count() or 1,
        "packages": packages,
        "sqlite_library": sqlite3.sqlite_version,
        "executable": sys.executable,
        "load_average_at_start": [round(x, 2) for x in load],
    }
