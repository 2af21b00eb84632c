"""Composition root of the sync stack: the only place that picks adapters."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from core.events import DomainEvent
from core.latency import LatencyModel
from core.policy import Backend, Policy, PublishStrategy
from core.pool_timing import PoolTimings
from sync_variant.memory import MemoryUserRepository
from sync_variant.outbox import OutboxRelay, OutboxSQLiteUserRepository
from sync_variant.ports import EventPublisher, Handler, UserRepository
from sync_variant.publisher import InlinePublisher
from sync_variant.publishers import BackgroundPublisher, ThreadPoolPublisher
from sync_variant.service import UserService
from sync_variant.sqlite import SQLiteUserRepository

PG_DRIVERS = ("psycopg", "sqlalchemy")

SYNC_STRATEGIES = (
    PublishStrategy.INLINE_SEQUENTIAL,
    PublishStrategy.THREAD_POOL,
    PublishStrategy.BACKGROUND,
    PublishStrategy.OUTBOX,
)


def _postgres_repository(
    driver: str, dsn: str, policy: Policy, pool_size: int, reset: bool, timings: PoolTimings | None
) -> UserRepository:
    # Imported here, so runs without PostgreSQL do not pay for importing the drivers.
    if driver == "psycopg":
        from sync_variant.postgres import PostgresUserRepository

        return PostgresUserRepository(
            dsn, policy, pool_size=pool_size, reset=reset, timings=timings
        )
    if driver == "sqlalchemy":
        from sync_variant.sqlalchemy_postgres import SQLAlchemyUserRepository

        return SQLAlchemyUserRepository(
            dsn, policy, pool_size=pool_size, reset=reset, timings=timings
        )
    raise ValueError(f"invalid pg_driver {driver!r}: choose from {', '.join(PG_DRIVERS)}")


def build_service(
    backend: Backend,
    policy: Policy,
    *,
    latency_ms: float = 1.0,
    sqlite_path: Path | None = None,
    pool_size: int = 1,
    seed: int = 0,
    handlers: Iterable[tuple[type[DomainEvent], Handler]] = (),
    publishing: PublishStrategy = PublishStrategy.INLINE_SEQUENTIAL,
    handler_threads: int | None = None,
    pg_dsn: str | None = None,
    pg_driver: str = "psycopg",
    pg_reset: bool = False,
    pool_timings: PoolTimings | None = None,
) -> UserService:
    """Wire a UserService; the caller closes it with service.close().

    handler_threads sizes the thread-pool publisher; by default it is the largest
    number of handlers subscribed to one event type, so all of them run at once.
    For postgres, `pg_driver` picks psycopg or sqlalchemy, `pg_reset` drops the
    benchmark's table first so the store starts empty, and `pool_timings` collects
    pool wait and hold times.
    """
    _check_strategy(publishing, backend)
    repository: UserRepository
    if backend is Backend.MEMORY:
        repository = MemoryUserRepository(policy, LatencyModel(latency_ms, seed=seed))
    elif backend is Backend.SQLITE:
        if sqlite_path is None:
            raise ValueError("missing sqlite_path: the sqlite backend needs a database file path")
        if publishing is PublishStrategy.OUTBOX:
            repository = OutboxSQLiteUserRepository(sqlite_path, policy, pool_size=pool_size)
        else:
            repository = SQLiteUserRepository(sqlite_path, policy, pool_size=pool_size)
    elif backend is Backend.POSTGRES:
        if pg_dsn is None:
            raise ValueError("missing pg_dsn: the postgres backend needs a server DSN")
        repository = _postgres_repository(
            pg_driver, pg_dsn, policy, pool_size, pg_reset, pool_timings
        )
    else:
        raise ValueError(f"unsupported backend {backend.value!r} for the sync stack")

    publisher = build_publisher(
        policy, publishing, list(handlers), handler_threads, sqlite_path=sqlite_path
    )
    return UserService(repository, publisher)


def _outbox_path(sqlite_path: Path | None) -> Path:
    if sqlite_path is None:
        raise ValueError(
            "missing sqlite_path: the outbox strategy stores events in the sqlite database"
        )
    return sqlite_path


def _check_strategy(publishing: PublishStrategy, backend: Backend | None = None) -> None:
    if publishing is PublishStrategy.OUTBOX and backend not in (None, Backend.SQLITE):
        raise ValueError(
            f"the outbox strategy needs the sqlite backend, not {backend.value!r}: "
            "pass backend sqlite or another publishing strategy"
        )
    if publishing not in SYNC_STRATEGIES:
        raise ValueError(
            f"unsupported publishing strategy {publishing.value!r} for the sync stack: "
            f"use {', '.join(s.value for s in SYNC_STRATEGIES)}"
        )


def build_publisher(
    policy: Policy,
    publishing: PublishStrategy,
    subscriptions: list[tuple[type[DomainEvent], Handler]],
    handler_threads: int | None = None,
    *,
    sqlite_path: Path | None = None,
) -> EventPublisher:
    """Build the publisher for a strategy of the sync stack and subscribe the handlers."""
    _check_strategy(publishing)
    publisher: EventPublisher
    if publishing is PublishStrategy.INLINE_SEQUENTIAL:
        publisher = InlinePublisher(policy)
    elif publishing is PublishStrategy.THREAD_POOL:
        if handler_threads is None:
            per_event = Counter(event_type for event_type, _ in subscriptions)
            handler_threads = max(per_event.values(), default=1)
        publisher = ThreadPoolPublisher(policy, handler_threads)
    elif publishing is PublishStrategy.BACKGROUND:
        publisher = BackgroundPublisher(policy)
    else:
        publisher = OutboxRelay(_outbox_path(sqlite_path), policy)
    for event_type, handler in subscriptions:
        publisher.subscribe(event_type, handler)
    return publisher
