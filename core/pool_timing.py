"""Timings of pooled database connections, filled by the adapters and read by the harness.

The adapters record, for every checkout, how long the caller waited for a
connection and how long it then held it. The harness derives pool wait
percentiles and connection utilisation from them. Clock readings come from the
adapters, so this module stays free of I/O.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class PoolTimings:
    """Wait and hold durations in seconds, one entry per connection checkout."""

    waits_s: list[float] = field(default_factory=list)
    holds_s: list[float] = field(default_factory=list)

    def record(self, wait_s: float, hold_s: float) -> None:
        self.waits_s.append(wait_s)
        self.holds_s.append(hold_s)

    def clear(self) -> None:
        self.waits_s.clear()
        self.holds_s.clear()
