"""asyncpg repository: a second async driver over the same SQL, with $n placeholders."""

from __future__ import annotations

import logging
from contextlib import AbstractAsyncContextManager
from typing import Any

import asyncpg

from async_variant.pooling import PooledConnections
from async_variant.ports import UserRepository
from core import pg_sql
from core.errors import ConcurrentUpdate, EmailAlreadyInUse
from core.model import User
from core.policy import Policy
from core.pool_timing import PoolTimings

logger = logging.getLogger(__name__)

_NUMBERED = {
    statement: pg_sql.numbered(statement)
    for statement in (pg_sql.UPSERT, pg_sql.INSERT, pg_sql.UPDATE_AT_VERSION)
}
_SELECT_BY_ID = pg_sql.numbered(pg_sql.SELECT_BY_ID)
_SELECT_BY_EMAIL = pg_sql.numbered(pg_sql.SELECT_BY_EMAIL)
_DELETE_BY_ID = pg_sql.numbered(pg_sql.DELETE_BY_ID)
_COUNT_BY_EMAIL = pg_sql.numbered(pg_sql.COUNT_BY_EMAIL)


class AsyncpgUserRepository(PooledConnections[Any], UserRepository):
    """Open with `await AsyncpgUserRepository.open(dsn, policy, ...)`, which fills the pool.

    A saturated pool raises TimeoutError after `pool_timeout_s`.
    """

    def __init__(
        self, pool: Any, policy: Policy, pool_timeout_s: float, timings: PoolTimings | None
    ) -> None:
        self._pool = pool
        self._policy = policy
        self._pool_timeout_s = pool_timeout_s
        PooledConnections.__init__(self, timings)

    def _acquire(self) -> AbstractAsyncContextManager[Any]:
        acquisition: AbstractAsyncContextManager[Any] = self._pool.acquire(
            timeout=self._pool_timeout_s
        )
        return acquisition

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
    ) -> AsyncpgUserRepository:
        if pool_size < 1:
            raise ValueError(f"invalid pool_size {pool_size}: must be at least 1")
        # min_size = max_size: every connection opens before the caller starts timing.
        pool = await asyncpg.create_pool(dsn, min_size=pool_size, max_size=pool_size)
        async with pool.acquire(timeout=pg_sql.POOL_TIMEOUT_S) as connection:
            if reset:
                await connection.execute(pg_sql.DROP_TABLE)
            for statement in pg_sql.SCHEMA[policy]:
                await connection.execute(statement)
        return cls(pool, policy, pool_timeout_s, timings)

    async def save(self, user: User) -> None:
        row = user.snapshot()
        statement, params = pg_sql.save_statement(row, self._policy)
        async with self._connection() as connection:
            try:
                status = await connection.execute(_NUMBERED[statement], *params)
            except asyncpg.UniqueViolationError as error:
                constraint = getattr(error, "constraint_name", None)
                if pg_sql.is_email_unique_violation(constraint):
                    raise EmailAlreadyInUse(row.email) from error
                if pg_sql.is_id_unique_violation(constraint):
                    raise ConcurrentUpdate(row.id, row.version) from error
                raise
        if statement is pg_sql.UPDATE_AT_VERSION and status == "UPDATE 0":
            raise ConcurrentUpdate(row.id, row.version)
        user.version = row.version + 1

    async def find_by_id(self, user_id: str) -> User | None:
        async with self._connection() as connection:
            found = await connection.fetchrow(_SELECT_BY_ID, user_id)
        return None if found is None else User.from_snapshot(pg_sql.snapshot_from_row(found))

    async def find_by_email(self, email: str) -> User | None:
        async with self._connection() as connection:
            found = await connection.fetchrow(_SELECT_BY_EMAIL, email)
        return None if found is None else User.from_snapshot(pg_sql.snapshot_from_row(found))

    async def list_active(self) -> list[User]:
        async with self._connection() as connection:
            rows = await connection.fetch(pg_sql.SELECT_ACTIVE)
        return [User.from_snapshot(pg_sql.snapshot_from_row(r)) for r in rows]

    async def delete(self, user_id: str) -> bool:
        async with self._connection() as connection:
            status = await connection.execute(_DELETE_BY_ID, user_id)
        return bool(status != "DELETE 0")

    async def count_with_email(self, email: str) -> int:
        async with self._connection() as connection:
            count = await connection.fetchval(_COUNT_BY_EMAIL, email)
        return int(count)

    async def close(self) -> None:
        await self._pool.close()
        logger.debug("closed the asyncpg pool")
