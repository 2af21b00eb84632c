from __future__ import annotations

from core import pg_sql
from core.policy import Policy


def test_numbered_rewrites_placeholders() -> None:
    assert pg_sql.numbered("SELECT %s, %s FROM t WHERE a = %s") == (
        "SELECT $1, $2 FROM t WHERE a = $3"
    )


def test_numbered_keeps_statement_without_placeholders() -> None:
    assert pg_sql.numbered(pg_sql.SELECT_ACTIVE) == pg_sql.SELECT_ACTIVE


def test_only_corrected_schema_has_email_constraint() -> None:
    assert pg_sql.EMAIL_CONSTRAINT in " ".join(pg_sql.SCHEMA[Policy.CORRECTED])
    assert pg_sql.EMAIL_CONSTRAINT not in " ".join(pg_sql.SCHEMA[Policy.AS_WRITTEN])


def test_email_violation_matches_constraint_name() -> None:
    assert pg_sql.is_email_unique_violation(pg_sql.EMAIL_CONSTRAINT)
    assert not pg_sql.is_email_unique_violation("users_pkey")
    assert not pg_sql.is_email_unique_violation(None)
