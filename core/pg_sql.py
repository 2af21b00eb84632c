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

_CREATE_TABLE = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    id        TEXT PRIMARY KEY,
    email     TEXT NOT NULL{{email_constraint}},
    name      TEXT NOT NULL,
    is_active BOOLEAN NOT NULL
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

UPSERT = (
    f"INSERT INTO {TABLE} (id, email, name, is_active) VALUES (%s, %s, %s, %s) "
    "ON CONFLICT (id) DO UPDATE SET email = excluded.email, name = excluded.name, "
    "is_active = excluded.is_active"
)
SELECT_BY_ID = f"SELECT id, email, name, is_active FROM {TABLE} WHERE id = %s"
SELECT_BY_EMAIL = (
    f"SELECT id, email, name, is_active FROM {TABLE} WHERE email = %s ORDER BY id LIMIT 1"
)
SELECT_ACTIVE = f"SELECT id, email, name, is_active FROM {TABLE} WHERE is_active ORDER BY id"
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


def upsert_params(row: UserSnapshot) -> tuple[str, str, str, bool]:
    return (row.id, row.email, row.name, row.is_active)


def snapshot_from_row(row: Sequence[object]) -> UserSnapshot:
    user_id, email, name, is_active = row
    return UserSnapshot(str(user_id), str(email), str(name), bool(is_active))


def is_email_unique_violation(constraint_name: str | None) -> bool:
    """Tell the email UNIQUE violation from other unique violations (the primary key)."""
    return constraint_name == EMAIL_CONSTRAINT
