"""C4: K concurrent reads, serial against a thread pool against async gather, per backend."""

from __future__ import annotations

from typing import Any

from bench.experiments.base import Case, Context, Point
from bench.pyperf_runner import run_case
from bench.results import metric, ratio_metric
from bench.timed_reads import SEEDED_USERS
from bench.vocabulary import Executor
from core.policy import Backend, Policy

ID = "c4-concurrent-reads"
CLAIM = "C4"

KS = (1, 10, 100, 1000)  # concurrent reads per batch, from one at a time to far past the pool size
SMOKE_KS = (1, 10, 100)  # the smoke profile drops K = 1000 and uvloop to stay within minutes
LATENCY_MS = 1.0  # the guide's simulated I/O per repository call (memory backend)
MAX_THREADS = 100  # thread-pool cap: a common production size, far below K = 1000
MAX_CONNECTIONS = 100  # pool cap for both stacks; the throwaway server allows 200
BACKENDS = (Backend.MEMORY, Backend.SQLITE, Backend.POSTGRES)

# (executor, driver): on PostgreSQL the async stack also runs on asyncpg, and both
# stacks on SQLAlchemy ORM sessions; None is the backend's default adapter.
EXECUTORS: tuple[tuple[Executor, str | None], ...] = (
    (Executor.SEQUENTIAL, None),
    (Executor.THREADS, None),
    (Executor.ASYNCIO, None),
    (Executor.UVLOOP, None),
    (Executor.ASYNCIO, "asyncpg"),
    (Executor.THREADS, "sqlalchemy"),
    (Executor.ASYNCIO, "sqlalchemy"),
)


def _ks(context: Context) -> tuple[int, ...]:
    return SMOKE_KS if context.profile.name == "smoke" else KS


def _executors(context: Context) -> tuple[tuple[Executor, str | None], ...]:
    if context.profile.name == "smoke":
        return tuple(e for e in EXECUTORS if e[0] is not Executor.UVLOOP)
    return EXECUTORS


def describe(context: Context) -> dict[str, Any]:
    return {
        "workload": f"K get_user queries over {SEEDED_USERS} stored users, K in "
        f"{', '.join(map(str, _ks(context)))}",
        "executors": ", ".join(
            executor.value if driver is None else f"{executor.value} ({driver}, PostgreSQL)"
            for executor, driver in _executors(context)
        ),
        "latency_ms": f"{LATENCY_MS} per read on memory; none added on SQLite and PostgreSQL",
        "sync_threads": f"min(K, {MAX_THREADS}) threads",
        "async": "all K reads gathered at once",
        "connections": f"min(K, {MAX_CONNECTIONS}) pooled connections for threads and for "
        "async on PostgreSQL; SQLite: one sqlite3 connection per thread, one aiosqlite "
        "connection (one worker thread) for async",
        "policies": "memory: both (as-written holds one lock across each read); SQLite and "
        "PostgreSQL: corrected only, because the policy changes nothing on a read there",
        "littles_law_bound": "speed-up over serial <= the number of reads in flight, "
        "min(K, threads or connections)",
        "pyperf": {
            "processes": context.profile.pyperf_processes,
            "values_per_process": context.profile.pyperf_values,
            "warmups_per_process": context.profile.pyperf_warmups,
        },
    }


def _in_flight(executor: Executor, backend: Backend, k: int) -> tuple[int, int]:
    """Return (concurrency, pooled connections) for one configuration."""
    if executor is Executor.SEQUENTIAL:
        return 1, 1
    if executor is Executor.THREADS:
        threads = min(k, MAX_THREADS)
        return threads, threads
    connections = 1 if backend is Backend.SQLITE else min(k, MAX_CONNECTIONS)
    return k, connections


def plan(context: Context) -> list[Case]:
    cases = []
    for backend in BACKENDS:
        if backend not in context.backends:
            continue
        policies = tuple(Policy) if backend is Backend.MEMORY else (Policy.CORRECTED,)
        for policy in policies:
            for k in _ks(context):
                for executor, driver in _executors(context):
                    if driver is not None and backend is not Backend.POSTGRES:
                        continue
                    concurrency, connections = _in_flight(executor, backend, k)
                    params = {
                        "stack": executor.stack.value,
                        "executor": executor.value,
                        "concurrency": concurrency,
                        "backend": backend.value,
                        "policy": policy.value,
                        "latency_ms": LATENCY_MS if backend is Backend.MEMORY else None,
                        "k": k,
                        "connections": None if backend is Backend.MEMORY else connections,
                        "driver": driver or ("psycopg" if backend is Backend.POSTGRES else None),
                        "seed": context.seed,
                    }
                    label = executor.value if driver is None else f"{executor.value}-{driver}"
                    name = f"{backend.value} {policy.value} K={k} {label}"
                    cases.append(Case(name, params))
    return cases


def _bound(params: dict[str, Any]) -> int:
    """Little's law: at equal latency, speed-up over serial <= reads in flight at once."""
    in_flight = min(int(params["k"]), int(params["concurrency"]))
    if params["backend"] != Backend.MEMORY.value:
        in_flight = min(in_flight, int(params["connections"]))
    return in_flight


def measure(case: Case, context: Context) -> Point:
    timed_case = {
        "kind": "concurrent-reads",
        "name": case.name,
        "params": case.params,
        "workdir": str(context.scratch_dir / "c4"),
        "pg_dsn": context.extra.get("pg_dsn"),  # kept out of params: a DSN may hold a password
    }
    values = run_case(timed_case, context.profile, context.log_path, context.scratch_dir)
    k = int(case.params["k"])
    return {
        "params": dict(case.params),
        "metrics": {
            "wall_time_s": metric(values, "s"),
            "reads_per_s": metric([k / v for v in values], "reads/s"),
            "littles_law_bound": _bound(case.params),
        },
    }


def derive(points: list[Point]) -> list[Point]:
    """Add each point's speed-up over serial reads with the same backend, policy and K."""
    baselines = {
        (p["params"]["backend"], p["params"]["policy"], p["params"]["k"]): p["metrics"][
            "wall_time_s"
        ]["values"]
        for p in points
        if p["params"]["executor"] == Executor.SEQUENTIAL.value
    }
    for point in points:
        key = (point["params"]["backend"], point["params"]["policy"], point["params"]["k"])
        baseline = baselines.get(key)
        if baseline is None:
            continue
        values = point["metrics"]["wall_time_s"]["values"]
        point["metrics"]["speedup_over_serial"] = ratio_metric(baseline, values)
    return points
