"""C2 and C4 verdicts on hand-made points: which figures lead to which verdict."""

from __future__ import annotations

from typing import Any

from bench.results import metric
from bench.verdicts_pg import judge_c2, judge_c4


def _c2_point(stack: str, policy: str, per_connection: float, ratio: float | None) -> Any:
    metrics: dict[str, Any] = {
        "throughput_per_connection_rps": metric([per_connection], "requests/s"),
        "busy_share_of_checked_out": metric([0.02], "share"),
    }
    if ratio is not None:
        metrics["utilisation_over_sync"] = metric([ratio], "x")
    executor = "threads" if stack == "sync" else "asyncio"
    return {
        "params": {
            "stack": stack,
            "executor": executor,
            "policy": policy,
            "pool_size": 5,
            "clients": 50,
        },
        "metrics": metrics,
    }


def _c2_points(as_written_ratio: float, corrected_ratio: float) -> list[Any]:
    return [
        _c2_point("sync", "as-written", 80.0, 1.0),
        _c2_point("async", "as-written", 80.0 * as_written_ratio, as_written_ratio),
        _c2_point("sync", "corrected", 400.0, 1.0),
        _c2_point("async", "corrected", 400.0 * corrected_ratio, corrected_ratio),
    ]


def test_c2_equal_utilisation_refuted() -> None:
    verdict = judge_c2(_c2_points(1.0, 0.9))
    assert verdict.verdict == "refuted"
    assert "5.0x" in verdict.reason  # releasing the connection: 400 / 80 requests/s


def test_c2_fourfold_as_written_confirmed() -> None:
    assert judge_c2(_c2_points(4.5, 4.2)).verdict == "confirmed"


def test_c2_fourfold_corrected_only_conditional() -> None:
    assert judge_c2(_c2_points(1.0, 4.5)).verdict == "conditional"


def _c4_point(backend: str, policy: str, executor: str, k: int, speedup: float) -> Any:
    stack = "sync" if executor in ("sequential", "threads") else "async"
    concurrency = 1 if executor == "sequential" else k
    return {
        "params": {
            "backend": backend,
            "policy": policy,
            "stack": stack,
            "executor": executor,
            "k": k,
            "driver": None,
        },
        "metrics": {
            "speedup_over_serial": metric([speedup], "x"),
            "littles_law_bound": min(k, concurrency),
        },
    }


def _c4_points(backend: str, policy: str, async_share: float) -> list[Any]:
    points = []
    for k in (1, 10, 100):
        points.append(_c4_point(backend, policy, "sequential", k, 1.0))
        points.append(_c4_point(backend, policy, "threads", k, k * 0.5))
        points.append(_c4_point(backend, policy, "asyncio", k, max(1.0, k * async_share)))
    return points


def test_c4_near_bound_confirmed() -> None:
    assert judge_c4(_c4_points("memory", "corrected", 0.8)).verdict == "confirmed"


def test_c4_guide_lock_refuted() -> None:
    points = _c4_points("memory", "as-written", 0.0) + _c4_points("memory", "corrected", 0.8)
    verdict = judge_c4(points)
    assert verdict.verdict == "refuted"
    assert "lock" in verdict.reason


def test_c4_partial_scaling_conditional() -> None:
    points = _c4_points("memory", "corrected", 0.8) + _c4_points("postgres", "corrected", 0.01)
    assert judge_c4(points).verdict == "conditional"
