"""Transactional outbox for the sqlite3 repository, and the relay that delivers from it.

OutboxSQLiteUserRepository stores the user's pending events in the outbox table
in the same transaction as the user row. OutboxRelay is the matching publisher:
its publish() only wakes a relay thread, because the save already stored the
events, and the thread delivers every stored event to its handlers after the
request has returned, then deletes it. close() delivers every stored event
before it returns, including events left by an earlier process.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections import defaultdict
from pathlib import Path

from core import outbox, sql
from core.errors import ConcurrentUpdate, EmailAlreadyInUse, HandlerFailure
from core.events import DomainEvent
from core.model import User
from core.policy import Policy
from sync_variant.ports import EventPublisher, Handler
from sync_variant.publishers import run_handlers
from sync_variant.sqlite import SQLiteUserRepository

logger = logging.getLogger(__name__)

# publish() wakes the relay at once; the poll only picks up events another process stored.
POLL_INTERVAL_S = 1.0
CLOSE_TIMEOUT_S = 30.0  # events not relayed by then stay stored for the next relay


class OutboxSQLiteUserRepository(SQLiteUserRepository):
    """sqlite3 repository that saves the user row and its pending events in one transaction."""

    def __init__(self, path: Path, policy: Policy, pool_size: int = 1) -> None:
        super().__init__(path, policy, pool_size=pool_size)
        with self._connection() as connection:
            for statement in outbox.SCHEMA:
                connection.execute(statement)

    def save(self, user: User) -> None:
        row = user.snapshot()
        statement, params = sql.save_statement(row, self._policy)
        events = [outbox.encode(event) for event in user.pending_events()]
        with self._connection() as connection:
            try:
                connection.execute("BEGIN IMMEDIATE")
                cursor = connection.execute(statement, params)
                if statement is sql.UPDATE_AT_VERSION and cursor.rowcount == 0:
                    raise ConcurrentUpdate(row.id, row.version)
                connection.executemany(outbox.INSERT, events)
                connection.execute("COMMIT")
            except BaseException as error:
                if connection.in_transaction:
                    connection.execute("ROLLBACK")
                if isinstance(error, sqlite3.IntegrityError):
                    if sql.is_email_unique_violation(str(error)):
                        raise EmailAlreadyInUse(row.email) from error
                    if sql.is_id_unique_violation(str(error)):
                        raise ConcurrentUpdate(row.id, row.version) from error
                raise
        user.version = row.version + 1

    def count_outbox(self) -> int:
        """Count the events stored and not yet delivered."""
        with self._connection() as connection:
            (count,) = connection.execute(outbox.COUNT).fetchone()
        return int(count)


class OutboxRelay(EventPublisher):
    """Delivers the events stored in the outbox from one thread, one event at a time.

    Each event's handlers run one after another; every handler runs even when an
    earlier one raised. as-written swallows handler failures; corrected logs each
    one with the event and handler named. A stored event whose type this version
    does not know is logged and left in the table. close() relays what is stored
    and returns; when that takes longer than close_timeout_s, it logs an error and
    leaves the rest stored for the next relay.
    """

    def __init__(
        self,
        path: Path,
        policy: Policy,
        poll_interval_s: float = POLL_INTERVAL_S,
        close_timeout_s: float = CLOSE_TIMEOUT_S,
    ) -> None:
        self._policy = policy
        self._poll_interval_s = poll_interval_s
        self._close_timeout_s = close_timeout_s
        self._handlers: defaultdict[type[DomainEvent], list[Handler]] = defaultdict(list)
        self._connection = sqlite3.connect(
            path,
            timeout=sql.BUSY_TIMEOUT_S,
            isolation_level=None,  # autocommit: each delete is its own transaction
            check_same_thread=False,  # opened here, used only by the relay thread after this
        )
        for statement in (*sql.PRAGMAS, *outbox.SCHEMA):
            self._connection.execute(statement)
        self._wake = threading.Event()
        self._stopping = False
        self._closed = False
        self.failures: list[HandlerFailure] = []  # every handler failure the relay caught
        self._thread = threading.Thread(target=self._run, name="outbox-relay", daemon=True)
        self._thread.start()

    def subscribe(self, event_type: type[DomainEvent], handler: Handler) -> None:
        self._handlers[event_type].append(handler)

    def publish(self, events: list[DomainEvent]) -> None:
        if self._closed:
            raise RuntimeError("publish on a closed OutboxRelay: build a new service to publish")
        self._wake.set()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._stopping = True
        self._wake.set()
        self._thread.join(self._close_timeout_s)
        if self._thread.is_alive():
            # The relay thread still uses the connection, so it stays open.
            logger.error(
                "outbox relay timed out after %.1f s: a handler is still running; "
                "the events not yet relayed stay stored for the next relay",
                self._close_timeout_s,
            )
            return
        self._connection.close()
        logger.debug("outbox relay stopped with its outbox drained")

    def _run(self) -> None:
        while True:
            self._wake.wait(self._poll_interval_s)
            self._wake.clear()
            # Read the flag before draining: every event stored before close() was
            # called is then committed before this drain reads the table.
            stopping = self._stopping
            try:
                self._relay_stored_events()
            except sqlite3.Error:
                logger.exception("outbox relay failed to read or delete stored events")
                if stopping:
                    return
                continue
            if stopping:
                return

    def _relay_stored_events(self) -> None:
        last_id = 0
        while True:
            rows = self._connection.execute(
                outbox.SELECT_AFTER, (last_id, outbox.BATCH_SIZE)
            ).fetchall()
            if not rows:
                return
            for row_id, event_type, payload in rows:
                last_id = row_id
                try:
                    event = outbox.decode(event_type, payload)
                except ValueError:
                    logger.exception("outbox row %d left undelivered", row_id)
                    continue
                self._deliver(event)
                self._connection.execute(outbox.DELETE, (row_id,))

    def _deliver(self, event: DomainEvent) -> None:
        self.failures.extend(run_handlers(self._handlers.get(type(event), []), event, self._policy))
