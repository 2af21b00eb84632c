"""C7: concurrent registrations that all claim one email; how many users end up stored with it."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from async_variant.bootstrap import build_service as build_async_service
from bench.drivers import (
    new_event_loop,
    rejecting_domain_errors,
    rejecting_domain_errors_async,
    run_async,
    run_sync,
    warmed_thread_pool,
)
from bench.experiments.base import Case, Context, Point, executor_cases
from bench.results import metric
from bench.vocabulary import Executor, Stack
from core.errors import DomainError, EmailAlreadyInUse
from core.policy import Backend, Policy
from core.workload import RACE_EMAIL, same_email_registrations
from sync_variant.bootstrap import build_service as build_sync_service

ID = "c7-duplicate-registrations"
CLAIM = "C7"

REGISTRATIONS = 50  # concurrent attempts per repetition, all with one email
LATENCY_MS = 1.0  # the guide's simulated I/O per repository call
BACKENDS = (Backend.MEMORY, Backend.SQLITE, Backend.POSTGRES)

EXECUTORS: tuple[tuple[Executor, int], ...] = (
    (Executor.SEQUENTIAL, 1),  # the control: requests one at a time do not overlap
    (Executor.THREADS, REGISTRATIONS),
    (Executor.ASYNCIO, REGISTRATIONS),
    (Executor.UVLOOP, REGISTRATIONS),
)


def describe(context: Context) -> dict[str, Any]:
    return {
        "workload": f"{REGISTRATIONS} registrations with distinct ids and the one email "
        f"{RACE_EMAIL}, started together",
        "latency_ms": LATENCY_MS,
        "repetitions": context.profile.race_repetitions,
        "measured": "users stored with the email afterwards (1 is correct), and attempts "
        "rejected with EmailAlreadyInUse",
    }


def plan(context: Context) -> list[Case]:
    return executor_cases(context, BACKENDS, EXECUTORS, LATENCY_MS, registrations=REGISTRATIONS)


def _count_outcomes(outcomes: list[Any]) -> int:
    rejected = sum(isinstance(o, EmailAlreadyInUse) for o in outcomes)
    unexpected = [
        o for o in outcomes if isinstance(o, DomainError) and not isinstance(o, EmailAlreadyInUse)
    ]
    if unexpected:
        raise unexpected[0]
    return rejected


def race_sync(
    executor: Executor,
    backend: Backend,
    policy: Policy,
    database: Path | None,
    seed: int,
    pg_dsn: str | None = None,
    pg_driver: str = "psycopg",
) -> tuple[int, int]:
    """Run one sync race from an empty store; return (users stored with the email, rejected)."""
    commands = same_email_registrations(REGISTRATIONS, seed=seed)
    concurrency = REGISTRATIONS if executor is Executor.THREADS else 1
    service = build_sync_service(
        backend,
        policy,
        latency_ms=LATENCY_MS,
        sqlite_path=database,
        pool_size=concurrency,
        pg_dsn=pg_dsn,
        pg_driver=pg_driver,
        pg_reset=True,
    )
    pool = warmed_thread_pool(concurrency) if executor is Executor.THREADS else None
    try:
        outcomes = run_sync(
            executor, rejecting_domain_errors(service.register_user), commands, pool
        )
        return service.count_users_with_email(RACE_EMAIL), _count_outcomes(outcomes)
    finally:
        if pool is not None:
            pool.shutdown()
        service.close()


async def race_async(
    backend: Backend,
    policy: Policy,
    database: Path | None,
    seed: int,
    pg_dsn: str | None = None,
    pg_driver: str = "psycopg",
) -> tuple[int, int]:
    """Async twin of race_sync: gather every registration at once."""
    commands = same_email_registrations(REGISTRATIONS, seed=seed)
    service = await build_async_service(
        backend,
        policy,
        latency_ms=LATENCY_MS,
        sqlite_path=database,
        pg_dsn=pg_dsn,
        pg_driver=pg_driver,
        pg_reset=True,
        pool_size=REGISTRATIONS,  # as many connections as the sync stack's threads get
    )
    try:
        outcomes = await run_async(rejecting_domain_errors_async(service.register_user), commands)
        return await service.count_users_with_email(RACE_EMAIL), _count_outcomes(outcomes)
    finally:
        await service.close()


def measure(case: Case, context: Context) -> Point:
    executor = Executor(case.params["executor"])
    backend = Backend(case.params["backend"])
    policy = Policy(case.params["policy"])
    workdir = context.scratch_dir / "c7"
    pg_dsn = context.extra.get("pg_dsn")
    stored: list[int] = []
    rejected: list[int] = []
    for repetition in range(context.profile.race_repetitions):
        database = None
        if backend is Backend.SQLITE:
            workdir.mkdir(parents=True, exist_ok=True)
            database = workdir / f"race-{repetition}.db"
        seed = context.seed + repetition
        if executor.stack is Stack.SYNC:
            count, rejected_count = race_sync(executor, backend, policy, database, seed, pg_dsn)
        else:
            loop = new_event_loop(executor)
            try:
                count, rejected_count = loop.run_until_complete(
                    race_async(backend, policy, database, seed, pg_dsn)
                )
            finally:
                loop.close()
        stored.append(count)
        rejected.append(rejected_count)
    shutil.rmtree(workdir, ignore_errors=True)
    return {
        "params": dict(case.params),
        "metrics": {
            "duplicates_stored": metric(stored, "users"),
            "rejected_registrations": metric(rejected, "requests"),
            "max_duplicates_stored": max(stored),
        },
    }


def derive(points: list[Point]) -> list[Point]:
    return points
