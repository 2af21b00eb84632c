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
    low, high = summary["ci95"]
    return f"{summary['median']:.1f}x (95% CI {low:.1f}-{high:.1f})"


def _fmt_ratio_zh(summary: dict[str, Any]) -> str:
    low, high = summary["ci95"]
    return f"{summary['median']:.1f} 倍（95% 置信区间 {low:.1f}-{high:.1f}）"


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
        f"on {backend}, sync sequential over async gather is {_fmt_ratio(speedups['as-written'])} "
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
        f"had at most {violations('corrected')}"
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
    failed = [e for e in relevant if e["status"] != "ok"]
    if failed:
        first = failed[0]
        status_zh = {"failed": "失败", "skipped": "被跳过"}.get(first["status"], first["status"])
        return Verdict(
            "not-checked",
            f"Experiment {first['id']} {first['status']}: {first.get('error') or 'no detail'}.",
            reason_zh=f"实验 {first['id']} {status_zh}：{first.get('error') or '无详细信息'}。",
        )
    points = [p for e in relevant for p in e["points"]]
    if not points:
        return Verdict(
            "not-checked",
            "Its experiments produced no points.",
            reason_zh="它的实验没有产生数据点。",
        )
    return JUDGES[claim_id](points)
