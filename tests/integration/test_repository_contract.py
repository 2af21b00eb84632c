"""One contract suite, run against every repository adapter of both stacks.

Async adapters are driven through a small wrapper that runs each call to
completion on a real event loop (asyncio or uvloop), so the same test functions
check both stacks and the twins cannot drift apart unnoticed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import uvloop

from async_variant.asyncpg_postgres import AsyncpgUserRepository
from async_variant.memory import MemoryUserRepository as AsyncMemory
from async_variant.postgres import PostgresUserRepository as AsyncPostgres
from async_variant.sqlalchemy_postgres import SQLAlchemyUserRepository as AsyncSQLAlchemy
from async_variant.sqlite import SQLiteUserRepository as AsyncSQLite
from core.errors import ConcurrentUpdate, EmailAlreadyInUse
from core.latency import LatencyModel
from core.model import User
from core.policy import Policy
from sync_variant.memory import MemoryUserRepository as SyncMemory
from sync_variant.postgres import PostgresUserRepository as SyncPostgres
from sync_variant.sqlalchemy_postgres import SQLAlchemyUserRepository as SyncSQLAlchemy
from sync_variant.sqlite import SQLiteUserRepository as SyncSQLite


class AsyncDriver:
    """Expose an async repository's methods as blocking calls on one event loop."""

    def __init__(self, repository: Any, loop: asyncio.AbstractEventLoop) -> None:
        self._repository = repository
        self._loop = loop

    def __getattr__(self, name: str) -> Callable[..., Any]:
        method = getattr(self._repository, name)
        return lambda *args: self._loop.run_until_complete(method(*args))


def _open(
    kind: str, policy: Policy, tmp_path: Path, pg_dsn: str | None
) -> tuple[Any, Callable[[], None]]:
    database = tmp_path / "contract.db"
    no_latency = LatencyModel(0.0)
    if kind == "sync-memory":
        return SyncMemory(policy, no_latency), lambda: None
    if kind == "sync-sqlite":
        repository = SyncSQLite(database, policy, pool_size=2)
        return repository, repository.close
    if kind == "sync-postgres":
        assert pg_dsn is not None
        pg_repository = SyncPostgres(pg_dsn, policy, pool_size=2, reset=True)
        return pg_repository, pg_repository.close
    if kind == "sync-sqlalchemy":
        assert pg_dsn is not None
        orm_repository = SyncSQLAlchemy(pg_dsn, policy, pool_size=2, reset=True)
        return orm_repository, orm_repository.close
    loop_name, backend = kind.split("-")[1:]
    loop = uvloop.new_event_loop() if loop_name == "uvloop" else asyncio.new_event_loop()
    if backend == "memory":
        driver = AsyncDriver(loop.run_until_complete(_build_async_memory(policy)), loop)
    elif backend == "postgres":
        opened = AsyncPostgres.open(pg_dsn, policy, pool_size=2, reset=True)
        driver = AsyncDriver(loop.run_until_complete(opened), loop)
    elif backend == "asyncpg":
        opened = AsyncpgUserRepository.open(pg_dsn, policy, pool_size=2, reset=True)
        driver = AsyncDriver(loop.run_until_complete(opened), loop)
    elif backend == "sqlalchemy":
        orm_opened = AsyncSQLAlchemy.open(pg_dsn, policy, pool_size=2, reset=True)
        driver = AsyncDriver(loop.run_until_complete(orm_opened), loop)
    else:
        driver = AsyncDriver(loop.run_until_complete(AsyncSQLite.open(database, policy)), loop)

    def close() -> None:
        driver.close()
        loop.close()

    return driver, close


async def _build_async_memory(policy: Policy) -> AsyncMemory:
    return AsyncMemory(policy, LatencyModel(0.0))


KINDS = (
    "sync-memory",
    "sync-sqlite",
    "async-asyncio-memory",
    "async-asyncio-sqlite",
    "async-uvloop-memory",
    "async-uvloop-sqlite",
    "sync-postgres",
    "async-asyncio-postgres",
    "async-uvloop-postgres",
    "async-asyncio-asyncpg",
    "async-uvloop-asyncpg",
    "sync-sqlalchemy",
    "async-asyncio-sqlalchemy",
    "async-uvloop-sqlalchemy",
)


@pytest.fixture(params=[(k, p) for k in KINDS for p in Policy], ids=lambda v: f"{v[0]}-{v[1]}")
def adapter(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Any, Policy]]:
    kind, policy = request.param
    pg_dsn = (
        request.getfixturevalue("pg_dsn")
        if kind.endswith(("postgres", "asyncpg", "sqlalchemy"))
        else None
    )
    repository, close = _open(kind, policy, tmp_path, pg_dsn)
    try:
        yield repository, policy
    finally:
        close()


def user(user_id: str, email: str) -> User:
    return User.register(user_id, email, f"Name {user_id}")


def test_save_then_find_by_id(adapter) -> None:
    repository, _ = adapter
    saved = user("u1", "ada@example.com")
    repository.save(saved)
    found = repository.find_by_id("u1")
    assert found is not None
    assert found.snapshot() == saved.snapshot()


def test_find_missing_returns_none(adapter) -> None:
    repository, _ = adapter
    assert repository.find_by_id("missing") is None
    assert repository.find_by_email("missing@example.com") is None


def test_find_by_email(adapter) -> None:
    repository, _ = adapter
    repository.save(user("u1", "ada@example.com"))
    repository.save(user("u2", "bob@example.com"))
    found = repository.find_by_email("bob@example.com")
    assert found is not None
    assert found.id == "u2"


def test_save_updates_existing(adapter) -> None:
    repository, _ = adapter
    saved = user("u1", "ada@example.com")
    repository.save(saved)
    saved.deactivate()
    repository.save(saved)
    found = repository.find_by_id("u1")
    assert found is not None
    assert not found.is_active


def test_loaded_user_is_a_copy(adapter) -> None:
    repository, _ = adapter
    repository.save(user("u1", "ada@example.com"))
    loaded = repository.find_by_id("u1")
    assert loaded is not None
    loaded.deactivate()
    again = repository.find_by_id("u1")
    assert again is not None
    assert again.is_active


def test_list_active_sorted_without_inactive(adapter) -> None:
    repository, _ = adapter
    for user_id in ("u3", "u1", "u2"):
        repository.save(user(user_id, f"{user_id}@example.com"))
    inactive = user("u0", "u0@example.com")
    inactive.deactivate()
    repository.save(inactive)
    assert [u.id for u in repository.list_active()] == ["u1", "u2", "u3"]


def test_delete(adapter) -> None:
    repository, _ = adapter
    repository.save(user("u1", "ada@example.com"))
    assert repository.delete("u1") is True
    assert repository.delete("u1") is False
    assert repository.find_by_id("u1") is None


def test_taken_email_by_policy(adapter) -> None:
    repository, policy = adapter
    repository.save(user("u1", "ada@example.com"))
    if policy is Policy.CORRECTED:
        with pytest.raises(EmailAlreadyInUse):
            repository.save(user("u2", "ada@example.com"))
        assert repository.count_with_email("ada@example.com") == 1
    else:
        repository.save(user("u2", "ada@example.com"))
        assert repository.count_with_email("ada@example.com") == 2


def test_changed_email_frees_old_one(adapter) -> None:
    repository, _ = adapter
    first = user("u1", "ada@example.com")
    repository.save(first)
    first.change_email("ada@new.org")
    repository.save(first)
    repository.save(user("u2", "ada@example.com"))
    assert repository.count_with_email("ada@example.com") == 1
    assert repository.count_with_email("ada@new.org") == 1
    found = repository.find_by_email("ada@example.com")
    assert found is not None
    assert found.id == "u2"


def test_save_advances_version(adapter) -> None:
    repository, _ = adapter
    saved = user("u1", "ada@example.com")
    repository.save(saved)
    assert saved.version == 1
    saved.deactivate()
    repository.save(saved)
    assert saved.version == 2
    found = repository.find_by_id("u1")
    assert found is not None
    assert found.version == 2


def test_stale_save_by_policy(adapter) -> None:
    repository, policy = adapter
    repository.save(user("u1", "ada@example.com"))
    first = repository.find_by_id("u1")
    second = repository.find_by_id("u1")
    assert first is not None
    assert second is not None
    first.deactivate()
    repository.save(first)
    second.change_email("ada@new.org")
    if policy is Policy.CORRECTED:
        with pytest.raises(ConcurrentUpdate):
            repository.save(second)
        stored = repository.find_by_id("u1")
        assert stored is not None
        assert not stored.is_active
        assert stored.email.value == "ada@example.com"
    else:
        repository.save(second)  # the last writer wins: the deactivation is lost
        stored = repository.find_by_id("u1")
        assert stored is not None
        assert stored.is_active
        assert stored.email.value == "ada@new.org"


def test_second_insert_of_one_id_by_policy(adapter) -> None:
    repository, policy = adapter
    repository.save(user("u1", "ada@example.com"))
    if policy is Policy.CORRECTED:
        with pytest.raises(ConcurrentUpdate):
            repository.save(user("u1", "other@example.com"))
    else:
        repository.save(user("u1", "other@example.com"))
        found = repository.find_by_id("u1")
        assert found is not None
        assert found.email.value == "other@example.com"
