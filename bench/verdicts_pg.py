"""Verdicts for the claims measured against database pools: C4 (concurrent reads) and C2."""

from __future__ import annotations

from typing import Any

from bench.verdicts import Point, Verdict, _summary

REFERENCE_K = 100  # the K the verdict quotes: past one-at-a-time, within the 100-connection cap
SCALING_SHARE = 0.5  # "scales" means reaching at least half of the Little's-law bound

# The limit on reads in flight per backend and policy, quoted where scaling stops.
_LIMITS = {
    ("memory", "as-written"): "the guide's lock serialises every read",
    ("memory", "corrected"): "simulated sleeps overlap until the thread or pool cap",
    ("sqlite", "corrected"): "async statements all run on one aiosqlite worker thread, and "
    "sqlite3 work in threads contends for the GIL",
    ("postgres", "corrected"): "each query costs CPU in the client and the server, which "
    "share the machine's cores, so overlapping the round trips saves little",
}


def _speedup(point: Point) -> float:
    return float(point["metrics"]["speedup_over_serial"]["median"])


def _scales_to(points: list[Point]) -> int | None:
    """Return the largest K whose speed-up reaches SCALING_SHARE of its bound, if any K > 1."""
    reached = [
        p["params"]["k"]
        for p in points
        if p["params"]["k"] > 1
        and _speedup(p) >= SCALING_SHARE * float(p["metrics"]["littles_law_bound"])
    ]
    return max(reached) if reached else None


def judge_c4(points: list[Point]) -> Verdict:
    measured = [p for p in points if "speedup_over_serial" in p["metrics"]]
    ks = sorted({p["params"]["k"] for p in measured})
    if not ks:
        return Verdict("not-checked", "C4 has no speed-up to judge")
    k_ref = REFERENCE_K if REFERENCE_K in ks else ks[-1]
    combos = []
    for backend in ("memory", "sqlite", "postgres"):
        for policy in ("as-written", "corrected"):
            if any(
                p["params"]["backend"] == backend and p["params"]["policy"] == policy
                for p in measured
            ):
                combos.append((backend, policy))

    headline: dict[str, dict[str, Any]] = {}
    parts: list[str] = []
    reaches: dict[tuple[str, str], float] = {}  # async speed-up over its Little's-law bound
    speedups: dict[tuple[str, str], float] = {}
    for backend, policy in combos:
        rows = [
            p
            for p in measured
            if p["params"]["backend"] == backend and p["params"]["policy"] == policy
        ]
        at_ref = [p for p in rows if p["params"]["k"] == k_ref]
        async_points = [p for p in at_ref if p["params"]["stack"] == "async"]
        threads = [p for p in at_ref if p["params"]["executor"] == "threads"]
        if not async_points:
            continue
        best_async = max(async_points, key=_speedup)
        bound = float(best_async["metrics"]["littles_law_bound"])
        reaches[(backend, policy)] = _speedup(best_async) / bound
        speedups[(backend, policy)] = _speedup(best_async)
        name = f"c4_speedup_{backend}_{policy.replace('-', '_')}_k{k_ref}"
        headline[f"{name}_async"] = _summary(best_async["metrics"]["speedup_over_serial"])
        text = (
            f"{backend} {policy}: async {best_async['params']['executor']} "
            f"{_speedup(best_async):.1f}x (bound {bound:.0f})"
        )
        if threads:
            headline[f"{name}_threads"] = _summary(threads[0]["metrics"]["speedup_over_serial"])
            text += f", threads {_speedup(threads[0]):.1f}x"
        async_rows = [
            p
            for p in rows
            if p["params"]["stack"] == "async"
            and p["params"]["executor"] == best_async["params"]["executor"]
            and p["params"].get("driver") == best_async["params"].get("driver")
        ]
        scales_to = _scales_to(async_rows)
        text += (
            f", async scales to K={scales_to}" if scales_to else ", async does not scale past K=1"
        )
        if (backend, policy) in _LIMITS and (scales_to is None or scales_to < ks[-1]):
            text += f" ({_LIMITS[(backend, policy)]})"
        parts.append(text)

    if not reaches:
        return Verdict("not-checked", "C4 has no async point to judge")
    measured_text = f"at K={k_ref} concurrent reads, " + "; ".join(parts)
    guide = speedups.get(("memory", "as-written"))
    if all(r >= SCALING_SHARE for r in reaches.values()):
        return Verdict("confirmed", f"Confirmed: {measured_text}.", headline)
    if guide is not None and guide < 2:
        return Verdict(
            "refuted",
            f"Refuted in the guide's own setup, whose lock serialises the reads: {measured_text}.",
            headline,
        )
    if all(speedup < 2 for speedup in speedups.values()):
        return Verdict("refuted", f"Refuted: {measured_text}.", headline)
    return Verdict(
        "conditional",
        f"Holds only where the reads wait on I/O rather than CPU or one connection: "
        f"{measured_text}.",
        headline,
    )


CLAIMED_C2_RATIO = 4.0  # "+300-500 %": async per-connection utilisation at least 4x sync's


def _median(point: Point, name: str) -> float | None:
    value = point["metrics"].get(name)
    return None if value is None else float(value["median"])


def _span(values: list[float]) -> str:
    return f"{min(values):.2f}-{max(values):.2f}x"


def judge_c2(points: list[Point]) -> Verdict:
    ratios: dict[str, list[float]] = {"as-written": [], "corrected": []}
    busy: dict[str, list[float]] = {"as-written": [], "corrected": []}
    for point in points:
        params = point["params"]
        policy = params["policy"]
        if params["stack"] == "async":
            ratio = _median(point, "utilisation_over_sync")
            if ratio is not None:
                ratios[policy].append(ratio)
        share = _median(point, "busy_share_of_checked_out")
        if share is not None:
            busy[policy].append(share)
    if not ratios["as-written"] and not ratios["corrected"]:
        return Verdict("not-checked", "C2 has no async point with a sync twin to compare")

    pool = min(p["params"]["pool_size"] for p in points)
    clients = max(p["params"]["clients"] for p in points)
    releasing = {}
    for policy in ("as-written", "corrected"):
        match = [
            p
            for p in points
            if p["params"]["stack"] == "sync"
            and p["params"]["policy"] == policy
            and p["params"]["pool_size"] == pool
            and p["params"]["clients"] == clients
        ]
        if match:
            releasing[policy] = _median(match[0], "throughput_per_connection_rps")

    headline: dict[str, dict[str, Any]] = {}
    for point in points:
        params = point["params"]
        if (
            params["stack"] == "async"
            and params["executor"] == "asyncio"
            and params["pool_size"] == pool
            and params["clients"] == clients
            and "utilisation_over_sync" in point["metrics"]
        ):
            key = f"c2_utilisation_ratio_{params['policy'].replace('-', '_')}"
            headline[key] = _summary(point["metrics"]["utilisation_over_sync"])

    parts = []
    for policy, label in (
        ("as-written", "with the connection held across the non-database wait"),
        ("corrected", "with it checked out only around each query"),
    ):
        if ratios[policy]:
            parts.append(f"{_span(ratios[policy])} {label}")
    measured = (
        "async over sync-threads throughput per pooled connection is "
        + " and ".join(parts)
        + " (same pools and client counts)"
    )
    lever = releasing.get("corrected"), releasing.get("as-written")
    if lever[0] and lever[1]:
        measured += (
            f"; releasing the connection during the wait raises sync's own per-connection "
            f"throughput {lever[0] / lever[1]:.1f}x (pool {pool}, {clients} clients)"
        )
    if busy["as-written"] and busy["corrected"]:
        measured += (
            f"; the server executes queries for {100 * max(busy['as-written']):.1f}% of "
            f"checked-out time at most as written and {100 * max(busy['corrected']):.1f}% "
            "corrected (pg_stat_statements)"
        )

    all_ratios = ratios["as-written"] + ratios["corrected"]
    if ratios["as-written"] and min(ratios["as-written"]) >= CLAIMED_C2_RATIO:
        return Verdict("confirmed", f"Confirmed: {measured}.", headline)
    if max(all_ratios) >= CLAIMED_C2_RATIO:
        return Verdict("conditional", f"Holds only in some configurations: {measured}.", headline)
    return Verdict("refuted", f"Refuted: {measured}.", headline)
