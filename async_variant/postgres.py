"""psycopg 3 async repository: a psycopg_pool AsyncConnectionPool, the same SQL as the sync twin."""

from __future__ import annotations

import logging
from contextlib import AbstractAsyncContextManager

import psycopg
import psycopg_pool
from psycopg import errors as pg_errors

from async_variant.pooling import PooledConnections
from async_variant.ports import UserRepository
from core import pg_sql
from core.errors import ConcurrentUpdate, EmailAlreadyInUse
from core.model import User
from core.policy import Policy
from core.pool_timing import PoolTimings

logger = logging.getLogger(__name__)


class PostgresUserRepository(PooledConnections[psycopg.AsyncConnection], UserRepository):
    """Open with `await PostgresUserRepository.open(dsn, policy, ...)`, which fills the pool.

    Inside `connection_scope()` every call of the same task reuses one connection
    until the scope ends. A saturated pool raises psycopg_pool.PoolTimeout after
    `pool_timeout_s`.
    """

    def __init__(
        self, pool: psycopg_pool.AsyncConnectionPool, policy: Policy, timings: PoolTimings | None
    ) -> None:
        self._pool = pool
        self._policy = policy
        PooledConnections.__init__(self, timings)

    def _acquire(self) -> AbstractAsyncContextManager[psycopg.AsyncConnection]:
        return self._pool.connection()
        # The connection a connection_scope() block holds, per thread or task.

    @classmethod
    async def open(
        cls,
        dsn: str,
        policy: Policy,
        *,
        pool_size: int = 1,
        pool_timeout_s: float = pg_sql.POOL_TIMEOUT_S,
        reset: bool = False,
        timings: PoolTimings | None = None,
    ) -> PostgresUserRepository:
        if pool_size < 1:
            raise ValueError(f"invalid pool_size {pool_size}: must be at least 1")
        # min_size = max_size: every connection opens before the caller starts timing.
        pool = psycopg_pool.AsyncConnectionPool(
            dsn,
            min_size=pool_size,
            max_size=pool_size,
            timeout=pool_timeout_s,
            kwargs={"autocommit": True},
            name="ddd-bench-async",
            open=False,
        )
        await pool.open(wait=True, timeout=pg_sql.POOL_TIMEOUT_S)
        async with pool.connection() as connection:
            if reset:
                await connection.execute(pg_sql.DROP_TABLE)
            for statement in pg_sql.SCHEMA[policy]:
                await connection.execute(statement)
        return cls(pool, policy, timings)

    async def save(self, user: User) -> None:
        row = user.snapshot()
        statement, params = pg_sql.save_statement(row, self._policy)
        async with self._connection() as connection:
            try:
                cursor = await connection.execute(statement, params)
            except pg_errors.UniqueViolation as error:
                if pg_sql.is_email_unique_violation(error.diag.constraint_name):
                    raise EmailAlreadyInUse(row.email) from error
                if pg_sql.is_id_unique_violation(error.diag.constraint_name):
                    raise ConcurrentUpdate(row.id, row.version) from error
                raise
        if statement is pg_sql.UPDATE_AT_VERSION and cursor.rowcount == 0:
            raise ConcurrentUpdate(row.id, row.version)
        user.version = row.version + 1

    async def find_by_id(self, user_id: str) -> User | None:
        async with self._connection() as connection:
            cursor = await connection.execute(pg_sql.SELECT_BY_ID, (user_id,))
            found = await cursor.fetchone()
        return None if found is None else User.from_snapshot(pg_sql.snapshot_from_row(found))

    async def find_by_email(self, email: str) -> User | None:
        async with self._connection() as connection:
            cursor = await connection.execute(pg_sql.SELECT_BY_EMAIL, (email,))
            found = await cursor.fetchone()
        return None if found is None else User.from_snapshot(pg_sql.snapshot_from_row(found))

    async def list_active(self) -> list[User]:
        async with self._connection() as connection:
            cursor = await connection.execute(pg_sql.SELECT_ACTIVE)
            rows = await cursor.fetchall()
        return [User.from_snapshot(pg_sql.snapshot_from_row(r)) for r in rows]

    async def delete(self, user_id: str) -> bool:
        async with self._connection() as connection:
            cursor = await connection.execute(pg_sql.DELETE_BY_ID, (user_id,))
        return cursor.rowcount > 0

    async def count_with_email(self, email: str) -> int:
        async with self._connection() as connection:
            cursor = await connection.execute(pg_sql.COUNT_BY_EMAIL, (email,))
            found = await cursor.fetchone()
        assert found is not None  # count(*) always returns one row
        return int(found[0])

    async def close(self) -> None:
        await self._pool.close()
        logger.debug("closed the psycopg pool %s", self._pool.name)
