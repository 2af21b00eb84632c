"""Runs that are killed or interrupted leave valid files, no child processes, and resume."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psutil
import pytest

from bench.results import load

# C3 on SQLite only: ten pyperf cases of a few seconds each, long enough to interrupt.
RUN = ("run", "--profile", "smoke", "--claims", "C3", "--backend", "sqlite")
WAIT_LIMIT_S = 300


def start(out: Path, *extra: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bench.cli", *RUN, "--out", str(out), *extra],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def descendants(pid: int) -> list[psutil.Process]:
    try:
        return psutil.Process(pid).children(recursive=True)
    except psutil.NoSuchProcess:
        return []


def wait_for_points(out: Path, count: int) -> None:
    """Wait until results.json contains at least `count` C3 points, bounded by WAIT_LIMIT_S."""
    deadline = time.monotonic() + WAIT_LIMIT_S
    while time.monotonic() < deadline:
        try:
            results = json.loads((out / "results.json").read_text(encoding="utf-8"))
            points = sum(len(e["points"]) for e in results["experiments"])
            if points >= count:
                return
        except (OSError, json.JSONDecodeError):
            pass
        time.sleep(0.2)
    pytest.fail(f"results.json in {out} never reached {count} points")


def _pyperf_leftovers_in_tmp(out: Path) -> list[Path]:
    """Return pyperf case directories in the system's temporary directory that name out."""
    return [
        case.parent
        for case in Path(tempfile.gettempdir()).glob("ddd-bench-pyperf-*/case.json")
        if str(out) in case.read_text(encoding="utf-8", errors="replace")
    ]


def test_sigkill_then_resume(tmp_path: Path) -> None:
    out = tmp_path / "run"
    for points_before_kill in (1, 4):
        process = start(out, *(("--resume",) if (out / "results.json").exists() else ()))
        wait_for_points(out, points_before_kill)
        children = descendants(process.pid)
        process.kill()
        process.wait(timeout=30)
        results = load(out)  # raises unless the file is complete and valid
        c3 = next(e for e in results["experiments"] if e["id"] == "c3-registrations")
        assert c3["status"] == "failed"
        assert c3["error"].startswith("incomplete")
        _, alive = psutil.wait_procs(children, timeout=30)
        assert alive == []
        assert _pyperf_leftovers_in_tmp(out) == []

    resumed = start(out, "--resume")
    _, stderr = resumed.communicate(timeout=WAIT_LIMIT_S)
    assert resumed.returncode == 0, stderr[-2000:]
    results = load(out)
    c3 = next(e for e in results["experiments"] if e["id"] == "c3-registrations")
    assert c3["status"] == "ok"
    assert len(c3["points"]) == 10
    assert len({json.dumps(p["params"], sort_keys=True) for p in c3["points"]}) == 10
    assert (out / "report.md").exists()
    assert not (out / "scratch").exists()  # where the killed runs left their pyperf files


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_interrupt_stops_children_and_reports(tmp_path: Path, signum: signal.Signals) -> None:
    out = tmp_path / "run"
    process = start(out)
    wait_for_points(out, 1)
    deadline = time.monotonic() + 60
    children: list[psutil.Process] = []
    while not children and time.monotonic() < deadline:
        children = descendants(process.pid)
        time.sleep(0.1)
    assert children, "the run started no pyperf process to interrupt"
    process.send_signal(signum)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 130, stderr[-2000:]
    assert "--resume" in stderr
    _, alive = psutil.wait_procs(children, timeout=10)
    assert alive == []
    results = load(out)
    assert results["run"]["finished"] is not None
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "interrupted after" in report
