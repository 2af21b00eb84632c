"""The transactional outbox on SQLite, in both stacks, wired through the composition roots."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import threading
from collections import Counter
from pathlib import Path

import pytest

from async_variant.bootstrap import build_service as build_async_service
from async_variant.outbox import OutboxRelay
from async_variant.ports import Handler as AsyncHandler
from core import outbox
from core.commands import RegisterUser
from core.errors import EmailAlreadyInUse
from core.events import DomainEvent, UserActivated, UserRegistered
from core.policy import Backend, Policy, PublishStrategy
from sync_variant.bootstrap import build_service as build_sync_service
from sync_variant.outbox import OutboxRelay as SyncOutboxRelay
from sync_variant.ports import Handler as SyncHandler

COMMANDS = [RegisterUser(f"u{i}", f"user{i}@example.com", f"User {i}") for i in range(20)]


class MailServerDown(ConnectionError):
    pass


def _stored_rows(database: Path) -> int:
    with sqlite3.connect(database) as connection:
        (count,) = connection.execute(outbox.COUNT).fetchone()
    return int(count)


def _store_event_directly(database: Path, event_type: str, payload: str) -> None:
    """Leave a row behind, as a process that crashed before its relay ran would."""
    connection = sqlite3.connect(database)
    try:
        for statement in outbox.SCHEMA:
            connection.execute(statement)
        connection.execute(outbox.INSERT, (event_type, payload))
        connection.commit()
    finally:
        connection.close()


def _sync_handlers(
    deliveries: Counter[tuple[int, str]], failing: int | None
) -> list[tuple[type[DomainEvent], SyncHandler]]:
    lock = threading.Lock()

    def make(number: int) -> SyncHandler:
        def handle(event: DomainEvent) -> None:
            with lock:
                deliveries[(number, event.user_id)] += 1
            if number == failing:
                raise MailServerDown("smtp refused")

        handle.__qualname__ = f"handler_{number}"
        return handle

    return [(UserRegistered, make(i)) for i in range(3)]


def _async_handlers(
    deliveries: Counter[tuple[int, str]], failing: int | None
) -> list[tuple[type[DomainEvent], AsyncHandler]]:
    def make(number: int) -> AsyncHandler:
        async def handle(event: DomainEvent) -> None:
            await asyncio.sleep(0)
            deliveries[(number, event.user_id)] += 1
            if number == failing:
                raise MailServerDown("smtp refused")

        handle.__qualname__ = f"handler_{number}"
        return handle

    return [(UserRegistered, make(i)) for i in range(3)]


def _expected(user_ids: list[str]) -> Counter[tuple[int, str]]:
    return Counter({(i, user_id): 1 for i in range(3) for user_id in user_ids})


def test_encode_decode_round_trip() -> None:
    event = UserActivated("u1", "ada@example.com")
    assert outbox.decode(*outbox.encode(event)) == event


def test_decode_rejects_unknown_type() -> None:
    with pytest.raises(ValueError, match="'UserExploded'"):
        outbox.decode("UserExploded", "{}")


@pytest.mark.parametrize("policy", list(Policy))
@pytest.mark.parametrize("failing", [None, 1])
def test_sync_outbox_delivers_exactly_once(
    tmp_path: Path, policy: Policy, failing: int | None
) -> None:
    deliveries: Counter[tuple[int, str]] = Counter()
    database = tmp_path / "users.db"
    service = build_sync_service(
        Backend.SQLITE,
        policy,
        sqlite_path=database,
        handlers=_sync_handlers(deliveries, failing),
        publishing=PublishStrategy.OUTBOX,
    )
    for command in COMMANDS:
        service.register_user(command)  # the relay reports failures in its log, not here
    service.close()
    assert deliveries == _expected([c.user_id for c in COMMANDS])
    assert _stored_rows(database) == 0


def test_sync_outbox_skips_rejected_save(tmp_path: Path) -> None:
    deliveries: Counter[tuple[int, str]] = Counter()
    database = tmp_path / "users.db"
    service = build_sync_service(
        Backend.SQLITE,
        Policy.CORRECTED,
        sqlite_path=database,
        handlers=_sync_handlers(deliveries, None),
        publishing=PublishStrategy.OUTBOX,
    )
    service.register_user(COMMANDS[0])
    with pytest.raises(EmailAlreadyInUse):
        # The check passes (another id), then the UNIQUE constraint rejects the save.
        service.register_user(RegisterUser("other", "user0@example.com", "Other"))
    service.close()
    assert deliveries == _expected(["u0"])


def test_sync_outbox_delivers_rows_left_behind(tmp_path: Path) -> None:
    deliveries: Counter[tuple[int, str]] = Counter()
    database = tmp_path / "users.db"
    _store_event_directly(database, *outbox.encode(UserRegistered("ghost", "g@example.com", "G")))
    service = build_sync_service(
        Backend.SQLITE,
        Policy.CORRECTED,
        sqlite_path=database,
        handlers=_sync_handlers(deliveries, None),
        publishing=PublishStrategy.OUTBOX,
    )
    service.close()
    assert deliveries == _expected(["ghost"])


def test_sync_outbox_logs_failure(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    deliveries: Counter[tuple[int, str]] = Counter()
    service = build_sync_service(
        Backend.SQLITE,
        Policy.CORRECTED,
        sqlite_path=tmp_path / "users.db",
        handlers=_sync_handlers(deliveries, 2),
        publishing=PublishStrategy.OUTBOX,
    )
    with caplog.at_level(logging.ERROR):
        service.register_user(COMMANDS[0])
        service.close()
    assert "handler_2 failed on UserRegistered" in caplog.text


def test_sync_outbox_leaves_unknown_rows(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    database = tmp_path / "users.db"
    _store_event_directly(database, "UserExploded", "{}")
    service = build_sync_service(
        Backend.SQLITE, Policy.CORRECTED, sqlite_path=database, publishing=PublishStrategy.OUTBOX
    )
    with caplog.at_level(logging.ERROR):
        service.close()
    assert "left undelivered" in caplog.text
    assert _stored_rows(database) == 1


def test_sync_outbox_needs_sqlite() -> None:
    with pytest.raises(ValueError, match="needs the sqlite backend, not 'memory'"):
        build_sync_service(Backend.MEMORY, Policy.CORRECTED, publishing=PublishStrategy.OUTBOX)


@pytest.mark.asyncio
@pytest.mark.parametrize("policy", list(Policy))
@pytest.mark.parametrize("failing", [None, 1])
async def test_async_outbox_delivers_exactly_once(
    tmp_path: Path, policy: Policy, failing: int | None
) -> None:
    deliveries: Counter[tuple[int, str]] = Counter()
    database = tmp_path / "users.db"
    service = await build_async_service(
        Backend.SQLITE,
        policy,
        sqlite_path=database,
        handlers=_async_handlers(deliveries, failing),
        publishing=PublishStrategy.OUTBOX,
    )
    await asyncio.gather(*(service.register_user(command) for command in COMMANDS))
    await service.close()
    assert deliveries == _expected([c.user_id for c in COMMANDS])
    assert _stored_rows(database) == 0


@pytest.mark.asyncio
async def test_async_outbox_skips_rejected_save(tmp_path: Path) -> None:
    deliveries: Counter[tuple[int, str]] = Counter()
    service = await build_async_service(
        Backend.SQLITE,
        Policy.CORRECTED,
        sqlite_path=tmp_path / "users.db",
        handlers=_async_handlers(deliveries, None),
        publishing=PublishStrategy.OUTBOX,
    )
    await service.register_user(COMMANDS[0])
    with pytest.raises(EmailAlreadyInUse):
        await service.register_user(RegisterUser("other", "user0@example.com", "Other"))
    await service.close()
    assert deliveries == _expected(["u0"])


@pytest.mark.asyncio
async def test_async_outbox_delivers_rows_left_behind(tmp_path: Path) -> None:
    deliveries: Counter[tuple[int, str]] = Counter()
    database = tmp_path / "users.db"
    _store_event_directly(database, *outbox.encode(UserRegistered("ghost", "g@example.com", "G")))
    service = await build_async_service(
        Backend.SQLITE,
        Policy.CORRECTED,
        sqlite_path=database,
        handlers=_async_handlers(deliveries, None),
        publishing=PublishStrategy.OUTBOX,
    )
    await asyncio.sleep(0)  # let the relay task start, as a running service would
    await service.close()
    assert deliveries == _expected(["ghost"])


@pytest.mark.asyncio
async def test_async_outbox_logs_failure(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    deliveries: Counter[tuple[int, str]] = Counter()
    service = await build_async_service(
        Backend.SQLITE,
        Policy.CORRECTED,
        sqlite_path=tmp_path / "users.db",
        handlers=_async_handlers(deliveries, 0),
        publishing=PublishStrategy.OUTBOX,
    )
    with caplog.at_level(logging.ERROR):
        await service.register_user(COMMANDS[0])
        await service.close()
    assert "handler_0 failed on UserRegistered" in caplog.text


@pytest.mark.asyncio
async def test_async_outbox_needs_sqlite() -> None:
    with pytest.raises(ValueError, match="needs the sqlite backend, not 'memory'"):
        await build_async_service(
            Backend.MEMORY, Policy.CORRECTED, publishing=PublishStrategy.OUTBOX
        )


@pytest.mark.asyncio
async def test_async_relay_reports_open_failure(tmp_path: Path) -> None:
    relay = OutboxRelay(tmp_path / "missing" / "users.db", Policy.CORRECTED)
    with pytest.raises(sqlite3.OperationalError, match="unable to open"):
        await relay.wait_ready()
    # NOTE: after a failed connect, aiosqlite 0.22.1 stops its worker thread, which then
    # posts its result to this loop. Wait for that thread, or it finds the loop closed.
    for _ in range(500):
        if not any("_connection_worker_thread" in t.name for t in threading.enumerate()):
            break
        await asyncio.sleep(0.01)


def test_sync_relay_close_times_out(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    database = tmp_path / "users.db"
    for user_id in ("u0", "u1"):
        event = UserRegistered(user_id, f"{user_id}@example.com", user_id)
        _store_event_directly(database, *outbox.encode(event))
    started, gate = threading.Event(), threading.Event()

    def stuck(event: DomainEvent) -> None:
        started.set()
        gate.wait(timeout=10)

    relay = SyncOutboxRelay(database, Policy.CORRECTED, close_timeout_s=0.1)
    relay.subscribe(UserRegistered, stuck)
    relay.publish([])
    assert started.wait(timeout=10)
    try:
        with caplog.at_level(logging.ERROR):
            relay.close()  # returns although the handler is still running
        assert "timed out after 0.1 s" in caplog.text
        assert _stored_rows(database) == 2  # no row is deleted before its delivery
    finally:
        gate.set()


@pytest.mark.asyncio
async def test_async_relay_close_times_out(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    database = tmp_path / "users.db"
    for user_id in ("u0", "u1"):
        event = UserRegistered(user_id, f"{user_id}@example.com", user_id)
        _store_event_directly(database, *outbox.encode(event))
    started = asyncio.Event()

    async def stuck(event: DomainEvent) -> None:
        started.set()
        await asyncio.Event().wait()  # never set: only cancellation ends it

    relay = OutboxRelay(database, Policy.CORRECTED, close_timeout_s=0.1)
    relay.subscribe(UserRegistered, stuck)
    await relay.publish([])
    await asyncio.wait_for(started.wait(), timeout=10)
    with caplog.at_level(logging.ERROR):
        await asyncio.wait_for(relay.close(), timeout=10)
    assert "timed out after 0.1 s" in caplog.text
    assert _stored_rows(database) == 2  # the cancelled event stays stored for the next relay
