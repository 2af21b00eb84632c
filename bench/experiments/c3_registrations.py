"""C3: the time to register 100 users, per stack, executor, backend and policy."""

from __future__ import annotations

from typing import Any

from bench.experiments.base import Case, Context, Point, executor_cases
from bench.pyperf_runner import run_case
from bench.results import metric, ratio_metric
from bench.vocabulary import Executor
from core.policy import Backend

ID = "c3-registrations"
CLAIM = "C3"

REGISTRATIONS = 100  # the guide's performance test creates 100 users
LATENCY_MS = 1.0  # the guide's repository sleeps 1 ms per call
THREAD_POOL_SIZES = (10, 100)  # a typical pool, and one thread per registration
BACKENDS = (Backend.MEMORY, Backend.SQLITE, Backend.POSTGRES)

# (executor, concurrency): the guide gathers all 100 registrations at once.
EXECUTORS: tuple[tuple[Executor, int], ...] = (
    (Executor.SEQUENTIAL, 1),
    *((Executor.THREADS, size) for size in THREAD_POOL_SIZES),
    (Executor.ASYNCIO, REGISTRATIONS),
    (Executor.UVLOOP, REGISTRATIONS),
)

# Further adapters on PostgreSQL, so the driver's own cost shows: (executor, concurrency, driver).
POSTGRES_DRIVERS: tuple[tuple[Executor, int, str], ...] = (
    (Executor.ASYNCIO, REGISTRATIONS, "asyncpg"),
    (Executor.THREADS, REGISTRATIONS, "sqlalchemy"),
    (Executor.ASYNCIO, REGISTRATIONS, "sqlalchemy"),
)


def describe(context: Context) -> dict[str, Any]:
    return {
        "workload": f"{REGISTRATIONS} registrations with distinct emails into an empty store",
        "latency_ms": LATENCY_MS,
        "thread_pool_sizes": list(THREAD_POOL_SIZES),
        "gather_width": REGISTRATIONS,
        "timing": (
            "pyperf worker processes; event loop, thread pool, service and database file "
            "are built before the timer starts"
        ),
        "pyperf": {
            "processes": context.profile.pyperf_processes,
            "values_per_process": context.profile.pyperf_values,
            "warmups_per_process": context.profile.pyperf_warmups,
            "loops_per_value": 1,
        },
        "sqlite": "one database file per batch; sync: one connection per thread; async: "
        "one aiosqlite connection; WAL, synchronous=NORMAL",
        "postgres": "one pool per batch, as many connections as threads or gathered tasks, "
        "table dropped and created before each batch; drivers psycopg 3 on both stacks, "
        "plus asyncpg and SQLAlchemy ORM sessions",
        "handlers": "none subscribed, as in the guide, whose User.create raises no event",
    }


def plan(context: Context) -> list[Case]:
    cases = [
        _with_driver(case, "psycopg") if case.params["backend"] == Backend.POSTGRES.value else case
        for case in executor_cases(
            context,
            BACKENDS,
            EXECUTORS,
            LATENCY_MS,
            registrations=REGISTRATIONS,
            seed=context.seed,
        )
    ]
    for executor, concurrency, driver in POSTGRES_DRIVERS:
        variants = executor_cases(
            context,
            (Backend.POSTGRES,),
            ((executor, concurrency),),
            LATENCY_MS,
            registrations=REGISTRATIONS,
            seed=context.seed,
        )
        cases += [_with_driver(case, driver) for case in variants]
    return cases


def _with_driver(case: Case, driver: str) -> Case:
    return Case(f"{case.name} {driver}", {**case.params, "driver": driver})


def measure(case: Case, context: Context) -> Point:
    timed_case = {
        "kind": "register-batch",
        "name": case.name,
        "params": case.params,
        "workdir": str(context.scratch_dir),
        "pg_dsn": context.extra.get("pg_dsn"),  # kept out of params: a DSN may hold a password
    }
    values = run_case(timed_case, context.profile, context.log_path, context.scratch_dir)
    return {"params": dict(case.params), "metrics": {"wall_time_s": metric(values, "s")}}


def derive(points: list[Point]) -> list[Point]:
    """Add each point's speed-up over sync sequential with the same backend and policy."""
    baselines = {
        (p["params"]["backend"], p["params"]["policy"]): p["metrics"]["wall_time_s"]["values"]
        for p in points
        if p["params"]["executor"] == Executor.SEQUENTIAL.value
    }
    for point in points:
        baseline = baselines.get((point["params"]["backend"], point["params"]["policy"]))
        if baseline is None:
            continue
        values = point["metrics"]["wall_time_s"]["values"]
        point["metrics"]["speedup_over_sync_sequential"] = ratio_metric(baseline, values)
    return points
