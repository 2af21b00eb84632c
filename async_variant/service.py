"""The async application service. Its twin is sync_variant/service.py: keep the steps in step."""

from __future__ import annotations

from async_variant.ports import ConnectionScope, EventPublisher, UserRepository
from core.commands import (
    ActivateUser,
    ChangeEmail,
    DeactivateUser,
    DeleteUser,
    GetUser,
    ListActiveUsers,
    RegisterUser,
)
from core.errors import EmailAlreadyInUse, UserNotFound
from core.model import Email, User


class UserService:
    def __init__(self, users: UserRepository, publisher: EventPublisher) -> None:
        self._users = users
        self._publisher = publisher

    async def register_user(self, command: RegisterUser) -> User:
        user = User.register(command.user_id, command.email, command.name)

        if await self._users.find_by_email(user.email.value) is not None:
            raise EmailAlreadyInUse(user.email.value)

        await self._users.save(user)

        await self._publisher.publish(user.pull_events())
        return user

    async def deactivate_user(self, command: DeactivateUser) -> User:
        user = await self._get(command.user_id)

        user.deactivate()

        await self._users.save(user)

        await self._publisher.publish(user.pull_events())
        return user

    async def activate_user(self, command: ActivateUser) -> User:
        user = await self._get(command.user_id)

        user.activate()

        await self._users.save(user)

        await self._publisher.publish(user.pull_events())
        return user

    async def change_email(self, command: ChangeEmail) -> User:
        user = await self._get(command.user_id)

        new_email = Email(command.new_email)
        owner = await self._users.find_by_email(new_email.value)
        if owner is not None and owner.id != user.id:
            raise EmailAlreadyInUse(new_email.value)
        user.change_email(new_email.value)

        await self._users.save(user)

        await self._publisher.publish(user.pull_events())
        return user

    async def get_user(self, query: GetUser) -> User:
        return await self._get(query.user_id)

    async def list_active_users(self, query: ListActiveUsers) -> list[User]:
        return await self._users.list_active()

    async def delete_user(self, command: DeleteUser) -> None:
        if not await self._users.delete(command.user_id):
            raise UserNotFound(command.user_id)

    async def count_users_with_email(self, email: str) -> int:
        """Count stored users with this email; an audit query for the race experiment."""
        return await self._users.count_with_email(email)

    def connection_scope(self) -> ConnectionScope:
        """Hold one database connection across the calls inside the block, as a request
        that opens its connection first and closes it last does."""
        return self._users.connection_scope()

    async def close(self) -> None:
        """Let the publisher finish the events already published, then close the repository."""
        try:
            await self._publisher.close()
        finally:
            await self._users.close()

    async def _get(self, user_id: str) -> User:
        user = await self._users.find_by_id(user_id)
        if user is None:
            raise UserNotFound(user_id)
        return user
