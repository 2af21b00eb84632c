"""Benchmarks of the core use cases on both stacks, for pytest-benchmark and ddd-bench compare.

Not part of the default test run. Run them with the command in docs/regressions.md's
"Benchmark suite" section; each round starts from a fresh service and store.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from async_variant.bootstrap import build_service as build_async_service
from async_variant.service import UserService as AsyncUserService
from bench.drivers import run_async, run_sync, warmed_thread_pool
from bench.vocabulary import Executor
from core.commands import ChangeEmail, ListActiveUsers
from core.policy import Backend, Policy
from core.workload import registrations
from sync_variant.bootstrap import build_service as build_sync_service
from sync_variant.service import UserService as SyncUserService

BATCH = 100  # the guide's performance test registers 100 users
THREAD_POOL_SIZE = 10  # a typical pool; the harness's C3 experiment also tries 100
POLICY = Policy.CORRECTED  # what a careful engineer ships; the harness covers as-written

# (backend, simulated latency per repository call in ms): no latency shows the CPU cost
# of the domain and service code, where a code regression shows first; 1 ms is the
# guide's setting; SQLite is real I/O.
SCENARIOS = {
    "memory-0ms": (Backend.MEMORY, 0.0),
    "memory-1ms": (Backend.MEMORY, 1.0),
    "sqlite": (Backend.SQLITE, 0.0),
}

COMMANDS = registrations(BATCH, seed=0)
NEW_EMAILS = [
    ChangeEmail(user_id=c.user_id, new_email=f"changed.{i}@example.com")
    for i, c in enumerate(COMMANDS)
]

_database_numbers = itertools.count()


def _database_path(directory: Path, backend: Backend) -> Path | None:
    if backend is not Backend.SQLITE:
        return None
    return directory / f"bench-{next(_database_numbers)}.db"


def _remove_database(path: Path | None) -> None:
    if path is None:
        return
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


# Sync stack ---------------------------------------------------------------------------


@pytest.fixture(scope="module")
def thread_pool() -> Iterator[ThreadPoolExecutor]:
    """A pool whose threads all exist before any benchmark starts timing."""
    pool = warmed_thread_pool(THREAD_POOL_SIZE)
    try:
        yield pool
    finally:
        pool.shutdown(wait=True)


def _sync_service(directory: Path, scenario: str, pool_size: int) -> tuple[Any, Path | None]:
    backend, latency_ms = SCENARIOS[scenario]
    database = _database_path(directory, backend)
    service = build_sync_service(
        backend, POLICY, latency_ms=latency_ms, sqlite_path=database, pool_size=pool_size
    )
    return service, database


def _close_sync(service: SyncUserService, database: Path | None, *_: Any) -> None:
    service.close()
    _remove_database(database)


@pytest.mark.parametrize("scenario", tuple(SCENARIOS))
@pytest.mark.parametrize("executor", [Executor.SEQUENTIAL, Executor.THREADS], ids=str)
def test_register_batch_sync(
    sync_benchmark: Callable[..., Any],
    thread_pool: ThreadPoolExecutor,
    tmp_path: Path,
    scenario: str,
    executor: Executor,
) -> None:
    pool = thread_pool if executor is Executor.THREADS else None
    pool_size = THREAD_POOL_SIZE if pool is not None else 1

    def register(service: SyncUserService, _database: Path | None) -> list[Any]:
        return run_sync(executor, service.register_user, COMMANDS, pool)

    users = sync_benchmark(
        register,
        setup=lambda: _sync_service(tmp_path, scenario, pool_size),
        teardown=_close_sync,
    )

    assert len(users) == BATCH


@pytest.mark.parametrize("scenario", tuple(SCENARIOS))
def test_change_email_and_list_sync(
    sync_benchmark: Callable[..., Any], tmp_path: Path, scenario: str
) -> None:
    def setup() -> tuple[SyncUserService, Path | None]:
        service, database = _sync_service(tmp_path, scenario, pool_size=1)
        run_sync(Executor.SEQUENTIAL, service.register_user, COMMANDS)
        return service, database

    def change_and_list(service: SyncUserService, _database: Path | None) -> list[Any]:
        run_sync(Executor.SEQUENTIAL, service.change_email, NEW_EMAILS)
        return service.list_active_users(ListActiveUsers())

    active = sync_benchmark(change_and_list, setup=setup, teardown=_close_sync)

    assert len(active) == BATCH


# Async stack --------------------------------------------------------------------------


async def _async_service(directory: Path, scenario: str) -> tuple[Any, Path | None]:
    backend, latency_ms = SCENARIOS[scenario]
    database = _database_path(directory, backend)
    service = await build_async_service(
        backend, POLICY, latency_ms=latency_ms, sqlite_path=database
    )
    return service, database


async def _close_async(service: AsyncUserService, database: Path | None, *_: Any) -> None:
    await service.close()
    _remove_database(database)


@pytest.mark.parametrize("scenario", tuple(SCENARIOS))
def test_register_batch_async(
    async_benchmark: Callable[..., Any], tmp_path: Path, scenario: str
) -> None:
    async def register(service: AsyncUserService, _database: Path | None) -> list[Any]:
        return await run_async(service.register_user, COMMANDS)

    async def setup() -> tuple[AsyncUserService, Path | None]:
        return await _async_service(tmp_path, scenario)

    users = async_benchmark(register, setup=setup, teardown=_close_async)

    assert len(users) == BATCH


@pytest.mark.parametrize("scenario", tuple(SCENARIOS))
def test_change_email_and_list_async(
    async_benchmark: Callable[..., Any], tmp_path: Path, scenario: str
) -> None:
    async def setup() -> tuple[AsyncUserService, Path | None]:
        service, database = await _async_service(tmp_path, scenario)
        await run_async(service.register_user, COMMANDS)
        return service, database

    async def change_and_list(service: AsyncUserService, _database: Path | None) -> list[Any]:
        await run_async(service.change_email, NEW_EMAILS)
        return await service.list_active_users(ListActiveUsers())

    active = async_benchmark(change_and_list, setup=setup, teardown=_close_async)

    assert len(active) == BATCH
