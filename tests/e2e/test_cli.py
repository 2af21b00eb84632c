"""The command line as a user runs it: exit codes and messages for bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def ddd_bench(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bench.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        check=False,
    )


@pytest.mark.parametrize(
    ("args", "named"),
    [
        (("run", "--claims", "C3,C9"), "'C9'"),
        (("run", "--backend", "oracle"), "'oracle'"),
        (("run", "--profile", "huge"), "'huge'"),
        (("run", "--seed", "many"), "'many'"),
        (("run", "--lang", "fr"), "'fr'"),
        (("report", "reports/latest", "--lang", "zh"), "'zh'"),
        (("frobnicate",), "'frobnicate'"),
    ],
)
def test_invalid_option_exits_2(args: tuple[str, ...], named: str) -> None:
    completed = ddd_bench(*args)
    assert completed.returncode == 2
    assert named in completed.stderr


def test_resume_without_results_exits_2(tmp_path: Path) -> None:
    completed = ddd_bench("run", "--resume", str(tmp_path))
    assert completed.returncode == 2
    assert "no results.json" in completed.stderr


def test_report_of_missing_dir_exits_2(tmp_path: Path) -> None:
    completed = ddd_bench("report", str(tmp_path / "nothing"))
    assert completed.returncode == 2
    assert "not found" in completed.stderr


def test_report_of_corrupt_results_exits_2(tmp_path: Path) -> None:
    (tmp_path / "results.json").write_text("{not json", encoding="utf-8")
    completed = ddd_bench("report", str(tmp_path))
    assert completed.returncode == 2
    assert "corrupt" in completed.stderr


def test_report_of_other_schema_exits_2(tmp_path: Path) -> None:
    (tmp_path / "results.json").write_text(json.dumps({"schema_version": 99}), encoding="utf-8")
    completed = ddd_bench("report", str(tmp_path))
    assert completed.returncode == 2
    assert "schema_version 99" in completed.stderr


def test_claims_lists_all_eight() -> None:
    completed = ddd_bench("claims")
    assert completed.returncode == 0
    for number in range(1, 9):
        assert f"C{number} " in completed.stdout
    assert "c3-registrations" in completed.stdout


def test_latest_skips_runs_without_results(tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    measured = ddd_bench(
        "run", "--profile", "smoke", "--claims", "C7", "--backend", "memory",
        "--out", str(reports / "measured"),
    )  # fmt: skip
    assert measured.returncode == 0, measured.stderr[-2000:]
    assert (reports / "latest").resolve() == (reports / "measured").resolve()

    # C2 runs only on PostgreSQL, so this run skips its one experiment.
    empty = ddd_bench(
        "run", "--claims", "C2", "--backend", "memory", "--out", str(reports / "empty")
    )

    assert empty.returncode == 0, empty.stderr[-2000:]
    assert (reports / "empty" / "report.md").exists()
    assert (reports / "latest").resolve() == (reports / "measured").resolve()
