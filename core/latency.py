"""The simulated I/O latency that both in-memory repositories obey."""

from __future__ import annotations

import random
from dataclasses import dataclass, field


@dataclass
class LatencyModel:
    """Delay per repository call: a fixed base plus optional uniform jitter.

    The model only computes delays; each stack sleeps them in its own way
    (time.sleep or asyncio.sleep), which is the difference under test.
    """

    latency_ms: float = 1.0  # the guide sleeps 1 ms per repository call
    jitter_ms: float = 0.0
    seed: int = 0
    _rng: random.Random = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.latency_ms < 0 or self.jitter_ms < 0:
            raise ValueError(
                f"invalid latency {self.latency_ms} ms / jitter {self.jitter_ms} ms: "
                "both must be zero or positive"
            )
        self._rng = random.Random(self.seed)

    def next_delay_s(self) -> float:
        if self.jitter_ms == 0:
            return self.latency_ms / 1000.0
        return (self.latency_ms + self._rng.uniform(0.0, self.jitter_ms)) / 1000.0
