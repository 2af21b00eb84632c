"""Commands and queries for every use case; both services accept exactly these."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RegisterUser:
    user_id: str
    email: str
    name: str


@dataclass(frozen=True)
class DeactivateUser:
    user_id: str


@dataclass(frozen=True)
class ActivateUser:
    user_id: str


@dataclass(frozen=True)
class ChangeEmail:
    user_id: str
    new_email: str


@dataclass(frozen=True)
class DeleteUser:
    user_id: str


@dataclass(frozen=True)
class GetUser:
    """Query for one user by id."""

    user_id: str


@dataclass(frozen=True)
class ListActiveUsers:
    """Query for every active user, ordered by id."""
