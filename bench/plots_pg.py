"""Plots for the claims measured on connection pools: C4 speed-up against K, C2 utilisation."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")  # render to files; no display is needed or assumed

import matplotlib.pyplot as plt
import numpy as np

from bench.plots import COLORS, label

Point = dict[str, Any]

_DRIVER_MARKERS = {None: "o", "psycopg": "o", "asyncpg": "s", "sqlalchemy": "^"}
_DRIVER_LINES: dict[str, Any] = {"asyncpg": "--", "sqlalchemy": (0, (3, 1, 1, 1, 1, 1))}
_BACKEND_ORDER = ("memory", "sqlite", "postgres")


def _series_label(params: dict[str, Any]) -> str:
    text = f"{params['stack']} {params['executor']}"
    if params["executor"] == "threads":
        text += label("threads_cap")
    if params.get("driver"):
        text += f" [{params['driver']}]"
    return text


def _error_bars(values: list[dict[str, Any]]) -> tuple[np.ndarray, np.ndarray]:
    medians = np.array([v["median"] for v in values])
    low = np.array([v["ci95"][0] for v in values])
    high = np.array([v["ci95"][1] for v in values])
    return medians, np.vstack([medians - low, high - medians])


def plot_c4(points: list[Point], path: Path) -> Path:
    panels: list[tuple[str, str]] = []
    for backend in _BACKEND_ORDER:
        for policy in ("as-written", "corrected"):
            if any(
                p["params"]["backend"] == backend and p["params"]["policy"] == policy
                for p in points
            ):
                panels.append((backend, policy))
    figure, axes = plt.subplots(
        1, len(panels), figsize=(6.0 * len(panels), 5.0), squeeze=False, sharey=True
    )
    ks = sorted({p["params"]["k"] for p in points})
    for axis, (backend, policy) in zip(axes[0], panels, strict=True):
        rows = [
            p
            for p in points
            if p["params"]["backend"] == backend
            and p["params"]["policy"] == policy
            and "speedup_over_serial" in p["metrics"]
        ]
        series: dict[tuple[str, str, str | None], list[Point]] = {}
        for p in rows:
            key = (p["params"]["stack"], p["params"]["executor"], p["params"].get("driver"))
            series.setdefault(key, []).append(p)
        for (stack, executor, driver), members in series.items():
            members.sort(key=lambda p: p["params"]["k"])
            x = np.array([p["params"]["k"] for p in members])
            medians, errors = _error_bars([p["metrics"]["speedup_over_serial"] for p in members])
            axis.errorbar(
                x,
                medians,
                yerr=errors,
                capsize=3,
                marker=_DRIVER_MARKERS.get(driver, "o"),
                linestyle=_DRIVER_LINES.get(str(driver), "-"),
                color=COLORS[f"{stack}-{executor}"],
                label=_series_label(members[0]["params"]),
            )
        axis.plot(ks, ks, color="black", linestyle=":", linewidth=1, label=label("little_k"))
        capped = [min(k, 100) for k in ks]
        axis.plot(
            ks,
            capped,
            color="grey",
            linestyle="-.",
            linewidth=1,
            label=label("little_cap"),
        )
        axis.set_xscale("log")
        axis.set_yscale("log")
        axis.set_xlabel(label("c4_xlabel"))
        axis.set_ylabel(label("c4_ylabel"))
        axis.set_title(f"{backend}, {policy}")
        axis.grid(alpha=0.3, which="both")
        axis.legend(fontsize=7)
    figure.suptitle(label("c4_title"))
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def plot_c2(points: list[Point], path: Path) -> Path:
    pools = sorted({p["params"]["pool_size"] for p in points})
    figure, axes = plt.subplots(2, len(pools), figsize=(6.5 * len(pools), 9.0), squeeze=False)
    for column, pool in enumerate(pools):
        rows = [p for p in points if p["params"]["pool_size"] == pool]
        clients = sorted({p["params"]["clients"] for p in rows})
        wait_ms = float(rows[0]["params"]["wait_ms"])
        top, bottom = axes[0][column], axes[1][column]
        series: dict[tuple[str, str, str], list[Point]] = {}
        for p in rows:
            key = (p["params"]["stack"], p["params"]["executor"], p["params"]["policy"])
            series.setdefault(key, []).append(p)
        for (stack, executor, policy), members in series.items():
            members.sort(key=lambda p: p["params"]["clients"])
            x = np.array([p["params"]["clients"] for p in members])
            style = "--" if policy == "as-written" else "-"
            color = COLORS[f"{stack}-{executor}"]
            series_label = f"{stack} {executor}, {policy}"
            medians, errors = _error_bars(
                [p["metrics"]["throughput_per_connection_rps"] for p in members]
            )
            top.errorbar(
                x,
                medians,
                yerr=errors,
                capsize=3,
                marker="o",
                linestyle=style,
                color=color,
                label=series_label,
            )
            p99, p99_errors = _error_bars([p["metrics"]["pool_wait_p99_ms"] for p in members])
            bottom.errorbar(
                x,
                p99,
                yerr=p99_errors,
                capsize=3,
                marker="o",
                linestyle=style,
                color=color,
                label=series_label,
            )
        # Little's law: a connection held for at least the wait serves at most 1/wait requests/s.
        held_bound = 1000.0 / wait_ms
        top.axhline(
            held_bound,
            color="black",
            linestyle=":",
            linewidth=1,
            label=label("c2_held_bound", wait_ms=f"{wait_ms:.0f}", bound=f"{held_bound:.0f}"),
        )
        # Each client sends at most one request per wait, spread over the pool's connections.
        client_bound = [c * 1000.0 / wait_ms / pool for c in clients]
        top.plot(
            clients,
            client_bound,
            color="grey",
            linestyle="-.",
            linewidth=1,
            label=label("c2_client_bound"),
        )
        top.set_yscale("log")
        top.set_title(label("c2_pool_title", pool=pool))
        top.set_xlabel(label("c2_xlabel"))
        top.set_ylabel(label("c2_top_ylabel"))
        top.grid(alpha=0.3, which="both")
        top.legend(fontsize=7)
        bottom.set_yscale("log")
        bottom.set_xlabel(label("c2_xlabel"))
        bottom.set_ylabel(label("c2_bottom_ylabel"))
        bottom.grid(alpha=0.3, which="both")
        bottom.legend(fontsize=7)
    figure.suptitle(label("c2_title"))
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path
