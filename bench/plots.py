"""Plots for the report. Colours are fixed per stack and executor across every plot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # render to files; no display is needed or assumed

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

Point = dict[str, Any]

COLORS = {
    "sync-sequential": "#7f7f7f",
    "sync-threads": "#1f77b4",
    "async-asyncio": "#d62728",
    "async-uvloop": "#ff7f0e",
}
POLICY_HATCH = {"as-written": "//", "corrected": ""}
POLICIES = ("as-written", "corrected")


def config_label(params: dict[str, Any]) -> str:
    if params["executor"] == "threads":
        return f"sync threads\n(pool {params['concurrency']})"
    if params["stack"] == "async":
        return f"async {params['executor']}\n(gather {params['concurrency']})"
    return f"sync {params['executor']}"


def _color(params: dict[str, Any]) -> str:
    return COLORS[f"{params['stack']}-{params['executor']}"]


def _backends(points: list[Point]) -> list[str]:
    order = ("memory", "sqlite", "postgres")
    present = {p["params"]["backend"] for p in points}
    return [b for b in order if b in present]


def _grouped_bars(
    points: list[Point],
    path: Path,
    metric_name: str,
    scale: float,
    ylabel: str,
    title: str,
    log: bool,
    reference: float | None = None,
    reference_label: str = "",
) -> Path:
    backends = _backends(points)
    figure, axes = plt.subplots(
        1, len(backends), figsize=(6.5 * len(backends), 5.2), squeeze=False, sharey=log
    )
    for axis, backend in zip(axes[0], backends, strict=True):
        rows = [p for p in points if p["params"]["backend"] == backend]
        configs: list[dict[str, Any]] = []
        for p in rows:
            key = {k: p["params"][k] for k in ("stack", "executor", "concurrency")}
            if key not in configs:
                configs.append(key)
        x = np.arange(len(configs))
        width = 0.38
        for offset, policy in zip((-width / 2, width / 2), POLICIES, strict=True):
            for i, config in enumerate(configs):
                match = [
                    p
                    for p in rows
                    if p["params"]["policy"] == policy
                    and all(p["params"][k] == v for k, v in config.items())
                ]
                if not match:
                    continue
                value = match[0]["metrics"][metric_name]
                median = value["median"] * scale
                low, high = (v * scale for v in value["ci95"])
                axis.bar(
                    x[i] + offset,
                    median,
                    width,
                    yerr=[[median - low], [high - median]],
                    capsize=3,
                    color=_color(config),
                    hatch=POLICY_HATCH[policy],
                    edgecolor="black",
                    linewidth=0.6,
                    label=policy if i == 0 else None,
                )
        if reference is not None:
            axis.axhline(
                reference, color="black", linestyle="--", linewidth=1, label=reference_label
            )
        axis.set_xticks(x, [config_label(c) for c in configs], fontsize=8)
        axis.set_title(f"backend: {backend}")
        axis.set_ylabel(ylabel)
        if log:
            axis.set_yscale("log")
        axis.grid(axis="y", alpha=0.3, which="both")
        axis.legend(title="policy (hatched = as-written)", fontsize=8)
    figure.suptitle(title)
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def plot_c3(points: list[Point], path: Path) -> Path:
    return _grouped_bars(
        points,
        path,
        "wall_time_s",
        1000.0,
        "wall time for 100 registrations (ms, log scale)",
        "C3: time to register 100 users (median, 95% CI error bars)",
        log=True,
    )


def plot_c7(points: list[Point], path: Path) -> Path:
    return _grouped_bars(
        points,
        path,
        "duplicates_stored",
        1.0,
        "users stored with one email (median of repetitions)",
        "C7: 50 concurrent registrations of one email (1 is correct)",
        log=False,
        reference=1.0,
        reference_label="correct: exactly 1",
    )


STRATEGY_MARKERS = {
    "inline-sequential": "o",
    "thread-pool": "s",
    "inline-gather": "^",
    "background": "x",
    "outbox": "D",
}
AFTER_RESPONSE = ("background", "outbox")  # drawn dotted: their handlers run after the response


def _strategy_color(params: dict[str, Any]) -> str:
    if params["strategy"] == "thread-pool":
        return COLORS["sync-threads"]  # the handlers run on a pool of threads
    return _color(params)


def _errorbar(axis: Any, xs: list[float], summaries: list[dict[str, Any]], **style: Any) -> None:
    medians = [s["median"] for s in summaries]
    lows = [m - s["ci95"][0] for m, s in zip(medians, summaries, strict=True)]
    highs = [s["ci95"][1] - m for m, s in zip(medians, summaries, strict=True)]
    axis.errorbar(xs, medians, yerr=[lows, highs], capsize=3, **style)


def plot_c1(points: list[Point], path: Path) -> Path:
    timed = [p for p in points if "added_latency_ms" in p["metrics"]]
    durations = sorted({p["params"]["handler_ms"] for p in timed if p["params"]["handlers"]})
    series: list[dict[str, Any]] = []
    for p in timed:
        key = {k: p["params"][k] for k in ("stack", "executor", "strategy")}
        if key not in series:
            series.append(key)

    figure, axes = plt.subplots(
        1, len(durations), figsize=(5.5 * len(durations), 6.2), squeeze=False, sharey=True
    )
    for axis, handler_ms in zip(axes[0], durations, strict=True):
        for key in series:
            rows = sorted(
                (
                    p
                    for p in timed
                    if all(p["params"][k] == v for k, v in key.items())
                    and p["params"]["handler_ms"] in (None, handler_ms)
                ),
                key=lambda p: p["params"]["handlers"],
            )
            _errorbar(
                axis,
                [p["params"]["handlers"] for p in rows],
                [p["metrics"]["added_latency_ms"] for p in rows],
                color=_strategy_color(key),
                marker=STRATEGY_MARKERS.get(key["strategy"], "x"),
                linestyle=":" if key["strategy"] in AFTER_RESPONSE else "-",
                label=f"{key['stack']} {key['executor']} {key['strategy']}"
                + (" (sqlite)" if key["strategy"] == "outbox" else ""),
            )

        counts = sorted({p["params"]["handlers"] for p in timed})
        axis.plot(
            counts, [k * handler_ms for k in counts], "k--", linewidth=1, label="physics: sum K*d"
        )
        axis.plot(
            counts,
            [handler_ms if k else 0.0 for k in counts],
            "k-.",
            linewidth=1,
            label="physics: max d",
        )
        axis.axhspan(200, 500, color="#d62728", alpha=0.08, label="claimed +200-500 ms")

        axis.set_yscale("symlog", linthresh=1.0)
        axis.set_xticks(counts)
        axis.set_xlabel("handlers K subscribed to the event")
        axis.set_ylabel("latency added over K = 0 (ms, symlog)")
        axis.set_title(f"each handler waits d = {handler_ms:g} ms")
        axis.grid(alpha=0.3, which="both")
    handles, labels = axes[0][0].get_legend_handles_labels()
    figure.legend(handles, labels, fontsize=8, loc="lower center", ncol=4)
    figure.suptitle("C1: latency a publishing strategy adds to one registration (median, 95% CI)")
    figure.tight_layout(rect=(0, 0.14, 1, 1))
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


C5_COLORS = {
    "threads": COLORS["sync-threads"],
    "asyncio": COLORS["async-asyncio"],
    "uvloop": COLORS["async-uvloop"],
}


def plot_c5(points: list[Point], path: Path) -> Path:
    measured = [p for p in points if "rss_bytes_per_request" in p["metrics"]]
    figure, (per_request, whole) = plt.subplots(1, 2, figsize=(12, 5.2))
    for executor, color in C5_COLORS.items():
        rows = sorted(
            (p for p in measured if p["params"]["executor"] == executor),
            key=lambda p: p["params"]["requests"],
        )
        if not rows:
            continue
        counts = [p["params"]["requests"] for p in rows]
        kib = [
            {
                "median": p["metrics"]["rss_bytes_per_request"]["median"] / 1024,
                "ci95": [v / 1024 for v in p["metrics"]["rss_bytes_per_request"]["ci95"]],
            }
            for p in rows
        ]
        traced = [p["metrics"]["traced_bytes_per_request"]["median"] / 1024 for p in rows]
        _errorbar(per_request, counts, kib, color=color, marker="o", label=f"{executor}: RSS")
        per_request.plot(
            counts,
            traced,
            color=color,
            marker="x",
            linestyle="--",
            label=f"{executor}: tracemalloc",
        )
        mib = [
            {
                "median": p["metrics"]["process_rss_bytes"]["median"] / 2**20,
                "ci95": [v / 2**20 for v in p["metrics"]["process_rss_bytes"]["ci95"]],
            }
            for p in rows
        ]
        _errorbar(whole, counts, mib, color=color, marker="o", label=executor)

    for axis in (per_request, whole):
        axis.set_xscale("log")
        axis.set_xlabel("requests parked in the repository call (log scale)")
        axis.grid(alpha=0.3, which="both")
        axis.legend(fontsize=8)
    per_request.set_ylabel("memory per parked request (KiB)")
    per_request.set_title("per request, baseline subtracted")
    whole.set_ylim(bottom=0)
    whole.set_ylabel("process RSS with the requests parked (MiB)")
    whole.set_title("whole probe process")
    figure.suptitle("C5: memory of in-flight requests, threads against event-loop tasks")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def plot_c8(points: list[Point], path: Path) -> Path:
    checked = [p for p in points if "failures_lost" in p["metrics"]]
    rows: list[tuple[str, float, float, float]] = []
    for policy in POLICIES:
        configs: list[dict[str, Any]] = []
        for p in checked:
            key = {k: p["params"][k] for k in ("stack", "executor", "strategy")}
            if p["params"]["policy"] == policy and key not in configs:
                configs.append(key)
        for key in configs:
            cases = [
                p
                for p in checked
                if p["params"]["policy"] == policy
                and all(p["params"][k] == v for k, v in key.items())
            ]
            caller = sum(p["metrics"]["caller_learned"] for p in cases)
            lost = sum(p["metrics"]["failures_lost"] for p in cases)
            log_only = len(cases) - caller - lost
            label = f"{policy}: {key['stack']} {key['executor']} {key['strategy']}"
            rows.append((label, caller, log_only, lost))

    figure, axis = plt.subplots(figsize=(10, 0.45 * len(rows) + 1.8))
    y = np.arange(len(rows))
    caller = np.array([r[1] for r in rows])
    log_only = np.array([r[2] for r in rows])
    lost = np.array([r[3] for r in rows])
    axis.barh(y, caller, color="#2ca02c", label="raised to the caller (and logged)")
    axis.barh(y, log_only, left=caller, color="#98df8a", label="logged only")
    axis.barh(y, lost, left=caller + log_only, color="#d62728", label="lost: no log, no error")
    axis.set_yticks(y, [r[0] for r in rows], fontsize=8)
    axis.invert_yaxis()
    axis.set_xlabel("failing-handler cases (AttributeError and ConnectionError)")
    axis.xaxis.set_major_locator(MaxNLocator(integer=True))
    axis.legend(fontsize=8, loc="lower right")
    axis.set_title("C8: where a failing handler's error ends up")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


PLOTTERS = {
    "C1": (("c1-added-latency.png", plot_c1),),
    "C3": (("c3-time-per-executor.png", plot_c3),),
    "C5": (("c5-memory-per-request.png", plot_c5),),
    "C7": (("c7-duplicates.png", plot_c7),),
    "C8": (("c8-handler-failures.png", plot_c8),),
}
