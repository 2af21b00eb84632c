"""C2 and C4 on the throwaway PostgreSQL cluster: a few real cases, then derive, judge and plot."""

from __future__ import annotations

from pathlib import Path

from bench.experiments import c2_pool_utilisation as c2
from bench.experiments import c4_concurrent_reads as c4
from bench.experiments.base import Case, Context
from bench.plots_pg import plot_c2, plot_c4
from bench.profiles import PROFILES
from bench.verdicts_pg import judge_c2, judge_c4
from core.policy import Backend

VERDICTS = {"confirmed", "refuted", "conditional", "not-checked"}


def _context(tmp_path: Path, pg_dsn: str) -> Context:
    return Context(PROFILES["smoke"], tmp_path, (Backend.POSTGRES,), extra={"pg_dsn": pg_dsn})


def _pick(cases: list[Case], **params: object) -> list[Case]:
    return [c for c in cases if all(c.params[k] == v for k, v in params.items())]


def test_c2_plan_needs_postgres(tmp_path: Path) -> None:
    context = Context(PROFILES["smoke"], tmp_path, (Backend.MEMORY, Backend.SQLITE))
    assert c2.plan(context) == []


def test_c2_cases_measure_pool(tmp_path: Path, pg_dsn: str) -> None:
    context = _context(tmp_path, pg_dsn)
    cases = _pick(c2.plan(context), pool_size=5, clients=10)
    cases = [c for c in cases if c.params["executor"] in ("threads", "asyncio")]
    assert len(cases) == 4  # two executors, two policies
    points = c2.derive([c2.measure(case, context) for case in cases])

    for point in points:
        metrics = point["metrics"]
        assert metrics["throughput_rps"]["median"] > 0
        assert 0 < metrics["checked_out_share"]["median"] <= 1.05
        assert 0 <= metrics["busy_share_of_checked_out"]["median"] <= 1
        assert metrics["pool_wait_p99_ms"]["median"] >= metrics["pool_wait_p50_ms"]["median"]
        assert "utilisation_over_sync" in metrics
    held = [p for p in points if p["params"]["connection_hold"] == "use-case"]
    released = [p for p in points if p["params"]["connection_hold"] == "query"]
    # A connection held across the wait is checked out for most of the run; released, far less.
    assert min(p["metrics"]["checked_out_share"]["median"] for p in held) > max(
        p["metrics"]["checked_out_share"]["median"] for p in released
    )

    assert judge_c2(points).verdict in VERDICTS - {"not-checked"}
    assert plot_c2(points, tmp_path / "c2.png").stat().st_size > 0


def test_c4_cases_measure_reads(tmp_path: Path, pg_dsn: str) -> None:
    context = _context(tmp_path, pg_dsn)
    cases = _pick(c4.plan(context), k=10)
    cases = [c for c in cases if c.params["executor"] in ("sequential", "asyncio")]
    assert {c.params["driver"] for c in cases} == {"psycopg", "asyncpg", "sqlalchemy"}
    points = c4.derive([c4.measure(case, context) for case in cases])

    for point in points:
        assert point["params"]["backend"] == "postgres"
        assert point["metrics"]["reads_per_s"]["median"] > 0
        assert "speedup_over_serial" in point["metrics"]
    bounds = {p["params"]["executor"]: p["metrics"]["littles_law_bound"] for p in points}
    assert bounds == {"sequential": 1, "asyncio": 10}

    assert judge_c4(points).verdict in VERDICTS - {"not-checked"}
    assert plot_c4(points, tmp_path / "c4.png").stat().st_size > 0
