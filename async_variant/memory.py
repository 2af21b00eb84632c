"""In-memory repository with simulated I/O latency, in both policies."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from async_variant.ports import UserRepository
from core.latency import LatencyModel
from core.model import User
from core.policy import Policy
from core.table import UserTable


class MemoryUserRepository(UserRepository):
    """Stores snapshots in a UserTable and sleeps the latency model's delay per call.

    as-written holds one asyncio.Lock across the sleep, as the guide's repository
    does, so every call is serialised even under gather. corrected sleeps without a
    lock; the table update that follows runs with no await inside it, so the event
    loop cannot switch tasks halfway and the table's uniqueness check is atomic.
    """

    def __init__(self, policy: Policy, latency: LatencyModel) -> None:
        self._policy = policy
        self._latency = latency
        corrected = policy is Policy.CORRECTED
        self._table = UserTable(unique_email=corrected, optimistic_locking=corrected)
        self._lock = asyncio.Lock()

    @contextlib.asynccontextmanager
    async def _io_then_table(self) -> AsyncIterator[None]:
        """Simulate the call's I/O, then give the caller exclusive use of the table."""
        delay = self._latency.next_delay_s()
        if self._policy is Policy.AS_WRITTEN:
            async with self._lock:
                await asyncio.sleep(delay)
                yield
            return
        await asyncio.sleep(delay)
        yield

    async def save(self, user: User) -> None:
        async with self._io_then_table():
            user.version = self._table.upsert(user.snapshot())

    async def find_by_id(self, user_id: str) -> User | None:
        async with self._io_then_table():
            row = self._table.get(user_id)
        return None if row is None else User.from_snapshot(row)

    async def find_by_email(self, email: str) -> User | None:
        async with self._io_then_table():
            row = self._table.find_by_email(email)
        return None if row is None else User.from_snapshot(row)

    async def list_active(self) -> list[User]:
        async with self._io_then_table():
            rows = self._table.list_active()
        return [User.from_snapshot(r) for r in rows]

    async def delete(self, user_id: str) -> bool:
        async with self._io_then_table():
            return self._table.delete(user_id)

    async def count_with_email(self, email: str) -> int:
        return self._table.count_email(email)
