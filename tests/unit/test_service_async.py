from __future__ import annotations

import pytest
import pytest_asyncio

from async_variant.service import UserService
from core.commands import (
    ActivateUser,
    ChangeEmail,
    DeactivateUser,
    DeleteUser,
    ListActiveUsers,
    RegisterUser,
)
from core.errors import EmailAlreadyInUse, InvalidEmail, UserAlreadyInactive, UserNotFound
from core.events import UserDeactivated, UserEmailChanged, UserRegistered
from tests.fakes import FakeAsyncRepository, RecordingAsyncPublisher


@pytest_asyncio.fixture
async def parts() -> tuple[UserService, FakeAsyncRepository, RecordingAsyncPublisher]:
    repository = FakeAsyncRepository()
    publisher = RecordingAsyncPublisher()
    return UserService(repository, publisher), repository, publisher


@pytest.mark.asyncio
async def test_register_saves_and_publishes(parts) -> None:
    service, repository, publisher = parts
    user = await service.register_user(RegisterUser("u1", "ada@example.com", "Ada"))
    assert repository.rows["u1"] == user.snapshot()
    assert publisher.published == [UserRegistered("u1", "ada@example.com", "Ada")]


@pytest.mark.asyncio
async def test_register_rejects_taken_email(parts) -> None:
    service, repository, publisher = parts
    await service.register_user(RegisterUser("u1", "ada@example.com", "Ada"))
    with pytest.raises(EmailAlreadyInUse):
        await service.register_user(RegisterUser("u2", "ada@example.com", "Other"))
    assert list(repository.rows) == ["u1"]
    assert len(publisher.published) == 1


@pytest.mark.asyncio
async def test_register_rejects_invalid_email_before_io(parts) -> None:
    service, repository, _ = parts
    with pytest.raises(InvalidEmail):
        await service.register_user(RegisterUser("u1", "nope", "Ada"))
    assert repository.rows == {}


@pytest.mark.asyncio
async def test_deactivate_and_activate(parts) -> None:
    service, repository, publisher = parts
    await service.register_user(RegisterUser("u1", "ada@example.com", "Ada"))
    await service.deactivate_user(DeactivateUser("u1"))
    assert not repository.rows["u1"].is_active
    assert publisher.published[-1] == UserDeactivated("u1", "ada@example.com")
    with pytest.raises(UserAlreadyInactive):
        await service.deactivate_user(DeactivateUser("u1"))
    await service.activate_user(ActivateUser("u1"))
    assert repository.rows["u1"].is_active


@pytest.mark.asyncio
async def test_unknown_user_raises_not_found(parts) -> None:
    service, _, _ = parts
    for call in (
        lambda: service.deactivate_user(DeactivateUser("missing")),
        lambda: service.activate_user(ActivateUser("missing")),
        lambda: service.change_email(ChangeEmail("missing", "a@example.com")),
        lambda: service.delete_user(DeleteUser("missing")),
    ):
        with pytest.raises(UserNotFound):
            await call()


@pytest.mark.asyncio
async def test_change_email(parts) -> None:
    service, repository, publisher = parts
    await service.register_user(RegisterUser("u1", "ada@example.com", "Ada"))
    await service.register_user(RegisterUser("u2", "bob@example.com", "Bob"))
    with pytest.raises(EmailAlreadyInUse):
        await service.change_email(ChangeEmail("u1", "bob@example.com"))
    await service.change_email(ChangeEmail("u1", "ada@new.org"))
    assert repository.rows["u1"].email == "ada@new.org"
    assert publisher.published[-1] == UserEmailChanged("u1", "ada@example.com", "ada@new.org")


@pytest.mark.asyncio
async def test_list_active_and_delete(parts) -> None:
    service, _, _ = parts
    await service.register_user(RegisterUser("u2", "b@example.com", "B"))
    await service.register_user(RegisterUser("u1", "a@example.com", "A"))
    await service.deactivate_user(DeactivateUser("u2"))
    assert [u.id for u in await service.list_active_users(ListActiveUsers())] == ["u1"]
    await service.delete_user(DeleteUser("u1"))
    assert await service.list_active_users(ListActiveUsers()) == []
    assert await service.count_users_with_email("b@example.com") == 1
