"""Time function for the event-publishing experiment: one registration with K handlers.

Each timed value is one request on a fresh service, so no event published by an
earlier value is still being handled. Building the service (its thread pool or
background worker included) and closing it, which waits for background handlers,
stay outside the timed region.
"""

from __future__ import annotations

import asyncio
import itertools
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from async_variant.bootstrap import build_service as build_async_service
from bench.drivers import new_event_loop
from bench.event_workload import async_io_subscriptions, sync_io_subscriptions
from bench.vocabulary import Executor, Stack
from core.policy import Backend, Policy, PublishStrategy
from core.workload import registrations
from sync_variant.bootstrap import build_service as build_sync_service

TimeFunc = Callable[[int], float]

_loops: dict[Executor, asyncio.AbstractEventLoop] = {}
_database_numbers = itertools.count()


def _event_loop(executor: Executor) -> asyncio.AbstractEventLoop:
    if executor not in _loops:
        _loops[executor] = new_event_loop(executor)
    return _loops[executor]


def _fresh_database(workdir: Path) -> Path:
    workdir.mkdir(parents=True, exist_ok=True)
    return workdir / f"events-{os.getpid()}-{next(_database_numbers)}.db"


def _remove_database(path: Path | None) -> None:
    if path is None:
        return
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def publish_latency(case: dict[str, Any]) -> TimeFunc:
    """Time one registration whose UserRegistered event reaches `handlers` handlers."""
    params = case["params"]
    executor = Executor(params["executor"])
    policy = Policy(params["policy"])
    strategy = PublishStrategy(params["strategy"])
    handlers = int(params["handlers"])
    handler_ms = float(params["handler_ms"] or 0.0)
    backend = Backend(params["backend"])
    latency_ms = float(params["latency_ms"] or 0.0)
    workdir = Path(case.get("workdir", "."))
    (command,) = registrations(1, seed=int(params.get("seed", 0)))

    def database() -> Path | None:
        return _fresh_database(workdir) if backend is Backend.SQLITE else None

    def sync_time_func(loops: int) -> float:
        elapsed = 0.0
        for _ in range(loops):
            path = database()
            service = build_sync_service(
                backend,
                policy,
                latency_ms=latency_ms,
                sqlite_path=path,
                handlers=sync_io_subscriptions(handlers, handler_ms),
                publishing=strategy,
            )
            try:
                started = time.perf_counter()
                service.register_user(command)
                elapsed += time.perf_counter() - started
            finally:
                service.close()
                _remove_database(path)
        return elapsed

    def async_time_func(loops: int) -> float:
        loop = _event_loop(executor)

        async def one_request() -> float:
            path = database()
            service = await build_async_service(
                backend,
                policy,
                latency_ms=latency_ms,
                sqlite_path=path,
                handlers=async_io_subscriptions(handlers, handler_ms),
                publishing=strategy,
            )
            try:
                started = time.perf_counter()
                await service.register_user(command)
                return time.perf_counter() - started
            finally:
                await service.close()
                _remove_database(path)

        return sum(loop.run_until_complete(one_request()) for _ in range(loops))

    return sync_time_func if executor.stack is Stack.SYNC else async_time_func
