"""Event handlers that stand for I/O done on an event, such as sending a welcome email."""

from __future__ import annotations

import asyncio

from async_variant.ports import Handler
from core.events import EVENT_TYPES, DomainEvent


def simulated_io_handler(delay_ms: float, index: int) -> Handler:
    """Return a handler that awaits asyncio.sleep(delay_ms), as the guide's handlers sleep."""
    delay_s = delay_ms / 1000.0

    async def handle(event: DomainEvent) -> None:
        await asyncio.sleep(delay_s)

    handle.__qualname__ = f"simulated_io_handler_{index}"
    return handle


def simulated_io_handlers(
    delay_ms: float, per_event: int
) -> list[tuple[type[DomainEvent], Handler]]:
    """Subscribe per_event handlers to every event type; none when delay_ms is 0."""
    if delay_ms <= 0:
        return []
    return [
        (event_type, simulated_io_handler(delay_ms, index))
        for event_type in EVENT_TYPES
        for index in range(per_event)
    ]
