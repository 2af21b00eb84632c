"""Timed K concurrent reads, for C4; pyperf worker processes call `concurrent_reads`.

The service, its connection pool, the seeded users, the event loop and the thread
pool are built once per worker process, outside the timed region. Each timed value
is K `get_user` queries, spread over SEEDED_USERS stored users.
"""

from __future__ import annotations

import asyncio
import atexit
import os
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from async_variant.bootstrap import build_service as build_async_service
from async_variant.service import UserService as AsyncUserService
from bench.drivers import new_event_loop, run_async, run_sync, warmed_thread_pool
from bench.vocabulary import Executor, Stack
from core.commands import GetUser
from core.policy import Backend, Policy
from core.workload import registrations
from sync_variant.bootstrap import build_service as build_sync_service

TimeFunc = Callable[[int], float]

SEEDED_USERS = 10  # reads cycle over these; few, so seeding stays cheap on the 1 ms memory store


def read_queries(k: int, seed: int) -> list[GetUser]:
    ids = [command.user_id for command in registrations(SEEDED_USERS, seed=seed)]
    return [GetUser(ids[i % SEEDED_USERS]) for i in range(k)]


def concurrent_reads(case: dict[str, Any]) -> TimeFunc:
    """Time K reads through one executor; the store already holds the users they read."""
    params = case["params"]
    executor = Executor(params["executor"])
    backend = Backend(params["backend"])
    policy = Policy(params["policy"])
    k = int(params["k"])
    concurrency = int(params["concurrency"])
    connections = int(params.get("connections") or 1)
    latency_ms = float(params.get("latency_ms") or 0.0)
    seed = int(params["seed"])
    queries = read_queries(k, seed)
    seeds = registrations(SEEDED_USERS, seed=seed)
    database: Path | None = None
    if backend is Backend.SQLITE:
        workdir = Path(case["workdir"])
        workdir.mkdir(parents=True, exist_ok=True)
        database = workdir / f"reads-{os.getpid()}.db"
        database.unlink(missing_ok=True)
    pg_dsn = case.get("pg_dsn")

    if executor.stack is Stack.SYNC:
        service = build_sync_service(
            backend,
            policy,
            latency_ms=latency_ms,
            sqlite_path=database,
            pool_size=connections,
            pg_dsn=pg_dsn,
            pg_driver=str(params.get("driver") or "psycopg"),
            pg_reset=True,
        )
        for command in seeds:
            service.register_user(command)
        atexit.register(service.close)  # the worker times several values with one service
        pool: ThreadPoolExecutor | None = None
        if executor is Executor.THREADS:
            pool = warmed_thread_pool(concurrency)

        def sync_time_func(loops: int) -> float:
            started = time.perf_counter()
            for _ in range(loops):
                run_sync(executor, service.get_user, queries, pool)
            return time.perf_counter() - started

        return sync_time_func

    loop = new_event_loop(executor)
    asyncio.set_event_loop(loop)

    async def build() -> AsyncUserService:
        if database is not None:
            database.unlink(missing_ok=True)
        built = await build_async_service(
            backend,
            policy,
            latency_ms=latency_ms,
            sqlite_path=database,
            pg_dsn=pg_dsn,
            pg_driver=str(params.get("driver") or "psycopg"),
            pg_reset=True,
            pool_size=connections,
        )
        for command in seeds:
            await built.register_user(command)
        return built

    async def gather_reads(service: AsyncUserService) -> float:
        started = time.perf_counter()
        await run_async(service.get_user, queries)
        return time.perf_counter() - started

    if backend is Backend.SQLITE:
        # aiosqlite's worker thread is not a daemon, and Python joins such threads
        # before atexit handlers run, so each value opens and closes its own service.
        async def fresh_service_reads(loops: int) -> float:
            service = await build()
            try:
                return sum([await gather_reads(service) for _ in range(loops)])
            finally:
                await service.close()

        return lambda loops: loop.run_until_complete(fresh_service_reads(loops))

    async_service = loop.run_until_complete(build())
    atexit.register(lambda: loop.run_until_complete(async_service.close()))

    def async_time_func(loops: int) -> float:
        return sum(loop.run_until_complete(gather_reads(async_service)) for _ in range(loops))

    return async_time_func
