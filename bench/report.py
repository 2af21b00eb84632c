"""Render report.md and its plots from results.json alone."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.plots import PLOTTERS

logger = logging.getLogger(__name__)

Results = dict[str, Any]
Point = dict[str, Any]


@dataclass(frozen=True)
class Column:
    metric: str
    label: str
    scale: float = 1.0
    digits: int = 2


PARAM_COLUMNS = (
    "backend",
    "policy",
    "stack",
    "executor",
    "driver",
    "concurrency",
    "k",
    "connections",
    "pool_size",
    "clients",
    "connection_hold",
)

TABLE_COLUMNS: dict[str, tuple[Column, ...]] = {
    "C3": (
        Column("wall_time_s", "wall time, ms", 1000.0, 1),
        Column("speedup_over_sync_sequential", "speed-up over sync sequential, x", 1.0, 1),
    ),
    "C2": (
        Column("throughput_rps", "requests/s", 1.0, 0),
        Column("throughput_per_connection_rps", "requests/s per connection", 1.0, 1),
        Column("utilisation_over_sync", "async / sync per connection, x", 1.0, 2),
        Column("pool_wait_p50_ms", "pool wait p50, ms", 1.0, 2),
        Column("pool_wait_p99_ms", "pool wait p99, ms", 1.0, 2),
        Column("checked_out_share", "pool time checked out, %", 100.0, 1),
        Column("busy_share_of_checked_out", "checked-out time executing (server), %", 100.0, 2),
        Column("client_cpu_cores", "client CPU, cores", 1.0, 2),
    ),
    "C4": (
        Column("wall_time_s", "wall time, ms", 1000.0, 2),
        Column("reads_per_s", "reads/s", 1.0, 0),
        Column("speedup_over_serial", "speed-up over serial, x", 1.0, 2),
        Column("littles_law_bound", "Little's-law bound, x", 1.0, 0),
    ),
    "C7": (
        Column("duplicates_stored", "users stored with the email", 1.0, 0),
        Column("max_duplicates_stored", "max over repetitions", 1.0, 0),
        Column("rejected_registrations", "rejected as already in use", 1.0, 0),
    ),
}

VERDICT_MARK = {
    "confirmed": "confirmed",
    "refuted": "**refuted**",
    "conditional": "*conditional*",
    "not-checked": "not-checked",
}


def _cell(value: Any, column: Column) -> str:
    if value is None:
        return "-"
    if isinstance(value, int | float):
        return f"{value * column.scale:.{column.digits}f}"
    median = value["median"] * column.scale
    low, high = (v * column.scale for v in value["ci95"])
    d = column.digits
    return f"{median:.{d}f} [{low:.{d}f}, {high:.{d}f}]"


def _table(points: list[Point], columns: tuple[Column, ...]) -> list[str]:
    params = [p for p in PARAM_COLUMNS if any(p in point["params"] for point in points)]
    header = [*params]
    for column in columns:
        summarised = any(isinstance(p["metrics"].get(column.metric), dict) for p in points)
        header.append(f"{column.label} (median [95% CI])" if summarised else column.label)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for point in points:
        cells = [str(point["params"].get(p, "-")) for p in params]
        cells += [_cell(point["metrics"].get(c.metric), c) for c in columns]
        lines.append("| " + " | ".join(cells) + " |")
    return lines


def _generic_columns(points: list[Point]) -> tuple[Column, ...]:
    names: list[str] = []
    for point in points:
        for name in point["metrics"]:
            if name not in names:
                names.append(name)
    return tuple(Column(name, name) for name in names)


def _setup_lines(setup: dict[str, Any]) -> list[str]:
    lines = []
    for key, value in setup.items():
        if isinstance(value, dict):
            value = ", ".join(f"{k} {v}" for k, v in value.items())
        elif isinstance(value, list):
            value = ", ".join(str(v) for v in value)
        lines.append(f"- {key.replace('_', ' ')}: {value}")
    return lines


def _claim_section(claim: dict[str, Any], results: Results, out_dir: Path) -> list[str]:
    lines = [
        f'<a id="{claim["id"].lower()}"></a>',
        "",
        f"## {claim['id']}: {claim['claim_en']}",
        "",
        f"> {claim['quote_zh']}",
        ">",
        f"> {claim['claim_en']}",
        "",
        f"Claimed: {claim['claimed']}. Verdict: {VERDICT_MARK[claim['verdict']]}.",
        "",
    ]
    experiments = [e for e in results["experiments"] if e["claim"] == claim["id"]]
    present = {e["id"] for e in experiments}
    missing = [e for e in claim["experiments"] if e not in present]
    if missing:
        lines += [f"Missing from this run: {', '.join(f'`{e}`' for e in missing)}.", ""]
    if not experiments:
        lines += [f"Reason: {claim['reason']}", ""]
        return lines

    for experiment in experiments:
        lines += [f"### Experiment `{experiment['id']}` ({experiment['status']})", ""]
        if experiment.get("error"):
            lines += [f"Failed: {experiment['error']}", ""]
        if experiment.get("setup"):
            lines += ["Setup:", "", *_setup_lines(experiment["setup"]), ""]
        points = experiment["points"]
        if points:
            columns = TABLE_COLUMNS.get(claim["id"]) or _generic_columns(points)
            lines += [*_table(points, columns), ""]

    points = [p for e in experiments for p in e["points"]]
    if points:
        for file_name, plot in PLOTTERS.get(claim["id"], ()):
            try:
                plot(points, out_dir / file_name)
            except Exception:
                logger.exception("plot %s failed for %s", file_name, claim["id"])
                lines += [f"(plot {file_name} failed; see the log)", ""]
                continue
            lines += [f"![{claim['id']} plot]({file_name})", ""]
    lines += [f"Reason: {claim['reason']}", ""]
    return lines


def render(results: Results, out_dir: Path) -> Path:
    """Write out_dir/report.md and its PNG plots; return the report's path."""
    run = results["run"]
    env = results["environment"]
    lines = [
        f"# ddd-bench report: run {run['id']}",
        "",
        f"Profile `{run['profile']}`, started {run['started']}, "
        f"finished {run['finished'] or 'not finished'}.",
        f"Machine: {env['cpu_count']} cores, {env['cpu_model']}; {env['implementation']} "
        f"{env['python']} on {env['platform']}.",
        f"Command: `{' '.join(run['argv'])}`",
        "",
        "## Verdicts",
        "",
        "| claim | the guide says | claimed | verdict | reason |",
        "|---|---|---|---|---|",
    ]
    for claim in results["claims"]:
        lines.append(
            f"| [{claim['id']}](#{claim['id'].lower()}) | {claim['quote_zh']} | {claim['claimed']} "
            f"| {VERDICT_MARK[claim['verdict']]} | {claim['reason']} |"
        )
    failed = [e for e in results["experiments"] if e["status"] != "ok"]
    if failed:
        lines += ["", "Experiments that did not finish:", ""]
        lines += [f"- `{e['id']}` {e['status']}: {e.get('error') or 'no detail'}" for e in failed]
    lines += [
        "",
        "Times are medians over pyperf worker processes; intervals are 95% percentile "
        "bootstrap intervals of the median. Compare ratios within one run: the machine "
        "is shared and absolute times move between runs.",
        "",
    ]
    for claim in results["claims"]:
        lines += _claim_section(claim, results, out_dir)

    lines += ["## Environment", ""]
    lines += [f"- {key}: {value}" for key, value in env.items() if key != "packages"]
    lines += ["- packages: " + ", ".join(f"{k} {v}" for k, v in env["packages"].items()), ""]
    if run.get("config"):
        lines += ["## Configuration", "", *_setup_lines(run["config"]), ""]

    path = out_dir / "report.md"
    path.write_text("\n".join(lines), encoding="utf-8")
    return path
