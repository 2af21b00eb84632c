"""The spread of a metric, and the test that decides whether it is too noisy for a verdict."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bench.i18n import text
from bench.report_model import NoiseSection, Table
from bench.stats import median_ci

# A metric whose 95% interval of the median reaches more than 10% either side of the
# median cannot tell a 10% change (the compare threshold) from noise.
NOISE_LIMIT = 0.10

# Counts of correctness events (duplicates, violations) vary by design between
# repetitions, and their verdicts use the maximum, so their spread shows nothing about noise.
COUNT_UNITS = frozenset({"users", "requests", "violations"})


def relative_spread(median: float, ci95: Sequence[float]) -> float | None:
    """Return the half-width of the 95% interval relative to the median, or None at median 0."""
    if median == 0:
        return None
    low, high = ci95
    return float((high - low) / 2 / abs(median))


def spread_of_values(values: Sequence[float]) -> float | None:
    """Return the relative spread of raw values through a bootstrap interval of their median."""
    if not values:
        return None
    median, ci95 = median_ci(values)
    return relative_spread(median, ci95)


def metric_spread(metric: Any) -> float | None:
    """Return the relative spread of a results.json metric; None for plain numbers."""
    if not isinstance(metric, dict) or "median" not in metric or "ci95" not in metric:
        return None
    return relative_spread(float(metric["median"]), metric["ci95"])


def is_noisy(spread: float | None, limit: float = NOISE_LIMIT) -> bool:
    return spread is not None and spread > limit


def noisy_metrics(results: dict[str, Any], limit: float = NOISE_LIMIT) -> list[dict[str, Any]]:
    """List the measured metrics of a run whose spread exceeds `limit`.

    Derived ratios (no raw values) are skipped: their spread follows from the
    metrics they divide, which are listed themselves.
    """
    noisy = []
    for experiment in results["experiments"]:
        for point in experiment["points"]:
            for name, metric in point["metrics"].items():
                if not isinstance(metric, dict) or not metric.get("values"):
                    continue
                if metric.get("unit") in COUNT_UNITS:
                    continue
                spread = metric_spread(metric)
                if is_noisy(spread, limit):
                    noisy.append(
                        {
                            "experiment": experiment["id"],
                            "params": point["params"],
                            "metric": name,
                            "spread": spread,
                            "values": len(metric["values"]),
                        }
                    )
    return noisy


def report_section(results: dict[str, Any], lang: str, limit: float = NOISE_LIMIT) -> NoiseSection:
    """Build the report's noise section: every metric too noisy to support a verdict."""
    noisy = noisy_metrics(results, limit)
    if not noisy:
        return NoiseSection(text("noise_none", lang, limit=f"{limit:.0%}"), None)
    intro = text(
        "noise_some",
        lang,
        count=len(noisy),
        limit=f"{limit:.0%}",
        advice=text("noise_advice", lang),
    )
    header = [
        text(key, lang)
        for key in (
            "noise_col_experiment",
            "noise_col_params",
            "noise_col_metric",
            "noise_col_spread",
            "noise_col_values",
        )
    ]
    rows = [
        [
            item["experiment"],
            ", ".join(f"{k}={v}" for k, v in item["params"].items()),
            item["metric"],
            f"{item['spread']:.0%}",
            str(item["values"]),
        ]
        for item in noisy
    ]
    return NoiseSection(intro, Table(header, rows))
