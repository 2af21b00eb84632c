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
SCENARIO_LABELS = {
    "concurrent-deactivations": "20 deactivations\nof one user",
    "email-change-race": "20 changes to\none free email",
    "deactivate-vs-email-change": "deactivate vs\nchange email",
}


def config_label(params: dict[str, Any]) -> str:
    if "scenario" in params:
        scenario = SCENARIO_LABELS.get(params["scenario"], params["scenario"])
        return f"{scenario}\n{params['stack']} {params['executor']}"
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
    group_keys: tuple[str, ...] = ("stack", "executor", "concurrency"),
) -> Path:
    backends = _backends(points)
    configs_by_backend: dict[str, list[dict[str, Any]]] = {}
    for backend in backends:
        configs: list[dict[str, Any]] = []
        for p in points:
            key = {k: p["params"][k] for k in group_keys}
            if p["params"]["backend"] == backend and key not in configs:
                configs.append(key)
        configs_by_backend[backend] = configs
    widest = max(len(c) for c in configs_by_backend.values())
    figure, axes = plt.subplots(
        1,
        len(backends),
        figsize=(max(6.5, 1.25 * widest) * len(backends), 5.2),
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
        [p for p in points if "scenario" not in p["params"]],
        path,
        "duplicates_stored",
        1.0,
        "users stored with one email (median of repetitions)",
        "C7: 50 concurrent registrations of one email (1 is correct)",
        log=False,
        reference=1.0,
        reference_label="correct: exactly 1",
    )


def plot_c7_lost_updates(points: list[Point], path: Path) -> Path:
    return _grouped_bars(
        [p for p in points if "scenario" in p["params"]],
        path,
        "invariant_violations",
        1.0,
        "invariant violations per repetition (median)",
        "C7: concurrent changes to existing users (0 is correct)",
        log=False,
        group_keys=("scenario", "stack", "executor"),
    )


PLOTTERS = {
    "C3": (("c3-time-per-executor.png", plot_c3),),
    "C7": (
        ("c7-duplicates.png", plot_c7),
        ("c7-lost-updates.png", plot_c7_lost_updates),
    ),
}
