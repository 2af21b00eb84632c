"""Composition root of the sync stack: the only place that picks adapters."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from core.events import DomainEvent
from core.latency import LatencyModel
from core.policy import Backend, Policy
from core.pool_timing import PoolTimings
from sync_variant.memory import MemoryUserRepository
from sync_variant.ports import Handler, UserRepository
from sync_variant.publisher import InlinePublisher
from sync_variant.service import UserService
from sync_variant.sqlite import SQLiteUserRepository

PG_DRIVERS = ("psycopg", "sqlalchemy")


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
    pg_dsn: str | None = None,
    pg_driver: str = "psycopg",
    pg_reset: bool = False,
    pool_timings: PoolTimings | None = None,
) -> UserService:
    """Wire a UserService; the caller closes it with service.close().

    For postgres, `pg_driver` picks psycopg or sqlalchemy, `pg_reset` drops the
    benchmark's table first so the store starts empty, and `pool_timings` collects
    pool wait and hold times.
    """
    repository: UserRepository
    if backend is Backend.MEMORY:
        repository = MemoryUserRepository(policy, LatencyModel(latency_ms, seed=seed))
    elif backend is Backend.SQLITE:
        if sqlite_path is None:
            raise ValueError("missing sqlite_path: the sqlite backend needs a database file path")
        repository = SQLiteUserRepository(sqlite_path, policy, pool_size=pool_size)
    elif backend is Backend.POSTGRES:
        if pg_dsn is None:
            raise ValueError("missing pg_dsn: the postgres backend needs a server DSN")
        repository = _postgres_repository(
            pg_driver, pg_dsn, policy, pool_size, pg_reset, pool_timings
        )
    else:
        raise ValueError(f"unsupported backend {backend.value!r} for the sync stack")

    publisher = InlinePublisher(policy)
    for event_type, handler in handlers:
        publisher.subscribe(event_type, handler)
    return UserService(repository, publisher)
