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
    driver = f"\n[{params['driver']}]" if params.get("driver") else ""
    if params["executor"] == "threads":
        return f"sync threads\n(pool {params['concurrency']}){driver}"
    if params["stack"] == "async":
        return f"async {params['executor']}\n(gather {params['concurrency']}){driver}"
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
) -> Path:
    backends = _backends(points)
    figure, axes = plt.subplots(
        1, len(backends), figsize=(6.5 * len(backends), 5.2), squeeze=False, sharey=log
    )
    for axis, backend in zip(axes[0], backends, strict=True):
        rows = [p for p in points if p["params"]["backend"] == backend]
        configs: list[dict[str, Any]] = []
        for p in rows:
            key = {k: p["params"].get(k) for k in ("stack", "executor", "concurrency", "driver")}
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


PLOTTERS = {"C3": (("c3-time-per-executor.png", plot_c3),), "C7": (("c7-duplicates.png", plot_c7),)}


def plot_c2(points: list[Point], path: Path) -> Path:
    # Imported on use: bench.plots_pg takes COLORS from this module.
    from bench.plots_pg import plot_c2 as plot

    return plot(points, path)


def plot_c4(points: list[Point], path: Path) -> Path:
    from bench.plots_pg import plot_c4 as plot

    return plot(points, path)


PLOTTERS["C2"] = (("c2-pool-utilisation.png", plot_c2),)
PLOTTERS["C4"] = (("c4-speedup-vs-k.png", plot_c4),)
