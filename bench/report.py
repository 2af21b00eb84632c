"""Render report.md, report.html and their plots from results.json alone.

English writes report.md, report.html and the plots under their PLOTTERS names;
another language writes report.<lang>.md, report.<lang>.html and plots with the same
suffix, so both languages can sit in one run directory.
"""

from __future__ import annotations

import logging
import shlex
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import i18n, noise, report_html, report_markdown, summary
from bench.i18n import METRIC_LABELS, PARAM_LABELS, SETUP_LABELS, VERDICT_WORDS, text, translate
from bench.plots import PLOTTERS, language
from bench.report_model import (
    ClaimSection,
    ExperimentSection,
    Pairs,
    Plot,
    Report,
    Table,
    VerdictRow,
)

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
    "scenario",
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
    "strategy",
    "handlers",
    "handler_ms",
    "failure",
)
# Settings a claim's numbers depend on, printed beside them in its table.
EXTRA_PARAM_COLUMNS: dict[str, tuple[str, ...]] = {
    "C6": (
        "load",
        "workers",
        "server_processes",
        "server_threads",
        "rate_rps",
        "handler_ms",
        "duration_s",
    ),
}

TABLE_COLUMNS: dict[str, tuple[Column, ...]] = {
    "C1": (
        Column("latency_ms", "request latency, ms", 1.0, 2),
        Column("added_latency_ms", "added over K = 0, ms", 1.0, 2),
        Column("physics_prediction_ms", "physics predicts, ms", 1.0, 0),
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
    "C5": (
        Column("rss_bytes_per_request", "RSS per request, KiB", 1 / 1024, 2),
        Column("traced_bytes_per_request", "tracemalloc per request, KiB", 1 / 1024, 2),
        Column("vm_bytes_per_request", "virtual size per request, KiB", 1 / 1024, 0),
        Column("process_rss_bytes", "process RSS, MiB", 1 / 2**20, 1),
    ),
    "C3": (
        Column("wall_time_s", "wall time, ms", 1000.0, 1),
        Column("speedup_over_sync_sequential", "speed-up over sync sequential, x", 1.0, 1),
    ),
    "C6": (
        Column("latency_p50_ms", "p50, ms", 1.0, 1),
        Column("latency_p95_ms", "p95, ms", 1.0, 1),
        Column("latency_p99_ms", "p99, ms", 1.0, 1),
        Column("throughput_rps", "throughput, requests/s", 1.0, 1),
        Column("littles_law_bound_rps", "Little's-law bound, requests/s", 1.0, 1),
        Column("failures", "failed requests", 1.0, 0),
        Column("generator_cpu_percent", "generator CPU, %", 1.0, 0),
        Column("generator_saturated", "generator saturated (left out)", 1.0, 0),
        Column("send_lag_p99_ms", "open-loop send lag p99, ms", 1.0, 0),
        Column("server_rss_bytes", "server RSS, MiB", 1.0 / 2**20, 1),
    ),
    "C7": (
        Column("duplicates_stored", "users stored with the email", 1.0, 0),
        Column("max_duplicates_stored", "max over repetitions", 1.0, 0),
        Column("rejected_registrations", "rejected as already in use", 1.0, 0),
        Column("invariant_violations", "invariant violations", 1.0, 0),
        Column("max_invariant_violations", "max violations", 1.0, 0),
    ),
    "C8": (
        Column("caller_learned", "caller learned", 1.0, 0),
        Column("logged_with_names", "logged with names", 1.0, 0),
        Column("other_handlers_ran", "other handlers ran (of 2)", 1.0, 0),
        Column("failures_lost", "failures lost", 1.0, 0),
        Column("cancellation_propagates", "cancellation reached caller", 1.0, 0),
    ),
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


def _column_label(column: Column, lang: str) -> str:
    return translate(METRIC_LABELS, column.metric, lang, column.label)


def _table(
    points: list[Point],
    columns: tuple[Column, ...],
    lang: str,
    param_columns: tuple[str, ...] = PARAM_COLUMNS,
) -> Table:
    unique_columns = dict.fromkeys(param_columns)  # C6 repeats handler_ms among its extras
    params = [p for p in unique_columns if any(p in point["params"] for point in points)]
    columns = tuple(c for c in columns if any(c.metric in point["metrics"] for point in points))
    header = [translate(PARAM_LABELS, p, lang) for p in params]
    for column in columns:
        summarised = any(isinstance(p["metrics"].get(column.metric), dict) for p in points)
        name = _column_label(column, lang)
        header.append(f"{name} {text('median_ci', lang)}" if summarised else name)
    rows = []
    for point in points:
        cells = ["-" if point["params"].get(p) is None else str(point["params"][p]) for p in params]
        cells += [_cell(point["metrics"].get(c.metric), c) for c in columns]
        rows.append(cells)
    return Table(header, rows)


def _generic_columns(points: list[Point]) -> tuple[Column, ...]:
    names: list[str] = []
    for point in points:
        for name in point["metrics"]:
            if name not in names:
                names.append(name)
    return tuple(Column(name, name) for name in names)


def _setup_value(value: Any, lang: str) -> str:
    if isinstance(value, dict):
        return ", ".join(f"{translate(SETUP_LABELS, k, lang)} {v}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def setup_pairs(setup: dict[str, Any], lang: str) -> Pairs:
    """Label each setting of a setup or configuration dict in lang."""
    return [
        (translate(SETUP_LABELS, key, lang, key.replace("_", " ")), _setup_value(value, lang))
        for key, value in setup.items()
    ]


def verdict_label(verdict: str, lang: str) -> str:
    """Return the verdict word in lang, with the English id beside a translated one."""
    word = translate(VERDICT_WORDS, verdict, lang)
    return verdict if word == verdict else f"{word} ({verdict})"


def claim_reason(claim: dict[str, Any], lang: str) -> tuple[str, bool]:
    """Return the claim's reason in lang and whether a translation was found."""
    if lang == i18n.DEFAULT_LANGUAGE:
        return claim["reason"], True
    translated = claim.get("reason_zh")
    if translated:
        return str(translated), True
    return claim["reason"], False


def _plot_name(file_name: str, lang: str) -> str:
    path = Path(file_name)
    return f"{path.stem}{i18n.suffix(lang)}{path.suffix}"


def _plots(claim_id: str, points: list[Point], out_dir: Path, lang: str) -> list[Plot]:
    plots = []
    for file_name, plot in PLOTTERS.get(claim_id, ()):
        name = _plot_name(file_name, lang)
        try:
            plot(points, out_dir / name)
        except Exception:
            logger.exception("plot %s failed for %s", name, claim_id)
            plots.append(Plot(name, text("plot_failed", lang, file=name), failed=True))
            continue
        plots.append(Plot(name, text("plot_alt", lang, claim=claim_id, file=name)))
    return plots


def _claim_section(
    claim: dict[str, Any], results: Results, out_dir: Path, lang: str
) -> ClaimSection:
    reason, translated = claim_reason(claim, lang)
    section = ClaimSection(
        claim_id=claim["id"],
        anchor=claim["id"].lower(),
        title=claim["claim_en"] if lang == i18n.DEFAULT_LANGUAGE else claim["quote_zh"],
        claim_en=claim["claim_en"],
        quote_zh=claim["quote_zh"],
        claimed=claim["claimed"],
        verdict=claim["verdict"],
        verdict_label=verdict_label(claim["verdict"], lang),
        reason=reason,
        reason_note="" if translated else text("reason_in_english", lang),
    )
    experiments = [e for e in results["experiments"] if e["claim"] == claim["id"]]
    for experiment in experiments:
        points = experiment["points"]
        table = None
        if points:
            columns = TABLE_COLUMNS.get(claim["id"]) or _generic_columns(points)
            param_columns = PARAM_COLUMNS + EXTRA_PARAM_COLUMNS.get(claim["id"], ())
            table = _table(points, columns, lang, param_columns)
        section.experiments.append(
            ExperimentSection(
                id=experiment["id"],
                status=experiment["status"],
                status_label=text(f"status_{experiment['status']}", lang),
                error=_experiment_error(experiment, lang),
                setup=setup_pairs(experiment.get("setup") or {}, lang),
                table=table,
            )
        )
    points = [p for e in experiments for p in e["points"]]
    if points:
        section.plots = _plots(claim["id"], points, out_dir, lang)
    return section


def _experiment_error(experiment: dict[str, Any], lang: str) -> str | None:
    """Return why an experiment has no results, in lang where the cause has a fixed text."""
    if experiment["status"] == "skipped":
        return text("skipped_detail", lang)
    error = experiment.get("error")
    return None if error is None else str(error)


def _environment(env: dict[str, Any], lang: str) -> Pairs:
    pairs = setup_pairs({k: v for k, v in env.items() if k != "packages"}, lang)
    packages = ", ".join(f"{k} {v}" for k, v in env["packages"].items())
    pairs.append((text("packages", lang), packages))
    return pairs


def _fairness_settings(config: dict[str, Any], lang: str) -> Pairs:
    recorded: dict[str, Any] = {}
    profile = config.get("profile")
    if isinstance(profile, dict):
        recorded.update({k: v for k, v in profile.items() if k != "name"})
    if "seed" in config:
        recorded["seed"] = config["seed"]
    return setup_pairs(recorded, lang)


def _verdict_row(claim: dict[str, Any], lang: str) -> VerdictRow:
    reason, _ = claim_reason(claim, lang)
    return VerdictRow(
        claim_id=claim["id"],
        anchor=claim["id"].lower(),
        quote_zh=claim["quote_zh"],
        claimed=claim["claimed"],
        verdict=claim["verdict"],
        verdict_label=verdict_label(claim["verdict"], lang),
        reason=reason,
    )


def build(results: Results, out_dir: Path, lang: str) -> Report:
    """Build the report model in lang, drawing its plots into out_dir."""
    run = results["run"]
    env = results["environment"]
    config = run.get("config") or {}
    verdicts = [_verdict_row(claim, lang) for claim in results["claims"]]

    no_detail = text("no_detail", lang)
    unfinished = [
        text(
            "unfinished_item",
            lang,
            experiment=e["id"],
            status=text(f"status_{e['status']}", lang),
            error=_experiment_error(e, lang) or no_detail,
        )
        for e in results["experiments"]
        if e["status"] != "ok"
    ]
    requested = set(config.get("claims") or [c["id"] for c in results["claims"]])
    present = {e["id"] for e in results["experiments"]}
    unfinished += [
        text(
            "unfinished_item",
            lang,
            experiment=experiment_id,
            status=text("status_missing", lang),
            error=text("missing_detail", lang),
        )
        for claim in results["claims"]
        if claim["id"] in requested
        for experiment_id in claim["experiments"]
        if experiment_id not in present
    ]

    with language(lang) as plot_lang:
        claims = [_claim_section(c, results, out_dir, lang) for c in results["claims"]]
    plot_note = None
    if plot_lang != lang:
        plot_note = text("plots_in_english", lang)

    return Report(
        lang=lang,
        title=text("title", lang, run_id=run["id"]),
        run_line=text(
            "run_line",
            lang,
            profile=run["profile"],
            started=run["started"],
            finished=run["finished"] or text("not_finished", lang),
        ),
        machine_line=text(
            "machine_line",
            lang,
            cores=env["cpu_count"],
            cpu=env["cpu_model"],
            implementation=env["implementation"],
            python=env["python"],
            platform=env["platform"],
        ),
        command=shlex.join(run["argv"]),
        verdicts=verdicts,
        unfinished=unfinished,
        summary=summary.build(results["claims"], lang),
        claims=claims,
        environment=_environment(env, lang),
        configuration=setup_pairs(config, lang),
        fairness_rules=list(i18n.FAIRNESS_RULES.get(lang, i18n.FAIRNESS_RULES["en"])),
        fairness_settings=_fairness_settings(config, lang),
        noise=noise.report_section(results, lang),
        plot_note=plot_note,
    )


def render(results: Results, out_dir: Path, lang: str = i18n.DEFAULT_LANGUAGE) -> Path:
    """Write report.md, report.html and their PNG plots in lang; return report.md's path."""
    if lang not in i18n.LANGUAGES:
        raise ValueError(f"invalid report language {lang!r}: choose from {i18n.LANGUAGES}")
    model = build(results, out_dir, lang)
    suffix = i18n.suffix(lang)
    markdown_path = out_dir / f"report{suffix}.md"
    markdown_path.write_text(report_markdown.render(model), encoding="utf-8")
    html_path = out_dir / f"report{suffix}.html"
    html_path.write_text(report_html.render(model, out_dir), encoding="utf-8")
    return markdown_path
