"""compare, history and the benchmark suite as a CI job runs them, on a real smoke run.

One smoke run of C3 on the memory backend (about 20 s) feeds every test here. The
slower copy scales that run's measured wall times by 1.3, which is the "30% worse"
case a regression gate must catch. The faster copy scales them by 0.7.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def ddd_bench(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bench.cli", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
        check=False,
    )


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("compare")


@pytest.fixture(scope="module")
def base_run(workdir: Path) -> Path:
    out = workdir / "base"
    completed = ddd_bench(
        "run",
        "--profile",
        "smoke",
        "--claims",
        "C3",
        "--backend",
        "memory",
        "--out",
        str(out),
        "--history",
        str(workdir / "history.jsonl"),
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return out


def _scaled_copy(base_run: Path, target: Path, metric: str, factor: float) -> Path:
    """Write a copy of the run whose raw values of `metric` are multiplied by `factor`."""
    results: dict[str, Any] = json.loads((base_run / "results.json").read_text("utf-8"))
    changed = copy.deepcopy(results)
    changed["run"]["id"] = target.name
    for experiment in changed["experiments"]:
        for point in experiment["points"]:
            value = point["metrics"].get(metric)
            if isinstance(value, dict) and value.get("values"):
                value["values"] = [v * factor for v in value["values"]]
                value["median"] *= factor
                value["ci95"] = [v * factor for v in value["ci95"]]
    target.mkdir(parents=True, exist_ok=True)
    (target / "results.json").write_text(json.dumps(changed), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def slower_run(base_run: Path, workdir: Path) -> Path:
    return _scaled_copy(base_run, workdir / "slower", "wall_time_s", 1.3)


@pytest.fixture(scope="module")
def faster_run(base_run: Path, workdir: Path) -> Path:
    return _scaled_copy(base_run, workdir / "faster", "wall_time_s", 0.7)


def test_compare_with_itself_exits_0(base_run: Path) -> None:
    completed = ddd_bench("compare", str(base_run), str(base_run / "results.json"))

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "No significant regression" in completed.stdout
    assert "REGRESSION" not in completed.stdout


def test_thirty_percent_slower_exits_1(base_run: Path, slower_run: Path) -> None:
    completed = ddd_bench("compare", str(base_run), str(slower_run))

    assert completed.returncode == 1, completed.stdout + completed.stderr
    verdict = completed.stdout[completed.stdout.index("REGRESSION:") :]
    assert "metrics: wall_time_s." in verdict
    assert "wall_time_s at c3-registrations" in verdict
    assert "+30.0%" in verdict
    assert "speedup_over_sync_sequential" not in verdict


def test_thirty_percent_faster_exits_0(base_run: Path, faster_run: Path) -> None:
    completed = ddd_bench("compare", str(base_run), str(faster_run))

    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "improvement" in completed.stdout


def test_markdown_names_regression(base_run: Path, slower_run: Path, workdir: Path) -> None:
    comment = workdir / "comment.md"
    completed = ddd_bench(
        "compare",
        str(base_run),
        str(slower_run),
        "--format",
        "markdown",
        "--markdown",
        str(comment),
    )

    assert completed.returncode == 1
    assert completed.stdout.startswith("## ddd-bench compare")
    written = comment.read_text(encoding="utf-8")
    assert written.strip() == completed.stdout.strip()
    assert "❌ REGRESSION" in written
    assert "| c3-registrations |" in written
    assert "wall_time_s" in written
    assert "smallest p-value is 0.029" in written


def test_other_machine_warns(base_run: Path, workdir: Path) -> None:
    results = json.loads((base_run / "results.json").read_text("utf-8"))
    results["environment"]["cpu_model"] = "Another CPU"
    results["environment"]["python"] = "3.99.0"
    other = workdir / "other-machine"
    other.mkdir(exist_ok=True)
    (other / "results.json").write_text(json.dumps(results), encoding="utf-8")

    completed = ddd_bench("compare", str(base_run), str(other))

    assert completed.returncode == 0
    assert "different machines" in completed.stdout
    assert "cpu_model" in completed.stdout
    assert "'Another CPU'" in completed.stdout
    assert "python" in completed.stdout


def test_report_has_noise_section(base_run: Path) -> None:
    report = (base_run / "report.md").read_text(encoding="utf-8")

    assert "## Noise" in report
    results = json.loads((base_run / "results.json").read_text("utf-8"))
    point = results["experiments"][0]["points"][0]
    assert point["metrics"]["wall_time_s"]["spread"] >= 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "file not found"),
        ("{not json", "corrupt JSON"),
        (json.dumps({"schema_version": 99}), "schema_version 99"),
    ],
)
def test_compare_bad_input_exits_2(
    base_run: Path, tmp_path: Path, content: str | None, message: str
) -> None:
    bad = tmp_path / "results.json"
    if content is not None:
        bad.write_text(content, encoding="utf-8")

    completed = ddd_bench("compare", str(base_run), str(bad))

    assert completed.returncode == 2
    assert message in completed.stderr
    assert str(bad) in completed.stderr


def test_compare_help_states_default() -> None:
    completed = ddd_bench("compare", "--help")

    assert completed.returncode == 0, completed.stderr
    assert "default: 10," in " ".join(completed.stdout.split())


def test_compare_invalid_threshold_exits_2(base_run: Path) -> None:
    completed = ddd_bench("compare", str(base_run), str(base_run), "--threshold", "ten")

    assert completed.returncode == 2
    assert "'ten'" in completed.stderr


def test_run_history_records_run(base_run: Path, workdir: Path) -> None:
    lines = (workdir / "history.jsonl").read_text(encoding="utf-8").splitlines()

    assert len(lines) == 1
    entry = json.loads(lines[0])
    assert entry["run_id"] == "base"
    assert "c3_speedup_memory_as_written" in entry["headline"]
    assert all(metric["values"] for metric in entry["metrics"])


def test_history_marks_regression(base_run: Path, slower_run: Path, tmp_path: Path) -> None:
    history = tmp_path / "history.jsonl"
    plot = tmp_path / "history.png"

    completed = ddd_bench(
        "history",
        str(history),
        "--add",
        str(base_run),
        "--add",
        str(slower_run),
        "--out",
        str(plot),
    )

    assert completed.returncode == 0, completed.stderr
    assert "2 runs" in completed.stdout
    assert "run 1 slower: regression in c3-registrations wall_time_s" in completed.stdout
    assert plot.stat().st_size > 10_000


def test_history_missing_file_exits_2(tmp_path: Path) -> None:
    completed = ddd_bench("history", str(tmp_path / "none.jsonl"))

    assert completed.returncode == 2
    assert "history file not found" in completed.stderr


def _run_benchmarks(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "tests/benchmarks",
            "-p",
            "no:cacheprovider",
            "-q",
            "-k",
            "register_batch and memory-0ms",
            *args,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        check=False,
    )


def test_benchmark_suite_feeds_compare(base_run: Path, tmp_path: Path) -> None:
    storage = tmp_path / "storage"
    common = ("--benchmark-save-data", f"--benchmark-storage={storage}")
    first = _run_benchmarks(*common, "--benchmark-autosave")
    assert first.returncode == 0, first.stdout[-3000:]
    saved = sorted(storage.rglob("*.json"))
    assert len(saved) == 1

    second = _run_benchmarks(
        *common, "--benchmark-compare", "--benchmark-compare-fail=median:1000%"
    )
    assert second.returncode == 0, second.stdout[-3000:]

    completed = ddd_bench("compare", str(saved[0]), str(saved[0]), "--format", "markdown")
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "test_register_batch_async" in completed.stdout
    assert "test_register_batch_sync" in completed.stdout
    assert "event_loop_name" not in completed.stdout  # params show as values, not names
    assert "| test_register_batch_async | asyncio |" in completed.stdout
    assert "| test_register_batch_async | uvloop |" in completed.stdout
    assert "not tested" not in completed.stdout

    mixed = ddd_bench("compare", str(base_run), str(saved[0]))
    assert mixed.returncode == 2
    assert "nothing to compare" in mixed.stderr
