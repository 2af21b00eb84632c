"""Composition root of the async stack: the only place that picks adapters."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from async_variant.memory import MemoryUserRepository
from async_variant.outbox import OutboxRelay, OutboxSQLiteUserRepository
from async_variant.ports import EventPublisher, Handler, UserRepository
from async_variant.publisher import InlinePublisher
from async_variant.publishers import BackgroundPublisher
from async_variant.service import UserService
from async_variant.sqlite import SQLiteUserRepository
from core.events import DomainEvent
from core.latency import LatencyModel
from core.policy import Backend, Policy, PublishStrategy
from core.pool_timing import PoolTimings

PG_DRIVERS = ("psycopg", "asyncpg", "sqlalchemy")

ASYNC_STRATEGIES = (
    PublishStrategy.INLINE_GATHER,
    PublishStrategy.BACKGROUND,
    PublishStrategy.OUTBOX,
)


async def _postgres_repository(
    driver: str, dsn: str, policy: Policy, pool_size: int, reset: bool, timings: PoolTimings | None
) -> UserRepository:
    # Imported here, so runs without PostgreSQL do not pay for importing the drivers.
    if driver == "psycopg":
        from async_variant.postgres import PostgresUserRepository

        return await PostgresUserRepository.open(
            dsn, policy, pool_size=pool_size, reset=reset, timings=timings
        )
    if driver == "asyncpg":
        from async_variant.asyncpg_postgres import AsyncpgUserRepository

        return await AsyncpgUserRepository.open(
            dsn, policy, pool_size=pool_size, reset=reset, timings=timings
        )
    if driver == "sqlalchemy":
        from async_variant.sqlalchemy_postgres import SQLAlchemyUserRepository

        return await SQLAlchemyUserRepository.open(
            dsn, policy, pool_size=pool_size, reset=reset, timings=timings
        )
    raise ValueError(f"invalid pg_driver {driver!r}: choose from {', '.join(PG_DRIVERS)}")


async def build_service(
    backend: Backend,
    policy: Policy,
    *,
    latency_ms: float = 1.0,
    sqlite_path: Path | None = None,
    seed: int = 0,
    handlers: Iterable[tuple[type[DomainEvent], Handler]] = (),
    publishing: PublishStrategy = PublishStrategy.INLINE_GATHER,
    pg_dsn: str | None = None,
    pg_driver: str = "psycopg",
    pg_reset: bool = False,
    pool_size: int = 1,
    pool_timings: PoolTimings | None = None,
) -> UserService:
    """Wire a UserService inside the running event loop; the caller awaits service.close().

    For postgres, `pg_driver` picks psycopg, asyncpg or sqlalchemy, `pg_reset` drops the
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
            repository = await OutboxSQLiteUserRepository.open_with_outbox(sqlite_path, policy)
        else:
            repository = await SQLiteUserRepository.open(sqlite_path, policy)
    elif backend is Backend.POSTGRES:
        if pg_dsn is None:
            raise ValueError("missing pg_dsn: the postgres backend needs a server DSN")
        repository = await _postgres_repository(
            pg_driver, pg_dsn, policy, pool_size, pg_reset, pool_timings
        )
    else:
        raise ValueError(f"unsupported backend {backend.value!r} for the async stack")

    publisher = build_publisher(policy, publishing, handlers, sqlite_path=sqlite_path)
    if isinstance(publisher, OutboxRelay):
        # The relay opens its own connection; finish that before the first request.
        await publisher.wait_ready()
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
    if publishing not in ASYNC_STRATEGIES:
        raise ValueError(
            f"unsupported publishing strategy {publishing.value!r} for the async stack: "
            f"use {', '.join(s.value for s in ASYNC_STRATEGIES)}"
        )


def build_publisher(
    policy: Policy,
    publishing: PublishStrategy,
    subscriptions: Iterable[tuple[type[DomainEvent], Handler]],
    *,
    sqlite_path: Path | None = None,
) -> EventPublisher:
    """Build the publisher for a strategy of the async stack and subscribe the handlers.

    Call it inside the running event loop: the background publisher starts its
    worker task here, so no task is created inside a request.
    """
    _check_strategy(publishing)
    publisher: EventPublisher
    if publishing is PublishStrategy.INLINE_GATHER:
        publisher = InlinePublisher(policy)
    elif publishing is PublishStrategy.BACKGROUND:
        background = BackgroundPublisher(policy)
        background.start()
        publisher = background
    else:
        relay = OutboxRelay(_outbox_path(sqlite_path), policy)
        relay.start()
        publisher = relay
    for event_type, handler in subscriptions:
        publisher.subscribe(event_type, handler)
    return publisher
