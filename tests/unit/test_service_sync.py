from __future__ import annotations

import pytest

from core.commands import (
    ActivateUser,
    ChangeEmail,
    DeactivateUser,
    DeleteUser,
    GetUser,
    ListActiveUsers,
    RegisterUser,
)
from core.errors import EmailAlreadyInUse, InvalidEmail, UserAlreadyInactive, UserNotFound
from core.events import UserDeactivated, UserEmailChanged, UserRegistered
from sync_variant.service import UserService
from tests.fakes import FakeSyncRepository, RecordingSyncPublisher


@pytest.fixture
def parts() -> tuple[UserService, FakeSyncRepository, RecordingSyncPublisher]:
    repository = FakeSyncRepository()
    publisher = RecordingSyncPublisher()
    return UserService(repository, publisher), repository, publisher


def test_register_saves_and_publishes(parts) -> None:
    service, repository, publisher = parts
    user = service.register_user(RegisterUser("u1", "ada@example.com", "Ada"))
    assert repository.rows["u1"] == user.snapshot()
    assert publisher.published == [UserRegistered("u1", "ada@example.com", "Ada")]


def test_register_rejects_taken_email(parts) -> None:
    service, repository, publisher = parts
    service.register_user(RegisterUser("u1", "ada@example.com", "Ada"))
    with pytest.raises(EmailAlreadyInUse):
        service.register_user(RegisterUser("u2", "ada@example.com", "Other"))
    assert list(repository.rows) == ["u1"]
    assert len(publisher.published) == 1


def test_register_rejects_invalid_email_before_io(parts) -> None:
    service, repository, _ = parts
    with pytest.raises(InvalidEmail):
        service.register_user(RegisterUser("u1", "nope", "Ada"))
    assert repository.rows == {}


def test_deactivate_and_activate(parts) -> None:
    service, repository, publisher = parts
    service.register_user(RegisterUser("u1", "ada@example.com", "Ada"))
    service.deactivate_user(DeactivateUser("u1"))
    assert not repository.rows["u1"].is_active
    assert publisher.published[-1] == UserDeactivated("u1", "ada@example.com")
    with pytest.raises(UserAlreadyInactive):
        service.deactivate_user(DeactivateUser("u1"))
    service.activate_user(ActivateUser("u1"))
    assert repository.rows["u1"].is_active


def test_unknown_user_raises_not_found(parts) -> None:
    service, _, _ = parts
    for call in (
        lambda: service.deactivate_user(DeactivateUser("missing")),
        lambda: service.activate_user(ActivateUser("missing")),
        lambda: service.change_email(ChangeEmail("missing", "a@example.com")),
        lambda: service.delete_user(DeleteUser("missing")),
        lambda: service.get_user(GetUser("missing")),
    ):
        with pytest.raises(UserNotFound):
            call()


def test_change_email(parts) -> None:
    service, repository, publisher = parts
    service.register_user(RegisterUser("u1", "ada@example.com", "Ada"))
    service.register_user(RegisterUser("u2", "bob@example.com", "Bob"))
    with pytest.raises(EmailAlreadyInUse):
        service.change_email(ChangeEmail("u1", "bob@example.com"))
    service.change_email(ChangeEmail("u1", "ada@new.org"))
    assert repository.rows["u1"].email == "ada@new.org"
    assert publisher.published[-1] == UserEmailChanged("u1", "ada@example.com", "ada@new.org")


def test_list_active_and_delete(parts) -> None:
    service, _, _ = parts
    service.register_user(RegisterUser("u2", "b@example.com", "B"))
    service.register_user(RegisterUser("u1", "a@example.com", "A"))
    service.deactivate_user(DeactivateUser("u2"))
    assert [u.id for u in service.list_active_users(ListActiveUsers())] == ["u1"]
    service.delete_user(DeleteUser("u1"))
    assert service.list_active_users(ListActiveUsers()) == []
    assert service.count_users_with_email("b@example.com") == 1


def test_get_user_by_id(parts) -> None:
    service, _, publisher = parts
    registered = service.register_user(RegisterUser("u1", "ada@example.com", "Ada"))
    found = service.get_user(GetUser("u1"))
    assert found.snapshot() == registered.snapshot()
    assert len(publisher.published) == 1
