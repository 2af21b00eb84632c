"""SQLAlchemy 2.0 repository: ORM Sessions on an Engine over psycopg 3, the same table.

The async twin maps the same `UserRow` class, so both stacks query one table
definition. The DDL itself comes from core.pg_sql, as for every PostgreSQL adapter.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import time
from collections.abc import Iterator
from typing import Any

from psycopg import errors as pg_errors
from sqlalchemy import Connection, create_engine, delete, func, select, text
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column

from core import pg_sql
from core.errors import EmailAlreadyInUse
from core.model import User, UserSnapshot
from core.policy import Policy
from core.pool_timing import PoolTimings
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

    def snapshot(self) -> UserSnapshot:
        return UserSnapshot(self.id, self.email, self.name, self.is_active)


def sqlalchemy_url(dsn: str, *, driver: str = "psycopg") -> str:
    """Turn a libpq URL (postgresql://...) into SQLAlchemy's postgresql+psycopg://... form."""
    scheme, separator, rest = dsn.partition("://")
    if not separator or scheme not in ("postgresql", "postgres"):
        raise ValueError(f"invalid DSN scheme {scheme!r}: expected a postgresql:// URL")
    return f"postgresql+{driver}://{rest}"


def upsert_statement(row: UserSnapshot) -> Any:
    values = {"id": row.id, "email": row.email, "name": row.name, "is_active": row.is_active}
    statement = insert(UserRow).values(**values)
    return statement.on_conflict_do_update(
        index_elements=[UserRow.id],
        set_={"email": row.email, "name": row.name, "is_active": row.is_active},
    )


def is_email_violation(error: IntegrityError) -> bool:
    original = error.orig
    return isinstance(original, pg_errors.UniqueViolation) and pg_sql.is_email_unique_violation(
        original.diag.constraint_name
    )


class SQLAlchemyUserRepository(UserRepository):
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
        self._timings = timings
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
        # The connection a connection_scope() block holds, per thread.
        self._scoped_connection: contextvars.ContextVar[Connection | None]
        self._scoped_connection = contextvars.ContextVar("scoped_connection", default=None)

    @contextlib.contextmanager
    def connection_scope(self) -> Iterator[None]:
        """Hold one pooled connection for every call made inside the block."""
        if self._scoped_connection.get() is not None:
            yield
            return
        with self._checkout() as connection:
            token = self._scoped_connection.set(connection)
            try:
                yield
            finally:
                self._scoped_connection.reset(token)

    @contextlib.contextmanager
    def _checkout(self) -> Iterator[Connection]:
        started = time.perf_counter()
        with self._engine.connect() as connection:
            acquired = time.perf_counter()
            try:
                yield connection
            finally:
                if self._timings is not None:
                    self._timings.record(acquired - started, time.perf_counter() - acquired)

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
        try:
            with self._session() as session:
                session.execute(upsert_statement(row))
        except IntegrityError as error:
            if is_email_violation(error):
                raise EmailAlreadyInUse(row.email) from error
            raise

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
