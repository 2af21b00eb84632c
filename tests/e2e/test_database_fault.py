"""A PostgreSQL server that stops in the middle of a run: the failure is recorded, the run ends."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bench import postgres
from bench.results import load

WAIT_LIMIT_S = 300


def _points(out: Path) -> int:
    try:
        results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return 0
    return sum(len(e["points"]) for e in results["experiments"])


def test_database_stopped_mid_experiment(tmp_path: Path) -> None:
    bindir = postgres.find_binaries()
    if bindir is None:
        pytest.fail(postgres.unavailable_message())
    cluster = postgres.TemporaryCluster(bindir)
    out = tmp_path / "run"
    with cluster:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "bench.cli",
                "run",
                "--profile",
                "smoke",
                "--claims",
                "C3,C7",
                "--backend",
                "postgres",
                "--pg-dsn",
                cluster.dsn,
                "--out",
                str(out),
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            deadline = time.monotonic() + WAIT_LIMIT_S
            while _points(out) < 1 and time.monotonic() < deadline and process.poll() is None:
                time.sleep(0.2)
            assert _points(out) >= 1, "the run measured nothing before the server was to stop"
            cluster.stop()  # fast shutdown of the server the run is using, mid-experiment

            _, stderr = process.communicate(timeout=WAIT_LIMIT_S)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=30)

    assert process.returncode == 1, stderr[-2000:]
    results = load(out)
    assert results["run"]["finished"] is not None
    failed = [e for e in results["experiments"] if e["status"] == "failed"]
    assert failed, "no experiment recorded the lost server"
    assert all(e["error"] for e in failed)
    c3 = next(e for e in results["experiments"] if e["id"] == "c3-registrations")
    assert c3["status"] == "failed"
    assert c3["points"], "the points measured before the server stopped were lost"
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "c3-registrations" in report
