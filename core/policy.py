"""Names shared by the stacks, the harness and the report."""

from __future__ import annotations

from enum import StrEnum


class Policy(StrEnum):
    """Consistency and failure-handling rules that adapters and publishers follow.

    AS_WRITTEN reproduces the guide: one lock held across the simulated I/O,
    check-then-act email uniqueness, blind writes, handler failures swallowed.
    CORRECTED keeps the use cases but holds no lock across I/O, enforces uniqueness
    atomically, rejects a save whose loaded version is stale, and reports handler
    failures.
    """

    AS_WRITTEN = "as-written"
    CORRECTED = "corrected"


class Backend(StrEnum):
    MEMORY = "memory"
    SQLITE = "sqlite"
    POSTGRES = "postgres"


class PublishStrategy(StrEnum):
    """Strategy a service uses to run the handlers of the events it publishes.

    INLINE_SEQUENTIAL runs them one after another inside the request (sync stack).
    THREAD_POOL fans them out on a thread pool and waits for all (sync stack).
    INLINE_GATHER gathers them inside the request, as the guide does (async stack).
    BACKGROUND queues the events for a worker that runs the handlers after the
    response (both stacks). OUTBOX stores the events in the save's transaction and
    a relay delivers them after the response (both stacks, SQLite backend only).
    """

    INLINE_SEQUENTIAL = "inline-sequential"
    THREAD_POOL = "thread-pool"
    INLINE_GATHER = "inline-gather"
    BACKGROUND = "background"
    OUTBOX = "outbox"
