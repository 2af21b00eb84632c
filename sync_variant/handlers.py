"""Event handlers that stand for I/O done on an event, such as sending a welcome email."""

from __future__ import annotations

import time

from core.events import EVENT_TYPES, DomainEvent
from sync_variant.ports import Handler


def simulated_io_handler(delay_ms: float, index: int) -> Handler:
    """Return a handler that blocks its thread for delay_ms, as the guide's handlers sleep."""
    delay_s = delay_ms / 1000.0

    def handle(event: DomainEvent) -> None:
        time.sleep(delay_s)

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
