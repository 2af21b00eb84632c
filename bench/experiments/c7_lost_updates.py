"""C7, second part: lost updates and duplicate emails from concurrent changes to existing users.

Three scenarios, each repeated from a fresh store:

- concurrent-deactivations: 20 requests deactivate one active user. One transition
  happened, so more than one success means effects were applied twice.
- email-change-race: 20 users change their email to one free address at once.
  More than one user stored with it is a duplicate.
- deactivate-vs-email-change: one request deactivates a user while another changes
  its email. When both succeed, the final state must show both changes; a missing
  one is a lost update.

Each scenario counts invariant violations per repetition; 0 is correct.
"""

from __future__ import annotations

import asyncio
import shutil
from pathlib import Path
from typing import Any

from async_variant.bootstrap import build_service as build_async_service
from async_variant.service import UserService as AsyncUserService
from bench.drivers import new_event_loop, warmed_thread_pool
from bench.experiments.base import Case, Context, Point, executor_cases
from bench.results import metric
from bench.vocabulary import Executor, Stack
from core.commands import ChangeEmail, DeactivateUser, GetUser, RegisterUser
from core.errors import DomainError
from core.policy import Backend, Policy
from sync_variant.bootstrap import build_service as build_sync_service
from sync_variant.service import UserService as SyncUserService

ID = "c7-lost-updates"
CLAIM = "C7"

REQUESTS = 20  # concurrent requests per scenario
LATENCY_MS = 1.0
BACKENDS = (Backend.MEMORY, Backend.SQLITE, Backend.POSTGRES)
SCENARIOS = ("concurrent-deactivations", "email-change-race", "deactivate-vs-email-change")
TARGET_EMAIL = "taken-later@example.com"
NEW_EMAIL = "changed@example.com"

EXECUTORS: tuple[tuple[Executor, int], ...] = (
    (Executor.THREADS, REQUESTS),
    (Executor.ASYNCIO, REQUESTS),
    (Executor.UVLOOP, REQUESTS),
)


def describe(context: Context) -> dict[str, Any]:
    return {
        "scenarios": ", ".join(SCENARIOS),
        "requests_per_scenario": REQUESTS,
        "latency_ms": LATENCY_MS,
        "repetitions": context.profile.race_repetitions,
        "measured": "invariant violations per repetition (0 is correct): extra successful "
        "deactivations, extra users stored with one email, changes lost to a later write",
    }


def plan(context: Context) -> list[Case]:
    return [
        case
        for scenario in SCENARIOS
        for case in executor_cases(context, BACKENDS, EXECUTORS, LATENCY_MS, scenario=scenario)
    ]


def _seed_users(count: int) -> list[RegisterUser]:
    return [
        RegisterUser(f"user-{i:03d}", f"user{i}@example.com", f"User {i}") for i in range(count)
    ]


def _requests(scenario: str) -> list[Any]:
    if scenario == "concurrent-deactivations":
        return [DeactivateUser("user-000") for _ in range(REQUESTS)]
    if scenario == "email-change-race":
        return [ChangeEmail(f"user-{i:03d}", TARGET_EMAIL) for i in range(REQUESTS)]
    return [DeactivateUser("user-000"), ChangeEmail("user-000", NEW_EMAIL)]


def _violations(scenario: str, succeeded: list[bool], final: dict[str, Any]) -> int:
    """Count broken invariants from which requests succeeded and the final stored state."""
    if scenario == "concurrent-deactivations":
        return max(0, sum(succeeded) - 1)
    if scenario == "email-change-race":
        return max(0, int(final["users_with_target"]) - 1)
    deactivated, changed = succeeded
    lost = 0
    if deactivated and final["is_active"]:
        lost += 1
    if changed and final["email"] != NEW_EMAIL:
        lost += 1
    return lost


def _sync_call(service: SyncUserService, command: Any) -> bool:
    try:
        if isinstance(command, DeactivateUser):
            service.deactivate_user(command)
        else:
            service.change_email(command)
    except DomainError:
        return False
    return True


async def _async_call(service: AsyncUserService, command: Any) -> bool:
    try:
        if isinstance(command, DeactivateUser):
            await service.deactivate_user(command)
        else:
            await service.change_email(command)
    except DomainError:
        return False
    return True


def run_sync_scenario(
    scenario: str,
    backend: Backend,
    policy: Policy,
    database: Path | None,
    pg_dsn: str | None = None,
) -> int:
    """Run one scenario on the sync stack with a thread pool; return its violations."""
    service = build_sync_service(
        backend,
        policy,
        latency_ms=LATENCY_MS,
        sqlite_path=database,
        pool_size=REQUESTS,
        pg_dsn=pg_dsn,
        pg_reset=True,
    )
    pool = warmed_thread_pool(REQUESTS)
    try:
        for command in _seed_users(REQUESTS):
            service.register_user(command)
        requests = _requests(scenario)
        succeeded = list(pool.map(lambda c: _sync_call(service, c), requests))
        user = service.get_user(GetUser("user-000"))
        final = {
            "is_active": user.is_active,
            "email": user.email.value,
            "users_with_target": service.count_users_with_email(TARGET_EMAIL),
        }
        return _violations(scenario, succeeded, final)
    finally:
        pool.shutdown()
        service.close()


async def run_async_scenario(
    scenario: str,
    backend: Backend,
    policy: Policy,
    database: Path | None,
    pg_dsn: str | None = None,
) -> int:
    """Async twin of run_sync_scenario: gather every request at once."""
    service = await build_async_service(
        backend,
        policy,
        latency_ms=LATENCY_MS,
        sqlite_path=database,
        pg_dsn=pg_dsn,
        pg_reset=True,
        pool_size=REQUESTS,  # as many connections as the sync stack's threads get
    )
    try:
        for command in _seed_users(REQUESTS):
            await service.register_user(command)
        requests = _requests(scenario)
        succeeded = list(await asyncio.gather(*(_async_call(service, c) for c in requests)))
        user = await service.get_user(GetUser("user-000"))
        final = {
            "is_active": user.is_active,
            "email": user.email.value,
            "users_with_target": await service.count_users_with_email(TARGET_EMAIL),
        }
        return _violations(scenario, succeeded, final)
    finally:
        await service.close()


def measure(case: Case, context: Context) -> Point:
    executor = Executor(case.params["executor"])
    backend = Backend(case.params["backend"])
    policy = Policy(case.params["policy"])
    scenario = case.params["scenario"]
    workdir = context.scratch_dir / "c7-lost-updates"
    pg_dsn = context.extra.get("pg_dsn")
    violations: list[int] = []
    for repetition in range(context.profile.race_repetitions):
        database = None
        if backend is Backend.SQLITE:
            workdir.mkdir(parents=True, exist_ok=True)
            database = workdir / f"lost-{repetition}.db"
        if executor.stack is Stack.SYNC:
            violations.append(run_sync_scenario(scenario, backend, policy, database, pg_dsn))
        else:
            loop = new_event_loop(executor)
            try:
                violations.append(
                    loop.run_until_complete(
                        run_async_scenario(scenario, backend, policy, database, pg_dsn)
                    )
                )
            finally:
                loop.close()
    shutil.rmtree(workdir, ignore_errors=True)
    return {
        "params": dict(case.params),
        "metrics": {
            "invariant_violations": metric(violations, "violations"),
            "max_invariant_violations": max(violations),
        },
    }


def derive(points: list[Point]) -> list[Point]:
    return points
