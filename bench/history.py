"""A history of runs in a JSON-lines file, and a plot of each headline figure over time.

Each line contains one run: its id, start time, profile, environment, the headline
figures of its claims (median and 95% interval) and the raw values of its measured
metrics, so a later plot can test each run against the one before it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

from bench import compare
from bench.noise import relative_spread

logger = logging.getLogger(__name__)

HISTORY_VERSION = 1  # the format of one line; bump it when a field changes meaning
DEFAULT_PATH = Path("reports") / "history.jsonl"
LOG_SCALE_RANGE = 100.0  # a figure whose values span more than 100x gets a log axis


class HistoryError(compare.CompareInputError):
    """The history file is unreadable, or a line in it is corrupt."""


def entry_from_results(results: dict[str, Any]) -> dict[str, Any]:
    """Return the history line of one run: headline figures and raw metric values."""
    headline: dict[str, Any] = {}
    for claim in results["claims"]:
        headline.update(claim.get("headline") or {})
    metrics = []
    for experiment in results["experiments"]:
        if experiment["status"] != "ok":
            continue
        for point in experiment["points"]:
            for name, metric in point["metrics"].items():
                if isinstance(metric, dict) and metric.get("values"):
                    metrics.append(
                        {
                            "experiment": experiment["id"],
                            "params": point["params"],
                            "metric": name,
                            "unit": metric["unit"],
                            "values": metric["values"],
                            "median": metric["median"],
                            "ci95": metric["ci95"],
                        }
                    )
    environment = results["environment"]
    return {
        "history_version": HISTORY_VERSION,
        "run_id": results["run"]["id"],
        "started": results["run"]["started"],
        "profile": results["run"]["profile"],
        "environment": {name: environment.get(name) for name in compare.ENVIRONMENT_FIELDS},
        "headline": headline,
        "metrics": metrics,
    }


def append(results: dict[str, Any], path: Path) -> dict[str, Any]:
    """Append one run to the history file, creating it and its directory when missing."""
    entry = entry_from_results(results)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as file:
        file.write(json.dumps(entry, ensure_ascii=False) + "\n")
    logger.info("appended run %s to history %s", entry["run_id"], path)
    return entry


def load(path: Path) -> list[dict[str, Any]]:
    """Read every entry; raise HistoryError naming the file and line of a corrupt one."""
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as error:
        raise HistoryError(
            f"history file not found: {path}; add runs with `ddd-bench run --history {path}` "
            f"or `ddd-bench history {path} --add RUN_DIR`"
        ) from error
    entries = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            entry = json.loads(line)
        except json.JSONDecodeError as error:
            raise HistoryError(f"corrupt history line {number} in {path}: {error.msg}") from error
        version = entry.get("history_version") if isinstance(entry, dict) else None
        if version != HISTORY_VERSION:
            raise HistoryError(
                f"unsupported history_version {version!r} on line {number} of {path}: this "
                f"ddd-bench reads version {HISTORY_VERSION}; start a new history file"
            )
        entries.append(entry)
    return entries


def _run_data(entry: dict[str, Any], path: Path) -> compare.RunData:
    series = {}
    for metric in entry["metrics"]:
        item = compare.Series(
            metric["experiment"],
            metric["params"],
            metric["metric"],
            metric["unit"],
            float(metric["median"]),
            tuple(float(v) for v in metric["values"]),
            relative_spread(float(metric["median"]), metric["ci95"]),
        )
        series[item.key] = item
    return compare.RunData(
        path, "ddd-bench", entry["run_id"], entry["environment"], entry["profile"], series
    )


@dataclass(frozen=True)
class Change:
    """The regressions and improvements compare found between a run and the run before it."""

    index: int
    run_id: str
    regressions: list[str]
    improvements: list[str]


def significant_changes(
    entries: list[dict[str, Any]],
    path: Path,
    threshold: float = compare.DEFAULT_THRESHOLD,
    alpha: float = compare.DEFAULT_ALPHA,
) -> list[Change]:
    """Compare each run with the one before it; list the runs with a significant change."""
    changes = []
    for index in range(1, len(entries)):
        before = _run_data(entries[index - 1], path)
        after = _run_data(entries[index], path)
        try:
            outcome = compare.compare_runs(before, after, threshold, alpha)
        except compare.CompareInputError:
            logger.info("history: run %s shares no metric with the run before it", after.label)
            continue
        improved = [c for c in outcome.comparisons if c.status is compare.Status.IMPROVEMENT]
        if outcome.regressions or improved:
            changes.append(
                Change(
                    index,
                    after.label,
                    sorted({f"{c.experiment} {c.metric}" for c in outcome.regressions}),
                    sorted({f"{c.experiment} {c.metric}" for c in improved}),
                )
            )
    return changes


def _intervals_separate(previous: dict[str, Any] | None, current: dict[str, Any]) -> bool:
    if previous is None:
        return False
    low, high = current["ci95"]
    previous_low, previous_high = previous["ci95"]
    return bool(low > previous_high or high < previous_low)


def plot(entries: list[dict[str, Any]], changes: list[Change], out_path: Path) -> list[str]:
    """Draw each headline figure over the runs into one PNG; return the figures drawn."""
    names: list[str] = []
    for entry in entries:
        names += [name for name in entry["headline"] if name not in names]
    if not names:
        raise HistoryError(
            "no headline figures in the history: run claims that have a verdict, such as C3 or C7"
        )

    figure, axes = plt.subplots(
        len(names), 1, figsize=(10, 2.8 * len(names)), sharex=True, squeeze=False
    )
    labels = [f"{i}: {entry['run_id']}" for i, entry in enumerate(entries)]
    for axis, name in zip(axes[:, 0], names, strict=True):
        xs, medians, lows, highs, separate = [], [], [], [], []
        previous: dict[str, Any] | None = None
        unit = ""
        for index, entry in enumerate(entries):
            figure_value = entry["headline"].get(name)
            if figure_value is None:
                continue
            unit = figure_value["unit"]
            xs.append(index)
            medians.append(figure_value["median"])
            lows.append(figure_value["median"] - figure_value["ci95"][0])
            highs.append(figure_value["ci95"][1] - figure_value["median"])
            separate.append(_intervals_separate(previous, figure_value))
            previous = figure_value
        axis.errorbar(xs, medians, yerr=[lows, highs], marker="o", capsize=3, color="tab:blue")
        marked = [(x, m) for x, m, s in zip(xs, medians, separate, strict=True) if s]
        if marked:
            axis.scatter(
                *zip(*marked, strict=True),
                s=120,
                facecolors="none",
                edgecolors="tab:red",
                zorder=3,
                label="95% interval apart from the previous run",
            )
        for change in changes:
            color = "tab:red" if change.regressions else "tab:green"
            axis.axvline(change.index, color=color, linestyle="--", linewidth=1)
        positive = [m for m in medians if m > 0]
        if positive and max(positive) / min(positive) > LOG_SCALE_RANGE:
            axis.set_yscale("log")
        axis.set_title(name)
        axis.set_ylabel(f"median, {unit}" if unit else "median")
        if marked:
            axis.legend(loc="best", fontsize="small")
    bottom = axes[-1, 0]
    bottom.set_xticks(range(len(entries)))
    bottom.set_xticklabels(labels, rotation=30, ha="right", fontsize="small")
    bottom.set_xlabel(
        "run (dashed line: compare found a significant regression, red, or improvement, green)"
    )
    figure.suptitle("ddd-bench headline figures over time (error bars: 95% interval)")
    figure.tight_layout(rect=(0, 0, 1, 0.97))  # leave room for the suptitle
    out_path.parent.mkdir(parents=True, exist_ok=True)
    figure.savefig(out_path, dpi=100)
    plt.close(figure)
    return names
