"""Plots for the report. Colours are fixed per stack and executor across every plot."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # render to files; no display is needed or assumed

import matplotlib.pyplot as plt
import numpy as np

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


C6_THREAD_MARKERS = ("v", "s", "D", "P", "X")  # one per sync thread count, in ascending order


def _c6_series(points: list[Point]) -> dict[tuple[str, str, int | None], list[Point]]:
    """Group C6 points by (stack, executor, sync threads), each ordered along its x axis."""
    series: dict[tuple[str, str, int | None], list[Point]] = {}
    for point in points:
        params = point["params"]
        key = (params["stack"], params["executor"], params.get("server_threads"))
        series.setdefault(key, []).append(point)
    return dict(
        sorted(series.items(), key=lambda item: (item[0][0] != "sync", item[0][1], item[0][2] or 0))
    )


def _c6_style(key: tuple[str, str, int | None], threads: list[int]) -> dict[str, Any]:
    stack, executor, thread_count = key
    color = COLORS[f"{stack}-{executor}"]
    if stack == "sync" and thread_count is not None:
        marker = C6_THREAD_MARKERS[threads.index(thread_count) % len(C6_THREAD_MARKERS)]
        return {"color": color, "marker": marker, "label": f"sync gunicorn, {thread_count} threads"}
    return {"color": color, "marker": "o", "label": f"async uvicorn, {executor}"}


def _c6_grid(points: list[Point]) -> tuple[list[int], list[str]]:
    process_counts = sorted({p["params"]["server_processes"] for p in points})
    loads = [
        load
        for load in ("closed-loop", "open-loop")
        if any(p["params"]["load"] == load for p in points)
    ]
    return process_counts, loads


def _c6_x(point: Point) -> float:
    params = point["params"]
    return float(params["users"] if params["load"] == "closed-loop" else params["rate_rps"])


def _c6_axes(points: list[Point], title: str) -> tuple[Any, Any, list[int], list[str]]:
    process_counts, loads = _c6_grid(points)
    figure, axes = plt.subplots(
        len(process_counts),
        len(loads),
        figsize=(6.8 * len(loads), 4.8 * len(process_counts)),
        squeeze=False,
    )
    figure.suptitle(title)
    return figure, axes, process_counts, loads


def _c6_xlabel(load: str) -> str:
    if load == "closed-loop":
        return "concurrency: locust users, each with one request in flight"
    return "offered load: arrival rate (requests/s)"


def _c6_finish(figure: Any, path: Path) -> Path:
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def plot_c6_latency(points: list[Point], path: Path) -> Path:
    """p50 with its 95% interval (solid) and p99 (dashed) against concurrency or arrival rate."""
    figure, axes, process_counts, loads = _c6_axes(
        points,
        "C6: response latency over HTTP (p50 solid with 95% CI, p99 dashed; "
        "hollow = generator saturated)",
    )
    threads = sorted(
        {p["params"]["server_threads"] for p in points if p["params"]["server_threads"]}
    )
    for row, processes in enumerate(process_counts):
        for column, load in enumerate(loads):
            axis = axes[row][column]
            subset = [
                p for p in points
                if p["params"]["server_processes"] == processes and p["params"]["load"] == load
            ]  # fmt: skip
            for key, series in _c6_series(subset).items():
                series.sort(key=_c6_x)
                style = _c6_style(key, threads)
                x = np.array([_c6_x(p) for p in series])
                p50 = np.array([p["metrics"]["latency_p50_ms"] for p in series])
                p99 = np.array([p["metrics"]["latency_p99_ms"] for p in series])
                low = np.array([p["metrics"]["latency_ms"]["ci95"][0] for p in series])
                high = np.array([p["metrics"]["latency_ms"]["ci95"][1] for p in series])
                axis.errorbar(
                    x, p50, yerr=[np.maximum(p50 - low, 0), np.maximum(high - p50, 0)],
                    color=style["color"], marker=style["marker"], label=style["label"], capsize=3,
                )  # fmt: skip
                axis.plot(
                    x, p99, color=style["color"], marker=style["marker"], linestyle="--", alpha=0.6
                )
                saturated = [p for p in series if p["metrics"].get("generator_saturated")]
                for p in saturated:
                    axis.scatter(
                        [_c6_x(p)], [p["metrics"]["latency_p50_ms"]],
                        s=120, facecolors="none", edgecolors="black",
                    )  # fmt: skip
            axis.axhspan(
                200, 500, color="#1f77b4", alpha=0.08, label="guide's sync claim, 200-500 ms"
            )
            axis.axhspan(
                50, 100, color="#d62728", alpha=0.08, label="guide's async claim, 50-100 ms"
            )
            axis.set_yscale("log")
            axis.set_xlabel(_c6_xlabel(load))
            axis.set_ylabel("latency (ms, log scale)")
            axis.set_title(f"{load}, {processes} server process(es)")
            axis.grid(alpha=0.3, which="both")
            axis.legend(fontsize=7)
    return _c6_finish(figure, path)


def plot_c6_throughput(points: list[Point], path: Path) -> Path:
    """Throughput against concurrency (closed loop) or arrival rate (open loop), with the bounds."""
    figure, axes, process_counts, loads = _c6_axes(
        points, "C6: throughput over HTTP, with the Little's-law bound"
    )
    threads = sorted(
        {p["params"]["server_threads"] for p in points if p["params"]["server_threads"]}
    )
    for row, processes in enumerate(process_counts):
        for column, load in enumerate(loads):
            axis = axes[row][column]
            subset = [
                p for p in points
                if p["params"]["server_processes"] == processes and p["params"]["load"] == load
            ]  # fmt: skip
            for key, series in _c6_series(subset).items():
                series.sort(key=_c6_x)
                style = _c6_style(key, threads)
                x = np.array([_c6_x(p) for p in series])
                throughput = np.array([p["metrics"]["throughput_rps"] for p in series])
                axis.plot(
                    x,
                    throughput,
                    color=style["color"],
                    marker=style["marker"],
                    label=style["label"],
                )
                if load == "closed-loop" and key[0] == "sync":
                    bound = [p["metrics"]["littles_law_bound_rps"] for p in series]
                    axis.plot(x, bound, color=style["color"], linestyle=":", alpha=0.7)
            if subset:
                x_all = np.array(sorted({_c6_x(p) for p in subset}))
                if load == "closed-loop":
                    service_ms = min(p["metrics"]["service_time_ms"] for p in subset)
                    axis.plot(
                        x_all, 1000.0 * x_all / service_ms, color="black", linestyle="--",
                        label=f"Little's law: users / {service_ms:.0f} ms "
                        "(dotted: sync capped at threads)",
                    )  # fmt: skip
                else:
                    axis.plot(x_all, x_all, color="black", linestyle="--", label="offered rate")
            axis.set_xlabel(_c6_xlabel(load))
            axis.set_ylabel("throughput (successful requests/s)")
            axis.set_title(f"{load}, {processes} server process(es)")
            axis.grid(alpha=0.3)
            axis.legend(fontsize=7)
    return _c6_finish(figure, path)


PLOTTERS = {
    "C3": (("c3-time-per-executor.png", plot_c3),),
    "C6": (("c6-latency.png", plot_c6_latency), ("c6-throughput.png", plot_c6_throughput)),
    "C7": (("c7-duplicates.png", plot_c7),),
}
