"""Time functions that pyperf worker processes call, one kind per timed workload.

Each factory returns `time_func(loops) -> seconds`, pyperf's bench_time_func
contract. Everything except the batch itself (event loop, thread pool, service,
database file, schema) is built outside the timed region.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from async_variant.bootstrap import build_service as build_async_service
from bench.drivers import new_event_loop, run_async, run_sync, warmed_thread_pool
from bench.timed_events import publish_latency
from bench.timed_reads import concurrent_reads
from bench.vocabulary import Executor, Stack
from core.policy import Backend, Policy
from core.workload import registrations
from sync_variant.bootstrap import build_service as build_sync_service

TimeFunc = Callable[[int], float]

# One event loop and one thread pool per worker process, reused by every value it takes.
_loops: dict[Executor, asyncio.AbstractEventLoop] = {}
_pools: dict[int, ThreadPoolExecutor] = {}
_database_numbers = itertools.count()


def _event_loop(executor: Executor) -> asyncio.AbstractEventLoop:
    if executor not in _loops:
        _loops[executor] = new_event_loop(executor)
    return _loops[executor]


def _thread_pool(size: int) -> ThreadPoolExecutor:
    if size not in _pools:
        _pools[size] = warmed_thread_pool(size)
    return _pools[size]


def _fresh_database(workdir: Path) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    return workdir / f"bench-{os.getpid()}-{next(_database_numbers)}.db"


def _remove_database(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def register_batch(case: dict[str, Any]) -> TimeFunc:
    """Time `registrations` new users registered through one executor, from an empty store."""
    params = case["params"]
    executor = Executor(params["executor"])
    backend = Backend(params["backend"])
    policy = Policy(params["policy"])
    concurrency = int(params["concurrency"])
    latency_ms = float(params.get("latency_ms") or 0.0)
    commands = registrations(int(params["registrations"]), seed=int(params["seed"]))
    workdir = Path(case["workdir"])
    pg_dsn = case.get("pg_dsn")
    pg_driver = str(params.get("driver") or "psycopg")

    def sync_time_func(loops: int) -> float:
        pool = _thread_pool(concurrency) if executor is Executor.THREADS else None
        elapsed = 0.0
        for _ in range(loops):
            database = _fresh_database(workdir) if backend is Backend.SQLITE else None
            service = build_sync_service(
                backend,
                policy,
                latency_ms=latency_ms,
                sqlite_path=database,
                pool_size=concurrency,
                pg_dsn=pg_dsn,
                pg_driver=pg_driver,
                pg_reset=True,
            )
            try:
                started = time.perf_counter()
                run_sync(executor, service.register_user, commands, pool)
                elapsed += time.perf_counter() - started
            finally:
                service.close()
                if database is not None:
                    _remove_database(database)
        return elapsed

    def async_time_func(loops: int) -> float:
        loop = _event_loop(executor)

        async def one_batch() -> float:
            database = _fresh_database(workdir) if backend is Backend.SQLITE else None
            service = await build_async_service(
                backend,
                policy,
                latency_ms=latency_ms,
                sqlite_path=database,
                pg_dsn=pg_dsn,
                pg_driver=pg_driver,
                pg_reset=True,
                pool_size=concurrency,  # one connection per gathered registration, as threads get
            )
            try:
                started = time.perf_counter()
                await run_async(service.register_user, commands)
                return time.perf_counter() - started
            finally:
                await service.close()
                if database is not None:
                    _remove_database(database)

        return sum(loop.run_until_complete(one_batch()) for _ in range(loops))

    return sync_time_func if executor.stack is Stack.SYNC else async_time_func


FACTORIES: dict[str, Callable[[dict[str, Any]], TimeFunc]] = {
    "register-batch": register_batch,
    "publish-latency": publish_latency,
    "concurrent-reads": concurrent_reads,
}
