"""Fakes that implement each stack's ports in plain dictionaries, for service tests."""

from __future__ import annotations

from async_variant import ports as async_ports
from core.events import DomainEvent
from core.model import User, UserSnapshot
from sync_variant import ports as sync_ports


class FakeSyncRepository(sync_ports.UserRepository):
    def __init__(self) -> None:
        self.rows: dict[str, UserSnapshot] = {}

    def save(self, user: User) -> None:
        self.rows[user.id] = user.snapshot()

    def find_by_id(self, user_id: str) -> User | None:
        row = self.rows.get(user_id)
        return None if row is None else User.from_snapshot(row)

    def find_by_email(self, email: str) -> User | None:
        for row in self.rows.values():
            if row.email == email:
                return User.from_snapshot(row)
        return None

    def list_active(self) -> list[User]:
        return [
            User.from_snapshot(r)
            for r in sorted(self.rows.values(), key=lambda r: r.id)
            if r.is_active
        ]

    def delete(self, user_id: str) -> bool:
        return self.rows.pop(user_id, None) is not None

    def count_with_email(self, email: str) -> int:
        return sum(r.email == email for r in self.rows.values())


class FakeAsyncRepository(async_ports.UserRepository):
    def __init__(self) -> None:
        self._sync = FakeSyncRepository()
        self.rows = self._sync.rows

    async def save(self, user: User) -> None:
        self._sync.save(user)

    async def find_by_id(self, user_id: str) -> User | None:
        return self._sync.find_by_id(user_id)

    async def find_by_email(self, email: str) -> User | None:
        return self._sync.find_by_email(email)

    async def list_active(self) -> list[User]:
        return self._sync.list_active()

    async def delete(self, user_id: str) -> bool:
        return self._sync.delete(user_id)

    async def count_with_email(self, email: str) -> int:
        return self._sync.count_with_email(email)


class RecordingSyncPublisher(sync_ports.EventPublisher):
    def __init__(self) -> None:
        self.published: list[DomainEvent] = []

    def subscribe(self, event_type: type[DomainEvent], handler: sync_ports.Handler) -> None:
        raise NotImplementedError("the recording publisher only records")

    def publish(self, events: list[DomainEvent]) -> None:
        self.published.extend(events)


class RecordingAsyncPublisher(async_ports.EventPublisher):
    def __init__(self) -> None:
        self.published: list[DomainEvent] = []

    def subscribe(self, event_type: type[DomainEvent], handler: async_ports.Handler) -> None:
        raise NotImplementedError("the recording publisher only records")

    async def publish(self, events: list[DomainEvent]) -> None:
        self.published.extend(events)
