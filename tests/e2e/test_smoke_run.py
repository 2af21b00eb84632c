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
    for claim_id in ("C1", "C3", "C5", "C7", "C8"):
        assert verdicts[claim_id] != "not-checked", claim_id


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
    for plot in (
        "c1-added-latency.png",
        "c3-time-per-executor.png",
        "c5-memory-per-request.png",
        "c7-duplicates.png",
        "c7-lost-updates.png",
        "c8-handler-failures.png",
    ):
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


def test_c1_points_carry_strategy_and_added_latency(results: dict[str, Any]) -> None:
    c1 = _experiment(results, "c1-event-latency")
    assert c1["status"] == "ok"
    strategies = {(p["params"]["executor"], p["params"]["strategy"]) for p in c1["points"]}
    assert len(strategies) == 10
    for point in c1["points"]:
        assert {"strategy", "handlers", "handler_ms"} <= set(point["params"])
        assert "added_latency_ms" in point["metrics"]
    baselines = [p for p in c1["points"] if p["params"]["handlers"] == 0]
    assert len(baselines) == 10


def test_c5_reports_memory_per_request(results: dict[str, Any]) -> None:
    c5 = _experiment(results, "c5-memory-per-request")
    assert c5["status"] == "ok"
    executors = {p["params"]["executor"] for p in c5["points"]}
    assert executors == {"threads", "asyncio", "uvloop"}
    for point in c5["points"]:
        assert point["metrics"]["rss_bytes_per_request"]["median"] > 0
        assert "traced_bytes_per_request" in point["metrics"]
        assert "thread_stack_size_bytes" in point["params"]


def test_c8_counts_lost_failures(results: dict[str, Any]) -> None:
    c8 = _experiment(results, "c8-handler-failures")
    assert c8["status"] == "ok"
    for point in c8["points"]:
        metrics = point["metrics"]
        assert metrics["other_handlers_ran"] == metrics["other_handlers_expected"]
        if point["params"]["policy"] == "corrected":
            assert metrics["failures_lost"] == 0
