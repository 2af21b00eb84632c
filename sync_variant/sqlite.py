"""sqlite3 repository: a fixed pool of connections to one database file."""

from __future__ import annotations

import contextlib
import logging
import queue
import sqlite3
from collections.abc import Iterator
from pathlib import Path

from core import sql
from core.errors import ConcurrentUpdate, EmailAlreadyInUse
from core.model import User
from core.policy import Policy
from sync_variant.ports import UserRepository

logger = logging.getLogger(__name__)


class SQLiteUserRepository(UserRepository):
    """Each call checks a connection out of the pool, runs one autocommit statement and returns it.

    The pool is opened in full by the constructor, so no connection is opened while
    a benchmark is timing. Size it to the number of threads that call it.
    """

    def __init__(self, path: Path, policy: Policy, pool_size: int = 1) -> None:
        if pool_size < 1:
            raise ValueError(f"invalid pool_size {pool_size}: must be at least 1")
        self._path = path
        self._policy = policy
        self._pool: queue.LifoQueue[sqlite3.Connection] = queue.LifoQueue()
        self._connections: list[sqlite3.Connection] = []
        for _ in range(pool_size):
            connection = sqlite3.connect(
                path,
                timeout=sql.BUSY_TIMEOUT_S,
                isolation_level=None,  # autocommit: each statement is its own transaction
                check_same_thread=False,  # the pool hands each connection to one thread at a time
            )
            for pragma in sql.PRAGMAS:
                connection.execute(pragma)
            self._connections.append(connection)
            self._pool.put(connection)
        with self._connection() as connection:
            for statement in sql.SCHEMA[policy]:
                connection.execute(statement)

    @contextlib.contextmanager
    def _connection(self) -> Iterator[sqlite3.Connection]:
        connection = self._pool.get()
        try:
            yield connection
        finally:
            self._pool.put(connection)

    def save(self, user: User) -> None:
        row = user.snapshot()
        statement, params = sql.save_statement(row, self._policy)
        with self._connection() as connection:
            try:
                cursor = connection.execute(statement, params)
            except sqlite3.IntegrityError as error:
                if sql.is_email_unique_violation(str(error)):
                    raise EmailAlreadyInUse(row.email) from error
                if sql.is_id_unique_violation(str(error)):
                    raise ConcurrentUpdate(row.id, row.version) from error
                raise
        if statement is sql.UPDATE_AT_VERSION and cursor.rowcount == 0:
            raise ConcurrentUpdate(row.id, row.version)
        user.version = row.version + 1

    def find_by_id(self, user_id: str) -> User | None:
        with self._connection() as connection:
            found = connection.execute(sql.SELECT_BY_ID, (user_id,)).fetchone()
        return None if found is None else User.from_snapshot(sql.snapshot_from_row(found))

    def find_by_email(self, email: str) -> User | None:
        with self._connection() as connection:
            found = connection.execute(sql.SELECT_BY_EMAIL, (email,)).fetchone()
        return None if found is None else User.from_snapshot(sql.snapshot_from_row(found))

    def list_active(self) -> list[User]:
        with self._connection() as connection:
            rows = connection.execute(sql.SELECT_ACTIVE).fetchall()
        return [User.from_snapshot(sql.snapshot_from_row(r)) for r in rows]

    def delete(self, user_id: str) -> bool:
        with self._connection() as connection:
            cursor = connection.execute(sql.DELETE_BY_ID, (user_id,))
        return cursor.rowcount > 0

    def count_with_email(self, email: str) -> int:
        with self._connection() as connection:
            (count,) = connection.execute(sql.COUNT_BY_EMAIL, (email,)).fetchone()
        return int(count)

    def close(self) -> None:
        for connection in self._connections:
            connection.close()
        logger.debug("closed %d sqlite3 connections to %s", len(self._connections), self._path)
