"""SQL shared by the sqlite3 and aiosqlite adapters, one schema per policy.

The as-written schema has no constraint on email, as the guide's repository has
none, so check-then-act races can store duplicates. The corrected schema makes the
database enforce uniqueness, and the adapters map the violation to
EmailAlreadyInUse.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.model import UserSnapshot
from core.policy import Policy

_TABLE = """
CREATE TABLE IF NOT EXISTS users (
    id        TEXT PRIMARY KEY,
    email     TEXT NOT NULL{email_constraint},
    name      TEXT NOT NULL,
    is_active INTEGER NOT NULL,
    version   INTEGER NOT NULL DEFAULT 0
)
"""

SCHEMA: dict[Policy, tuple[str, ...]] = {
    Policy.AS_WRITTEN: (
        _TABLE.format(email_constraint=""),
        "CREATE INDEX IF NOT EXISTS users_email ON users (email)",
    ),
    Policy.CORRECTED: (_TABLE.format(email_constraint=" UNIQUE"),),
}

# Statements use the qmark style that sqlite3 and aiosqlite both accept.
# as-written saves blindly: the last writer wins, as with the guide's dictionary.
UPSERT = (
    "INSERT INTO users (id, email, name, is_active, version) VALUES (?, ?, ?, ?, ?) "
    "ON CONFLICT (id) DO UPDATE SET email = excluded.email, name = excluded.name, "
    "is_active = excluded.is_active, version = excluded.version"
)
# corrected inserts new users and updates others only at the version they were loaded at.
INSERT = "INSERT INTO users (id, email, name, is_active, version) VALUES (?, ?, ?, ?, 1)"
UPDATE_AT_VERSION = (
    "UPDATE users SET email = ?, name = ?, is_active = ?, version = version + 1 "
    "WHERE id = ? AND version = ?"
)
_COLUMNS = "id, email, name, is_active, version"
SELECT_BY_ID = f"SELECT {_COLUMNS} FROM users WHERE id = ?"
SELECT_BY_EMAIL = f"SELECT {_COLUMNS} FROM users WHERE email = ? ORDER BY id LIMIT 1"
SELECT_ACTIVE = f"SELECT {_COLUMNS} FROM users WHERE is_active = 1 ORDER BY id"
DELETE_BY_ID = "DELETE FROM users WHERE id = ?"
COUNT_BY_EMAIL = "SELECT count(*) FROM users WHERE email = ?"

# Both stacks open SQLite the same way: WAL lets readers run beside the one writer,
# and NORMAL synchronous is WAL's usual pairing (durable at checkpoints, not each commit).
PRAGMAS = ("PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL")
BUSY_TIMEOUT_S = 30.0  # long enough that 100 queued writers never see "database is locked"


def save_statement(row: UserSnapshot, policy: Policy) -> tuple[str, tuple[object, ...]]:
    """Return the statement that saves `row`, loaded at `row.version`, under the policy.

    For a corrected UPDATE, zero affected rows means the version moved on: the
    adapter raises ConcurrentUpdate.
    """
    if policy is Policy.AS_WRITTEN:
        return UPSERT, (row.id, row.email, row.name, int(row.is_active), row.version + 1)
    if row.version == 0:
        return INSERT, (row.id, row.email, row.name, int(row.is_active))
    return UPDATE_AT_VERSION, (row.email, row.name, int(row.is_active), row.id, row.version)


def snapshot_from_row(row: Sequence[object]) -> UserSnapshot:
    user_id, email, name, is_active, version = row
    return UserSnapshot(str(user_id), str(email), str(name), bool(is_active), int(str(version)))


def is_email_unique_violation(message: str) -> bool:
    """Tell an email UNIQUE violation from other integrity errors, by SQLite's message."""
    return "UNIQUE constraint failed: users.email" in message


def is_id_unique_violation(message: str) -> bool:
    """Tell a second insert of one id, which means another request registered it first."""
    return "UNIQUE constraint failed: users.id" in message
