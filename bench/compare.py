"""Compare two runs metric by metric and decide which changes are significant regressions.

Each side is a ddd-bench run directory, its results.json, or a pytest-benchmark JSON
file. Points are matched by experiment id and params. For every metric with raw
values on both sides the comparison reports the relative change of the median with
a 95% bootstrap interval and a two-sided Mann-Whitney U test (scipy.stats) on the
raw values. A change counts as a regression only when it is significant at `alpha`
and at least `threshold` in the metric's worse direction. The threshold is the
minimum effect size, so a tiny but significant drift does not fail a CI job.
"""

from __future__ import annotations

import enum
import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from scipy import stats as scipy_stats

from bench import results
from bench.metric_directions import Direction, direction_of
from bench.noise import is_noisy, metric_spread, spread_of_values
from bench.stats import ratio_ci

# 10%, the same as the default --factor 1.1 of asv compare, which also pairs a minimum
# ratio with a statistical test. Within-run values do not capture drift between runs
# (machine load, CPU frequency), so a lower bar fails more often on a busy machine.
DEFAULT_THRESHOLD = 0.10
DEFAULT_ALPHA = 0.05  # the usual significance level; with 4 values a side the test reaches 0.029

# Environment fields that change the numbers. Runs that differ in any get a warning.
ENVIRONMENT_FIELDS = ("cpu_model", "cpu_count", "python", "implementation", "platform")

# Below this many values a side, the output warns that "no change" means "not detected".
FEW_VALUES = 10


class CompareInputError(results.ResultsError):
    """A compare input is missing, corrupt, of another schema, or has nothing to compare."""


class Status(enum.Enum):
    REGRESSION = "regression"
    IMPROVEMENT = "improvement"
    SMALL_CHANGE = "below threshold"  # significant but smaller than the minimum effect size
    NO_CHANGE = "no significant change"
    INCONCLUSIVE = "inconclusive"  # too noisy, or too few values to reach significance
    NOT_TESTED = "not tested"  # no raw values on one side: only the medians are shown


STATUS_ORDER = tuple(Status)


@dataclass(frozen=True)
class Series:
    """One metric at one point of one run."""

    experiment: str
    params: dict[str, Any]
    metric: str
    unit: str
    median: float
    values: tuple[float, ...] | None
    spread: float | None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.experiment, _params_key(self.params), self.metric)


@dataclass
class RunData:
    source: Path
    kind: str  # "ddd-bench" or "pytest-benchmark"
    label: str
    environment: dict[str, Any]
    profile: str | None
    series: dict[tuple[str, str, str], Series]
    failed: list[str] = field(default_factory=list)  # experiments that did not finish


@dataclass(frozen=True)
class Comparison:
    base: Series
    new: Series
    direction: Direction
    change: float | None  # new median / base median - 1; None when the base median is 0
    change_ci95: tuple[float, float] | None
    p_value: float | None
    min_p_value: float | None  # the smallest p-value the test can reach with these counts
    noisy: bool
    status: Status

    @property
    def experiment(self) -> str:
        return self.base.experiment

    @property
    def metric(self) -> str:
        return self.base.metric


@dataclass
class Outcome:
    base: RunData
    new: RunData
    threshold: float
    alpha: float
    comparisons: list[Comparison]
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def regressions(self) -> list[Comparison]:
        return [c for c in self.comparisons if c.status is Status.REGRESSION]

    @property
    def noisy(self) -> list[Comparison]:
        return [c for c in self.comparisons if c.noisy]

    @property
    def noisy_worse(self) -> list[Comparison]:
        """Noisy metrics that moved beyond the threshold the worse way with p below alpha."""
        return [
            c
            for c in self.comparisons
            if c.status is Status.INCONCLUSIVE
            and c.noisy
            and c.p_value is not None
            and c.p_value < self.alpha
            and (c.change is None or abs(c.change) >= self.threshold)
            and _is_worse(math.inf if c.change is None else c.change, c.direction)
        ]


def _params_key(params: dict[str, Any]) -> str:
    return json.dumps(params, sort_keys=True, default=str)


# Loading -----------------------------------------------------------------------------


def _read_json(path: Path) -> Any:
    if path.is_dir():
        path = path / "results.json"
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as error:
        raise CompareInputError(
            f"file not found: {path}; pass a run directory, its results.json or a "
            "pytest-benchmark JSON file"
        ) from error
    except OSError as error:
        raise CompareInputError(f"cannot read {path}: {error.strerror}") from error
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise CompareInputError(
            f"corrupt JSON in {path}: {error.msg} at line {error.lineno}"
        ) from error


def _is_pytest_benchmark(data: Any) -> bool:
    return isinstance(data, dict) and "benchmarks" in data and "machine_info" in data


def _series_from_metric(
    experiment: str, params: dict[str, Any], name: str, metric: Any
) -> Series | None:
    if isinstance(metric, bool) or metric is None:
        return None
    if isinstance(metric, int | float):
        return Series(experiment, params, name, "", float(metric), None, None)
    values = metric.get("values")
    return Series(
        experiment,
        params,
        name,
        str(metric.get("unit", "")),
        float(metric["median"]),
        tuple(float(v) for v in values) if values else None,
        metric_spread(metric),
    )


def _from_results(path: Path, data: Any) -> RunData:
    try:
        results.validate(data)
    except results.ResultsError as error:
        raise CompareInputError(f"{path}: {error}") from error
    series: dict[tuple[str, str, str], Series] = {}
    failed = []
    for experiment in data["experiments"]:
        if experiment["status"] != "ok":
            failed.append(f"{experiment['id']} ({experiment['status']})")
            continue
        for point in experiment["points"]:
            for name, metric in point["metrics"].items():
                item = _series_from_metric(experiment["id"], point["params"], name, metric)
                if item is not None:
                    series[item.key] = item
    run = data["run"]
    environment = dict(data["environment"])
    return RunData(path, "ddd-bench", run["id"], environment, run["profile"], series, failed)


def _from_pytest_benchmark(path: Path, data: dict[str, Any]) -> RunData:
    machine = data.get("machine_info") or {}
    cpu = machine.get("cpu") or {}
    environment = {
        "python": machine.get("python_version", "unknown"),
        "implementation": machine.get("python_implementation", "unknown"),
        "platform": f"{machine.get('system', '')}-{machine.get('release', '')}-"
        f"{machine.get('machine', '')}",
        "cpu_model": cpu.get("brand_raw", machine.get("processor", "unknown")),
        "cpu_count": cpu.get("count", "unknown"),
    }
    series: dict[tuple[str, str, str], Series] = {}
    for benchmark in data["benchmarks"]:
        try:
            fullname = str(benchmark["fullname"])
            bench_stats = benchmark["stats"]
            median = float(bench_stats["median"])
        except (KeyError, TypeError, ValueError) as error:
            raise CompareInputError(
                f"{path}: a benchmark entry lacks fullname or stats.median ({error}); "
                "pass the JSON that pytest-benchmark wrote with --benchmark-json or "
                "--benchmark-autosave"
            ) from error
        # The test function is the experiment and its parametrize arguments are the params,
        # so "test_x[a-b]" matches "test_x[a-b]" in the other file.
        experiment = fullname.split("[", 1)[0]
        params = dict(benchmark.get("params") or {})
        raw = bench_stats.get("data")
        values = tuple(float(v) for v in raw) if raw else None
        spread = spread_of_values(values) if values else None
        item = Series(experiment, params, "time_s", "s", median, values, spread)
        series[item.key] = item
    label = str(data.get("datetime") or path.name)
    return RunData(path, "pytest-benchmark", label, environment, None, series)


def load_run(path: Path) -> RunData:
    """Load one side of a comparison; raise CompareInputError naming the file and the fault."""
    data = _read_json(path)
    if _is_pytest_benchmark(data):
        return _from_pytest_benchmark(path, data)
    return _from_results(path, data)


# Statistics --------------------------------------------------------------------------


def min_attainable_p(n_base: int, n_new: int) -> float:
    """Return the smallest two-sided exact Mann-Whitney p-value for these sample sizes.

    It is reached when every value of one side lies beyond every value of the other:
    2 / C(n_base + n_new, n_base).
    """
    return min(1.0, 2.0 / math.comb(n_base + n_new, n_base))


def _same_constant(base: tuple[float, ...], new: tuple[float, ...]) -> bool:
    """Return True when every value on both sides is the same number, as counts often are."""
    return len(set(base) | set(new)) == 1


def _mann_whitney(base: tuple[float, ...], new: tuple[float, ...]) -> float:
    if _same_constant(base, new):
        return 1.0  # every value equal: nothing to rank, and scipy would divide by zero
    result = scipy_stats.mannwhitneyu(new, base, alternative="two-sided")
    return float(result.pvalue)


def _change_ci(base: tuple[float, ...], new: tuple[float, ...]) -> tuple[float, float] | None:
    if np.any(np.asarray(base) == 0):
        return None  # a resampled median of 0 would make the ratio infinite
    _, (low, high) = ratio_ci(new, base)
    return (low - 1.0, high - 1.0)


def _is_worse(change: float, direction: Direction) -> bool:
    if direction is Direction.LOWER_IS_BETTER:
        return change > 0
    if direction is Direction.HIGHER_IS_BETTER:
        return change < 0
    return True  # unknown direction: any change may be a regression


def _relative_change(base: float, new: float) -> float | None:
    if base == 0:
        return 0.0 if new == 0 else None
    return new / base - 1.0


def compare_series(base: Series, new: Series, threshold: float, alpha: float) -> Comparison:
    """Compare one metric of one point; see the module docstring for the rule."""
    direction = direction_of(base.metric, base.unit or new.unit)
    change = _relative_change(base.median, new.median)
    noisy = is_noisy(base.spread, threshold) or is_noisy(new.spread, threshold)
    if base.values is None or new.values is None:
        return Comparison(base, new, direction, change, None, None, None, noisy, Status.NOT_TESTED)

    p_value = _mann_whitney(base.values, new.values)
    min_p = min_attainable_p(len(base.values), len(new.values))
    change_ci = _change_ci(base.values, new.values)
    # A change from a median of 0 has no relative size; any significant one is large.
    size = math.inf if change is None else abs(change)
    if p_value < alpha and size < threshold:
        status = Status.SMALL_CHANGE
    elif noisy:
        # A metric whose interval is wider than the threshold cannot support a verdict,
        # so even a significant change of it is reported but does not fail the gate.
        status = Status.INCONCLUSIVE
    elif p_value < alpha:
        worse = _is_worse(math.inf if change is None else change, direction)
        status = Status.REGRESSION if worse else Status.IMPROVEMENT
    elif min_p >= alpha and not _same_constant(base.values, new.values):
        status = Status.INCONCLUSIVE  # too few values for the test to reach alpha
    else:
        status = Status.NO_CHANGE
    return Comparison(base, new, direction, change, change_ci, p_value, min_p, noisy, status)


# The whole comparison ------------------------------------------------------------------


def _environment_warnings(base: RunData, new: RunData) -> list[str]:
    differences = []
    for name in ENVIRONMENT_FIELDS:
        before = base.environment.get(name)
        after = new.environment.get(name)
        if before != after:
            differences.append(f"{name} {before!r} -> {after!r}")
    warnings = []
    if differences:
        warnings.append(
            "the runs come from different machines or interpreters, so part of any change "
            "may come from them: " + "; ".join(differences)
        )
    if base.profile != new.profile:
        warnings.append(
            f"the runs used different profiles ({base.profile} -> {new.profile}), "
            "so they collected different numbers of values"
        )
    return warnings


def _unmatched_warning(side: str, keys: Iterable[tuple[str, str, str]]) -> str | None:
    missing = sorted(keys)
    if not missing:
        return None
    shown = ", ".join(
        f"{experiment} {metric} at {params}" for experiment, params, metric in missing[:3]
    )
    more = f" and {len(missing) - 3} more" if len(missing) > 3 else ""
    return f"{len(missing)} metrics appear only in {side}: {shown}{more}"


def _power_note(comparisons: list[Comparison], alpha: float) -> str | None:
    tested = [c for c in comparisons if c.base.values and c.new.values]
    if not tested:
        return None
    fewest = min(tested, key=lambda c: min(len(c.base.values or ()), len(c.new.values or ())))
    n_base = len(fewest.base.values or ())
    n_new = len(fewest.new.values or ())
    if min(n_base, n_new) >= FEW_VALUES:
        return None
    min_p = min_attainable_p(n_base, n_new)
    if min_p >= alpha:
        return (
            f"with as few as {n_base} and {n_new} values a side, the exact Mann-Whitney test "
            f"cannot reach p < {alpha} (its smallest p-value is {min_p:.3f}), so changes there "
            "are reported as inconclusive unless tied values let scipy's normal approximation "
            "decide: collect more values with --profile default or full"
        )
    return (
        f"with as few as {n_base} and {n_new} values a side, the Mann-Whitney test has little "
        f"power: its smallest p-value is {min_p:.3f}, reached only when every new value lies "
        "beyond every base value, so 'no significant change' means 'not detected', not "
        "'unchanged'; use --profile default or full for a decision"
    )


def compare_runs(
    base: RunData,
    new: RunData,
    threshold: float = DEFAULT_THRESHOLD,
    alpha: float = DEFAULT_ALPHA,
) -> Outcome:
    """Compare every metric present in both runs; raise CompareInputError when none is."""
    common = [key for key in base.series if key in new.series]
    if not common:
        raise CompareInputError(
            f"nothing to compare: {base.source} ({base.kind}) and {new.source} ({new.kind}) "
            "share no experiment, params and metric; compare runs of the same claims or "
            "the same benchmark suite"
        )
    comparisons = [
        compare_series(base.series[key], new.series[key], threshold, alpha) for key in common
    ]
    comparisons.sort(key=lambda c: STATUS_ORDER.index(c.status))
    outcome = Outcome(base, new, threshold, alpha, comparisons)

    outcome.warnings += _environment_warnings(base, new)
    for side, run in (("BASE", base), ("NEW", new)):
        if run.failed:
            outcome.warnings.append(
                f"{side} has experiments that did not finish, so their metrics are not "
                f"compared: {', '.join(run.failed)}"
            )
    for side, run, other in (("BASE", base, new), ("NEW", new, base)):
        warning = _unmatched_warning(side, set(run.series) - set(other.series))
        if warning:
            outcome.warnings.append(warning)
    unknown = sorted({c.metric for c in comparisons if c.direction is Direction.UNKNOWN})
    if unknown:
        outcome.warnings.append(
            "unknown direction for " + ", ".join(unknown) + ": a significant change either "
            "way counts as a regression; add the metric to bench/metric_directions.py"
        )
    note = _power_note(comparisons, alpha)
    if note:
        outcome.notes.append(note)
    # NOTE: no correction for testing many metrics at once (a Holm correction would make
    # every smoke-profile test unreachable); the minimum effect size limits false alarms.
    untested = sum(1 for c in comparisons if c.status is Status.NOT_TESTED)
    if untested:
        outcome.notes.append(
            f"{untested} metrics have no raw values on one side (derived ratios, or "
            "pytest-benchmark JSON saved without --benchmark-save-data), so only their "
            "medians are shown and they never fail the comparison"
        )
    return outcome
