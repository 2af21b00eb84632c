"""The in-memory user table both memory repositories wrap with their own locking and sleeps.

Every method is plain, non-blocking code. Whether a sequence of calls is atomic is
up to the caller: the sync repository holds a threading.Lock, the async one relies
on the event loop not switching tasks between two statements without an await.
"""

from __future__ import annotations

import dataclasses

from core.errors import ConcurrentUpdate, EmailAlreadyInUse
from core.model import UserSnapshot


class UserTable:
    def __init__(self, unique_email: bool, optimistic_locking: bool) -> None:
        # False for both reproduces the guide's repository: no constraint, blind writes.
        self._unique_email = unique_email
        self._optimistic_locking = optimistic_locking
        self._rows: dict[str, UserSnapshot] = {}
        self._owner_by_email: dict[str, str] = {}

    def get(self, user_id: str) -> UserSnapshot | None:
        return self._rows.get(user_id)

    def find_by_email(self, email: str) -> UserSnapshot | None:
        owner = self._owner_by_email.get(email)
        if owner is not None:
            return self._rows.get(owner)
        if self._unique_email:
            return None
        # Without the index constraint, duplicates can exist: scan as the guide does.
        for row in self._rows.values():
            if row.email == email:
                return row
        return None

    def list_active(self) -> list[UserSnapshot]:
        return sorted((r for r in self._rows.values() if r.is_active), key=lambda r: r.id)

    def upsert(self, row: UserSnapshot) -> int:
        """Insert or replace a row and return its new version.

        `row.version` is the version the caller loaded (0 for a new user). With
        optimistic_locking, a row whose stored version differs raises
        ConcurrentUpdate; with unique_email, a taken email raises EmailAlreadyInUse.
        """
        previous = self._rows.get(row.id)
        stored_version = 0 if previous is None else previous.version
        if self._optimistic_locking and stored_version != row.version:
            raise ConcurrentUpdate(row.id, row.version)
        owner = self._owner_by_email.get(row.email)
        if self._unique_email and owner is not None and owner != row.id:
            raise EmailAlreadyInUse(row.email)

        row = dataclasses.replace(row, version=row.version + 1)
        if (
            previous is not None
            and previous.email != row.email
            and self._owner_by_email.get(previous.email) == row.id
        ):
            del self._owner_by_email[previous.email]
        self._rows[row.id] = row
        self._owner_by_email.setdefault(row.email, row.id)
        return row.version

    def delete(self, user_id: str) -> bool:
        row = self._rows.pop(user_id, None)
        if row is None:
            return False
        if self._owner_by_email.get(row.email) == user_id:
            del self._owner_by_email[row.email]
        return True

    def count_email(self, email: str) -> int:
        return sum(1 for r in self._rows.values() if r.email == email)

    def __len__(self) -> int:
        return len(self._rows)
