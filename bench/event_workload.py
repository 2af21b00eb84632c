"""Event handlers that the publishing experiments subscribe: simulated I/O, and failures.

Each handler sleeps its I/O time the way its stack waits (time.sleep or
asyncio.sleep) and carries a readable __qualname__, so log lines name it.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from async_variant.ports import Handler as AsyncHandler
from core.events import DomainEvent, UserRegistered
from sync_variant.ports import Handler as SyncHandler

SyncSubscriptions = list[tuple[type[DomainEvent], SyncHandler]]
AsyncSubscriptions = list[tuple[type[DomainEvent], AsyncHandler]]

# The failures a handler can raise: a bug in the handler, and an I/O error it should expect.
FAILURES: dict[str, Callable[[], Exception]] = {
    "AttributeError": lambda: AttributeError("'NoneType' object has no attribute 'send'"),
    "ConnectionError": lambda: ConnectionError("mail server refused the connection"),
}


def sync_io_handler(
    name: str, handler_ms: float, on_done: Callable[[], None] | None = None
) -> SyncHandler:
    def handle(event: DomainEvent) -> None:
        time.sleep(handler_ms / 1000.0)
        if on_done is not None:
            on_done()

    handle.__qualname__ = name
    return handle


def async_io_handler(
    name: str, handler_ms: float, on_done: Callable[[], None] | None = None
) -> AsyncHandler:
    async def handle(event: DomainEvent) -> None:
        await asyncio.sleep(handler_ms / 1000.0)
        if on_done is not None:
            on_done()

    handle.__qualname__ = name
    return handle


def sync_failing_handler(name: str, handler_ms: float, failure: str) -> SyncHandler:
    def handle(event: DomainEvent) -> None:
        time.sleep(handler_ms / 1000.0)
        raise FAILURES[failure]()

    handle.__qualname__ = name
    return handle


def async_failing_handler(name: str, handler_ms: float, failure: str) -> AsyncHandler:
    async def handle(event: DomainEvent) -> None:
        await asyncio.sleep(handler_ms / 1000.0)
        raise FAILURES[failure]()

    handle.__qualname__ = name
    return handle


def sync_io_subscriptions(handlers: int, handler_ms: float) -> SyncSubscriptions:
    """Subscribe `handlers` handlers to UserRegistered, each sleeping `handler_ms`."""
    return [
        (UserRegistered, sync_io_handler(f"io_handler_{i}", handler_ms)) for i in range(handlers)
    ]


def async_io_subscriptions(handlers: int, handler_ms: float) -> AsyncSubscriptions:
    """Async twin of sync_io_subscriptions."""
    return [
        (UserRegistered, async_io_handler(f"io_handler_{i}", handler_ms)) for i in range(handlers)
    ]
