"""Composition root of the async stack: the only place that picks adapters."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from async_variant.memory import MemoryUserRepository
from async_variant.ports import Handler, UserRepository
from async_variant.publisher import InlinePublisher
from async_variant.service import UserService
from async_variant.sqlite import SQLiteUserRepository
from core.events import DomainEvent
from core.latency import LatencyModel
from core.policy import Backend, Policy
from core.pool_timing import PoolTimings

PG_DRIVERS = ("psycopg", "asyncpg", "sqlalchemy")


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
    repository: UserRepository
    if backend is Backend.MEMORY:
        repository = MemoryUserRepository(policy, LatencyModel(latency_ms, seed=seed))
    elif backend is Backend.SQLITE:
        if sqlite_path is None:
            raise ValueError("missing sqlite_path: the sqlite backend needs a database file path")
        repository = await SQLiteUserRepository.open(sqlite_path, policy)
    elif backend is Backend.POSTGRES:
        if pg_dsn is None:
            raise ValueError("missing pg_dsn: the postgres backend needs a server DSN")
        repository = await _postgres_repository(
            pg_driver, pg_dsn, policy, pool_size, pg_reset, pool_timings
        )
    else:
        raise ValueError(f"unsupported backend {backend.value!r} for the async stack")

    publisher = InlinePublisher(policy)
    for event_type, handler in handlers:
        publisher.subscribe(event_type, handler)
    return UserService(repository, publisher)
