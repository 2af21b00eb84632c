"""Errors raised by the domain and reported by both application services.

    DomainError                 a business rule was broken; the request is rejected
    ├── InvalidEmail            the address does not have the form local@domain.tld
    ├── EmptyName               the name is blank after stripping whitespace
    ├── UserAlreadyActive       activate() on an active user
    ├── UserAlreadyInactive     deactivate() on an inactive user
    ├── EmailAlreadyInUse       another user already owns the address
    ├── UserNotFound            no user has the requested id
    └── ConcurrentUpdate        the user changed since it was loaded (corrected policy)

    EventDeliveryFailed         the change was saved, but one or more event
                                handlers raised (corrected publisher only)

Adapters translate driver errors into these at their boundary (a UNIQUE constraint
violation becomes EmailAlreadyInUse), so the services never see a driver exception.
"""

from __future__ import annotations

from dataclasses import dataclass


class DomainError(Exception):
    """A business rule was broken, so the request is rejected and nothing is stored."""


class InvalidEmail(DomainError):
    def __init__(self, value: str) -> None:
        super().__init__(f"invalid email {value!r}: expected the form name@domain.tld")
        self.value = value


class EmptyName(DomainError):
    def __init__(self) -> None:
        super().__init__("invalid name: the name must contain a non-space character")


class UserAlreadyActive(DomainError):
    def __init__(self, user_id: str) -> None:
        super().__init__(f"user {user_id!r} is already active")
        self.user_id = user_id


class UserAlreadyInactive(DomainError):
    def __init__(self, user_id: str) -> None:
        super().__init__(f"user {user_id!r} is already inactive")
        self.user_id = user_id


class EmailAlreadyInUse(DomainError):
    def __init__(self, email: str) -> None:
        super().__init__(f"email {email!r} is already in use by another user")
        self.email = email


class UserNotFound(DomainError):
    def __init__(self, user_id: str) -> None:
        super().__init__(f"user {user_id!r} not found")
        self.user_id = user_id


class ConcurrentUpdate(DomainError):
    """Another request saved the user after this one loaded it, so this save was rejected."""

    def __init__(self, user_id: str, expected_version: int) -> None:
        super().__init__(
            f"user {user_id!r} was changed by another request after version "
            f"{expected_version} was loaded; reload it and retry"
        )
        self.user_id = user_id
        self.expected_version = expected_version


@dataclass(frozen=True)
class HandlerFailure:
    """One event handler that raised while an event was being published."""

    event_name: str
    handler_name: str
    error: BaseException


class EventDeliveryFailed(Exception):
    """Raised after every handler ran, when at least one of them failed.

    The change that raised the events is already saved; the caller learns which
    handlers failed so it can retry or alert, instead of never hearing of it.
    """

    def __init__(self, failures: tuple[HandlerFailure, ...]) -> None:
        names = ", ".join(
            f"{f.handler_name} on {f.event_name}: {type(f.error).__name__}: {f.error}"
            for f in failures
        )
        super().__init__(f"{len(failures)} event handler(s) failed after the save: {names}")
        self.failures = failures
