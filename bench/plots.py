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


def plot_c2(points: list[Point], path: Path) -> Path:
    # Imported on use: bench.plots_pg takes COLORS from this module.
    from bench.plots_pg import plot_c2 as plot

    return plot(points, path)


def plot_c4(points: list[Point], path: Path) -> Path:
    from bench.plots_pg import plot_c4 as plot

    return plot(points, path)


PLOTTERS = {
    "C3": (("c3-time-per-executor.png", plot_c3),),
    "C7": (
        ("c7-duplicates.png", plot_c7),
        ("c7-lost-updates.png", plot_c7_lost_updates),
    ),
}
PLOTTERS["C2"] = (("c2-pool-utilisation.png", plot_c2),)
PLOTTERS["C4"] = (("c4-speedup-vs-k.png", plot_c4),)
