"""Verdicts computed from measured points: one judge per claim, each a pure function."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.ledger import CLAIMS_BY_ID

Point = dict[str, Any]

CLAIMED_C3_SPEEDUP = 6.7  # the guide: ~2.0 s sync against ~0.3 s async


@dataclass
class Verdict:
    verdict: str  # confirmed, refuted, conditional or not-checked
    reason: str
    headline: dict[str, dict[str, Any]] = field(default_factory=dict)


def _find(points: list[Point], **params: Any) -> Point | None:
    for point in points:
        if all(point["params"].get(k) == v for k, v in params.items()):
            return point
    return None


def _summary(value: dict[str, Any]) -> dict[str, Any]:
    return {"unit": value["unit"], "median": value["median"], "ci95": list(value["ci95"])}


def _fmt_ratio(summary: dict[str, Any]) -> str:
    low, high = summary["ci95"]
    return f"{summary['median']:.1f}x (95% CI {low:.1f}-{high:.1f})"


def judge_c3(points: list[Point]) -> Verdict:
    present = [b for b in ("memory", "sqlite", "postgres") if _find(points, backend=b)]
    backend = present[0] if present else "memory"
    speedups: dict[str, dict[str, Any]] = {}
    times: dict[str, float] = {}
    for policy in ("as-written", "corrected"):
        async_point = _find(points, backend=backend, policy=policy, executor="asyncio")
        sync_point = _find(points, backend=backend, policy=policy, executor="sequential")
        if async_point is None or sync_point is None:
            return Verdict(
                "not-checked", f"C3 has no {backend} {policy} sync/async pair to compare"
            )
        speedups[policy] = _summary(async_point["metrics"]["speedup_over_sync_sequential"])
        times[f"{policy} sync"] = sync_point["metrics"]["wall_time_s"]["median"]
        times[f"{policy} async"] = async_point["metrics"]["wall_time_s"]["median"]
    threads = _find(
        points, backend=backend, policy="corrected", executor="threads", concurrency=100
    )

    headline = {
        f"c3_speedup_{backend}_as_written": speedups["as-written"],
        f"c3_speedup_{backend}_corrected": speedups["corrected"],
    }
    as_written = speedups["as-written"]["median"]
    corrected = speedups["corrected"]["median"]
    measured = (
        f"on {backend}, sync sequential over async gather is {_fmt_ratio(speedups['as-written'])} "
        f"with the guide's repository ({times['as-written sync']:.3f} s against "
        f"{times['as-written async']:.3f} s, where the guide claims ~2.0 s against ~0.3 s) and "
        f"{_fmt_ratio(speedups['corrected'])} once no lock is held across the I/O"
    )
    if threads is not None:
        threads_speedup = _summary(threads["metrics"]["speedup_over_sync_sequential"])
        headline[f"c3_speedup_{backend}_corrected_threads100"] = threads_speedup
        measured += f", while 100 sync threads reach {_fmt_ratio(threads_speedup)}"

    sqlite_async = _find(points, backend="sqlite", policy="corrected", executor="asyncio")
    if backend == "memory" and sqlite_async is not None:
        sqlite_speedup = _summary(sqlite_async["metrics"]["speedup_over_sync_sequential"])
        headline["c3_speedup_sqlite_corrected"] = sqlite_speedup
        measured += f"; on SQLite, where the I/O is not a sleep, it is {_fmt_ratio(sqlite_speedup)}"

    if as_written >= CLAIMED_C3_SPEEDUP:
        return Verdict("confirmed", f"Confirmed: {measured}.", headline)
    if corrected >= CLAIMED_C3_SPEEDUP:
        return Verdict(
            "conditional",
            f"Holds only without the guide's lock: {measured}; "
            "the speed-up comes from overlapping waits, which threads give as well.",
            headline,
        )
    return Verdict("refuted", f"Refuted: {measured}.", headline)


def judge_c7(points: list[Point]) -> Verdict:
    def stored(point: Point) -> int:
        return int(point["metrics"]["max_duplicates_stored"])

    concurrent_as_written = [
        p
        for p in points
        if p["params"]["policy"] == "as-written" and p["params"]["concurrency"] > 1
    ]
    corrected = [p for p in points if p["params"]["policy"] == "corrected"]
    if not concurrent_as_written:
        return Verdict("not-checked", "C7 has no concurrent as-written case to judge")

    guide = _find(points, backend="memory", policy="as-written", executor="asyncio")
    racing = [p for p in concurrent_as_written if stored(p) > 1]
    corrected_wrong = [p for p in corrected if stored(p) != 1]
    headline: dict[str, dict[str, Any]] = {}
    if guide is not None:
        headline["c7_duplicates_memory_as_written_asyncio"] = _summary(
            guide["metrics"]["duplicates_stored"]
        )
    worst = max(concurrent_as_written, key=stored)
    corrected_note = (
        f"the corrected policy stored exactly one user in all {len(corrected)} combinations"
        if corrected and not corrected_wrong
        else f"the corrected policy stored more than one user in {len(corrected_wrong)} "
        "combinations, which is a bug in the harness"
    )
    if guide is not None and stored(guide) > 1:
        return Verdict(
            "refuted",
            f"Refuted: with the guide's asyncio.Lock, {guide['params']['registrations']} gathered "
            f"registrations of one email stored up to {stored(guide)} users, because the lock "
            "guards each repository call but not the check-then-act pair; "
            f"{len(racing)} of {len(concurrent_as_written)} concurrent as-written combinations "
            f"stored duplicates; {corrected_note}.",
            headline,
        )
    if racing:
        p = worst["params"]
        return Verdict(
            "conditional",
            "Holds only in the guide's in-memory setup: "
            f"{p['stack']} {p['executor']} on {p['backend']} stored up to {stored(worst)} users "
            f"with one email; {corrected_note}.",
            headline,
        )
    return Verdict(
        "confirmed",
        f"No concurrent as-written combination stored a duplicate; {corrected_note}.",
        headline,
    )


JUDGES: dict[str, Callable[[list[Point]], Verdict]] = {"C3": judge_c3, "C7": judge_c7}


def judge_c2(points: list[Point]) -> Verdict:
    # Imported on use: bench.verdicts_pg builds on Verdict from this module.
    from bench.verdicts_pg import judge_c2 as judge

    return judge(points)


def judge_c4(points: list[Point]) -> Verdict:
    from bench.verdicts_pg import judge_c4 as judge

    return judge(points)


JUDGES["C2"] = judge_c2
JUDGES["C4"] = judge_c4


def judge(claim_id: str, experiments: list[dict[str, Any]]) -> Verdict:
    """Judge a claim from its experiments; missing or failed experiments leave it not-checked."""
    claim = CLAIMS_BY_ID[claim_id]
    if not claim.experiments or claim_id not in JUDGES:
        return Verdict("not-checked", "No experiment checks this claim yet.")
    relevant = [e for e in experiments if e["claim"] == claim_id]
    if not relevant:
        return Verdict("not-checked", "Its experiments were not part of this run.")
    failed = [e for e in relevant if e["status"] != "ok"]
    if failed:
        first = failed[0]
        return Verdict(
            "not-checked",
            f"Experiment {first['id']} {first['status']}: {first.get('error') or 'no detail'}.",
        )
    points = [p for e in relevant for p in e["points"]]
    if not points:
        return Verdict("not-checked", "Its experiments produced no points.")
    return JUDGES[claim_id](points)
