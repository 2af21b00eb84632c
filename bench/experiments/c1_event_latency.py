"""C1: the latency each publishing strategy adds to one registration, against K and d.

One registration raises one UserRegistered event; K handlers each sleep d ms. The
added latency of a point is its request latency minus the median latency of the
same strategy with no handlers (K = 0). Physics predicts K * d for handlers run
one after another, d for handlers run at once, and about 0 for dispatch after
the response.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import numpy as np

from bench.experiments.base import Case, Context, Point
from bench.profiles import Profile
from bench.pyperf_runner import run_case
from bench.results import metric
from bench.vocabulary import Executor
from core.policy import Backend, Policy, PublishStrategy

ID = "c1-event-latency"
CLAIM = "C1"

LATENCY_MS = 1.0  # the guide's repository sleeps 1 ms per call
# The guide's policy: failures are not exercised here, so the policy does not change timing.
POLICY = Policy.AS_WRITTEN

# (executor of the request, strategy of its publisher); sync requests run one at a time.
STRATEGIES: tuple[tuple[Executor, PublishStrategy], ...] = (
    (Executor.SEQUENTIAL, PublishStrategy.INLINE_SEQUENTIAL),
    (Executor.SEQUENTIAL, PublishStrategy.THREAD_POOL),
    (Executor.SEQUENTIAL, PublishStrategy.BACKGROUND),
    (Executor.ASYNCIO, PublishStrategy.INLINE_GATHER),
    (Executor.ASYNCIO, PublishStrategy.BACKGROUND),
    (Executor.UVLOOP, PublishStrategy.INLINE_GATHER),
    (Executor.UVLOOP, PublishStrategy.BACKGROUND),
    (Executor.SEQUENTIAL, PublishStrategy.OUTBOX),
    (Executor.ASYNCIO, PublishStrategy.OUTBOX),
    (Executor.UVLOOP, PublishStrategy.OUTBOX),
)
# The outbox lives in the database, so it runs on SQLite; every other strategy on memory.
OUTBOX_BACKEND = Backend.SQLITE

# One request takes milliseconds, so a few more values narrow the interval cheaply.
MIN_TOTAL_VALUES = 16

# Handler counts and per-handler I/O in ms; the guide's demo handlers each sleep 100 ms.
GRID: dict[str, tuple[tuple[int, ...], tuple[float, ...]]] = {
    "smoke": ((0, 2, 5), (1.0, 10.0)),  # keeps the smoke profile short; 100 ms adds seconds
    "default": ((0, 1, 2, 5), (1.0, 10.0, 100.0)),
    "full": ((0, 1, 2, 5), (1.0, 10.0, 100.0)),
}

# Strategies whose handlers run one after another inside the request.
SUMMING = {PublishStrategy.INLINE_SEQUENTIAL.value}
# Strategies whose handlers run at once inside the request.
OVERLAPPING = {PublishStrategy.THREAD_POOL.value, PublishStrategy.INLINE_GATHER.value}


def grid(context: Context) -> tuple[tuple[int, ...], tuple[float, ...]]:
    return GRID.get(context.profile.name, GRID["default"])


def describe(context: Context) -> dict[str, Any]:
    counts, durations = grid(context)
    return {
        "workload": "one registration on a fresh in-memory store (2 repository calls of "
        f"{LATENCY_MS:g} ms), whose UserRegistered event reaches K handlers that each sleep d ms; "
        "the outbox strategy runs on a fresh SQLite file instead, because it stores events "
        "in the database",
        "handlers_K": list(counts),
        "handler_ms_d": list(durations),
        "strategies": [f"{e.stack.value} {e.value} {s.value}" for e, s in STRATEGIES],
        "added_latency": "request latency minus the median latency of the same strategy with K = 0",
        "physics": "inline-sequential K * d; thread-pool and inline-gather d; background "
        "and outbox 0",
        "timing": "pyperf worker processes, one request per value; the service, its "
        "thread pool or background worker are built before the timer starts and closed "
        "after it stops",
        "pyperf": {
            "processes": context.profile.pyperf_processes,
            "values_per_process": _profile(context).pyperf_values,
            "warmups_per_process": context.profile.pyperf_warmups,
            "loops_per_value": 1,
        },
    }


def plan(context: Context) -> list[Case]:
    counts, durations = grid(context)
    cases = []
    for executor, strategy in STRATEGIES:
        backend = OUTBOX_BACKEND if strategy is PublishStrategy.OUTBOX else Backend.MEMORY
        if backend not in context.backends:
            continue
        for handlers in counts:
            # K = 0 has no handler to time, so one baseline serves every d.
            for handler_ms in (None,) if handlers == 0 else durations:
                params = {
                    "stack": executor.stack.value,
                    "executor": executor.value,
                    "concurrency": 1,
                    "backend": backend.value,
                    "policy": POLICY.value,
                    "latency_ms": LATENCY_MS if backend is Backend.MEMORY else None,
                    "strategy": strategy.value,
                    "handlers": handlers,
                    "handler_ms": handler_ms,
                    "seed": context.seed,
                }
                d = "-" if handler_ms is None else f"{handler_ms:g}ms"
                name = f"{executor.value} {strategy.value} K={handlers} d={d}"
                cases.append(Case(name, params))
    return cases


def _profile(context: Context) -> Profile:
    processes = context.profile.pyperf_processes
    values = max(context.profile.pyperf_values, -(-MIN_TOTAL_VALUES // processes))
    return dataclasses.replace(context.profile, pyperf_values=values)


def measure(case: Case, context: Context) -> Point:
    timed_case = {
        "kind": "publish-latency",
        "name": case.name,
        "params": case.params,
        "workdir": str(context.scratch_dir / "c1"),
    }
    values = run_case(timed_case, _profile(context), context.log_path, context.scratch_dir)
    return {
        "params": dict(case.params),
        "metrics": {"latency_ms": metric([v * 1000.0 for v in values], "ms")},
    }


def physics_ms(strategy: str, handlers: int, handler_ms: float | None) -> float:
    """Return the latency physics predicts the strategy adds: the sum, the max or nothing."""
    if handlers == 0 or handler_ms is None:
        return 0.0
    if strategy in SUMMING:
        return handlers * handler_ms
    if strategy in OVERLAPPING:
        return handler_ms
    return 0.0


def derive(points: list[Point]) -> list[Point]:
    """Add each point's latency over the K = 0 baseline of its strategy, and the prediction."""
    baselines = {
        (p["params"]["executor"], p["params"]["strategy"]): float(
            np.median(p["metrics"]["latency_ms"]["values"])
        )
        for p in points
        if p["params"]["handlers"] == 0
    }
    for point in points:
        params = point["params"]
        baseline = baselines.get((params["executor"], params["strategy"]))
        if baseline is None:
            continue
        added = [v - baseline for v in point["metrics"]["latency_ms"]["values"]]
        point["metrics"]["added_latency_ms"] = metric(added, "ms")
        handler_ms = params["handler_ms"]
        total = 0.0 if handler_ms is None else params["handlers"] * handler_ms
        point["metrics"]["physics_sum_ms"] = total
        point["metrics"]["physics_max_ms"] = 0.0 if handler_ms is None else handler_ms
        point["metrics"]["physics_prediction_ms"] = physics_ms(
            params["strategy"], params["handlers"], handler_ms
        )
    return points
