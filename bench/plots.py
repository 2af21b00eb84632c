"""Plots for the report. Colours are fixed per stack and executor across every plot."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # render to files; no display is needed or assumed

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.artist import Artist
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import MaxNLocator

from bench import fonts
from bench.i18n import DEFAULT_LANGUAGE, PLOT_TEXT, translate

Point = dict[str, Any]

COLORS = {
    "sync-sequential": "#7f7f7f",
    "sync-threads": "#1f77b4",
    "async-asyncio": "#d62728",
    "async-uvloop": "#ff7f0e",
}
POLICY_HATCH = {"as-written": "//", "corrected": ""}
POLICIES = ("as-written", "corrected")
REPOSITORY_CALLS_PER_REGISTRATION = 2  # find_by_email, then save
SCENARIO_KEYS = {
    "concurrent-deactivations": "scenario_deactivations",
    "email-change-race": "scenario_email_race",
    "deactivate-vs-email-change": "scenario_deactivate_vs_change",
}

_LANGUAGE: ContextVar[str] = ContextVar("plot_language", default=DEFAULT_LANGUAGE)


@contextlib.contextmanager
def language(lang: str) -> Iterator[str]:
    """Draw the plots made inside the block with lang's labels; yield the language used.

    Chinese labels need a CJK font. Without one the plots keep English labels, and
    the block yields "en" so the caller can say so.
    """
    settings: dict[Any, Any] = {}  # rc_context types its keys as a Literal of rc names
    used = lang
    if lang != DEFAULT_LANGUAGE:
        family = fonts.cjk_family()
        if family is None:
            used = DEFAULT_LANGUAGE
        else:
            settings = {
                "font.family": "sans-serif",
                "font.sans-serif": [family, "DejaVu Sans"],
                "axes.unicode_minus": False,
            }
    token = _LANGUAGE.set(used)
    try:
        with plt.rc_context(settings):
            yield used
    finally:
        _LANGUAGE.reset(token)


def label(key: str, **fields: Any) -> str:
    """Return a plot text in the language of the enclosing language() block."""
    return translate(PLOT_TEXT, key, _LANGUAGE.get()).format(**fields)


def config_label(params: dict[str, Any]) -> str:
    driver = f"\n[{params['driver']}]" if params.get("driver") else ""
    if "scenario" in params:
        key = SCENARIO_KEYS.get(params["scenario"])
        scenario = label(key) if key else params["scenario"]
        return f"{scenario}\n{params['stack']} {params['executor']}"
    if params["executor"] == "threads":
        return f"sync threads\n({label('pool', size=params['concurrency'])}){driver}"
    if params["stack"] == "async":
        gather = label("gather", size=params["concurrency"])
        return f"async {params['executor']}\n({gather}){driver}"
    return f"sync {params['executor']}{driver}"


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
    bound: Callable[[dict[str, Any]], float | None] | None = None,
    bound_label: str = "",
    group_keys: tuple[str, ...] = ("stack", "executor", "concurrency", "driver"),
) -> Path:
    backends = _backends(points)
    drew_bound = False
    configs_by_backend: dict[str, list[dict[str, Any]]] = {}
    for backend in backends:
        configs: list[dict[str, Any]] = []
        for p in points:
            key = {k: p["params"].get(k) for k in group_keys}
            if p["params"]["backend"] == backend and key not in configs:
                configs.append(key)
        configs_by_backend[backend] = configs
    widest = max(len(c) for c in configs_by_backend.values())
    figure, axes = plt.subplots(
        1,
        len(backends),
        figsize=(max(6.5, 1.25 * widest) * len(backends), 5.8),
        squeeze=False,
        sharey=log,
    )
    for axis, backend in zip(axes[0], backends, strict=True):
        rows = [p for p in points if p["params"]["backend"] == backend]
        configs = configs_by_backend[backend]
        x = np.arange(len(configs))
        width = 0.38
        for offset, policy in zip((-width / 2, width / 2), POLICIES, strict=True):
            for i, config in enumerate(configs):
                match = [
                    p
                    for p in rows
                    if p["params"]["policy"] == policy
                    and all(p["params"].get(k) == v for k, v in config.items())
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
                )
                floor = bound(match[0]["params"]) if bound is not None else None
                if floor is not None:
                    axis.hlines(
                        floor * scale,
                        x[i] + offset - width / 2,
                        x[i] + offset + width / 2,
                        colors="black",
                        linewidth=2.2,
                    )
                    drew_bound = True
        if reference is not None:
            axis.axhline(reference, color="black", linestyle="--", linewidth=1)
        axis.set_xticks(x, [config_label(c) for c in configs], fontsize=8)
        axis.set_title(label("backend_title", backend=backend))
        axis.set_ylabel(ylabel)
        if log:
            axis.set_yscale("log")
        axis.grid(axis="y", alpha=0.3, which="both")
    reference_shown = reference_label if reference is not None else None
    _legend(figure, bound_label if drew_bound else None, reference_shown)
    figure.suptitle(title)
    figure.tight_layout(rect=(0, 0.1, 1, 1))
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def _legend(figure: Figure, bound_label: str | None, reference_label: str | None) -> None:
    """Draw one legend under the panels: the policy hatches and any reference lines."""
    handles: list[Artist] = [
        Patch(facecolor="white", edgecolor="black", hatch=POLICY_HATCH[policy], label=policy)
        for policy in POLICIES
    ]
    if bound_label is not None:
        handles.append(Line2D([], [], color="black", linewidth=2.2, label=bound_label))
    if reference_label is not None:
        handles.append(Line2D([], [], color="black", linestyle="--", label=reference_label))
    figure.legend(
        handles=handles,
        title=label("policy_legend"),
        loc="lower center",
        ncol=len(handles),
        fontsize=9,
        frameon=False,
    )


def c3_io_floor_s(params: dict[str, Any]) -> float | None:
    """Return the least wall time the simulated I/O allows, by Little's law, in seconds.

    The repository sleeps latency_ms per call. The as-written lock serialises every
    call, and otherwise at most `concurrency` registrations wait at once, so the
    floor is calls x latency / overlap. Real databases have no such floor.
    """
    latency_ms = params.get("latency_ms")
    if params.get("backend") != "memory" or latency_ms is None:
        return None
    registrations = params.get("registrations", 100)
    overlap = 1
    if params["policy"] != "as-written" and params["executor"] != "sequential":
        overlap = min(params["concurrency"], registrations)
    calls = registrations * REPOSITORY_CALLS_PER_REGISTRATION
    return float(calls * latency_ms / 1000.0 / overlap)


def plot_c3(points: list[Point], path: Path) -> Path:
    return _grouped_bars(
        points,
        path,
        "wall_time_s",
        1000.0,
        label("c3_ylabel"),
        label("c3_title"),
        log=True,
        bound=c3_io_floor_s,
        bound_label=label("c3_bound"),
    )


def plot_c7(points: list[Point], path: Path) -> Path:
    return _grouped_bars(
        [p for p in points if "scenario" not in p["params"]],
        path,
        "duplicates_stored",
        1.0,
        label("c7_ylabel"),
        label("c7_title"),
        log=False,
        reference=1.0,
        reference_label=label("c7_reference"),
    )


def plot_c7_lost_updates(points: list[Point], path: Path) -> Path:
    return _grouped_bars(
        [p for p in points if "scenario" in p["params"]],
        path,
        "invariant_violations",
        1.0,
        label("c7_lost_ylabel"),
        label("c7_lost_title"),
        log=False,
        group_keys=("scenario", "stack", "executor"),
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
        return {
            "color": color,
            "marker": marker,
            "label": label("c6_sync_series", threads=thread_count),
        }
    return {"color": color, "marker": "o", "label": label("c6_async_series", executor=executor)}


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
    return label("c6_closed_xlabel" if load == "closed-loop" else "c6_open_xlabel")


def _c6_finish(figure: Any, path: Path) -> Path:
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def _c6_thread_counts(points: list[Point]) -> list[int]:
    return sorted({p["params"]["server_threads"] for p in points if p["params"]["server_threads"]})


def _c6_panels(
    points: list[Point], axes: Any, process_counts: list[int], loads: list[str]
) -> Iterator[tuple[Any, int, str, list[Point]]]:
    """Yield each panel's axis, server process count, load kind and the points it plots."""
    for row, processes in enumerate(process_counts):
        for column, load in enumerate(loads):
            subset = [
                p for p in points
                if p["params"]["server_processes"] == processes and p["params"]["load"] == load
            ]  # fmt: skip
            yield axes[row][column], processes, load, subset


def plot_c6_latency(points: list[Point], path: Path) -> Path:
    """p50 with its 95% interval (solid) and p99 (dashed) against concurrency or arrival rate."""
    figure, axes, process_counts, loads = _c6_axes(points, label("c6_latency_title"))
    threads = _c6_thread_counts(points)
    for axis, processes, load, subset in _c6_panels(points, axes, process_counts, loads):
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
        axis.axhspan(200, 500, color="#1f77b4", alpha=0.08, label=label("c6_sync_claim"))
        axis.axhspan(50, 100, color="#d62728", alpha=0.08, label=label("c6_async_claim"))
        axis.set_yscale("log")
        axis.set_xlabel(_c6_xlabel(load))
        axis.set_ylabel(label("c6_latency_ylabel"))
        axis.set_title(label("c6_panel_title", load=load, processes=processes))
        axis.grid(alpha=0.3, which="both")
        axis.legend(fontsize=7)
    return _c6_finish(figure, path)


def plot_c6_throughput(points: list[Point], path: Path) -> Path:
    """Throughput against concurrency (closed loop) or arrival rate (open loop), with the bounds."""
    figure, axes, process_counts, loads = _c6_axes(points, label("c6_throughput_title"))
    threads = _c6_thread_counts(points)
    for axis, processes, load, subset in _c6_panels(points, axes, process_counts, loads):
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
                        label=label("c6_little", service_ms=f"{service_ms:.0f}"),
                    )  # fmt: skip
            else:
                axis.plot(x_all, x_all, color="black", linestyle="--", label=label("c6_offered"))
        axis.set_xlabel(_c6_xlabel(load))
        axis.set_ylabel(label("c6_throughput_ylabel"))
        axis.set_title(label("c6_panel_title", load=load, processes=processes))
        axis.grid(alpha=0.3)
        axis.legend(fontsize=7)
    return _c6_finish(figure, path)


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


def plot_c2(points: list[Point], path: Path) -> Path:
    # Imported on use: bench.plots_pg takes COLORS from this module.
    from bench.plots_pg import plot_c2 as plot

    return plot(points, path)


def plot_c4(points: list[Point], path: Path) -> Path:
    from bench.plots_pg import plot_c4 as plot

    return plot(points, path)


PLOTTERS = {
    "C1": (("c1-added-latency.png", plot_c1),),
    "C2": (("c2-pool-utilisation.png", plot_c2),),
    "C3": (("c3-time-per-executor.png", plot_c3),),
    "C4": (("c4-speedup-vs-k.png", plot_c4),),
    "C5": (("c5-memory-per-request.png", plot_c5),),
    "C6": (("c6-latency.png", plot_c6_latency), ("c6-throughput.png", plot_c6_throughput)),
    "C7": (
        ("c7-duplicates.png", plot_c7),
        ("c7-lost-updates.png", plot_c7_lost_updates),
    ),
    "C8": (("c8-handler-failures.png", plot_c8),),
}
