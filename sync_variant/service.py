"""The sync application service. Its twin is async_variant/service.py: keep the steps in step."""

from __future__ import annotations

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
from sync_variant.ports import ConnectionScope, EventPublisher, UserRepository


class UserService:
    def __init__(self, users: UserRepository, publisher: EventPublisher) -> None:
        self._users = users
        self._publisher = publisher

    def register_user(self, command: RegisterUser) -> User:
        user = User.register(command.user_id, command.email, command.name)

        if self._users.find_by_email(user.email.value) is not None:
            raise EmailAlreadyInUse(user.email.value)

        self._users.save(user)

        self._publisher.publish(user.pull_events())
        return user

    def deactivate_user(self, command: DeactivateUser) -> User:
        user = self._get(command.user_id)

        user.deactivate()

        self._users.save(user)

        self._publisher.publish(user.pull_events())
        return user

    def activate_user(self, command: ActivateUser) -> User:
        user = self._get(command.user_id)

        user.activate()

        self._users.save(user)

        self._publisher.publish(user.pull_events())
        return user

    def change_email(self, command: ChangeEmail) -> User:
        user = self._get(command.user_id)

        new_email = Email(command.new_email)
        owner = self._users.find_by_email(new_email.value)
        if owner is not None and owner.id != user.id:
            raise EmailAlreadyInUse(new_email.value)
        user.change_email(new_email.value)

        self._users.save(user)

        self._publisher.publish(user.pull_events())
        return user

    def get_user(self, query: GetUser) -> User:
        return self._get(query.user_id)

    def list_active_users(self, query: ListActiveUsers) -> list[User]:
        return self._users.list_active()

    def delete_user(self, command: DeleteUser) -> None:
        if not self._users.delete(command.user_id):
            raise UserNotFound(command.user_id)

    def count_users_with_email(self, email: str) -> int:
        """Count stored users with this email; an audit query for the race experiment."""
        return self._users.count_with_email(email)

    def connection_scope(self) -> ConnectionScope:
        """Hold one database connection across the calls inside the block, as a request
        that opens its connection first and closes it last does."""
        return self._users.connection_scope()

    def close(self) -> None:
        """Let the publisher finish the events already published, then close the repository."""
        try:
            self._publisher.close()
        finally:
            self._users.close()

    def _get(self, user_id: str) -> User:
        user = self._users.find_by_id(user_id)
        if user is None:
            raise UserNotFound(user_id)
        return user
