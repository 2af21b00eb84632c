"""The transactional outbox: events stored in the transaction that saves their change.

A relay reads the stored events after the commit, hands each one to its
handlers and deletes it. An event is therefore stored exactly when its change
is, and it survives a crash between the commit and the handlers. A crash after
the handlers ran but before the delete delivers it again, so delivery is at
least once.
"""

from __future__ import annotations

import dataclasses
import json

from core.events import (
    DomainEvent,
    UserActivated,
    UserDeactivated,
    UserEmailChanged,
    UserRegistered,
)

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS outbox ("
    "id INTEGER PRIMARY KEY AUTOINCREMENT, event_type TEXT NOT NULL, payload TEXT NOT NULL)",
)
INSERT = "INSERT INTO outbox (event_type, payload) VALUES (?, ?)"
# Reading after the last id seen lets a relay step over a row it cannot decode.
SELECT_AFTER = "SELECT id, event_type, payload FROM outbox WHERE id > ? ORDER BY id LIMIT ?"
DELETE = "DELETE FROM outbox WHERE id = ?"
COUNT = "SELECT count(*) FROM outbox"

BATCH_SIZE = 100  # rows a relay reads per query; it loops until the table is empty

EVENT_TYPES: dict[str, type[DomainEvent]] = {
    event_type.__name__: event_type
    for event_type in (UserRegistered, UserActivated, UserDeactivated, UserEmailChanged)
}


def encode(event: DomainEvent) -> tuple[str, str]:
    """Return the (event_type, JSON payload) pair the INSERT statement takes."""
    return event.event_type, json.dumps(dataclasses.asdict(event), sort_keys=True)


def decode(event_type: str, payload: str) -> DomainEvent:
    """Rebuild a stored event; raise ValueError for an event type this version does not know."""
    try:
        cls = EVENT_TYPES[event_type]
    except KeyError:
        raise ValueError(
            f"unknown event type {event_type!r} in the outbox: known types are "
            f"{', '.join(EVENT_TYPES)}"
        ) from None
    return cls(**json.loads(payload))
