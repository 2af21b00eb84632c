from __future__ import annotations

from typing import Any

import pytest

from bench.results import metric, ratio_metric
from bench.stats import median_ci, ratio_ci
from bench.verdicts import judge, judge_c3, judge_c7


def test_median_ci_brackets_median() -> None:
    median, (low, high) = median_ci([1.0, 2.0, 3.0, 4.0, 5.0])
    assert median == 3.0
    assert low <= median <= high


def test_median_ci_of_constant_values() -> None:
    assert median_ci([2.0, 2.0]) == (2.0, (2.0, 2.0))


def test_median_ci_rejects_empty() -> None:
    with pytest.raises(ValueError, match="no values"):
        median_ci([])


def test_ratio_ci() -> None:
    ratio, (low, high) = ratio_ci([2.0, 2.1, 1.9], [1.0, 1.05, 0.95])
    assert ratio == pytest.approx(2.0)
    assert low <= ratio <= high


def c3_point(
    backend: str,
    policy: str,
    executor: str,
    concurrency: int,
    times: list[float],
    base: list[float],
) -> dict[str, Any]:
    stack = "sync" if executor in ("sequential", "threads") else "async"
    return {
        "params": {
            "backend": backend,
            "policy": policy,
            "executor": executor,
            "stack": stack,
            "concurrency": concurrency,
        },
        "metrics": {
            "wall_time_s": metric(times, "s"),
            "speedup_over_sync_sequential": ratio_metric(base, times),
        },
    }


def c3_points(as_written_async: float, corrected_async: float) -> list[dict[str, Any]]:
    base = [0.2, 0.21, 0.2]
    return [
        c3_point("memory", "as-written", "sequential", 1, base, base),
        c3_point("memory", "as-written", "asyncio", 100, [as_written_async] * 3, base),
        c3_point("memory", "corrected", "sequential", 1, base, base),
        c3_point("memory", "corrected", "asyncio", 100, [corrected_async] * 3, base),
    ]


def test_c3_confirmed_when_as_written_reaches_claim() -> None:
    assert judge_c3(c3_points(0.02, 0.02)).verdict == "confirmed"


def test_c3_conditional_when_only_corrected_reaches_claim() -> None:
    verdict = judge_c3(c3_points(0.2, 0.005))
    assert verdict.verdict == "conditional"
    assert "c3_speedup_memory_as_written" in verdict.headline


def test_c3_refuted_when_neither_reaches_claim() -> None:
    assert judge_c3(c3_points(0.2, 0.1)).verdict == "refuted"


def c7_point(policy: str, executor: str, stored: int) -> dict[str, Any]:
    return {
        "params": {
            "backend": "memory",
            "policy": policy,
            "executor": executor,
            "stack": "async",
            "concurrency": 50,
            "registrations": 50,
        },
        "metrics": {
            "duplicates_stored": metric([stored], "users"),
            "max_duplicates_stored": stored,
        },
    }


def test_c7_refuted_when_guide_setup_stores_duplicates() -> None:
    points = [c7_point("as-written", "asyncio", 50), c7_point("corrected", "asyncio", 1)]
    verdict = judge_c7(points)
    assert verdict.verdict == "refuted"
    assert "exactly one user" in verdict.reason


def test_c7_confirmed_without_duplicates() -> None:
    points = [c7_point("as-written", "asyncio", 1), c7_point("corrected", "asyncio", 1)]
    assert judge_c7(points).verdict == "confirmed"


def test_failed_experiment_leaves_claim_not_checked() -> None:
    experiments = [
        {"id": "c3-registrations", "claim": "C3", "status": "failed", "error": "boom", "points": []}
    ]
    verdict = judge("C3", experiments)
    assert verdict.verdict == "not-checked"
    assert "boom" in verdict.reason


def test_claim_without_experiment_is_not_checked() -> None:
    assert judge("C1", []).verdict == "not-checked"
