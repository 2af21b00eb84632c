"""C7 race tests: concurrent registrations of one email, through the real adapters."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bench.drivers import new_event_loop
from bench.experiments.c7_duplicates import REGISTRATIONS, race_async, race_sync
from bench.vocabulary import Executor
from core.policy import Backend, Policy

BACKENDS = (Backend.MEMORY, Backend.SQLITE, Backend.POSTGRES)


def _database(backend: Backend, tmp_path: Path) -> Path | None:
    return tmp_path / "race.db" if backend is Backend.SQLITE else None


@pytest.fixture
def dsn_for(request: pytest.FixtureRequest) -> Callable[[Backend], str | None]:
    """Return the PostgreSQL DSN for the postgres backend, starting the server on first use."""

    def lookup(backend: Backend) -> str | None:
        if backend is not Backend.POSTGRES:
            return None
        return str(request.getfixturevalue("pg_dsn"))

    return lookup


@pytest.mark.parametrize("backend", BACKENDS, ids=str)
@pytest.mark.parametrize("executor", [Executor.SEQUENTIAL, Executor.THREADS], ids=str)
def test_sync_corrected_stores_one(
    backend: Backend, executor: Executor, tmp_path: Path, dsn_for: Callable[[Backend], str | None]
) -> None:
    stored, rejected = race_sync(
        executor, backend, Policy.CORRECTED, _database(backend, tmp_path), 0, dsn_for(backend)
    )
    assert stored == 1
    assert rejected == REGISTRATIONS - 1


@pytest.mark.parametrize("backend", BACKENDS, ids=str)
@pytest.mark.parametrize("executor", [Executor.ASYNCIO, Executor.UVLOOP], ids=str)
def test_async_corrected_stores_one(
    backend: Backend, executor: Executor, tmp_path: Path, dsn_for: Callable[[Backend], str | None]
) -> None:
    loop = new_event_loop(executor)
    try:
        stored, rejected = loop.run_until_complete(
            race_async(backend, Policy.CORRECTED, _database(backend, tmp_path), 0, dsn_for(backend))
        )
    finally:
        loop.close()
    assert stored == 1
    assert rejected == REGISTRATIONS - 1


@pytest.mark.parametrize("backend", BACKENDS, ids=str)
@pytest.mark.parametrize("executor", [Executor.ASYNCIO, Executor.UVLOOP], ids=str)
def test_async_as_written_stores_duplicates(
    backend: Backend, executor: Executor, tmp_path: Path, dsn_for: Callable[[Backend], str | None]
) -> None:
    # Every gathered task passes its find_by_email before any save runs: with the
    # guide's FIFO asyncio.Lock on memory, with one aiosqlite queue on SQLite, and
    # with one pooled connection per task on PostgreSQL.
    loop = new_event_loop(executor)
    try:
        stored, rejected = loop.run_until_complete(
            race_async(
                backend, Policy.AS_WRITTEN, _database(backend, tmp_path), 0, dsn_for(backend)
            )
        )
    finally:
        loop.close()
    assert stored > 1
    assert stored + rejected == REGISTRATIONS


@pytest.mark.parametrize("backend", BACKENDS, ids=str)
def test_sequential_as_written_stores_one(
    backend: Backend, tmp_path: Path, dsn_for: Callable[[Backend], str | None]
) -> None:
    stored, _ = race_sync(
        Executor.SEQUENTIAL,
        backend,
        Policy.AS_WRITTEN,
        _database(backend, tmp_path),
        0,
        dsn_for(backend),
    )
    assert stored == 1


@pytest.mark.parametrize("driver", ["asyncpg", "sqlalchemy"])
@pytest.mark.parametrize("executor", [Executor.ASYNCIO, Executor.UVLOOP], ids=str)
def test_async_driver_corrected_stores_one(executor: Executor, driver: str, pg_dsn: str) -> None:
    loop = new_event_loop(executor)
    try:
        stored, rejected = loop.run_until_complete(
            race_async(Backend.POSTGRES, Policy.CORRECTED, None, 0, pg_dsn, pg_driver=driver)
        )
    finally:
        loop.close()
    assert stored == 1
    assert rejected == REGISTRATIONS - 1


def test_sqlalchemy_threads_corrected_stores_one(pg_dsn: str) -> None:
    stored, rejected = race_sync(
        Executor.THREADS, Backend.POSTGRES, Policy.CORRECTED, None, 0, pg_dsn, "sqlalchemy"
    )
    assert stored == 1
    assert rejected == REGISTRATIONS - 1
