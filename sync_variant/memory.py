"""In-memory repository with simulated I/O latency, in both policies."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator

from core.latency import LatencyModel
from core.model import User
from core.policy import Policy
from core.table import UserTable
from sync_variant.ports import UserRepository


class MemoryUserRepository(UserRepository):
    """Stores snapshots in a UserTable and sleeps the latency model's delay per call.

    as-written holds one lock across the sleep, as the guide's repository does, so
    every call is serialised. corrected sleeps outside the lock and takes it only for
    the table update, where the table enforces email uniqueness and rejects
    stale versions.
    """

    def __init__(self, policy: Policy, latency: LatencyModel) -> None:
        self._policy = policy
        self._latency = latency
        corrected = policy is Policy.CORRECTED
        self._table = UserTable(unique_email=corrected, optimistic_locking=corrected)
        self._lock = threading.Lock()

    @contextlib.contextmanager
    def _io_then_table(self) -> Iterator[None]:
        """Simulate the call's I/O, then give the caller exclusive use of the table."""
        delay = self._latency.next_delay_s()
        if self._policy is Policy.AS_WRITTEN:
            with self._lock:
                time.sleep(delay)
                yield
            return
        time.sleep(delay)
        with self._lock:
            yield

    def save(self, user: User) -> None:
        with self._io_then_table():
            user.version = self._table.upsert(user.snapshot())

    def find_by_id(self, user_id: str) -> User | None:
        with self._io_then_table():
            row = self._table.get(user_id)
        return None if row is None else User.from_snapshot(row)

    def find_by_email(self, email: str) -> User | None:
        with self._io_then_table():
            row = self._table.find_by_email(email)
        return None if row is None else User.from_snapshot(row)

    def list_active(self) -> list[User]:
        with self._io_then_table():
            rows = self._table.list_active()
        return [User.from_snapshot(r) for r in rows]

    def delete(self, user_id: str) -> bool:
        with self._io_then_table():
            return self._table.delete(user_id)

    def count_with_email(self, email: str) -> int:
        with self._lock:
            return self._table.count_email(email)
