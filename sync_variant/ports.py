"""Ports of the sync stack; adapters implement them and tests fake them."""

from __future__ import annotations

import abc
import contextlib
from collections.abc import Callable

from core.events import DomainEvent
from core.model import User

Handler = Callable[[DomainEvent], None]

# The block connection_scope() returns, which may keep one database connection.
ConnectionScope = contextlib.AbstractContextManager[None]


class UserRepository(abc.ABC):
    @abc.abstractmethod
    def save(self, user: User) -> None:
        """Insert or update the user and advance user.version.

        The corrected policy raises EmailAlreadyInUse for a taken email and
        ConcurrentUpdate when the stored version moved on since the user was loaded.
        """

    @abc.abstractmethod
    def find_by_id(self, user_id: str) -> User | None: ...

    @abc.abstractmethod
    def find_by_email(self, email: str) -> User | None: ...

    @abc.abstractmethod
    def list_active(self) -> list[User]:
        """Return the active users ordered by id."""

    @abc.abstractmethod
    def delete(self, user_id: str) -> bool:
        """Delete the user and return whether one was deleted."""

    @abc.abstractmethod
    def count_with_email(self, email: str) -> int:
        """Count stored users with this email; the race experiment audits with it."""

    def connection_scope(self) -> ConnectionScope:
        """Hold one connection for every call inside the block; the default holds none."""
        return contextlib.nullcontext()

    def close(self) -> None:
        """Release connections; the default has none to release."""
        return None


class EventPublisher(abc.ABC):
    @abc.abstractmethod
    def subscribe(self, event_type: type[DomainEvent], handler: Handler) -> None: ...

    @abc.abstractmethod
    def publish(self, events: list[DomainEvent]) -> None: ...

    def close(self) -> None:
        """Finish the events already published and release threads; the default has none."""
        return None
