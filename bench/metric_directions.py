"""The direction in which each metric improves, so compare can tell regressions apart."""

from __future__ import annotations

import enum


class Direction(enum.Enum):
    LOWER_IS_BETTER = "lower is better"
    HIGHER_IS_BETTER = "higher is better"
    # Unknown metrics are gated in both directions: a false alarm on an improvement is
    # loud and cheap to fix (add the metric below), a missed regression is silent.
    UNKNOWN = "unknown"


# Looked up first: exact metric names.
BY_NAME: dict[str, Direction] = {
    "wall_time_s": Direction.LOWER_IS_BETTER,
    "time_s": Direction.LOWER_IS_BETTER,  # pytest-benchmark rounds, read by compare
    "duplicates_stored": Direction.LOWER_IS_BETTER,
    "max_duplicates_stored": Direction.LOWER_IS_BETTER,
    # Registrations of an email already taken that were rejected; fewer means more
    # duplicates got through.
    "rejected_registrations": Direction.HIGHER_IS_BETTER,
    "speedup_over_sync_sequential": Direction.HIGHER_IS_BETTER,
    # C2: a larger share of checked-out time spent executing queries is a busier pool.
    "busy_share_of_checked_out": Direction.HIGHER_IS_BETTER,
    "server_exec_share_of_pool": Direction.HIGHER_IS_BETTER,
    "client_cpu_cores": Direction.LOWER_IS_BETTER,
    # C7 lost updates: broken invariants per repetition; 0 is correct.
    "invariant_violations": Direction.LOWER_IS_BETTER,
    "max_invariant_violations": Direction.LOWER_IS_BETTER,
    # C8: counts of handler failures the caller heard of and of handlers that still ran.
    "caller_learned": Direction.HIGHER_IS_BETTER,
    "logged_with_names": Direction.HIGHER_IS_BETTER,
    "other_handlers_ran": Direction.HIGHER_IS_BETTER,
    "cancellation_propagates": Direction.HIGHER_IS_BETTER,
    "slow_handler_cancelled": Direction.HIGHER_IS_BETTER,
    # Bounds and predictions computed from the configuration, not measured: a change in
    # them means the configuration changed, which the machine and params checks report.
    "littles_law_bound": Direction.HIGHER_IS_BETTER,
    "other_handlers_expected": Direction.HIGHER_IS_BETTER,
    "physics_max_ms": Direction.LOWER_IS_BETTER,
    "physics_prediction_ms": Direction.LOWER_IS_BETTER,
    "physics_sum_ms": Direction.LOWER_IS_BETTER,
}

# Then words inside the name, in this order, so "requests_per_s" is not taken for a time.
BY_NAME_PART: tuple[tuple[str, Direction], ...] = (
    ("speedup", Direction.HIGHER_IS_BETTER),
    ("throughput", Direction.HIGHER_IS_BETTER),
    ("per_s", Direction.HIGHER_IS_BETTER),
    ("utilisation", Direction.HIGHER_IS_BETTER),
    ("utilization", Direction.HIGHER_IS_BETTER),
    ("latency", Direction.LOWER_IS_BETTER),
    ("time", Direction.LOWER_IS_BETTER),
    ("duration", Direction.LOWER_IS_BETTER),
    ("wait", Direction.LOWER_IS_BETTER),
    ("memory", Direction.LOWER_IS_BETTER),
    ("rss", Direction.LOWER_IS_BETTER),
    ("bytes", Direction.LOWER_IS_BETTER),
    ("duplicates", Direction.LOWER_IS_BETTER),
    ("errors", Direction.LOWER_IS_BETTER),
    ("failures", Direction.LOWER_IS_BETTER),
)

# Last, the unit.
BY_UNIT: dict[str, Direction] = {
    "s": Direction.LOWER_IS_BETTER,
    "ms": Direction.LOWER_IS_BETTER,
    "us": Direction.LOWER_IS_BETTER,
    "ns": Direction.LOWER_IS_BETTER,
    "bytes": Direction.LOWER_IS_BETTER,
    "B": Direction.LOWER_IS_BETTER,
    "KiB": Direction.LOWER_IS_BETTER,
    "MiB": Direction.LOWER_IS_BETTER,
    "x": Direction.HIGHER_IS_BETTER,  # speed-ups and other ratios of a baseline to a variant
    "req/s": Direction.HIGHER_IS_BETTER,
    "ops/s": Direction.HIGHER_IS_BETTER,
    "1/s": Direction.HIGHER_IS_BETTER,
}


def direction_of(name: str, unit: str) -> Direction:
    """Return the direction of a metric from its name, then the words in it, then its unit."""
    if name in BY_NAME:
        return BY_NAME[name]
    lowered = name.lower()
    for part, direction in BY_NAME_PART:
        if part in lowered:
            return direction
    return BY_UNIT.get(unit, Direction.UNKNOWN)
