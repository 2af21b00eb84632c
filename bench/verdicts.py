"""Verdicts computed from measured points: one judge per claim, each a pure function."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.ledger import CLAIMS_BY_ID
from bench.results import ratio_metric
from bench.stats import ratio_ci
from bench.summary import format_figure, format_number

Point = dict[str, Any]

CLAIMED_C3_SPEEDUP = 6.7  # the guide: ~2.0 s sync against ~0.3 s async


@dataclass
class Verdict:
    verdict: str  # confirmed, refuted, conditional or not-checked
    reason: str
    headline: dict[str, dict[str, Any]] = field(default_factory=dict)
    # The reason in Simplified Chinese; the Chinese report shows the English one when None.
    reason_zh: str | None = None


def _find(points: list[Point], **params: Any) -> Point | None:
    for point in points:
        if all(point["params"].get(k) == v for k, v in params.items()):
            return point
    return None


def _summary(value: dict[str, Any]) -> dict[str, Any]:
    return {"unit": value["unit"], "median": value["median"], "ci95": list(value["ci95"])}


def _fmt_ratio(summary: dict[str, Any]) -> str:
    # The same digits as the report's Measured lines, so 0.97x is not shown as 1.0x here.
    return format_figure(summary, "en")


def _fmt_ratio_zh(summary: dict[str, Any]) -> str:
    return format_figure(summary, "zh-CN")


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
                "not-checked",
                f"C3 has no {backend} {policy} sync/async pair to compare",
                reason_zh=f"C3 没有可比较的 {backend} {policy} 同步/异步数据对",
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
        f"on {backend}, async gather's speed-up over sync sequential is "
        f"{_fmt_ratio(speedups['as-written'])} "
        f"with the guide's repository ({times['as-written sync']:.3f} s against "
        f"{times['as-written async']:.3f} s, where the guide claims ~2.0 s against ~0.3 s) and "
        f"{_fmt_ratio(speedups['corrected'])} once no lock is held across the I/O"
    )
    backend_zh = {"memory": "内存后端", "sqlite": "SQLite"}.get(backend, backend)
    measured_zh = (
        f"在{backend_zh}上，异步 gather 相对同步逐个执行的加速比，使用教程的仓储时为 "
        f"{_fmt_ratio_zh(speedups['as-written'])}（{times['as-written sync']:.3f} 秒对 "
        f"{times['as-written async']:.3f} 秒，教程声称约 2.0 秒对约 0.3 秒），"
        f"I/O 期间不再持锁后为 {_fmt_ratio_zh(speedups['corrected'])}"
    )
    if threads is not None:
        threads_speedup = _summary(threads["metrics"]["speedup_over_sync_sequential"])
        headline[f"c3_speedup_{backend}_corrected_threads100"] = threads_speedup
        measured += f", while 100 sync threads reach {_fmt_ratio(threads_speedup)}"
        measured_zh += f"，而 100 个同步线程达到 {_fmt_ratio_zh(threads_speedup)}"

    sqlite_async = _find(points, backend="sqlite", policy="corrected", executor="asyncio")
    if backend == "memory" and sqlite_async is not None:
        sqlite_speedup = _summary(sqlite_async["metrics"]["speedup_over_sync_sequential"])
        headline["c3_speedup_sqlite_corrected"] = sqlite_speedup
        measured += f"; on SQLite, where the I/O is not a sleep, it is {_fmt_ratio(sqlite_speedup)}"
        measured_zh += f"；在 I/O 不是 sleep 的 SQLite 上为 {_fmt_ratio_zh(sqlite_speedup)}"

    if as_written >= CLAIMED_C3_SPEEDUP:
        return Verdict(
            "confirmed", f"Confirmed: {measured}.", headline, reason_zh=f"成立：{measured_zh}。"
        )
    if corrected >= CLAIMED_C3_SPEEDUP:
        return Verdict(
            "conditional",
            f"Holds only without the guide's lock: {measured}; "
            "the speed-up comes from overlapping waits, which threads give as well.",
            headline,
            reason_zh=f"只有去掉教程的锁才成立：{measured_zh}；"
            "加速来自等待的重叠，线程同样能做到。",
        )
    return Verdict(
        "refuted", f"Refuted: {measured}.", headline, reason_zh=f"不成立：{measured_zh}。"
    )


def _lost_update_note(points: list[Point]) -> tuple[str, str]:
    """Summarise the lost-update scenarios in English and Chinese, or return "" when none ran."""
    if not points:
        return "", ""

    def violations(policy: str) -> int:
        return max(
            (
                int(p["metrics"]["max_invariant_violations"])
                for p in points
                if p["params"]["policy"] == policy
            ),
            default=0,
        )

    broken = sorted(
        {
            p["params"]["scenario"]
            for p in points
            if p["params"]["policy"] == "as-written" and p["metrics"]["max_invariant_violations"]
        }
    )
    scenarios = ", ".join(broken) or "no scenario"
    english = (
        f"; concurrent changes to existing users broke invariants in the as-written policy "
        f"(up to {violations('as-written')} violations in one repetition, in {scenarios}), "
        f"while the corrected one, with a UNIQUE constraint and optimistic version checks, "
        + (
            "had none"
            if violations("corrected") == 0
            else f"had up to {violations('corrected')}, which is a bug in the harness"
        )
    )
    chinese = (
        f"；对已有用户的并发修改在照原文策略下破坏了不变式（单次重复最多 "
        f"{violations('as-written')} 次，场景：{scenarios}），而使用 UNIQUE 约束和乐观版本检查的"
        f"修正版最多 {violations('corrected')} 次"
    )
    return english, chinese


def judge_c7(points: list[Point]) -> Verdict:
    def stored(point: Point) -> int:
        return int(point["metrics"]["max_duplicates_stored"])

    lost_update_points = [p for p in points if "scenario" in p["params"]]
    lost_note, lost_note_zh = _lost_update_note(lost_update_points)
    points = [p for p in points if "scenario" not in p["params"]]

    concurrent_as_written = [
        p
        for p in points
        if p["params"]["policy"] == "as-written" and p["params"]["concurrency"] > 1
    ]
    corrected = [p for p in points if p["params"]["policy"] == "corrected"]
    if not concurrent_as_written:
        return Verdict(
            "not-checked",
            "C7 has no concurrent as-written case to judge",
            reason_zh="C7 没有可判断的并发照原文用例",
        )

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
    corrected_note_zh = (
        f"修正版策略在全部 {len(corrected)} 种组合中都恰好只存下一个用户"
        if corrected and not corrected_wrong
        else f"修正版策略在 {len(corrected_wrong)} 种组合中存下了不止一个用户，这是测试框架的缺陷"
    )
    if guide is not None and stored(guide) > 1:
        return Verdict(
            "refuted",
            f"Refuted: with the guide's asyncio.Lock, {guide['params']['registrations']} gathered "
            f"registrations of one email stored up to {stored(guide)} users, because the lock "
            "guards each repository call but not the check-then-act pair; "
            f"{len(racing)} of {len(concurrent_as_written)} concurrent as-written combinations "
            f"stored duplicates; {corrected_note}{lost_note}.",
            headline,
            reason_zh=f"不成立：使用教程的 asyncio.Lock 时，{guide['params']['registrations']} 个"
            f"用 gather 并发的同一邮箱注册最多存下了 {stored(guide)} 个用户，"
            "因为锁只保护每次仓储调用，不保护“先查后写”这一对操作；"
            f"{len(concurrent_as_written)} 种并发照原文组合中有 "
            f"{len(racing)} 种存下了重复用户；{corrected_note_zh}{lost_note_zh}。",
        )
    if racing:
        p = worst["params"]
        return Verdict(
            "conditional",
            "Holds only in the guide's in-memory setup: "
            f"{p['stack']} {p['executor']} on {p['backend']} stored up to {stored(worst)} users "
            f"with one email; {corrected_note}{lost_note}.",
            headline,
            reason_zh="只在教程的内存设置下成立："
            f"{p['stack']} {p['executor']} 在 {p['backend']} 上以同一邮箱存下了最多 "
            f"{stored(worst)} 个用户；{corrected_note_zh}{lost_note_zh}。",
        )
    return Verdict(
        "confirmed",
        f"No concurrent as-written combination stored a duplicate; {corrected_note}{lost_note}.",
        headline,
        reason_zh=f"没有任何并发照原文组合存下重复用户；{corrected_note_zh}{lost_note_zh}。",
    )


CLAIMED_C6_RATIO = 2.0  # the low end of the guide's 2-10x
MAX_C6_FAILURE_SHARE = 0.01  # a point with more failed requests than this is left out


def _c6_usable(point: Point) -> bool:
    metrics = point["metrics"]
    requests = max(int(metrics["requests"]), 1)
    return (
        not metrics["generator_saturated"]
        and metrics["failures"] / requests <= MAX_C6_FAILURE_SHARE
    )


def _c6_name(point: Point, lang: str = "en") -> str:
    params = point["params"]
    if params["stack"] == "sync":
        unit = "threads" if lang == "en" else "个线程"
        return f"{params['server_threads']} {unit}"
    return str(params["executor"])


def _c6_open_loop_note(points: list[Point]) -> tuple[str, str]:
    """Summarise open-loop p99 at the highest rate in English and Chinese, or return "", ""."""
    open_points = [p for p in points if p["params"]["load"] == "open-loop" and _c6_usable(p)]
    if not open_points:
        return "", ""
    rate = max(p["params"]["rate_rps"] for p in open_points)
    at_rate = [p for p in open_points if p["params"]["rate_rps"] == rate]
    by_stack = {
        stack: [p for p in at_rate if p["params"]["stack"] == stack] for stack in ("sync", "async")
    }
    if not by_stack["sync"] or not by_stack["async"]:
        return "", ""
    sync_p99 = sorted(p["metrics"]["latency_p99_ms"] for p in by_stack["sync"])
    async_p99 = sorted(p["metrics"]["latency_p99_ms"] for p in by_stack["async"])
    sync_range = f"{sync_p99[0]:.0f}-{sync_p99[-1]:.0f}"
    async_range = f"{async_p99[0]:.0f}-{async_p99[-1]:.0f}"
    return (
        f"; open-loop at {rate:.0f} requests/s, p99 is {sync_range} ms sync and "
        f"{async_range} ms async",
        f"；开环负载 {rate:.0f} 请求/秒时，p99 同步为 {sync_range} 毫秒，异步为 {async_range} 毫秒",
    )


def _c6_range(values: list[float]) -> str:
    low, high = f"{min(values):.1f}", f"{max(values):.1f}"
    return low if low == high else f"{low}-{high}"


def judge_c6(points: list[Point]) -> Verdict:
    closed = [p for p in points if p["params"]["load"] == "closed-loop"]
    usable = [p for p in closed if _c6_usable(p)]
    left_out = len(closed) - len(usable)
    groups: dict[tuple[str, int, int], list[Point]] = {}
    for point in usable:
        params = point["params"]
        key = (params["policy"], params["users"], params["server_processes"])
        groups.setdefault(key, []).append(point)

    comparisons = []
    for key, group in sorted(groups.items()):
        sync = sorted(
            (p for p in group if p["params"]["stack"] == "sync"),
            key=lambda p: p["metrics"]["latency_p50_ms"],
        )
        async_ = sorted(
            (p for p in group if p["params"]["stack"] == "async"),
            key=lambda p: p["metrics"]["latency_p50_ms"],
        )
        if sync and async_:
            comparisons.append((key, sync[0], sync[-1], async_[0]))
    if not comparisons:
        return Verdict(
            "not-checked",
            f"C6 has no closed-loop sync/async pair at one user count: {left_out} of "
            f"{len(closed)} points were left out for a saturated generator or failed requests",
            reason_zh=f"C6 在同一用户数下没有闭环的同步/异步数据对：{len(closed)} 个数据点中有 "
            f"{left_out} 个因负载生成器饱和或请求失败而被剔除",
        )

    def p50(point: Point) -> float:
        return float(point["metrics"]["latency_p50_ms"])

    best_ratios = [p50(best) / p50(fast) for _, best, _, fast in comparisons]
    worst = max(comparisons, key=lambda c: p50(c[2]) / p50(c[3]))
    worst_ratio = p50(worst[2]) / p50(worst[3])
    sync_p50 = sorted(p50(p) for p in usable if p["params"]["stack"] == "sync")
    async_p50 = sorted(p50(p) for p in usable if p["params"]["stack"] == "async")

    headline: dict[str, dict[str, Any]] = {}
    for (policy, users, processes), best, slowest, fast in comparisons:
        suffix = f"{policy.replace('-', '_')}_u{users}_p{processes}"
        headline[f"c6_p50_ratio_best_threads_{suffix}"] = _summary(
            ratio_metric(
                best["metrics"]["latency_ms"]["values"], fast["metrics"]["latency_ms"]["values"]
            )
        )
        headline[f"c6_p50_ratio_worst_threads_{suffix}"] = _summary(
            ratio_metric(
                slowest["metrics"]["latency_ms"]["values"], fast["metrics"]["latency_ms"]["values"]
            )
        )

    (policy, users, processes), _, slowest, fast = worst
    open_loop, open_loop_zh = _c6_open_loop_note(points)
    sync_range = f"{sync_p50[0]:.0f}-{sync_p50[-1]:.0f}"
    async_range = f"{async_p50[0]:.0f}-{async_p50[-1]:.0f}"
    measured = (
        f"closed-loop p50 is {sync_range} ms sync and {async_range} ms async "
        f"(claimed 200-500 and 50-100 ms); sync over async is {_c6_range(best_ratios)}x with "
        f"the best thread count and up to {worst_ratio:.1f}x with {_c6_name(slowest)} at "
        f"{users} users against {_c6_name(fast)} ({policy}, {processes} server process(es))"
        + open_loop
        + (f"; {left_out} saturated or failing points left out" if left_out else "")
    )
    measured_zh = (
        f"闭环负载下 p50 同步为 {sync_range} 毫秒，异步为 {async_range} 毫秒"
        f"（教程声称 200-500 毫秒与 50-100 毫秒）；同步与异步之比在最佳线程数下为 "
        f"{_c6_range(best_ratios)} 倍，在 {users} 个用户时 {_c6_name(slowest, 'zh-CN')}对 "
        f"{_c6_name(fast, 'zh-CN')} 最高为 {worst_ratio:.1f} 倍"
        f"（{policy}，{processes} 个服务器进程）"
        + open_loop_zh
        + (f"；剔除了 {left_out} 个饱和或失败的数据点" if left_out else "")
    )
    if min(best_ratios) >= CLAIMED_C6_RATIO:
        return Verdict(
            "confirmed", f"Confirmed: {measured}.", headline, reason_zh=f"成立：{measured_zh}。"
        )
    if worst_ratio >= CLAIMED_C6_RATIO:
        return Verdict(
            "conditional",
            f"Holds only when the sync server has fewer threads than requests in flight: "
            f"{measured}.",
            headline,
            reason_zh=f"只有当同步服务器的线程数少于同时处理的请求数时才成立：{measured_zh}。",
        )
    return Verdict(
        "refuted", f"Refuted: {measured}.", headline, reason_zh=f"不成立：{measured_zh}。"
    )


CLAIMED_C1_ADDED_MS = (200.0, 500.0)  # the guide: sync publishing adds 200-500 ms per response


def _added(point: Point) -> float:
    return float(point["metrics"]["added_latency_ms"]["median"])


def _at_largest(points: list[Point], **params: Any) -> Point | None:
    """Return the matching point with the most handlers and the longest handler I/O."""
    matching = [
        p
        for p in points
        if all(p["params"].get(k) == v for k, v in params.items()) and p["params"]["handlers"]
    ]
    if not matching:
        return None
    return max(matching, key=lambda p: (p["params"]["handler_ms"], p["params"]["handlers"]))


def _k_d(point: Point, lang: str = "en") -> str:
    unit = "ms" if lang == "en" else "毫秒"
    return f"K={point['params']['handlers']}, d={point['params']['handler_ms']:g} {unit}"


def judge_c1(points: list[Point]) -> Verdict:
    timed = [p for p in points if "added_latency_ms" in p["metrics"]]
    if not any(p["params"]["handlers"] for p in timed):
        return Verdict(
            "not-checked",
            "C1 has no point with handlers to compare against K = 0",
            reason_zh="C1 没有带处理器的数据点可与 K = 0 比较",
        )
    low, high = CLAIMED_C1_ADDED_MS
    max_k = max(p["params"]["handlers"] for p in timed)
    max_d = max(p["params"]["handler_ms"] or 0.0 for p in timed)

    headline: dict[str, dict[str, Any]] = {}
    largest: dict[str, Point] = {}
    for key, params in (
        ("sync_inline", {"stack": "sync", "strategy": "inline-sequential"}),
        ("sync_thread_pool", {"stack": "sync", "strategy": "thread-pool"}),
        ("async_gather", {"executor": "asyncio", "strategy": "inline-gather"}),
        ("sync_background", {"stack": "sync", "strategy": "background"}),
        ("async_background", {"executor": "asyncio", "strategy": "background"}),
        ("sync_outbox", {"stack": "sync", "strategy": "outbox"}),
        ("async_outbox", {"executor": "asyncio", "strategy": "outbox"}),
    ):
        point = _at_largest(timed, **params)
        if point is not None:
            largest[key] = point
            headline[f"c1_added_ms_{key}"] = _summary(point["metrics"]["added_latency_ms"])

    def added_at_largest(key: str, lang: str = "en") -> str:
        point = largest.get(key)
        if point is None:
            return "not measured" if lang == "en" else "未测量"
        return f"{format_number(_added(point))} " + ("ms" if lang == "en" else "毫秒")

    in_range = sorted(
        (p for p in timed if p["params"]["stack"] == "sync" and _added(p) >= low),
        key=lambda p: (p["params"]["strategy"], p["params"]["handler_ms"], p["params"]["handlers"]),
    )
    guide = _find(timed, strategy="inline-sequential", handlers=1, handler_ms=100.0)
    others = (
        f"at K={max_k}, d={max_d:g} ms a sync thread-pool fan-out adds "
        f"{added_at_largest('sync_thread_pool')}, async gather "
        f"{added_at_largest('async_gather')}, and background dispatch "
        f"{added_at_largest('sync_background')} (sync) and "
        f"{added_at_largest('async_background')} (async), the SQLite outbox "
        f"{added_at_largest('sync_outbox')} and {added_at_largest('async_outbox')}"
    )
    others_zh = (
        f"在 K={max_k}、d={max_d:g} 毫秒时，同步线程池分发增加 "
        f"{added_at_largest('sync_thread_pool', 'zh-CN')}，异步 gather 增加 "
        f"{added_at_largest('async_gather', 'zh-CN')}，后台分发增加 "
        f"{added_at_largest('sync_background', 'zh-CN')}（同步）和 "
        f"{added_at_largest('async_background', 'zh-CN')}（异步），SQLite outbox 增加 "
        f"{added_at_largest('sync_outbox', 'zh-CN')}与 {added_at_largest('async_outbox', 'zh-CN')}"
    )
    if in_range:
        cases = "; ".join(
            f"{p['params']['strategy']} {_k_d(p)}: {_added(p):.0f} ms" for p in in_range
        )
        cases_zh = "；".join(
            f"{p['params']['strategy']} {_k_d(p, 'zh-CN')}：{_added(p):.0f} 毫秒" for p in in_range
        )
        guide_note = (
            f"the guide's own setup (one 100 ms handler) adds {_added(guide):.0f} ms inline; "
            if guide is not None
            else ""
        )
        guide_note_zh = (
            "教程自己的设置（一个 100 毫秒的处理器）在请求内同步发布时增加 "
            f"{_added(guide):.0f} 毫秒；"
            if guide is not None
            else ""
        )
        return Verdict(
            "conditional",
            f"The {low:.0f}-{high:.0f} ms appears only when sync handlers run one after another "
            f"and K * d reaches {low:.0f} ms ({cases}); {guide_note}{others}, so the cost follows "
            "the publishing strategy, not sync against async.",
            headline,
            reason_zh=f"只有当同步处理器逐个执行且 K * d 达到 {low:.0f} 毫秒时，才会出现 "
            f"{low:.0f}-{high:.0f} 毫秒（{cases_zh}）；{guide_note_zh}{others_zh}。"
            "因此开销取决于事件发布策略，而不是同步还是异步。",
        )
    worst = max((p for p in timed if p["params"]["stack"] == "sync"), key=_added)
    if max_k * max_d < low:
        return Verdict(
            "conditional",
            f"Not reachable in this grid (K up to {max_k}, d up to {max_d:g} ms), where sync "
            f"{worst['params']['strategy']} added at most {format_number(_added(worst))} ms at "
            f"{_k_d(worst)}, the sum K * d physics predicts; by that law the {low:.0f}-"
            f"{high:.0f} ms needs sync handlers run one after another with K * d of "
            f"{low:.0f}-{high:.0f} ms (the guide's 100 ms handlers, K of 2 to 5); {others}.",
            headline,
            reason_zh=f"本次网格（K 最大 {max_k}，d 最大 {max_d:g} 毫秒）达不到这个范围："
            f"同步 {worst['params']['strategy']} 在 {_k_d(worst, 'zh-CN')} 时最多增加 "
            f"{format_number(_added(worst))} 毫秒，正是物理上预测的 K * d 之和；按这一规律，"
            f"{low:.0f}-{high:.0f} 毫秒需要同步处理器逐个执行且 K * d 为 {low:.0f}-{high:.0f} "
            f"毫秒（教程的 100 毫秒处理器，K 为 2 到 5）；{others_zh}。",
        )
    return Verdict(
        "refuted",
        f"No sync strategy added {low:.0f} ms in the measured grid (K up to {max_k}, d up to "
        f"{max_d:g} ms): the largest was {worst['params']['strategy']} at {_k_d(worst)} with "
        f"{format_number(_added(worst))} ms, which is the sum K * d physics predicts; {others}.",
        headline,
        reason_zh=f"不成立：在测量网格（K 最大 {max_k}，d 最大 {max_d:g} 毫秒）中没有任何同步策略"
        f"增加 {low:.0f} 毫秒：最大的是 {worst['params']['strategy']} 在 "
        f"{_k_d(worst, 'zh-CN')} 时的 {format_number(_added(worst))} 毫秒，"
        "正是物理上预测的 K * d 之和；"
        f"{others_zh}。",
    )


CLAIMED_C5_RATIO = 3.0  # the guide: an event loop uses 3-5x less memory than blocking threads


def _metric_values(point: Point, name: str) -> list[float]:
    return [float(v) for v in point["metrics"][name]["values"]]


def _count_summary(count: float, unit: str) -> dict[str, Any]:
    return {"unit": unit, "median": float(count), "ci95": [float(count), float(count)]}


def judge_c5(points: list[Point]) -> Verdict:
    per_request = [p for p in points if "rss_bytes_per_request" in p["metrics"]]
    counts = sorted(
        {
            p["params"]["requests"]
            for p in per_request
            if all(
                _find(per_request, executor=e, requests=p["params"]["requests"])
                for e in ("threads", "asyncio")
            )
        }
    )
    if not counts:
        return Verdict(
            "not-checked",
            "C5 has no count measured with both threads and asyncio",
            reason_zh="C5 没有同时用线程和 asyncio 测量过的请求数",
        )
    smallest, largest = counts[0], counts[-1]

    def point(executor: str, requests: int) -> Point:
        found = _find(per_request, executor=executor, requests=requests)
        assert found is not None  # counts contains only counts that both executors measured
        return found

    threads, tasks = point("threads", largest), point("asyncio", largest)
    uvloop = _find(per_request, executor="uvloop", requests=largest)
    ratio, (ratio_low, ratio_high) = ratio_ci(
        _metric_values(threads, "rss_bytes_per_request"),
        _metric_values(tasks, "rss_bytes_per_request"),
    )
    whole = {
        n: ratio_ci(
            _metric_values(point("threads", n), "process_rss_bytes"),
            _metric_values(point("asyncio", n), "process_rss_bytes"),
        )[0]
        for n in (smallest, largest)
    }
    headline = {
        "c5_rss_bytes_per_request_threads": _summary(threads["metrics"]["rss_bytes_per_request"]),
        "c5_rss_bytes_per_request_asyncio": _summary(tasks["metrics"]["rss_bytes_per_request"]),
        "c5_rss_ratio_threads_over_asyncio": {
            "unit": "x",
            "median": ratio,
            "ci95": [ratio_low, ratio_high],
        },
    }
    uvloop_note = uvloop_note_zh = ""
    if uvloop is not None:
        headline["c5_rss_bytes_per_request_uvloop"] = _summary(
            uvloop["metrics"]["rss_bytes_per_request"]
        )
        uvloop_kib = uvloop["metrics"]["rss_bytes_per_request"]["median"] / 1024
        uvloop_note = f" and {uvloop_kib:.1f} KiB for a uvloop task"
        uvloop_note_zh = f"，uvloop 任务为 {uvloop_kib:.1f} KiB"
    threads_kib = threads["metrics"]["rss_bytes_per_request"]["median"] / 1024
    tasks_kib = tasks["metrics"]["rss_bytes_per_request"]["median"] / 1024
    vm_mib = threads["metrics"]["vm_bytes_per_request"]["median"] / 2**20
    baseline_mib = tasks["metrics"]["baseline_rss_bytes"]["median"] / 2**20
    stack_limit = threads["params"].get("rlimit_stack_bytes")
    has_limit = isinstance(stack_limit, int) and stack_limit > 0
    stack_mib = stack_limit / 2**20 if has_limit else 0.0
    stack_note = f" (the stack size limit is {stack_mib:.0f} MiB)" if has_limit else ""
    stack_note_zh = f"（栈大小上限为 {stack_mib:.0f} MiB）" if has_limit else ""
    measured = (
        f"with {largest} requests parked, a thread costs {threads_kib:.1f} KiB of RSS per "
        f"request against {tasks_kib:.1f} KiB for an asyncio task{uvloop_note} "
        f"({ratio:.1f}x, 95% CI {ratio_low:.1f}-{ratio_high:.1f}), while whole-process RSS "
        f"differs by {whole[smallest]:.1f}x at {smallest} requests and {whole[largest]:.1f}x at "
        f"{largest} over a {baseline_mib:.0f} MiB interpreter baseline; each thread also "
        f"reserves {vm_mib:.1f} MiB of virtual memory{stack_note}, which RSS does not count; "
        "HTTP server memory under load comes from the C6 runs when present"
    )
    measured_zh = (
        f"挂起 {largest} 个请求时，每个请求的 RSS 开销线程为 {threads_kib:.1f} KiB，"
        f"asyncio 任务为 {tasks_kib:.1f} KiB{uvloop_note_zh}"
        f"（{ratio:.1f} 倍，95% 置信区间 {ratio_low:.1f}-{ratio_high:.1f}）；"
        f"而在 {baseline_mib:.0f} MiB 的解释器基线之上，整个进程的 RSS 在 {smallest} 个请求时"
        f"相差 {whole[smallest]:.1f} 倍，在 {largest} 个请求时相差 {whole[largest]:.1f} 倍；"
        f"每个线程还预留 {vm_mib:.1f} MiB 虚拟内存{stack_note_zh}，RSS 不计入这部分；"
        "HTTP 服务器在负载下的内存见 C6 的运行结果（如有）"
    )
    if ratio < CLAIMED_C5_RATIO:
        return Verdict(
            "refuted", f"Refuted: {measured}.", headline, reason_zh=f"不成立：{measured_zh}。"
        )
    if min(whole.values()) >= CLAIMED_C5_RATIO:
        return Verdict(
            "confirmed", f"Confirmed: {measured}.", headline, reason_zh=f"成立：{measured_zh}。"
        )
    return Verdict(
        "conditional",
        f"Holds per in-flight request, not for the whole process at low counts: {measured}.",
        headline,
        reason_zh=f"按每个在途请求计算成立，请求数少时对整个进程不成立：{measured_zh}。",
    )


def judge_c8(points: list[Point]) -> Verdict:
    checked = [p for p in points if "failures_lost" in p["metrics"]]
    if not checked:
        return Verdict(
            "not-checked",
            "C8 has no failing-handler case to judge",
            reason_zh="C8 没有可判断的处理器失败用例",
        )

    def lost(subset: list[Point]) -> int:
        return int(sum(p["metrics"]["failures_lost"] for p in subset))

    guide = [
        p
        for p in checked
        if p["params"]["strategy"] == "inline-gather" and p["params"]["policy"] == "as-written"
    ]
    as_written = [p for p in checked if p["params"]["policy"] == "as-written"]
    corrected = [p for p in checked if p["params"]["policy"] == "corrected"]
    starved = [
        p
        for p in checked
        if p["metrics"]["other_handlers_ran"] < p["metrics"]["other_handlers_expected"]
    ]
    cancellable = [p for p in checked if "cancellation_propagates" in p["metrics"]]
    cancelled = sum(int(p["metrics"]["cancellation_propagates"]) for p in cancellable)
    told_caller = sum(int(p["metrics"]["caller_learned"]) for p in corrected)
    headline = {
        "c8_failures_lost_as_written": _count_summary(lost(as_written), "failures"),
        "c8_failures_lost_corrected": _count_summary(lost(corrected), "failures"),
        "c8_failures_lost_guide_gather": _count_summary(lost(guide), "failures"),
    }
    measured = (
        f"the other handlers ran in {len(checked) - len(starved)} of {len(checked)} cases; "
        f"the guide's gather with return_exceptions=True lost {lost(guide)} of {len(guide)} "
        "failures (AttributeError as silently as ConnectionError: no log line, nothing raised), "
        f"and the as-written policy lost {lost(as_written)} of {len(as_written)} across all "
        f"strategies; the corrected policy lost {lost(corrected)} of {len(corrected)}, raising to "
        f"the caller in {told_caller} (background dispatch can only log); cancellation reached "
        f"the caller in {cancelled} of {len(cancellable)} async cases"
    )
    measured_zh = (
        f"其余处理器在 {len(checked)} 个用例中的 {len(checked) - len(starved)} 个里照常运行；"
        f"教程使用 return_exceptions=True 的 gather 丢失了 {len(guide)} 个失败中的 "
        f"{lost(guide)} 个（AttributeError 与 ConnectionError 一样悄无声息："
        "没有日志，也没有抛出），"
        f"照原文策略在所有发布策略中丢失了 {len(as_written)} 个中的 {lost(as_written)} 个；"
        f"修正版策略丢失了 {len(corrected)} 个中的 {lost(corrected)} 个，其中 {told_caller} 个"
        f"抛给了调用方（后台分发只能记录日志）；在 {len(cancellable)} 个异步用例中，"
        f"取消有 {cancelled} 次传到了调用方"
    )
    if not guide:
        return Verdict(
            "not-checked",
            "C8 has no case of the guide's inline gather to judge",
            reason_zh="C8 没有教程的请求内 gather 用例可判断",
        )
    if starved or lost(guide):
        return Verdict(
            "refuted",
            f"Only the first half holds: {measured}.",
            headline,
            reason_zh=f"只有前半句成立：{measured_zh}。",
        )
    return Verdict(
        "confirmed", f"Confirmed: {measured}.", headline, reason_zh=f"成立：{measured_zh}。"
    )


def judge_c2(points: list[Point]) -> Verdict:
    # Imported on use: bench.verdicts_pg builds on Verdict from this module.
    from bench.verdicts_pg import judge_c2 as judge

    return judge(points)


def judge_c4(points: list[Point]) -> Verdict:
    from bench.verdicts_pg import judge_c4 as judge

    return judge(points)


JUDGES: dict[str, Callable[[list[Point]], Verdict]] = {
    "C1": judge_c1,
    "C2": judge_c2,
    "C3": judge_c3,
    "C4": judge_c4,
    "C5": judge_c5,
    "C6": judge_c6,
    "C7": judge_c7,
    "C8": judge_c8,
}


def judge(claim_id: str, experiments: list[dict[str, Any]]) -> Verdict:
    """Judge a claim from its experiments; missing or failed experiments leave it not-checked."""
    claim = CLAIMS_BY_ID[claim_id]
    if not claim.experiments or claim_id not in JUDGES:
        return Verdict(
            "not-checked",
            "No experiment checks this claim yet.",
            reason_zh="尚无实验检验这个说法。",
        )
    relevant = [e for e in experiments if e["claim"] == claim_id]
    if not relevant:
        return Verdict(
            "not-checked",
            "Its experiments were not part of this run.",
            reason_zh="本次运行没有包含它的实验。",
        )
    failed = [e for e in relevant if e["status"] == "failed"]
    if failed:
        first = failed[0]
        status_zh = {"failed": "失败", "skipped": "被跳过"}.get(first["status"], first["status"])
        return Verdict(
            "not-checked",
            f"Experiment {first['id']} {first['status']}: {first.get('error') or 'no detail'}.",
            reason_zh=f"实验 {first['id']} {status_zh}：{first.get('error') or '无详细信息'}。",
        )
    points = [p for e in relevant if e["status"] == "ok" for p in e["points"]]
    if not points:
        return Verdict(
            "not-checked",
            "Not measured: its experiments had no case for the backends of this run; run it "
            "with the backend they need, for example --backend postgres.",
            reason_zh="未测量：本次运行所选的后端没有它的实验用例；请用它需要的后端运行，"
            "例如 --backend postgres。",
        )
    return JUDGES[claim_id](points)
