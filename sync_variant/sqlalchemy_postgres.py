"""SQLAlchemy 2.0 repository: ORM Sessions on an Engine over psycopg 3, the same table.

The async twin maps the same `UserRow` class, so both stacks query one table
definition. The DDL itself comes from core.pg_sql, as for every PostgreSQL adapter.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Any

from psycopg import errors as pg_errors
from sqlalchemy import Connection, create_engine, delete, func, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from core import pg_sql
from core.errors import ConcurrentUpdate, DomainError, EmailAlreadyInUse
from core.model import User, UserSnapshot
from core.policy import Policy
from core.pool_timing import PoolTimings
from sync_variant.pooling import PooledConnections
from sync_variant.ports import UserRepository

logger = logging.getLogger(__name__)


class Base(DeclarativeBase):
    pass


class UserRow(Base):
    __tablename__ = "users"
    __table_args__ = {"schema": pg_sql.SCHEMA_NAME}  # noqa: RUF012 - SQLAlchemy's own form

    id: Mapped[str] = mapped_column(primary_key=True)
    email: Mapped[str]
    name: Mapped[str]
    is_active: Mapped[bool]
    version: Mapped[int]

    def snapshot(self) -> UserSnapshot:
        return UserSnapshot(self.id, self.email, self.name, self.is_active, self.version)


def sqlalchemy_url(dsn: str, *, driver: str = "psycopg") -> str:
    """Turn a libpq URL (postgresql://...) into SQLAlchemy's postgresql+psycopg://... form."""
    scheme, separator, rest = dsn.partition("://")
    if not separator or scheme not in ("postgresql", "postgres"):
        raise ValueError(f"invalid DSN scheme {scheme!r}: expected a postgresql:// URL")
    return f"postgresql+{driver}://{rest}"


def save_statement(row: UserSnapshot, policy: Policy) -> tuple[Any, bool]:
    """Return the statement that saves `row` and whether it is an update at row.version.

    The same rules as core.pg_sql.save_statement: as-written upserts blindly, and
    corrected inserts new users and updates others only at the version they were loaded at.
    """
    values = {"email": row.email, "name": row.name, "is_active": row.is_active}
    if policy is Policy.AS_WRITTEN:
        upsert = insert(UserRow).values(id=row.id, version=row.version + 1, **values)
        statement = upsert.on_conflict_do_update(
            index_elements=[UserRow.id], set_={**values, "version": row.version + 1}
        )
        return statement, False
    if row.version == 0:
        return insert(UserRow).values(id=row.id, version=1, **values), False
    at_version = (
        update(UserRow)
        .where(UserRow.id == row.id, UserRow.version == row.version)
        .values(version=UserRow.version + 1, **values)
    )
    return at_version, True


def domain_error(error: IntegrityError, row: UserSnapshot) -> DomainError | None:
    """Return the domain error a unique violation stands for, or None for any other error."""
    original = error.orig
    if not isinstance(original, pg_errors.UniqueViolation):
        return None
    if pg_sql.is_email_unique_violation(original.diag.constraint_name):
        return EmailAlreadyInUse(row.email)
    if pg_sql.is_id_unique_violation(original.diag.constraint_name):
        return ConcurrentUpdate(row.id, row.version)
    return None


class SQLAlchemyUserRepository(PooledConnections[Connection], UserRepository):
    """Each call checks a connection out of the Engine's pool and runs one Session transaction.

    A saturated pool raises sqlalchemy.exc.TimeoutError after `pool_timeout_s`.
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
        self._engine = create_engine(
            sqlalchemy_url(dsn),
            pool_size=pool_size,
            max_overflow=0,  # a fixed pool, as the other adapters have
            pool_timeout=pool_timeout_s,
        )
        # Open every pooled connection now, so none opens while a benchmark is timing.
        opened = [self._engine.connect() for _ in range(pool_size)]
        with opened[0].begin():
            if reset:
                opened[0].execute(text(pg_sql.DROP_TABLE))
            for statement in pg_sql.SCHEMA[policy]:
                opened[0].execute(text(statement))
        for connection in opened:
            connection.close()

    def _acquire(self) -> AbstractContextManager[Connection]:
        return self._engine.connect()

    @contextlib.contextmanager
    def _session(self) -> Iterator[Session]:
        """Yield a Session whose transaction commits when the block ends."""
        scoped = self._scoped_connection.get()
        with contextlib.ExitStack() as stack:
            connection = scoped if scoped is not None else stack.enter_context(self._checkout())
            session = stack.enter_context(Session(bind=connection))
            stack.enter_context(session.begin())
            yield session

    def save(self, user: User) -> None:
        row = user.snapshot()
        statement, versioned = save_statement(row, self._policy)
        try:
            with self._session() as session:
                result = session.execute(statement)
        except IntegrityError as error:
            translated = domain_error(error, row)
            if translated is not None:
                raise translated from error
            raise
        if versioned and getattr(result, "rowcount", 0) == 0:
            raise ConcurrentUpdate(row.id, row.version)
        user.version = row.version + 1

    def find_by_id(self, user_id: str) -> User | None:
        with self._session() as session:
            found = session.get(UserRow, user_id)
            snapshot = None if found is None else found.snapshot()
        return None if snapshot is None else User.from_snapshot(snapshot)

    def find_by_email(self, email: str) -> User | None:
        query = select(UserRow).where(UserRow.email == email).order_by(UserRow.id).limit(1)
        with self._session() as session:
            found = session.scalars(query).first()
            snapshot = None if found is None else found.snapshot()
        return None if snapshot is None else User.from_snapshot(snapshot)

    def list_active(self) -> list[User]:
        query = select(UserRow).where(UserRow.is_active).order_by(UserRow.id)
        with self._session() as session:
            snapshots = [row.snapshot() for row in session.scalars(query)]
        return [User.from_snapshot(s) for s in snapshots]

    def delete(self, user_id: str) -> bool:
        with self._session() as session:
            result = session.execute(delete(UserRow).where(UserRow.id == user_id))
        return bool(getattr(result, "rowcount", 0) > 0)

    def count_with_email(self, email: str) -> int:
        query = select(func.count()).select_from(UserRow).where(UserRow.email == email)
        with self._session() as session:
            count = session.scalar(query)
        return int(count or 0)

    def close(self) -> None:
        self._engine.dispose()
        logger.debug("disposed the SQLAlchemy engine")
