"""Names shared by the stacks, the harness and the report."""

from __future__ import annotations

from enum import StrEnum


class Policy(StrEnum):
    """How an adapter guards consistency and handles handler failures.

    AS_WRITTEN reproduces the guide: one lock held across the simulated I/O,
    check-then-act email uniqueness, handler failures swallowed. CORRECTED keeps the
    use cases but holds no lock across I/O, enforces uniqueness atomically and
    reports handler failures.
    """

    AS_WRITTEN = "as-written"
    CORRECTED = "corrected"


class Backend(StrEnum):
    MEMORY = "memory"
    SQLITE = "sqlite"
    POSTGRES = "postgres"
