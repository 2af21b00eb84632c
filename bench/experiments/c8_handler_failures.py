"""C8: one failing handler among several, per stack, publishing strategy, policy and error.

A registration's UserRegistered event reaches three handlers; the middle one
raises either a programming error (AttributeError) or an expected I/O error
(ConnectionError). Each case records whether the caller learns of the failure,
whether a log line names the event and the handler, whether the other handlers
still run, and, on the async stack, whether cancelling the request still
reaches its caller. A failure is surfaced when the caller learns of it or a log
line names it, and lost otherwise.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from async_variant.bootstrap import build_service as build_async_service
from bench.drivers import new_event_loop
from bench.event_workload import (
    FAILURES,
    AsyncSubscriptions,
    SyncSubscriptions,
    async_failing_handler,
    async_io_handler,
    sync_failing_handler,
    sync_io_handler,
)
from bench.experiments.base import Case, Context, Point
from bench.vocabulary import Executor, Stack
from core.events import DomainEvent, UserRegistered
from core.policy import Backend, Policy, PublishStrategy
from core.workload import registrations
from sync_variant.bootstrap import build_service as build_sync_service

ID = "c8-handler-failures"
CLAIM = "C8"

LATENCY_MS = 1.0  # the guide's simulated I/O per repository call
HANDLER_MS = 1.0  # each handler's simulated I/O
FAILING_HANDLER = "send_welcome_email"
OTHER_HANDLERS = ("record_signup", "update_statistics")
CANCEL_WAIT_S = 5.0  # the slow handler of the cancellation check; cancelled long before
CANCEL_LATENCY_MS = 200.0  # repository I/O long enough to cancel a background request inside it
CANCEL_AFTER_S = 0.02

CONFIGURATIONS: tuple[tuple[Executor, PublishStrategy], ...] = (
    (Executor.SEQUENTIAL, PublishStrategy.INLINE_SEQUENTIAL),
    (Executor.SEQUENTIAL, PublishStrategy.THREAD_POOL),
    (Executor.SEQUENTIAL, PublishStrategy.BACKGROUND),
    (Executor.ASYNCIO, PublishStrategy.INLINE_GATHER),
    (Executor.ASYNCIO, PublishStrategy.BACKGROUND),
    (Executor.UVLOOP, PublishStrategy.INLINE_GATHER),
    (Executor.UVLOOP, PublishStrategy.BACKGROUND),
    (Executor.SEQUENTIAL, PublishStrategy.OUTBOX),
    (Executor.ASYNCIO, PublishStrategy.OUTBOX),
    (Executor.UVLOOP, PublishStrategy.OUTBOX),
)


def describe(context: Context) -> dict[str, Any]:
    return {
        "workload": f"one registration whose UserRegistered event reaches "
        f"{OTHER_HANDLERS[0]}, {FAILING_HANDLER} (raises) and {OTHER_HANDLERS[1]}, "
        f"each sleeping {HANDLER_MS:g} ms",
        "failures": "AttributeError (a programming error) and ConnectionError (an expected "
        "I/O error)",
        "caller_learned": "register_user raised to its caller",
        "logged_with_names": "a WARNING or ERROR log line names both the handler and the event",
        "failures_surfaced": "the caller learned of the failure or a log line names it; "
        "failures_lost is the rest",
        "cancellation": "async only: the request task is cancelled while its handlers run "
        "(inline) or while it waits on the repository (background); the caller must get "
        "CancelledError. A sync thread cannot be cancelled from outside, so sync has no "
        "cancellation to check. The outbox request finishes its SQLite save in about a "
        "millisecond, so its cancellation is not checked either",
        "backends": "the outbox strategy runs on a fresh SQLite file per case, every other "
        "strategy on the memory backend",
    }


def plan(context: Context) -> list[Case]:
    cases = []
    for executor, strategy in CONFIGURATIONS:
        backend = Backend.SQLITE if strategy is PublishStrategy.OUTBOX else Backend.MEMORY
        if backend not in context.backends:
            continue
        for policy in Policy:
            for failure in FAILURES:
                params = {
                    "stack": executor.stack.value,
                    "executor": executor.value,
                    "concurrency": 1,
                    "backend": backend.value,
                    "policy": policy.value,
                    "latency_ms": LATENCY_MS if backend is Backend.MEMORY else None,
                    "strategy": strategy.value,
                    "failure": failure,
                    "handlers": 1 + len(OTHER_HANDLERS),
                }
                name = f"{executor.value} {strategy.value} {policy.value} {failure}"
                cases.append(Case(name, params))
    return cases


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextlib.contextmanager
def _captured_logs() -> Iterator[_Records]:
    handler = _Records()
    root = logging.getLogger()
    root.addHandler(handler)
    try:
        yield handler
    finally:
        root.removeHandler(handler)


def _names_failure(records: list[logging.LogRecord]) -> bool:
    return any(
        FAILING_HANDLER in record.getMessage() and UserRegistered.__name__ in record.getMessage()
        for record in records
    )


def _sync_subscriptions(failure: str, ran: list[str]) -> SyncSubscriptions:
    first, last = OTHER_HANDLERS
    return [
        (UserRegistered, sync_io_handler(first, HANDLER_MS, lambda: ran.append(first))),
        (UserRegistered, sync_failing_handler(FAILING_HANDLER, HANDLER_MS, failure)),
        (UserRegistered, sync_io_handler(last, HANDLER_MS, lambda: ran.append(last))),
    ]


def _async_subscriptions(failure: str, ran: list[str]) -> AsyncSubscriptions:
    first, last = OTHER_HANDLERS
    return [
        (UserRegistered, async_io_handler(first, HANDLER_MS, lambda: ran.append(first))),
        (UserRegistered, async_failing_handler(FAILING_HANDLER, HANDLER_MS, failure)),
        (UserRegistered, async_io_handler(last, HANDLER_MS, lambda: ran.append(last))),
    ]


def failure_sync(
    strategy: PublishStrategy, policy: Policy, failure: str, database: Path | None = None
) -> dict[str, float]:
    """Register one user with a failing handler on the sync stack and record what happened.

    The outbox strategy needs `database`, a SQLite file; the others use the memory backend.
    """
    ran: list[str] = []
    (command,) = registrations(1)
    service = build_sync_service(
        Backend.SQLITE if database is not None else Backend.MEMORY,
        policy,
        latency_ms=LATENCY_MS,
        sqlite_path=database,
        handlers=_sync_subscriptions(failure, ran),
        publishing=strategy,
    )
    with _captured_logs() as logs:
        try:
            service.register_user(command)
            raised = False
        except Exception:
            raised = True
        finally:
            service.close()  # a background publisher finishes its handlers here
    return _outcome(raised, _names_failure(logs.records), ran)


async def failure_async(
    strategy: PublishStrategy, policy: Policy, failure: str, database: Path | None = None
) -> dict[str, float]:
    """Async twin of failure_sync."""
    ran: list[str] = []
    (command,) = registrations(1)
    service = await build_async_service(
        Backend.SQLITE if database is not None else Backend.MEMORY,
        policy,
        latency_ms=LATENCY_MS,
        sqlite_path=database,
        handlers=_async_subscriptions(failure, ran),
        publishing=strategy,
    )
    with _captured_logs() as logs:
        try:
            await service.register_user(command)
            raised = False
        except Exception:
            raised = True
        finally:
            await service.close()
    return _outcome(raised, _names_failure(logs.records), ran)


async def cancellation_async(strategy: PublishStrategy, policy: Policy) -> dict[str, float]:
    """Cancel a request mid-flight; return whether the caller got CancelledError."""
    handler_started = asyncio.Event()
    handler_cancelled: list[bool] = []

    async def slow_handler(event: DomainEvent) -> None:
        handler_started.set()
        try:
            await asyncio.sleep(CANCEL_WAIT_S)
        except asyncio.CancelledError:
            handler_cancelled.append(True)
            raise

    background = strategy is PublishStrategy.BACKGROUND
    (command,) = registrations(1)
    service = await build_async_service(
        Backend.MEMORY,
        policy,
        latency_ms=CANCEL_LATENCY_MS if background else LATENCY_MS,
        handlers=[(UserRegistered, slow_handler)],
        publishing=strategy,
    )
    request = asyncio.ensure_future(service.register_user(command))
    try:
        if background:
            await asyncio.sleep(CANCEL_AFTER_S)
        else:
            await asyncio.wait_for(handler_started.wait(), timeout=CANCEL_WAIT_S)
        request.cancel()
        try:
            await request
            propagated = False
        except asyncio.CancelledError:
            propagated = True
    finally:
        await service.close()
    metrics = {"cancellation_propagates": float(propagated)}
    if not background:
        metrics["slow_handler_cancelled"] = float(bool(handler_cancelled))
    return metrics


def _outcome(raised: bool, logged: bool, ran: list[str]) -> dict[str, float]:
    surfaced = raised or logged
    return {
        "caller_learned": float(raised),
        "logged_with_names": float(logged),
        "other_handlers_ran": float(len(ran)),
        "other_handlers_expected": float(len(OTHER_HANDLERS)),
        "failures_surfaced": float(surfaced),
        "failures_lost": float(not surfaced),
    }


def measure(case: Case, context: Context) -> Point:
    executor = Executor(case.params["executor"])
    strategy = PublishStrategy(case.params["strategy"])
    policy = Policy(case.params["policy"])
    failure = case.params["failure"]
    database = None
    if strategy is PublishStrategy.OUTBOX:
        workdir = context.scratch_dir / "c8"
        workdir.mkdir(parents=True, exist_ok=True)
        database = workdir / f"{executor.value}-{policy.value}-{failure}.db"
    try:
        if executor.stack is Stack.SYNC:
            metrics = failure_sync(strategy, policy, failure, database)
        else:
            loop = new_event_loop(executor)
            try:
                metrics = loop.run_until_complete(
                    failure_async(strategy, policy, failure, database)
                )
                if strategy is not PublishStrategy.OUTBOX:
                    metrics.update(loop.run_until_complete(cancellation_async(strategy, policy)))
            finally:
                loop.close()
    finally:
        if database is not None:
            shutil.rmtree(database.parent, ignore_errors=True)
    return {"params": dict(case.params), "metrics": dict(metrics)}


def derive(points: list[Point]) -> list[Point]:
    return points
