"""SQL shared by every PostgreSQL adapter (psycopg sync, psycopg async, asyncpg).

The table lives in its own schema, `ddd_bench`, so a run against an existing server
(--pg-dsn) touches nothing outside it. As with SQLite, the as-written schema has
no constraint on email, and the corrected one has a named UNIQUE constraint whose
violation the adapters map to EmailAlreadyInUse.

Statements use psycopg's `%s` placeholders; `numbered()` rewrites them to the
`$1, $2` form that asyncpg takes, so both drivers send the same SQL text.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.model import UserSnapshot
from core.policy import Policy

SCHEMA_NAME = "ddd_bench"
TABLE = f"{SCHEMA_NAME}.users"
EMAIL_CONSTRAINT = "users_email_unique"
PRIMARY_KEY_CONSTRAINT = "users_pkey"  # PostgreSQL's default name for the id key

_CREATE_TABLE = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    id        TEXT PRIMARY KEY,
    email     TEXT NOT NULL{{email_constraint}},
    name      TEXT NOT NULL,
    is_active BOOLEAN NOT NULL,
    version   INTEGER NOT NULL DEFAULT 0
)
"""

CREATE_SCHEMA = f"CREATE SCHEMA IF NOT EXISTS {SCHEMA_NAME}"
DROP_TABLE = f"DROP TABLE IF EXISTS {TABLE}"

SCHEMA: dict[Policy, tuple[str, ...]] = {
    Policy.AS_WRITTEN: (
        CREATE_SCHEMA,
        _CREATE_TABLE.format(email_constraint=""),
        f"CREATE INDEX IF NOT EXISTS users_email ON {TABLE} (email)",
    ),
    Policy.CORRECTED: (
        CREATE_SCHEMA,
        _CREATE_TABLE.format(email_constraint=f" CONSTRAINT {EMAIL_CONSTRAINT} UNIQUE"),
    ),
}

# as-written saves blindly: the last writer wins, as with the guide's dictionary.
UPSERT = (
    f"INSERT INTO {TABLE} (id, email, name, is_active, version) VALUES (%s, %s, %s, %s, %s) "
    "ON CONFLICT (id) DO UPDATE SET email = excluded.email, name = excluded.name, "
    "is_active = excluded.is_active, version = excluded.version"
)
# corrected inserts new users and updates others only at the version they were loaded at.
INSERT = f"INSERT INTO {TABLE} (id, email, name, is_active, version) VALUES (%s, %s, %s, %s, 1)"
UPDATE_AT_VERSION = (
    f"UPDATE {TABLE} SET email = %s, name = %s, is_active = %s, version = version + 1 "
    "WHERE id = %s AND version = %s"
)
_COLUMNS = "id, email, name, is_active, version"
SELECT_BY_ID = f"SELECT {_COLUMNS} FROM {TABLE} WHERE id = %s"
SELECT_BY_EMAIL = f"SELECT {_COLUMNS} FROM {TABLE} WHERE email = %s ORDER BY id LIMIT 1"
SELECT_ACTIVE = f"SELECT {_COLUMNS} FROM {TABLE} WHERE is_active ORDER BY id"
DELETE_BY_ID = f"DELETE FROM {TABLE} WHERE id = %s"
COUNT_BY_EMAIL = f"SELECT count(*) FROM {TABLE} WHERE email = %s"

POOL_TIMEOUT_S = 30.0  # a request waits this long for a pooled connection, then fails


def numbered(statement: str) -> str:
    """Rewrite `%s` placeholders as `$1`, `$2`, ... for asyncpg."""
    parts = statement.split("%s")
    text = parts[0]
    for index, part in enumerate(parts[1:], start=1):
        text += f"${index}{part}"
    return text


def save_statement(row: UserSnapshot, policy: Policy) -> tuple[str, tuple[object, ...]]:
    """Return the statement that saves `row`, loaded at `row.version`, under the policy.

    For a corrected UPDATE, zero affected rows means the version moved on: the
    adapter raises ConcurrentUpdate.
    """
    if policy is Policy.AS_WRITTEN:
        return UPSERT, (row.id, row.email, row.name, row.is_active, row.version + 1)
    if row.version == 0:
        return INSERT, (row.id, row.email, row.name, row.is_active)
    return UPDATE_AT_VERSION, (row.email, row.name, row.is_active, row.id, row.version)


def snapshot_from_row(row: Sequence[object]) -> UserSnapshot:
    user_id, email, name, is_active, version = row
    return UserSnapshot(str(user_id), str(email), str(name), bool(is_active), int(str(version)))


def is_email_unique_violation(constraint_name: str | None) -> bool:
    """Tell the email UNIQUE violation from other unique violations (the primary key)."""
    return constraint_name == EMAIL_CONSTRAINT


def is_id_unique_violation(constraint_name: str | None) -> bool:
    """Tell a second insert of one id, which means another request registered it first."""
    return constraint_name == PRIMARY_KEY_CONSTRAINT
