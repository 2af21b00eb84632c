"""Verdicts for C1, C5 and C8 from hand-made points."""

from __future__ import annotations

from typing import Any

from bench.experiments.c1_event_latency import derive as derive_c1
from bench.experiments.c1_event_latency import physics_ms
from bench.results import metric
from bench.verdicts import judge_c1, judge_c5, judge_c8


def c1_point(
    stack: str, executor: str, strategy: str, handlers: int, handler_ms: float | None, ms: float
) -> dict[str, Any]:
    return {
        "params": {
            "stack": stack,
            "executor": executor,
            "strategy": strategy,
            "handlers": handlers,
            "handler_ms": handler_ms,
        },
        "metrics": {"latency_ms": metric([ms, ms + 0.1, ms - 0.1], "ms")},
    }


def c1_points(max_d: float) -> list[dict[str, Any]]:
    base = 2.0
    points = []
    for stack, executor, strategy in (
        ("sync", "sequential", "inline-sequential"),
        ("sync", "sequential", "thread-pool"),
        ("sync", "sequential", "background"),
        ("async", "asyncio", "inline-gather"),
        ("async", "asyncio", "background"),
    ):
        points.append(c1_point(stack, executor, strategy, 0, None, base))
        for handlers in (1, 2, 5):
            for handler_ms in (1.0, max_d):
                added = physics_ms(strategy, handlers, handler_ms)
                points.append(
                    c1_point(stack, executor, strategy, handlers, handler_ms, base + added)
                )
    return derive_c1(points)


def test_c1_derive_subtracts_baseline() -> None:
    points = c1_points(10.0)
    point = next(
        p
        for p in points
        if p["params"]["strategy"] == "inline-sequential"
        and p["params"]["handlers"] == 5
        and p["params"]["handler_ms"] == 10.0
    )
    assert abs(point["metrics"]["added_latency_ms"]["median"] - 50.0) < 1e-9
    assert point["metrics"]["physics_sum_ms"] == 50.0
    assert point["metrics"]["physics_max_ms"] == 10.0


def test_c1_conditional_when_sum_reaches_claim() -> None:
    verdict = judge_c1(c1_points(100.0))
    assert verdict.verdict == "conditional"
    assert "K=2, d=100 ms" in verdict.reason
    assert "c1_added_ms_sync_inline" in verdict.headline


def test_c1_conditional_when_grid_too_small() -> None:
    verdict = judge_c1(c1_points(10.0))
    assert verdict.verdict == "conditional"
    assert "Not reachable in this grid" in verdict.reason


def test_c1_refuted_when_sync_stays_low() -> None:
    points = c1_points(100.0)
    for point in points:
        if point["params"]["strategy"] == "inline-sequential" and point["params"]["handlers"]:
            point["metrics"]["latency_ms"] = metric([5.0, 5.1, 4.9], "ms")
    verdict = judge_c1(derive_c1(points))
    assert verdict.verdict == "refuted"


def c5_point(executor: str, requests: int, per_request: float, process: float) -> dict[str, Any]:
    return {
        "params": {"executor": executor, "requests": requests},
        "metrics": {
            "rss_bytes_per_request": metric([per_request, per_request * 1.01], "bytes"),
            "traced_bytes_per_request": metric([3000.0, 3000.0], "bytes"),
            "vm_bytes_per_request": metric([8.5e6, 8.5e6], "bytes"),
            "process_rss_bytes": metric([process, process], "bytes"),
            "baseline_rss_bytes": metric([27e6, 27e6], "bytes"),
        },
    }


def test_c5_conditional_when_only_per_request_differs() -> None:
    points = [
        c5_point("threads", 100, 18000.0, 29e6),
        c5_point("asyncio", 100, 3000.0, 27.3e6),
        c5_point("threads", 1000, 17600.0, 45e6),
        c5_point("asyncio", 1000, 2950.0, 30e6),
        c5_point("uvloop", 1000, 3200.0, 31e6),
    ]
    verdict = judge_c5(points)
    assert verdict.verdict == "conditional"
    assert "c5_rss_ratio_threads_over_asyncio" in verdict.headline
    assert "C6" in verdict.reason


def test_c5_refuted_when_threads_are_cheap() -> None:
    points = [c5_point("threads", 100, 4000.0, 28e6), c5_point("asyncio", 100, 3000.0, 27e6)]
    assert judge_c5(points).verdict == "refuted"


def c8_point(stack: str, strategy: str, policy: str, lost: bool, ran: int = 2) -> dict[str, Any]:
    return {
        "params": {"stack": stack, "executor": "x", "strategy": strategy, "policy": policy},
        "metrics": {
            "caller_learned": 0.0 if lost else 1.0,
            "logged_with_names": 0.0 if lost else 1.0,
            "other_handlers_ran": float(ran),
            "other_handlers_expected": 2.0,
            "failures_surfaced": 0.0 if lost else 1.0,
            "failures_lost": 1.0 if lost else 0.0,
            "cancellation_propagates": 1.0,
        },
    }


def test_c8_refuted_when_guide_loses_failures() -> None:
    points = [
        c8_point("async", "inline-gather", "as-written", lost=True),
        c8_point("async", "inline-gather", "corrected", lost=False),
    ]
    verdict = judge_c8(points)
    assert verdict.verdict == "refuted"
    assert verdict.headline["c8_failures_lost_guide_gather"]["median"] == 1.0


def test_c8_confirmed_when_nothing_lost() -> None:
    points = [
        c8_point("async", "inline-gather", "as-written", lost=False),
        c8_point("async", "inline-gather", "corrected", lost=False),
    ]
    assert judge_c8(points).verdict == "confirmed"


def test_c8_refuted_when_others_starve() -> None:
    points = [c8_point("async", "inline-gather", "as-written", lost=False, ran=1)]
    assert judge_c8(points).verdict == "refuted"
