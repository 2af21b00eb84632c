from __future__ import annotations

import pytest

from core.errors import ConcurrentUpdate, EmailAlreadyInUse
from core.latency import LatencyModel
from core.model import UserSnapshot
from core.table import UserTable
from core.workload import RACE_EMAIL, registrations, same_email_registrations


def row(user_id: str, email: str, active: bool = True, version: int = 0) -> UserSnapshot:
    return UserSnapshot(user_id, email, "Name", active, version)


def test_unique_table_rejects_taken_email() -> None:
    table = UserTable(unique_email=True, optimistic_locking=True)
    table.upsert(row("u1", "a@example.com"))
    with pytest.raises(EmailAlreadyInUse):
        table.upsert(row("u2", "a@example.com"))
    assert table.count_email("a@example.com") == 1


def test_unique_table_frees_email_on_change() -> None:
    table = UserTable(unique_email=True, optimistic_locking=True)
    assert table.upsert(row("u1", "a@example.com")) == 1
    assert table.upsert(row("u1", "b@example.com", version=1)) == 2
    table.upsert(row("u2", "a@example.com"))
    assert table.find_by_email("a@example.com") == row("u2", "a@example.com", version=1)


def test_unique_table_frees_email_on_delete() -> None:
    table = UserTable(unique_email=True, optimistic_locking=True)
    table.upsert(row("u1", "a@example.com"))
    assert table.delete("u1")
    assert not table.delete("u1")
    table.upsert(row("u2", "a@example.com"))
    assert len(table) == 1


def test_plain_table_stores_duplicates() -> None:
    table = UserTable(unique_email=False, optimistic_locking=False)
    table.upsert(row("u1", "a@example.com"))
    table.upsert(row("u2", "a@example.com"))
    assert table.count_email("a@example.com") == 2
    table.delete("u1")
    assert table.find_by_email("a@example.com") == row("u2", "a@example.com", version=1)


def test_list_active_is_sorted_and_filtered() -> None:
    table = UserTable(unique_email=True, optimistic_locking=True)
    table.upsert(row("u2", "b@example.com"))
    table.upsert(row("u1", "a@example.com"))
    table.upsert(row("u3", "c@example.com", active=False))
    assert [r.id for r in table.list_active()] == ["u1", "u2"]


def test_workload_is_seeded() -> None:
    assert registrations(20, seed=3) == registrations(20, seed=3)
    assert registrations(20, seed=3) != registrations(20, seed=4)
    commands = registrations(100)
    assert len({c.email for c in commands}) == 100
    assert len({c.user_id for c in commands}) == 100


def test_same_email_workload() -> None:
    commands = same_email_registrations(50)
    assert {c.email for c in commands} == {RACE_EMAIL}
    assert len({c.user_id for c in commands}) == 50


def test_latency_model_constant_and_jitter() -> None:
    assert LatencyModel(1.0).next_delay_s() == pytest.approx(0.001)
    first = [LatencyModel(1.0, jitter_ms=2.0, seed=7).next_delay_s() for _ in range(3)]
    assert len(set(first)) == 1  # the same seed gives the same first delay
    model = LatencyModel(1.0, jitter_ms=2.0, seed=7)
    delays = [model.next_delay_s() for _ in range(200)]
    assert all(0.001 <= d <= 0.003 for d in delays)


def test_latency_model_rejects_negative() -> None:
    with pytest.raises(ValueError, match="invalid latency"):
        LatencyModel(-1.0)


def test_optimistic_table_rejects_stale_version() -> None:
    table = UserTable(unique_email=True, optimistic_locking=True)
    table.upsert(row("u1", "a@example.com"))
    with pytest.raises(ConcurrentUpdate):
        table.upsert(row("u1", "a@example.com", active=False, version=0))
    with pytest.raises(ConcurrentUpdate):
        table.upsert(row("u1", "a@example.com", active=False, version=2))
    assert table.upsert(row("u1", "a@example.com", active=False, version=1)) == 2
    assert table.get("u1") == row("u1", "a@example.com", active=False, version=2)


def test_plain_table_writes_blindly() -> None:
    table = UserTable(unique_email=False, optimistic_locking=False)
    table.upsert(row("u1", "a@example.com"))
    assert table.upsert(row("u1", "b@example.com", version=0)) == 1
    assert table.get("u1") == row("u1", "b@example.com", version=1)
