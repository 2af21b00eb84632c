"""The User aggregate and its value objects."""

from __future__ import annotations

import re
from dataclasses import dataclass

from core.errors import EmptyName, InvalidEmail, UserAlreadyActive, UserAlreadyInactive
from core.events import (
    DomainEvent,
    UserActivated,
    UserDeactivated,
    UserEmailChanged,
    UserRegistered,
)

# The pattern the guide uses; kept so both stacks accept and reject the same inputs.
_EMAIL_PATTERN = re.compile(r"^[a-zA-Z0-9._%+-]+@[a-zA-Z0-9.-]+\.[a-zA-Z]{2,}$")

# RFC 5321 caps a forward path at 254 octets; longer input is rejected before the regex.
MAX_EMAIL_LENGTH = 254
MAX_NAME_LENGTH = 200


@dataclass(frozen=True, slots=True)
class Email:
    """An email address, validated once when it is built."""

    value: str

    def __post_init__(self) -> None:
        if (
            not isinstance(self.value, str)
            or len(self.value) > MAX_EMAIL_LENGTH
            or _EMAIL_PATTERN.fullmatch(self.value) is None
        ):
            raise InvalidEmail(str(self.value))

    def __str__(self) -> str:
        return self.value


def validate_name(name: str) -> str:
    """Return the name stripped of surrounding whitespace, or raise EmptyName."""
    if not isinstance(name, str) or not name.strip() or len(name) > MAX_NAME_LENGTH:
        raise EmptyName()
    return name.strip()


@dataclass(frozen=True, slots=True)
class UserSnapshot:
    """The stored state of a user: what a repository writes and reads back."""

    id: str
    email: str
    name: str
    is_active: bool
    version: int = 0  # saves so far; 0 for a user never saved


class User:
    """The aggregate root. Each state change records a domain event for the service to publish."""

    __slots__ = ("_events", "email", "id", "is_active", "name", "version")

    def __init__(
        self, user_id: str, email: Email, name: str, is_active: bool, version: int = 0
    ) -> None:
        self.id = user_id
        self.email = email
        self.name = name
        self.is_active = is_active
        # The stored version this state was loaded from; repositories that use
        # optimistic locking reject a save whose version is no longer current.
        self.version = version
        self._events: list[DomainEvent] = []

    @classmethod
    def register(cls, user_id: str, email: str, name: str) -> User:
        user = cls(user_id, Email(email), validate_name(name), is_active=True)
        user._events.append(UserRegistered(user.id, user.email.value, user.name))
        return user

    @classmethod
    def from_snapshot(cls, snapshot: UserSnapshot) -> User:
        """Rebuild a stored user; rebuilding records no event."""
        return cls(
            snapshot.id,
            Email(snapshot.email),
            snapshot.name,
            snapshot.is_active,
            snapshot.version,
        )

    def snapshot(self) -> UserSnapshot:
        return UserSnapshot(self.id, self.email.value, self.name, self.is_active, self.version)

    def deactivate(self) -> None:
        if not self.is_active:
            raise UserAlreadyInactive(self.id)
        self.is_active = False
        self._events.append(UserDeactivated(self.id, self.email.value))

    def activate(self) -> None:
        if self.is_active:
            raise UserAlreadyActive(self.id)
        self.is_active = True
        self._events.append(UserActivated(self.id, self.email.value))

    def change_email(self, new_email: str) -> None:
        email = Email(new_email)
        if email == self.email:
            return
        old = self.email
        self.email = email
        self._events.append(UserEmailChanged(self.id, old.value, email.value))

    def pull_events(self) -> list[DomainEvent]:
        """Return the recorded events and forget them, so each is published once."""
        events, self._events = self._events, []
        return events

    def __repr__(self) -> str:
        return f"User(id={self.id!r}, email={self.email.value!r}, active={self.is_active})"
