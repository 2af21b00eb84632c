"""Concurrency invariants under stress: the corrected policy never loses an update."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.drivers import new_event_loop
from bench.experiments.c7_lost_updates import SCENARIOS, run_async_scenario, run_sync_scenario
from bench.vocabulary import Executor
from core.policy import Backend, Policy

BACKENDS = (Backend.MEMORY, Backend.SQLITE, Backend.POSTGRES)
REPETITIONS = 10  # repeated races catch interleavings one run can miss


def _database(backend: Backend, tmp_path: Path, repetition: int) -> Path | None:
    return tmp_path / f"stress-{repetition}.db" if backend is Backend.SQLITE else None


def _dsn(backend: Backend, request: pytest.FixtureRequest) -> str | None:
    """Return the session's PostgreSQL DSN for the postgres backend, starting it on first use."""
    if backend is not Backend.POSTGRES:
        return None
    dsn: str = request.getfixturevalue("pg_dsn")
    return dsn


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("backend", BACKENDS, ids=str)
def test_corrected_sync_threads_hold_invariants(
    scenario: str, backend: Backend, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    dsn = _dsn(backend, request)
    violations = [
        run_sync_scenario(scenario, backend, Policy.CORRECTED, _database(backend, tmp_path, r), dsn)
        for r in range(REPETITIONS)
    ]
    assert violations == [0] * REPETITIONS


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("backend", BACKENDS, ids=str)
@pytest.mark.parametrize("executor", [Executor.ASYNCIO, Executor.UVLOOP], ids=str)
def test_corrected_async_holds_invariants(
    scenario: str,
    backend: Backend,
    executor: Executor,
    tmp_path: Path,
    request: pytest.FixtureRequest,
) -> None:
    dsn = _dsn(backend, request)
    violations = []
    for repetition in range(REPETITIONS):
        loop = new_event_loop(executor)
        try:
            database = _database(backend, tmp_path, repetition)
            violations.append(
                loop.run_until_complete(
                    run_async_scenario(scenario, backend, Policy.CORRECTED, database, dsn)
                )
            )
        finally:
            loop.close()
    assert violations == [0] * REPETITIONS


@pytest.mark.parametrize("scenario", SCENARIOS)
@pytest.mark.parametrize("backend", BACKENDS, ids=str)
def test_as_written_async_breaks_invariants(
    scenario: str, backend: Backend, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    dsn = _dsn(backend, request)
    # Gathered tasks all read before any of them writes. On memory and SQLite the
    # order of reads and writes is fixed, so one repetition loses an update.
    # On PostgreSQL each request has its own server process. About one repetition in
    # four came out clean on a 2-core machine, so the test requires one violation
    # among REPETITIONS.
    violations = []
    for repetition in range(REPETITIONS):
        loop = new_event_loop(Executor.ASYNCIO)
        try:
            violations.append(
                loop.run_until_complete(
                    run_async_scenario(
                        scenario,
                        backend,
                        Policy.AS_WRITTEN,
                        _database(backend, tmp_path, repetition),
                        dsn,
                    )
                )
            )
        finally:
            loop.close()
        if violations[-1] > 0:
            break
    assert max(violations) > 0, f"no violation in {len(violations)} repetitions"
