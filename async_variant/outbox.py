"""Transactional outbox for the aiosqlite repository, and the relay that delivers from it.

The async twin of sync_variant/outbox.py. OutboxSQLiteUserRepository stores the
user's pending events in the outbox table in the same transaction as the user
row. OutboxRelay's publish() only wakes a relay task, which delivers every
stored event to its handlers after the request has returned, then deletes it.
close() delivers every stored event before it returns.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections import defaultdict
from pathlib import Path

import aiosqlite

from async_variant.ports import EventPublisher, Handler
from async_variant.publishers import gather_handlers
from async_variant.sqlite import SQLiteUserRepository
from core import outbox, sql
from core.errors import ConcurrentUpdate, EmailAlreadyInUse, HandlerFailure
from core.events import DomainEvent
from core.model import User
from core.policy import Policy

logger = logging.getLogger(__name__)

# publish() wakes the relay at once; the poll only picks up events another process stored.
POLL_INTERVAL_S = 1.0
CLOSE_TIMEOUT_S = 30.0  # events not relayed by then stay stored for the next relay


class OutboxSQLiteUserRepository(SQLiteUserRepository):
    """aiosqlite repository that saves the user row and its pending events in one transaction.

    Every task shares one connection, so writes take a lock: without it another
    task's statement would run inside this transaction and roll back with it.
    Open it with `await OutboxSQLiteUserRepository.open_with_outbox(path, policy)`.
    """

    def __init__(self, connection: aiosqlite.Connection, path: Path, policy: Policy) -> None:
        super().__init__(connection, path, policy)
        self._writing = asyncio.Lock()

    @classmethod
    async def open_with_outbox(cls, path: Path, policy: Policy) -> OutboxSQLiteUserRepository:
        repository = await cls.open(path, policy)
        assert isinstance(repository, cls)  # open() builds an instance of the class it is called on
        for statement in outbox.SCHEMA:
            await repository._connection.execute(statement)
        return repository

    async def save(self, user: User) -> None:
        row = user.snapshot()
        statement, params = sql.save_statement(row, self._policy)
        events = [outbox.encode(event) for event in user.pending_events()]
        connection = self._connection
        async with self._writing:
            try:
                await connection.execute("BEGIN IMMEDIATE")
                async with connection.execute(statement, params) as cursor:
                    affected = cursor.rowcount
                if statement is sql.UPDATE_AT_VERSION and affected == 0:
                    raise ConcurrentUpdate(row.id, row.version)
                await connection.executemany(outbox.INSERT, events)
                await connection.execute("COMMIT")
            except BaseException as error:
                if connection.in_transaction:
                    await connection.execute("ROLLBACK")
                if isinstance(error, sqlite3.IntegrityError):
                    if sql.is_email_unique_violation(str(error)):
                        raise EmailAlreadyInUse(row.email) from error
                    if sql.is_id_unique_violation(str(error)):
                        raise ConcurrentUpdate(row.id, row.version) from error
                raise
        user.version = row.version + 1

    async def delete(self, user_id: str) -> bool:
        async with self._writing:
            return await super().delete(user_id)

    async def count_outbox(self) -> int:
        """Count the events stored and not yet delivered."""
        async with self._connection.execute(outbox.COUNT) as cursor:
            found = await cursor.fetchone()
        assert found is not None  # count(*) always returns one row
        return int(found[0])


class OutboxRelay(EventPublisher):
    """Delivers the events stored in the outbox from one task, one event at a time.

    Each event's handlers are gathered; every handler runs even when another one
    raised. as-written swallows handler failures; corrected logs each one with the
    event and handler named. The relay task starts with start(), or with the
    first publish(), inside the running event loop, and opens its own connection.
    close() relays what is stored and returns; when that takes longer than
    close_timeout_s, it cancels the relay, logs an error and leaves the rest
    stored for the next relay.
    """

    def __init__(
        self,
        path: Path,
        policy: Policy,
        poll_interval_s: float = POLL_INTERVAL_S,
        close_timeout_s: float = CLOSE_TIMEOUT_S,
    ) -> None:
        self._path = path
        self._policy = policy
        self._poll_interval_s = poll_interval_s
        self._close_timeout_s = close_timeout_s
        self._handlers: defaultdict[type[DomainEvent], list[Handler]] = defaultdict(list)
        self._wake = asyncio.Event()
        self._stopping = False
        self._closed = False
        self._task: asyncio.Task[None] | None = None
        self._ready = asyncio.Event()
        self.failures: list[HandlerFailure] = []  # every handler failure the relay caught

    def subscribe(self, event_type: type[DomainEvent], handler: Handler) -> None:
        self._handlers[event_type].append(handler)

    def start(self) -> None:
        """Start the relay task in the running event loop; a second call does nothing."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="outbox-relay")

    async def wait_ready(self) -> None:
        """Start the relay and wait until its connection is open; raise what stopped it."""
        self.start()
        assert self._task is not None  # start() created it
        ready = asyncio.ensure_future(self._ready.wait())
        await asyncio.wait({ready, self._task}, return_when=asyncio.FIRST_COMPLETED)
        if not ready.done():
            ready.cancel()
            self._task.result()  # the relay stopped before it was ready: raise its error

    async def publish(self, events: list[DomainEvent]) -> None:
        if self._closed:
            raise RuntimeError("publish on a closed OutboxRelay: build a new service to publish")
        self.start()
        self._wake.set()

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._task is None:
            return
        self._stopping = True
        self._wake.set()
        try:
            await asyncio.wait_for(self._task, self._close_timeout_s)
        except TimeoutError:
            logger.error(
                "outbox relay timed out after %.1f s: cancelled a running handler; "
                "the events not yet relayed stay stored for the next relay",
                self._close_timeout_s,
            )
            return
        logger.debug("outbox relay stopped with its outbox drained")

    async def _run(self) -> None:
        connection = await aiosqlite.connect(
            self._path, timeout=sql.BUSY_TIMEOUT_S, isolation_level=None
        )
        try:
            for statement in (*sql.PRAGMAS, *outbox.SCHEMA):
                await connection.execute(statement)
            self._ready.set()
            while True:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self._poll_interval_s)
                self._wake.clear()
                # Read the flag before draining: every event stored before close() was
                # called is then committed before this drain reads the table.
                stopping = self._stopping
                try:
                    await self._relay_stored_events(connection)
                except sqlite3.Error:
                    logger.exception("outbox relay failed to read or delete stored events")
                if stopping:
                    return
        finally:
            await connection.close()

    async def _relay_stored_events(self, connection: aiosqlite.Connection) -> None:
        last_id = 0
        while True:
            async with connection.execute(
                outbox.SELECT_AFTER, (last_id, outbox.BATCH_SIZE)
            ) as cursor:
                rows = list(await cursor.fetchall())
            if not rows:
                return
            for row_id, event_type, payload in rows:
                last_id = row_id
                try:
                    event = outbox.decode(event_type, payload)
                except ValueError:
                    logger.exception("outbox row %d left undelivered", row_id)
                    continue
                await self._deliver(event)
                await connection.execute(outbox.DELETE, (row_id,))

    async def _deliver(self, event: DomainEvent) -> None:
        handlers = self._handlers.get(type(event), [])
        self.failures.extend(await gather_handlers(handlers, event, self._policy))
