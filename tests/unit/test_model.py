from __future__ import annotations

import pytest

from core.errors import (
    DomainError,
    EmptyName,
    InvalidEmail,
    UserAlreadyActive,
    UserAlreadyInactive,
)
from core.events import UserActivated, UserDeactivated, UserEmailChanged, UserRegistered
from core.model import MAX_EMAIL_LENGTH, Email, User


@pytest.mark.parametrize("value", ["ada@example.com", "a.b+tag@sub.example.org", "x_y%z@d-1.io"])
def test_email_accepts_valid(value: str) -> None:
    assert Email(value).value == value


@pytest.mark.parametrize(
    "value",
    [
        "",
        "no-at-sign",
        "a@b",
        "a@b.c",
        "@example.com",
        "a b@example.com",
        "ü@example.com",
        "a@example.com\n",
        "x" * MAX_EMAIL_LENGTH + "@example.com",
    ],
)
def test_email_rejects_invalid(value: str) -> None:
    with pytest.raises(InvalidEmail) as raised:
        Email(value)
    assert raised.value.value == value
    assert "invalid email" in str(raised.value)


def test_email_rejects_non_string() -> None:
    with pytest.raises(InvalidEmail):
        Email(42)  # type: ignore[arg-type]


def test_register_records_event() -> None:
    user = User.register("u1", "ada@example.com", "  Ada  ")
    assert user.name == "Ada"
    assert user.is_active
    assert user.pull_events() == [UserRegistered("u1", "ada@example.com", "Ada")]
    assert user.pull_events() == []


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_register_rejects_empty_name(name: str) -> None:
    with pytest.raises(EmptyName):
        User.register("u1", "ada@example.com", name)


def test_deactivate_then_activate_records_events() -> None:
    user = User.register("u1", "ada@example.com", "Ada")
    user.pull_events()
    user.deactivate()
    assert not user.is_active
    user.activate()
    assert user.is_active
    assert user.pull_events() == [
        UserDeactivated("u1", "ada@example.com"),
        UserActivated("u1", "ada@example.com"),
    ]


def test_deactivate_inactive_user_raises() -> None:
    user = User.register("u1", "ada@example.com", "Ada")
    user.deactivate()
    with pytest.raises(UserAlreadyInactive):
        user.deactivate()


def test_activate_active_user_raises() -> None:
    user = User.register("u1", "ada@example.com", "Ada")
    with pytest.raises(UserAlreadyActive):
        user.activate()


def test_change_email_records_old_and_new() -> None:
    user = User.register("u1", "ada@example.com", "Ada")
    user.pull_events()
    user.change_email("ada@newdomain.org")
    assert user.email == Email("ada@newdomain.org")
    assert user.pull_events() == [UserEmailChanged("u1", "ada@example.com", "ada@newdomain.org")]


def test_change_to_same_email_records_nothing() -> None:
    user = User.register("u1", "ada@example.com", "Ada")
    user.pull_events()
    user.change_email("ada@example.com")
    assert user.pull_events() == []


def test_change_email_rejects_invalid() -> None:
    user = User.register("u1", "ada@example.com", "Ada")
    with pytest.raises(InvalidEmail):
        user.change_email("not-an-email")
    assert user.email.value == "ada@example.com"


def test_snapshot_round_trip_records_no_event() -> None:
    user = User.register("u1", "ada@example.com", "Ada")
    rebuilt = User.from_snapshot(user.snapshot())
    assert rebuilt.snapshot() == user.snapshot()
    assert rebuilt.pull_events() == []


def test_every_domain_error_is_domain_error() -> None:
    for error in (InvalidEmail("x"), EmptyName(), UserAlreadyActive("u"), UserAlreadyInactive("u")):
        assert isinstance(error, DomainError)
