"""Run profiles: how many pyperf processes, values and repetitions each one spends."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Profile:
    name: str
    pyperf_processes: int
    pyperf_values: int  # timed values per worker process
    pyperf_warmups: int  # untimed runs per worker process before its values
    race_repetitions: int  # repetitions of each race case; each one starts from an empty store
    case_timeout_s: float  # a pyperf case that runs longer is stopped and marked failed

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


PROFILES = {
    # smoke: about two minutes on 2 cores; enough values for an interval, not for a decision.
    "smoke": Profile("smoke", 2, 2, 1, 3, 120.0),
    # default: pyperf's --fast process count (6), so the README's command takes minutes.
    "default": Profile("default", 6, 3, 1, 10, 300.0),
    # full: pyperf's own default of 20 processes, for a quiet machine.
    "full": Profile("full", 20, 3, 1, 30, 900.0),
}
