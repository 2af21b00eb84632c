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


def test_skip_reported_in_both_languages(tmp_path: Path) -> None:
    out = tmp_path / "run"
    completed = ddd_bench(
        "run", "--claims", "C2", "--backend", "memory", "--lang", "zh-CN", "--out", str(out)
    )

    assert completed.returncode == 0, completed.stderr[-2000:]
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    (experiment,) = results["experiments"]
    assert experiment["status"] == "skipped"
    c2 = next(c for c in results["claims"] if c["id"] == "C2")
    assert c2["verdict"] == "not-checked"
    assert c2["reason"].startswith("Not measured")
    assert c2["reason_zh"].startswith("未测量")
    report = (out / "report.zh-CN.md").read_text(encoding="utf-8")
    assert "跳过：本次运行所选的后端没有它的用例" in report
    assert "失败：" not in report
    assert "no case for the backends" not in report  # the English error stays in results.json
