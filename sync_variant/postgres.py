"""psycopg 3 repository: a psycopg_pool ConnectionPool of autocommit connections."""

from __future__ import annotations

import logging
from contextlib import AbstractContextManager

import psycopg
import psycopg_pool
from psycopg import errors as pg_errors

from core import pg_sql
from core.errors import ConcurrentUpdate, EmailAlreadyInUse
from core.model import User
from core.policy import Policy
from core.pool_timing import PoolTimings
from sync_variant.pooling import PooledConnections
from sync_variant.ports import UserRepository

logger = logging.getLogger(__name__)


class PostgresUserRepository(PooledConnections[psycopg.Connection], UserRepository):
    """Each call checks a connection out of the pool and runs one autocommit statement.

    Inside `connection_scope()` every call of the same thread reuses one connection
    until the scope ends, as a request that holds its connection for the whole use
    case does. A saturated pool raises psycopg_pool.PoolTimeout after `pool_timeout_s`.
    """

    def __init__(
        self,
        dsn: str,
        policy: Policy,
        *,
        pool_size: int = 1,
        pool_timeout_s: float = pg_sql.POOL_TIMEOUT_S,
        reset: bool = False,
        timings: PoolTimings | None = None,
    ) -> None:
        if pool_size < 1:
            raise ValueError(f"invalid pool_size {pool_size}: must be at least 1")
        PooledConnections.__init__(self, timings)
        self._policy = policy
        # The connection a connection_scope() block holds, per thread or task.
        # min_size = max_size: every connection opens before the caller starts timing.
        self._pool = psycopg_pool.ConnectionPool(
            dsn,
            min_size=pool_size,
            max_size=pool_size,
            timeout=pool_timeout_s,
            kwargs={"autocommit": True},
            name="ddd-bench-sync",
            open=False,
        )
        self._pool.open(wait=True, timeout=pg_sql.POOL_TIMEOUT_S)
        with self._pool.connection() as connection:
            if reset:
                connection.execute(pg_sql.DROP_TABLE)
            for statement in pg_sql.SCHEMA[policy]:
                connection.execute(statement)

    def _acquire(self) -> AbstractContextManager[psycopg.Connection]:
        return self._pool.connection()

    def save(self, user: User) -> None:
        row = user.snapshot()
        statement, params = pg_sql.save_statement(row, self._policy)
        with self._connection() as connection:
            try:
                cursor = connection.execute(statement, params)
            except pg_errors.UniqueViolation as error:
                if pg_sql.is_email_unique_violation(error.diag.constraint_name):
                    raise EmailAlreadyInUse(row.email) from error
                if pg_sql.is_id_unique_violation(error.diag.constraint_name):
                    raise ConcurrentUpdate(row.id, row.version) from error
                raise
        if statement is pg_sql.UPDATE_AT_VERSION and cursor.rowcount == 0:
            raise ConcurrentUpdate(row.id, row.version)
        user.version = row.version + 1

    def find_by_id(self, user_id: str) -> User | None:
        with self._connection() as connection:
            found = connection.execute(pg_sql.SELECT_BY_ID, (user_id,)).fetchone()
        return None if found is None else User.from_snapshot(pg_sql.snapshot_from_row(found))

    def find_by_email(self, email: str) -> User | None:
        with self._connection() as connection:
            found = connection.execute(pg_sql.SELECT_BY_EMAIL, (email,)).fetchone()
        return None if found is None else User.from_snapshot(pg_sql.snapshot_from_row(found))

    def list_active(self) -> list[User]:
        with self._connection() as connection:
            rows = connection.execute(pg_sql.SELECT_ACTIVE).fetchall()
        return [User.from_snapshot(pg_sql.snapshot_from_row(r)) for r in rows]

    def delete(self, user_id: str) -> bool:
        with self._connection() as connection:
            cursor = connection.execute(pg_sql.DELETE_BY_ID, (user_id,))
        return cursor.rowcount > 0

    def count_with_email(self, email: str) -> int:
        with self._connection() as connection:
            found = connection.execute(pg_sql.COUNT_BY_EMAIL, (email,)).fetchone()
        assert found is not None  # count(*) always returns one row
        return int(found[0])

    def close(self) -> None:
        self._pool.close()
        logger.debug("closed the psycopg pool %s", self._pool.name)
