"""Composition root of the async stack: the only place that picks adapters."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from async_variant.memory import MemoryUserRepository
from async_variant.ports import Handler, UserRepository
from async_variant.publisher import InlinePublisher
from async_variant.service import UserService
from async_variant.sqlite import SQLiteUserRepository
from core.events import DomainEvent
from core.latency import LatencyModel
from core.policy import Backend, Policy


async def build_service(
    backend: Backend,
    policy: Policy,
    *,
    latency_ms: float = 1.0,
    sqlite_path: Path | None = None,
    seed: int = 0,
    handlers: Iterable[tuple[type[DomainEvent], Handler]] = (),
) -> UserService:
    """Wire a UserService inside the running event loop; the caller awaits service.close()."""
    repository: UserRepository
    if backend is Backend.MEMORY:
        repository = MemoryUserRepository(policy, LatencyModel(latency_ms, seed=seed))
    elif backend is Backend.SQLITE:
        if sqlite_path is None:
            raise ValueError("missing sqlite_path: the sqlite backend needs a database file path")
        repository = await SQLiteUserRepository.open(sqlite_path, policy)
    else:
        raise ValueError(f"unsupported backend {backend.value!r} for the async stack")

    publisher = InlinePublisher(policy)
    for event_type, handler in handlers:
        publisher.subscribe(event_type, handler)
    return UserService(repository, publisher)
