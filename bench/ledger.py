"""The guide's claims C1-C8: the quote, an English rendering and the claimed figure."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Claim:
    id: str
    quote_zh: str
    claim_en: str
    claimed: str
    experiments: tuple[str, ...]  # ids of the experiments that check it; empty until built


CLAIMS: tuple[Claim, ...] = (
    Claim(
        "C1",
        "事件发布延迟：200-500ms额外响应时间",
        "Sync event publishing adds 200-500 ms to each response.",
        "+200-500 ms (sync)",
        ("c1-event-latency",),
    ),
    Claim(
        "C2",
        "数据库连接利用率低：异步可提升300-500%",
        "Async raises database connection utilisation by 300-500%.",
        "+300-500 %",
        ("c2-pool-utilisation",),
    ),
    Claim(
        "C3",
        "创建100个用户: 同步 ~2.0秒, 异步 ~0.3秒, 6.7x",
        "Creating 100 users takes ~2.0 s sync and ~0.3 s async: 6.7x faster.",
        "6.7x",
        ("c3-registrations",),
    ),
    Claim(
        "C4",
        "并发查询: 串行执行 vs 并行执行, N倍",
        "Concurrent queries run serially in sync and in parallel in async: N times faster.",
        "N x",
        ("c4-concurrent-reads",),
    ),
    Claim(
        "C5",
        "内存使用: 高（阻塞线程） vs 低（事件循环）, 3-5x",
        "Memory is high with blocking threads and low with an event loop: 3-5x less.",
        "3-5x",
        ("c5-memory-per-request",),
    ),
    Claim(
        "C6",
        "响应延迟: 200-500ms vs 50-100ms, 2-10x",
        "Response latency is 200-500 ms sync and 50-100 ms async: 2-10x lower.",
        "2-10x",
        ("c6-http-latency",),
    ),
    Claim(
        "C7",
        "并发安全：使用asyncio.Lock防止竞态条件 / 使用锁和gather确保数据一致性",
        "The asyncio.Lock prevents race conditions; the lock and gather keep data consistent.",
        "correctness",
        ("c7-duplicate-registrations", "c7-lost-updates"),
    ),
    Claim(
        "C8",
        "return_exceptions=True 防止单个处理器失败影响其他 / 完整的错误处理架构",
        "return_exceptions=True keeps one failing handler from hurting the others; "
        "error handling is complete.",
        "correctness",
        ("c8-handler-failures",),
    ),
)

CLAIMS_BY_ID = {claim.id: claim for claim in CLAIMS}
