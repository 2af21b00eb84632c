"""Run one timed case through pyperf's manager and worker processes, and read back its values."""

from __future__ import annotations

import json
import logging
import sys
import tempfile
from pathlib import Path
from typing import Any

import pyperf

from bench.processes import ChildTimedOut, run_child
from bench.profiles import Profile

logger = logging.getLogger(__name__)


class CaseFailed(Exception):
    """A pyperf run exited with an error or timed out; the message names the case."""


def run_case(
    case: dict[str, Any], profile: Profile, log_path: Path, scratch_dir: Path | None = None
) -> list[float]:
    """Return the case's timed values in seconds, warm-ups excluded.

    The case file and pyperf's output go to a temporary directory inside scratch_dir
    (the system's temporary directory when None). A run passes its own scratch
    directory, so a killed run leaves them there rather than in /tmp.
    """
    if scratch_dir is not None:
        scratch_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="ddd-bench-pyperf-", dir=scratch_dir) as scratch:
        case_file = Path(scratch) / "case.json"
        output = Path(scratch) / "pyperf.json"
        case_file.write_text(json.dumps(case), encoding="utf-8")
        command = [
            sys.executable,
            "-m",
            "bench.pyperf_worker",
            "--case",
            str(case_file),
            "--output",
            str(output),
            "--processes",
            str(profile.pyperf_processes),
            "--values",
            str(profile.pyperf_values),
            "--warmups",
            str(profile.pyperf_warmups),
            "--loops",
            "1",  # one batch per value: the batch is the unit the guide times
            "--inherit-environ",
            "PYTHONPATH",
        ]
        logger.info("starting pyperf for %s", case["name"])
        try:
            status = run_child(command, timeout_s=profile.case_timeout_s, log_path=log_path)
        except ChildTimedOut as error:
            raise CaseFailed(
                f"case {case['name']!r} timed out after {profile.case_timeout_s:.0f} s"
            ) from error
        if status != 0:
            raise CaseFailed(
                f"case {case['name']!r} failed: pyperf exited with status {status}; see {log_path}"
            )
        benchmark = pyperf.Benchmark.load(str(output))
        return list(benchmark.get_values())
