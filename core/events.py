"""Domain events the User aggregate records; the services publish them after the save."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DomainEvent:
    user_id: str

    @property
    def event_type(self) -> str:
        return type(self).__name__


@dataclass(frozen=True)
class UserRegistered(DomainEvent):
    email: str
    name: str


@dataclass(frozen=True)
class UserActivated(DomainEvent):
    email: str


@dataclass(frozen=True)
class UserDeactivated(DomainEvent):
    email: str


@dataclass(frozen=True)
class UserEmailChanged(DomainEvent):
    old_email: str
    new_email: str


# Every event the aggregate records; the web apps subscribe their handlers to each.
EVENT_TYPES: tuple[type[DomainEvent], ...] = (
    UserRegistered,
    UserActivated,
    UserDeactivated,
    UserEmailChanged,
)
