"""Summary statistics: medians with bootstrap 95% intervals, and ratios of medians."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from scipy import stats

BOOTSTRAP_RESAMPLES = 2000  # enough for stable 2.5/97.5 percentiles; scipy's default is 9999
BOOTSTRAP_SEED = 0  # fixed, so rebuilding a report from the same values gives the same intervals


def _percentile_bootstrap(data: tuple[np.ndarray, ...], statistic: Any) -> tuple[float, float]:
    # The percentile method, because BCa needs more values than a smoke run collects.
    result = stats.bootstrap(
        data,
        statistic,
        n_resamples=BOOTSTRAP_RESAMPLES,
        method="percentile",
        vectorized=True,
        paired=False,
        rng=np.random.default_rng(BOOTSTRAP_SEED),
    )
    return float(result.confidence_interval.low), float(result.confidence_interval.high)


def median_ci(values: Sequence[float]) -> tuple[float, tuple[float, float]]:
    """Return the median and a 95% bootstrap interval for it."""
    array = np.asarray(values, dtype=float)
    if array.size == 0:
        raise ValueError("no values to summarise")
    median = float(np.median(array))
    if array.size == 1 or np.all(array == array[0]):
        return median, (median, median)
    low, high = _percentile_bootstrap((array,), lambda sample, axis: np.median(sample, axis=axis))
    return median, (low, high)


def ratio_ci(
    numerator: Sequence[float], denominator: Sequence[float]
) -> tuple[float, tuple[float, float]]:
    """Return median(numerator) / median(denominator) with a 95% bootstrap interval."""
    a = np.asarray(numerator, dtype=float)
    b = np.asarray(denominator, dtype=float)
    if a.size == 0 or b.size == 0:
        raise ValueError("no values to compare")
    # A zero median (an empty count, say) gives inf or nan, not a warning on stderr.
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = float(np.median(a) / np.median(b))
        if (a.size == 1 or np.all(a == a[0])) and (b.size == 1 or np.all(b == b[0])):
            return ratio, (ratio, ratio)
        low, high = _percentile_bootstrap(
            (a, b),
            lambda x, y, axis: np.median(x, axis=axis) / np.median(y, axis=axis),
        )
    return ratio, (low, high)
