"""aiosqlite repository: one connection, whose statements aiosqlite runs on its own thread."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

import aiosqlite

from async_variant.ports import UserRepository
from core import sql
from core.errors import ConcurrentUpdate, EmailAlreadyInUse
from core.model import User
from core.policy import Policy

logger = logging.getLogger(__name__)


class SQLiteUserRepository(UserRepository):
    """Open with `await SQLiteUserRepository.open(path, policy)`, which also creates the schema."""

    def __init__(self, connection: aiosqlite.Connection, path: Path, policy: Policy) -> None:
        self._connection = connection
        self._path = path
        self._policy = policy

    @classmethod
    async def open(cls, path: Path, policy: Policy) -> SQLiteUserRepository:
        connection = await aiosqlite.connect(
            path,
            timeout=sql.BUSY_TIMEOUT_S,
            isolation_level=None,  # autocommit: each statement is its own transaction
        )
        for pragma in sql.PRAGMAS:
            await connection.execute(pragma)
        for statement in sql.SCHEMA[policy]:
            await connection.execute(statement)
        return cls(connection, path, policy)

    async def save(self, user: User) -> None:
        row = user.snapshot()
        statement, params = sql.save_statement(row, self._policy)
        try:
            async with self._connection.execute(statement, params) as cursor:
                affected = cursor.rowcount
        except sqlite3.IntegrityError as error:
            if sql.is_email_unique_violation(str(error)):
                raise EmailAlreadyInUse(row.email) from error
            if sql.is_id_unique_violation(str(error)):
                raise ConcurrentUpdate(row.id, row.version) from error
            raise
        if statement is sql.UPDATE_AT_VERSION and affected == 0:
            raise ConcurrentUpdate(row.id, row.version)
        user.version = row.version + 1

    async def find_by_id(self, user_id: str) -> User | None:
        async with self._connection.execute(sql.SELECT_BY_ID, (user_id,)) as cursor:
            found = await cursor.fetchone()
        return None if found is None else User.from_snapshot(sql.snapshot_from_row(found))

    async def find_by_email(self, email: str) -> User | None:
        async with self._connection.execute(sql.SELECT_BY_EMAIL, (email,)) as cursor:
            found = await cursor.fetchone()
        return None if found is None else User.from_snapshot(sql.snapshot_from_row(found))

    async def list_active(self) -> list[User]:
        async with self._connection.execute(sql.SELECT_ACTIVE) as cursor:
            rows = await cursor.fetchall()
        return [User.from_snapshot(sql.snapshot_from_row(r)) for r in rows]

    async def delete(self, user_id: str) -> bool:
        async with self._connection.execute(sql.DELETE_BY_ID, (user_id,)) as cursor:
            return cursor.rowcount > 0

    async def count_with_email(self, email: str) -> int:
        async with self._connection.execute(sql.COUNT_BY_EMAIL, (email,)) as cursor:
            found = await cursor.fetchone()
        assert found is not None  # count(*) always returns one row
        return int(found[0])

    async def close(self) -> None:
        await self._connection.close()
        logger.debug("closed the aiosqlite connection to %s", self._path)
