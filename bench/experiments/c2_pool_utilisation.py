"""C2: how busy a fixed pool of PostgreSQL connections is, sync threads against async tasks.

Each request registers a user (two queries) and then waits WAIT_MS on a non-database
call, a UserRegistered handler standing for a welcome email. As written, the request
holds its pooled connection for the whole use case, the wait included; corrected,
it checks a connection out only around each query. C clients run closed loops:
C threads on the sync stack, C tasks on the async stack (asyncio and uvloop), both
on psycopg pools of the same size, so the driver is not the variable.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from typing import Any

from async_variant.bootstrap import build_service as build_async_service
from bench.drivers import new_event_loop, warmed_thread_pool
from bench.experiments.base import Case, Context, Point
from bench.pg_stats import QueryStats
from bench.results import metric, ratio_metric
from bench.vocabulary import Executor, Stack
from core.commands import RegisterUser
from core.events import DomainEvent, UserRegistered
from core.policy import Backend, Policy
from core.pool_timing import PoolTimings
from core.workload import registrations
from sync_variant.bootstrap import build_service as build_sync_service

ID = "c2-pool-utilisation"
CLAIM = "C2"

POOL_SIZES = (5, 10)  # small fixed pools, where holding a connection idle shows at once
CLIENT_COUNTS = (10, 25, 50)  # offered load: up to 10 clients per pooled connection
WAIT_MS = 10.0  # the non-database call in each request, e.g. a mail or HTTP API
REQUESTS = {"smoke": 150, "default": 500, "full": 2000}  # requests per repetition, by profile
EXECUTORS = (Executor.THREADS, Executor.ASYNCIO, Executor.UVLOOP)
HOLD = {Policy.AS_WRITTEN: "use-case", Policy.CORRECTED: "query"}


def describe(context: Context) -> dict[str, Any]:
    return {
        "workload": f"{_requests(context)} registrations per repetition, each two queries "
        f"(find_by_email, save) then a {WAIT_MS:.0f} ms non-database wait in a "
        "UserRegistered handler",
        "connection_hold": "as-written: one connection held for the whole use case, the "
        "wait included; corrected: a connection only around each query",
        "pool_sizes": list(POOL_SIZES),
        "client_counts": list(CLIENT_COUNTS),
        "clients": "closed loops: C sync threads or C async tasks, each sending its next "
        "request when the last one finishes",
        "driver": "psycopg 3 on both stacks (ConnectionPool, AsyncConnectionPool)",
        "repetitions": context.profile.race_repetitions,
        "busy_share": "server-side execution time from pg_stat_statements (no parse, plan, "
        "network or client time) divided by the time connections were checked out",
        "pool_wait": "client-side time from asking the pool for a connection to getting it",
        "client_cpu_cores": "the harness process's CPU time (all threads) per second of the "
        "batch; near the machine's core count means the client, not the pool, was the limit",
        "timing": "pool, threads and event loop are built before the clock starts",
    }


def _requests(context: Context) -> int:
    return REQUESTS.get(context.profile.name, REQUESTS["default"])


def plan(context: Context) -> list[Case]:
    if Backend.POSTGRES not in context.backends:
        return []
    cases = []
    for pool_size in POOL_SIZES:
        for clients in CLIENT_COUNTS:
            for policy in Policy:
                for executor in EXECUTORS:
                    params = {
                        "stack": executor.stack.value,
                        "executor": executor.value,
                        "concurrency": clients,
                        "backend": Backend.POSTGRES.value,
                        "policy": policy.value,
                        "pool_size": pool_size,
                        "clients": clients,
                        "connection_hold": HOLD[policy],
                        "wait_ms": WAIT_MS,
                        "requests": _requests(context),
                        "driver": "psycopg",
                    }
                    name = f"pool {pool_size} clients {clients} {policy.value} {executor.value}"
                    cases.append(Case(name, params))
    return cases


def _sync_batch(
    dsn: str,
    policy: Policy,
    pool_size: int,
    clients: int,
    commands: list[RegisterUser],
    timings: PoolTimings,
    stats: QueryStats,
) -> float:
    def non_database_wait(event: DomainEvent) -> None:
        time.sleep(WAIT_MS / 1000.0)

    service = build_sync_service(
        Backend.POSTGRES,
        policy,
        pool_size=pool_size,
        pg_dsn=dsn,
        pg_reset=True,
        pool_timings=timings,
        handlers=[(UserRegistered, non_database_wait)],
    )
    threads = warmed_thread_pool(clients)
    pending: Iterator[RegisterUser] = iter(commands)
    lock = threading.Lock()

    def client() -> None:
        while True:
            with lock:
                command = next(pending, None)
            if command is None:
                return
            if policy is Policy.AS_WRITTEN:
                with service.connection_scope():
                    service.register_user(command)
            else:
                service.register_user(command)

    try:
        timings.clear()
        stats.reset()
        started = time.perf_counter()
        for future in [threads.submit(client) for _ in range(clients)]:
            future.result()
        return time.perf_counter() - started
    finally:
        threads.shutdown()
        service.close()


async def _async_batch(
    dsn: str,
    policy: Policy,
    pool_size: int,
    clients: int,
    commands: list[RegisterUser],
    timings: PoolTimings,
    stats: QueryStats,
) -> float:
    async def non_database_wait(event: DomainEvent) -> None:
        await asyncio.sleep(WAIT_MS / 1000.0)

    service = await build_async_service(
        Backend.POSTGRES,
        policy,
        pool_size=pool_size,
        pg_dsn=dsn,
        pg_reset=True,
        pool_timings=timings,
        handlers=[(UserRegistered, non_database_wait)],
    )
    pending: Iterator[RegisterUser] = iter(commands)

    async def client() -> None:
        # Single-threaded loop: next() needs no lock between awaits.
        for command in pending:
            if policy is Policy.AS_WRITTEN:
                async with service.connection_scope():
                    await service.register_user(command)
            else:
                await service.register_user(command)

    try:
        timings.clear()
        stats.reset()
        started = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(clients)))
        return time.perf_counter() - started
    finally:
        await service.close()


def _percentile_ms(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    index = min(len(ordered) - 1, round(q * (len(ordered) - 1)))
    return ordered[index] * 1000.0


def measure(case: Case, context: Context) -> Point:
    dsn = context.extra.get("pg_dsn")
    if not dsn:
        raise RuntimeError("C2 needs a PostgreSQL server: run with --backend postgres")
    executor = Executor(case.params["executor"])
    policy = Policy(case.params["policy"])
    pool_size = int(case.params["pool_size"])
    clients = int(case.params["clients"])
    per_repetition: dict[str, list[float]] = {
        "throughput_rps": [],
        "throughput_per_connection_rps": [],
        "pool_wait_p50_ms": [],
        "pool_wait_p99_ms": [],
        "checked_out_share": [],
        "busy_share_of_checked_out": [],
        "server_exec_share_of_pool": [],
        "client_cpu_cores": [],
    }
    stats = QueryStats(dsn)
    try:
        for repetition in range(context.profile.race_repetitions):
            commands = registrations(int(case.params["requests"]), seed=context.seed + repetition)
            timings = PoolTimings()
            cpu_before = time.process_time()
            if executor.stack is Stack.SYNC:
                wall = _sync_batch(dsn, policy, pool_size, clients, commands, timings, stats)
            else:
                loop = new_event_loop(executor)
                try:
                    wall = loop.run_until_complete(
                        _async_batch(dsn, policy, pool_size, clients, commands, timings, stats)
                    )
                finally:
                    loop.close()
            throughput = len(commands) / wall
            held = sum(timings.holds_s)
            # Includes pool set-up and tear-down, so it slightly overstates the batch's CPU.
            cpu_s = time.process_time() - cpu_before
            per_repetition["client_cpu_cores"].append(cpu_s / wall)
            per_repetition["throughput_rps"].append(throughput)
            per_repetition["throughput_per_connection_rps"].append(throughput / pool_size)
            per_repetition["pool_wait_p50_ms"].append(_percentile_ms(timings.waits_s, 0.50))
            per_repetition["pool_wait_p99_ms"].append(_percentile_ms(timings.waits_s, 0.99))
            per_repetition["checked_out_share"].append(held / (pool_size * wall))
            server = stats.execution_time_s()
            if server is not None:
                _, executing = server
                per_repetition["busy_share_of_checked_out"].append(executing / held)
                per_repetition["server_exec_share_of_pool"].append(executing / (pool_size * wall))
    finally:
        stats.close()
    units = {
        "throughput_rps": "requests/s",
        "throughput_per_connection_rps": "requests/s per connection",
        "pool_wait_p50_ms": "ms",
        "pool_wait_p99_ms": "ms",
        "checked_out_share": "share of pool time",
        "busy_share_of_checked_out": "share",
        "server_exec_share_of_pool": "share of pool time",
        "client_cpu_cores": "CPU seconds per second",
    }
    return {
        "params": dict(case.params),
        "metrics": {
            name: metric(values, units[name]) for name, values in per_repetition.items() if values
        },
    }


def derive(points: list[Point]) -> list[Point]:
    """Add async over sync per-connection throughput, for the same pool, clients and policy."""
    sync_values = {
        (p["params"]["pool_size"], p["params"]["clients"], p["params"]["policy"]): p["metrics"][
            "throughput_per_connection_rps"
        ]["values"]
        for p in points
        if p["params"]["stack"] == Stack.SYNC.value
    }
    for point in points:
        key = (point["params"]["pool_size"], point["params"]["clients"], point["params"]["policy"])
        baseline = sync_values.get(key)
        if baseline is None:
            continue
        values = point["metrics"]["throughput_per_connection_rps"]["values"]
        point["metrics"]["utilisation_over_sync"] = ratio_metric(values, baseline)
    return points
