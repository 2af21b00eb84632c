"""The rules behind compare: metric directions, the reachable p-value, and each status."""

from __future__ import annotations

import pytest

from bench.compare import Series, Status, compare_series, min_attainable_p
from bench.metric_directions import Direction, direction_of
from bench.noise import is_noisy, relative_spread


def _series(metric: str, unit: str, values: list[float]) -> Series:
    ordered = sorted(values)
    median = ordered[len(ordered) // 2]
    return Series("experiment", {"stack": "sync"}, metric, unit, median, tuple(values), 0.0)


@pytest.mark.parametrize(
    ("name", "unit", "expected"),
    [
        ("wall_time_s", "s", Direction.LOWER_IS_BETTER),
        ("speedup_over_sync_sequential", "x", Direction.HIGHER_IS_BETTER),
        ("duplicates_stored", "users", Direction.LOWER_IS_BETTER),
        ("rejected_registrations", "users", Direction.HIGHER_IS_BETTER),
        ("p99_latency_ms", "ms", Direction.LOWER_IS_BETTER),
        ("requests_per_s", "req/s", Direction.HIGHER_IS_BETTER),
        ("rss_bytes_per_request", "bytes", Direction.LOWER_IS_BETTER),
        ("connection_share", "ratio", Direction.UNKNOWN),
    ],
)
def test_direction_of_metric(name: str, unit: str, expected: Direction) -> None:
    assert direction_of(name, unit) is expected


def test_min_p_for_smoke_counts() -> None:
    assert min_attainable_p(4, 4) == pytest.approx(2 / 70)
    assert min_attainable_p(3, 3) == pytest.approx(0.1)
    assert min_attainable_p(1, 1) == 1.0


def test_identical_values_no_change() -> None:
    values = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
    result = compare_series(
        _series("wall_time_s", "s", values), _series("wall_time_s", "s", values), 0.1, 0.05
    )

    assert result.status is Status.NO_CHANGE
    assert result.p_value == 1.0
    assert result.change == 0.0


def test_time_up_is_regression() -> None:
    base = [1.0, 1.1, 1.2, 1.3]
    new = [v * 2 for v in base]

    result = compare_series(
        _series("wall_time_s", "s", base), _series("wall_time_s", "s", new), 0.1, 0.05
    )

    assert result.status is Status.REGRESSION
    assert result.p_value == pytest.approx(2 / 70)


def test_speedup_up_is_improvement() -> None:
    base = [1.0, 1.1, 1.2, 1.3]
    new = [v * 2 for v in base]

    result = compare_series(_series("speedup", "x", base), _series("speedup", "x", new), 0.1, 0.05)

    assert result.status is Status.IMPROVEMENT


def test_unknown_direction_gates_both_ways() -> None:
    base = [1.0, 1.1, 1.2, 1.3]
    new = [v / 2 for v in base]

    result = compare_series(_series("share", "?", base), _series("share", "?", new), 0.1, 0.05)

    assert result.direction is Direction.UNKNOWN
    assert result.status is Status.REGRESSION


def test_small_significant_change_below_threshold() -> None:
    base = [1.0, 1.01, 1.02, 1.03, 1.04, 1.05]
    new = [v * 1.05 + 0.06 for v in base]

    result = compare_series(
        _series("wall_time_s", "s", base), _series("wall_time_s", "s", new), 0.2, 0.05
    )

    assert result.p_value is not None
    assert result.p_value < 0.05
    assert result.status is Status.SMALL_CHANGE


def test_three_values_cannot_decide() -> None:
    base = [1.0, 1.1, 1.2]
    new = [v * 3 for v in base]

    result = compare_series(
        _series("wall_time_s", "s", base), _series("wall_time_s", "s", new), 0.1, 0.05
    )

    assert result.min_p_value == pytest.approx(0.1)
    assert result.status is Status.INCONCLUSIVE


def test_series_without_values_not_tested() -> None:
    base = Series("e", {}, "speedup", "x", 2.0, None, None)
    new = Series("e", {}, "speedup", "x", 1.0, None, None)

    result = compare_series(base, new, 0.1, 0.05)

    assert result.status is Status.NOT_TESTED
    assert result.change == pytest.approx(-0.5)


def test_relative_spread_and_noise() -> None:
    assert relative_spread(10.0, (9.0, 11.0)) == pytest.approx(0.1)
    assert relative_spread(0.0, (0.0, 1.0)) is None
    assert is_noisy(0.3)
    assert not is_noisy(0.05)
    assert not is_noisy(None)
    assert relative_spread(2.0, (2.0, 2.0)) == 0.0
