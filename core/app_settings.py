"""Settings of the web apps, read from environment variables so a server process can be configured.

Both apps read the same variables, so the harness configures the sync and the async
server identically:

    DDD_BENCH_BACKEND             memory (default) or sqlite
    DDD_BENCH_POLICY              as-written (default) or corrected
    DDD_BENCH_LATENCY_MS          simulated I/O per repository call, memory backend (default 1)
    DDD_BENCH_SQLITE_PATH         database file, required with the sqlite backend
    DDD_BENCH_POOL_SIZE           sqlite3 connections per sync worker process (default 1)
    DDD_BENCH_HANDLER_MS          simulated I/O per event handler call; 0 subscribes none (default)
    DDD_BENCH_HANDLERS_PER_EVENT  handlers subscribed to each event type (default 1)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

from core.policy import Backend, Policy

PREFIX = "DDD_BENCH_"
GUIDE_HANDLER_MS = 100.0  # the guide's demo handlers each sleep 0.1 s
MAX_HANDLERS_PER_EVENT = 100

E = TypeVar("E", Backend, Policy)


class SettingsError(ValueError):
    """An environment variable contains a value the apps cannot use."""


@dataclass(frozen=True)
class AppSettings:
    backend: Backend = Backend.MEMORY
    policy: Policy = Policy.AS_WRITTEN
    latency_ms: float = 1.0  # the guide's repository sleeps 1 ms per call
    sqlite_path: Path | None = None
    pool_size: int = 1
    handler_ms: float = 0.0
    handlers_per_event: int = 1

    def __post_init__(self) -> None:
        if self.latency_ms < 0 or self.handler_ms < 0:
            raise SettingsError(
                f"invalid latency_ms {self.latency_ms} / handler_ms {self.handler_ms}: "
                "both must be zero or positive"
            )
        if self.pool_size < 1:
            raise SettingsError(f"invalid pool_size {self.pool_size}: must be at least 1")
        if not 1 <= self.handlers_per_event <= MAX_HANDLERS_PER_EVENT:
            raise SettingsError(
                f"invalid handlers_per_event {self.handlers_per_event}: "
                f"must be from 1 to {MAX_HANDLERS_PER_EVENT}"
            )
        if self.backend is Backend.SQLITE and self.sqlite_path is None:
            raise SettingsError(
                f"missing {PREFIX}SQLITE_PATH: the sqlite backend needs a database file path"
            )

    @classmethod
    def from_env(cls, environ: Mapping[str, str]) -> AppSettings:
        """Read the DDD_BENCH_* variables; raise SettingsError naming a bad variable and value."""
        defaults = cls()
        sqlite_path = environ.get(f"{PREFIX}SQLITE_PATH")
        return cls(
            backend=_choice(environ, "BACKEND", Backend, defaults.backend),
            policy=_choice(environ, "POLICY", Policy, defaults.policy),
            latency_ms=_number(environ, "LATENCY_MS", defaults.latency_ms),
            sqlite_path=Path(sqlite_path) if sqlite_path else None,
            pool_size=int(_number(environ, "POOL_SIZE", defaults.pool_size, integer=True)),
            handler_ms=_number(environ, "HANDLER_MS", defaults.handler_ms),
            handlers_per_event=int(
                _number(environ, "HANDLERS_PER_EVENT", defaults.handlers_per_event, integer=True)
            ),
        )

    def to_env(self) -> dict[str, str]:
        """Return the variables that make from_env rebuild these settings."""
        env = {
            f"{PREFIX}BACKEND": self.backend.value,
            f"{PREFIX}POLICY": self.policy.value,
            f"{PREFIX}LATENCY_MS": repr(self.latency_ms),
            f"{PREFIX}POOL_SIZE": str(self.pool_size),
            f"{PREFIX}HANDLER_MS": repr(self.handler_ms),
            f"{PREFIX}HANDLERS_PER_EVENT": str(self.handlers_per_event),
        }
        if self.sqlite_path is not None:
            env[f"{PREFIX}SQLITE_PATH"] = str(self.sqlite_path)
        return env

    def as_dict(self) -> dict[str, Any]:
        values = asdict(self)
        values["backend"] = self.backend.value
        values["policy"] = self.policy.value
        values["sqlite_path"] = None if self.sqlite_path is None else str(self.sqlite_path)
        return values


def _choice(environ: Mapping[str, str], name: str, kind: type[E], default: E) -> E:
    raw = environ.get(PREFIX + name)
    if raw is None or raw == "":
        return default
    try:
        return kind(raw.strip().lower())
    except ValueError:
        names = ", ".join(member.value for member in kind)
        raise SettingsError(f"invalid {PREFIX}{name} {raw!r}: choose from {names}") from None


def _number(
    environ: Mapping[str, str], name: str, default: float, *, integer: bool = False
) -> float:
    raw = environ.get(PREFIX + name)
    if raw is None or raw == "":
        return default
    try:
        return int(raw) if integer else float(raw)
    except ValueError:
        kind = "an integer" if integer else "a number"
        raise SettingsError(f"invalid {PREFIX}{name} {raw!r}: expected {kind}") from None
