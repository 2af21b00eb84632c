"""Verdicts for the claims measured against database pools: C4 (concurrent reads) and C2."""

from __future__ import annotations

from typing import Any

from bench.i18n import HEADLINE_WORDS, translate
from bench.summary import format_number
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
_LIMITS_ZH = {
    ("memory", "as-written"): "教程的锁让每次读取依次执行",
    ("memory", "corrected"): "模拟的 sleep 可以重叠，直到达到线程数或连接池上限",
    ("sqlite", "corrected"): "异步语句全部在同一个 aiosqlite 工作线程上执行，"
    "而线程中的 sqlite3 操作要争用 GIL",
    ("postgres", "corrected"): "每次查询都要消耗客户端和服务器的 CPU，"
    "两者共用本机的核心，所以重叠往返时间省不了多少",
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
        return Verdict(
            "not-checked", "C4 has no speed-up to judge", reason_zh="C4 没有可判断的加速比"
        )
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
    parts_zh: list[str] = []
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
            f"{format_number(_speedup(best_async))}x (bound {bound:.0f})"
        )
        text_zh = (
            f"{translate(HEADLINE_WORDS['backend'], backend, 'zh-CN')}，"
            f"{translate(HEADLINE_WORDS['policy'], policy.replace('-', '_'), 'zh-CN')}："
            f"异步 {best_async['params']['executor']} "
            f"{format_number(_speedup(best_async))} 倍（上限 {bound:.0f}）"
        )
        if threads:
            headline[f"{name}_threads"] = _summary(threads[0]["metrics"]["speedup_over_serial"])
            text += f", threads {format_number(_speedup(threads[0]))}x"
            text_zh += f"，线程 {format_number(_speedup(threads[0]))} 倍"
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
        text_zh += f"，异步可扩展到 K={scales_to}" if scales_to else "，异步在 K=1 之后不再扩展"
        if (backend, policy) in _LIMITS and (scales_to is None or scales_to < ks[-1]):
            text += f" ({_LIMITS[(backend, policy)]})"
            text_zh += f"（{_LIMITS_ZH[(backend, policy)]}）"
        parts.append(text)
        parts_zh.append(text_zh)

    if not reaches:
        return Verdict(
            "not-checked", "C4 has no async point to judge", reason_zh="C4 没有可判断的异步数据点"
        )
    measured_text = f"at K={k_ref} concurrent reads, " + "; ".join(parts)
    measured_zh = f"K={k_ref} 个并发读取时，" + "；".join(parts_zh)
    guide = speedups.get(("memory", "as-written"))
    if all(r >= SCALING_SHARE for r in reaches.values()):
        return Verdict(
            "confirmed",
            f"Confirmed: {measured_text}.",
            headline,
            reason_zh=f"成立：{measured_zh}。",
        )
    if guide is not None and guide < 2:
        return Verdict(
            "refuted",
            f"Refuted in the guide's own setup, whose lock serialises the reads: {measured_text}.",
            headline,
            reason_zh=f"在教程自己的设置中不成立，它的锁让读取依次执行：{measured_zh}。",
        )
    if all(speedup < 2 for speedup in speedups.values()):
        return Verdict(
            "refuted", f"Refuted: {measured_text}.", headline, reason_zh=f"不成立：{measured_zh}。"
        )
    return Verdict(
        "conditional",
        f"Holds only where the reads wait on I/O rather than CPU or one connection: "
        f"{measured_text}.",
        headline,
        reason_zh=f"只在读取等待的是 I/O 而不是 CPU 或单个连接时成立：{measured_zh}。",
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
        return Verdict(
            "not-checked",
            "C2 has no async point with a sync twin to compare",
            reason_zh="C2 没有可与同步对照组比较的异步数据点",
        )

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
    parts_zh = []
    for policy, label, label_zh in (
        (
            "as-written",
            "with the connection held across the non-database wait",
            "在非数据库等待期间一直占用连接时为",
        ),
        ("corrected", "with it checked out only around each query", "只在每次查询前后借出连接时为"),
    ):
        if ratios[policy]:
            parts.append(f"{_span(ratios[policy])} {label}")
            parts_zh.append(f"{label_zh} {_span(ratios[policy])}")
    measured = (
        "async over sync-threads throughput per pooled connection is "
        + " and ".join(parts)
        + " (same pools and client counts)"
    )
    measured_zh = (
        "每个池化连接的吞吐量，异步与同步线程之比"
        + "，".join(parts_zh)
        + "（连接池和客户端数相同）"
    )
    lever = releasing.get("corrected"), releasing.get("as-written")
    if lever[0] and lever[1]:
        measured += (
            f"; releasing the connection during the wait raises sync's own per-connection "
            f"throughput {lever[0] / lever[1]:.1f}x (pool {pool}, {clients} clients)"
        )
        measured_zh += (
            f"；在等待期间归还连接，同步版本自身每个连接的吞吐量提高 {lever[0] / lever[1]:.1f} 倍"
            f"（连接池 {pool}，{clients} 个客户端）"
        )
    if busy["as-written"] and busy["corrected"]:
        as_written_busy = 100 * max(busy["as-written"])
        corrected_busy = 100 * max(busy["corrected"])
        measured += (
            f"; the server executes queries for {as_written_busy:.1f}% of "
            f"checked-out time at most as written and {corrected_busy:.1f}% "
            "corrected (pg_stat_statements)"
        )
        measured_zh += (
            f"；在连接借出的时间里，服务器执行查询的时间照原文最多占 {as_written_busy:.1f}%，"
            f"修正版最多占 {corrected_busy:.1f}%（pg_stat_statements）"
        )

    all_ratios = ratios["as-written"] + ratios["corrected"]
    if ratios["as-written"] and min(ratios["as-written"]) >= CLAIMED_C2_RATIO:
        return Verdict(
            "confirmed", f"Confirmed: {measured}.", headline, reason_zh=f"成立：{measured_zh}。"
        )
    if max(all_ratios) >= CLAIMED_C2_RATIO:
        return Verdict(
            "conditional",
            f"Holds only in some configurations: {measured}.",
            headline,
            reason_zh=f"只在部分配置下成立：{measured_zh}。",
        )
    return Verdict(
        "refuted", f"Refuted: {measured}.", headline, reason_zh=f"不成立：{measured_zh}。"
    )
