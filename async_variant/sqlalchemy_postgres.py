"""SQLAlchemy 2.0 async repository: AsyncSessions on an AsyncEngine over psycopg 3.

It maps the sync twin's `UserRow`, so both stacks query one table definition.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager

from sqlalchemy import delete, func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, create_async_engine

from async_variant.pooling import PooledConnections
from async_variant.ports import UserRepository
from core import pg_sql
from core.errors import ConcurrentUpdate
from core.model import User
from core.policy import Policy
from core.pool_timing import PoolTimings
from sync_variant.sqlalchemy_postgres import (
    UserRow,
    domain_error,
    save_statement,
    sqlalchemy_url,
)

logger = logging.getLogger(__name__)


class SQLAlchemyUserRepository(PooledConnections[AsyncConnection], UserRepository):
    """Open with `await SQLAlchemyUserRepository.open(dsn, policy, ...)`, which fills the pool.

    A saturated pool raises sqlalchemy.exc.TimeoutError after `pool_timeout_s`.
    """

    def __init__(self, engine: AsyncEngine, policy: Policy, timings: PoolTimings | None) -> None:
        self._engine = engine
        self._policy = policy
        PooledConnections.__init__(self, timings)

    def _acquire(self) -> AbstractAsyncContextManager[AsyncConnection]:
        return self._engine.connect()

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
    ) -> SQLAlchemyUserRepository:
        if pool_size < 1:
            raise ValueError(f"invalid pool_size {pool_size}: must be at least 1")
        engine = create_async_engine(
            sqlalchemy_url(dsn),
            pool_size=pool_size,
            max_overflow=0,  # a fixed pool, as the other adapters have
            pool_timeout=pool_timeout_s,
        )
        # Open every pooled connection now, so none opens while a benchmark is timing.
        opened = [await engine.connect() for _ in range(pool_size)]
        async with opened[0].begin():
            if reset:
                await opened[0].execute(text(pg_sql.DROP_TABLE))
            for statement in pg_sql.SCHEMA[policy]:
                await opened[0].execute(text(statement))
        for connection in opened:
            await connection.close()
        return cls(engine, policy, timings)

    @contextlib.asynccontextmanager
    async def _session(self) -> AsyncIterator[AsyncSession]:
        """Yield an AsyncSession whose transaction commits when the block ends."""
        scoped = self._scoped_connection.get()
        async with contextlib.AsyncExitStack() as stack:
            connection = (
                scoped if scoped is not None else await stack.enter_async_context(self._checkout())
            )
            session = await stack.enter_async_context(AsyncSession(bind=connection))
            await stack.enter_async_context(session.begin())
            yield session

    async def save(self, user: User) -> None:
        row = user.snapshot()
        statement, versioned = save_statement(row, self._policy)
        try:
            async with self._session() as session:
                result = await session.execute(statement)
        except IntegrityError as error:
            translated = domain_error(error, row)
            if translated is not None:
                raise translated from error
            raise
        if versioned and getattr(result, "rowcount", 0) == 0:
            raise ConcurrentUpdate(row.id, row.version)
        user.version = row.version + 1

    async def find_by_id(self, user_id: str) -> User | None:
        async with self._session() as session:
            found = await session.get(UserRow, user_id)
            snapshot = None if found is None else found.snapshot()
        return None if snapshot is None else User.from_snapshot(snapshot)

    async def find_by_email(self, email: str) -> User | None:
        query = select(UserRow).where(UserRow.email == email).order_by(UserRow.id).limit(1)
        async with self._session() as session:
            found = (await session.scalars(query)).first()
            snapshot = None if found is None else found.snapshot()
        return None if snapshot is None else User.from_snapshot(snapshot)

    async def list_active(self) -> list[User]:
        query = select(UserRow).where(UserRow.is_active).order_by(UserRow.id)
        async with self._session() as session:
            snapshots = [row.snapshot() for row in await session.scalars(query)]
        return [User.from_snapshot(s) for s in snapshots]

    async def delete(self, user_id: str) -> bool:
        async with self._session() as session:
            result = await session.execute(delete(UserRow).where(UserRow.id == user_id))
        return bool(getattr(result, "rowcount", 0) > 0)

    async def count_with_email(self, email: str) -> int:
        query = select(func.count()).select_from(UserRow).where(UserRow.email == email)
        async with self._session() as session:
            count = await session.scalar(query)
        return int(count or 0)

    async def close(self) -> None:
        await self._engine.dispose()
        logger.debug("disposed the SQLAlchemy async engine")
