"""Experiments, one module per claim, and the registry the runner reads.

An experiment plans its cases from the run's context, measures one case into one
point, and may derive extra metrics once all points are in. The runner owns
progress, persistence and failure handling, so experiments only measure.
"""

from __future__ import annotations

from bench.experiments import (
    c1_event_latency,
    c2_pool_utilisation,
    c3_registrations,
    c4_concurrent_reads,
    c5_memory,
    c6_http_latency,
    c7_duplicates,
    c7_lost_updates,
    c8_handler_failures,
)
from bench.experiments.base import Case, Context, Experiment

# Run order: the order of this tuple.
MODULES = (
    c1_event_latency,
    c2_pool_utilisation,
    c3_registrations,
    c4_concurrent_reads,
    c5_memory,
    c6_http_latency,
    c7_duplicates,
    c7_lost_updates,
    c8_handler_failures,
)

EXPERIMENTS: dict[str, Experiment] = {module.ID: module for module in MODULES}

__all__ = ["EXPERIMENTS", "Case", "Context", "Experiment"]
