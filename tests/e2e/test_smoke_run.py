"""Run the smoke profile end to end into a temporary directory and check what it wrote."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from bench.results import validate

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "bench" / "schema" / "results.schema.json"


@pytest.fixture(scope="module")
def smoke_run(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    out = tmp_path_factory.mktemp("smoke") / "run"
    completed = subprocess.run(
        [sys.executable, "-m", "bench.cli", "run", "--profile", "smoke", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    return out, completed


@pytest.fixture(scope="module")
def results(smoke_run: tuple[Path, subprocess.CompletedProcess[str]]) -> dict[str, Any]:
    out, completed = smoke_run
    assert completed.returncode == 0, completed.stderr[-3000:]
    loaded: dict[str, Any] = json.loads((out / "results.json").read_text(encoding="utf-8"))
    return loaded


def _experiment(results: dict[str, Any], experiment_id: str) -> dict[str, Any]:
    return next(e for e in results["experiments"] if e["id"] == experiment_id)


def test_results_match_schema(results: dict[str, Any]) -> None:
    jsonschema.validate(results, json.loads(SCHEMA.read_text(encoding="utf-8")))
    validate(results)
    assert results["run"]["finished"] is not None


def test_every_claim_listed(results: dict[str, Any]) -> None:
    assert [c["id"] for c in results["claims"]] == [f"C{n}" for n in range(1, 9)]
    verdicts = {c["id"]: c["verdict"] for c in results["claims"]}
    assert verdicts["C3"] != "not-checked"
    assert verdicts["C7"] != "not-checked"


def test_c3_ratios_recorded(results: dict[str, Any]) -> None:
    c3 = _experiment(results, "c3-registrations")
    assert c3["status"] == "ok"
    for policy in ("as-written", "corrected"):
        point = next(
            p
            for p in c3["points"]
            if p["params"]["backend"] == "memory"
            and p["params"]["policy"] == policy
            and p["params"]["executor"] == "asyncio"
        )
        speedup = point["metrics"]["speedup_over_sync_sequential"]
        assert speedup["median"] > 0
        assert speedup["ci95"][0] <= speedup["median"] <= speedup["ci95"][1]
    claim = next(c for c in results["claims"] if c["id"] == "C3")
    assert set(claim["headline"]) >= {"c3_speedup_memory_as_written", "c3_speedup_memory_corrected"}


def test_c7_corrected_stores_exactly_one(results: dict[str, Any]) -> None:
    c7 = _experiment(results, "c7-duplicate-registrations")
    combinations = {
        (
            p["params"]["stack"],
            p["params"]["executor"],
            p["params"]["backend"],
            p["params"]["policy"],
        )
        for p in c7["points"]
    }
    assert len(combinations) == 16  # 4 executors x 2 backends x 2 policies
    for point in c7["points"]:
        assert "duplicates_stored" in point["metrics"]
        if point["params"]["policy"] == "corrected":
            assert point["metrics"]["duplicates_stored"]["values"] == [1, 1, 1]


def test_report_has_sections_and_plots(smoke_run, results: dict[str, Any]) -> None:
    out, _ = smoke_run
    report = (out / "report.md").read_text(encoding="utf-8")
    assert report.index("## Verdicts") < report.index("## C1")
    for claim in results["claims"]:
        assert f"## {claim['id']}:" in report
        assert claim["quote_zh"] in report
    for plot in ("c3-time-per-executor.png", "c7-duplicates.png", "c7-lost-updates.png"):
        assert (out / plot).stat().st_size > 10_000
        assert f"]({plot})" in report


def test_report_rebuilds_from_results_alone(smoke_run, results: dict[str, Any]) -> None:
    out, _ = smoke_run
    (out / "report.md").unlink()
    (out / "c3-time-per-executor.png").unlink()
    completed = subprocess.run(
        [sys.executable, "-m", "bench.cli", "report", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr
    assert (out / "report.md").exists()
    assert (out / "c3-time-per-executor.png").exists()
