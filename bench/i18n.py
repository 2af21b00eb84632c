"""The report's words in English and Simplified Chinese.

Every entry maps a language to its text. A key or a language with no entry falls
back to the English text, so a claim, column or plot added without a translation
still renders in a Chinese report, in English.

To translate a new claim's output: its judge passes reason_zh to Verdict, its
table columns get labels in METRIC_LABELS by metric name, its plot functions take their texts
from bench.plots.label(key) with the keys added to PLOT_TEXT, and its headline
figures and setup keys get names in HEADLINE_LABELS (or HEADLINE_PATTERNS, for
keys built from parameters) and SETUP_LABELS.
"""

from __future__ import annotations

import re
from typing import Any

LANGUAGES = ("en", "zh-CN")
DEFAULT_LANGUAGE = "en"

Catalogue = dict[str, dict[str, str]]

REPORT_TEXT: Catalogue = {
    "title": {"en": "ddd-bench report: run {run_id}", "zh-CN": "ddd-bench 报告：运行 {run_id}"},
    "run_line": {
        "en": "Profile {profile}, started {started}, finished {finished}.",
        "zh-CN": "配置 {profile}，开始于 {started}，结束于 {finished}。",
    },
    "not_finished": {"en": "not finished", "zh-CN": "未结束"},
    "machine_line": {
        "en": "Machine: {cores} cores, {cpu}; {implementation} {python} on {platform}.",
        "zh-CN": "机器：{cores} 核，{cpu}；{implementation} {python}，{platform}。",
    },
    "command_line": {"en": "Command: ", "zh-CN": "命令："},
    "verdicts": {"en": "Verdicts", "zh-CN": "结论"},
    "col_claim": {"en": "claim", "zh-CN": "说法"},
    "col_quote": {"en": "the guide says", "zh-CN": "教程原文"},
    "col_claimed": {"en": "claimed", "zh-CN": "声称"},
    "col_verdict": {"en": "verdict", "zh-CN": "结论"},
    "col_reason": {"en": "reason", "zh-CN": "理由"},
    "unfinished": {"en": "Experiments without results:", "zh-CN": "没有结果的实验："},
    "unfinished_item": {
        "en": "{experiment} {status}: {error}",
        "zh-CN": "{experiment} {status}：{error}",
    },
    "noise": {"en": "Noise", "zh-CN": "噪声"},
    "noise_none": {
        "en": "Every measured metric's 95% interval lies within {limit} of its median.",
        "zh-CN": "每个测量指标的 95% 区间都在其中位数的 {limit} 以内。",
    },
    "noise_some": {
        "en": "{count} measured metrics are too noisy to support a verdict: their 95% interval "
        "reaches more than {limit} either side of the median. Verdicts built on them are "
        "uncertain; {advice}.",
        "zh-CN": "有 {count} 个测量指标噪声过大，不足以支撑结论：它们的 95% 区间超出中位数两侧 "
        "{limit}。基于它们的结论并不可靠；{advice}。",
    },
    "noise_advice": {
        "en": "to quiet the machine, run `python -m pyperf system tune` (as root; "
        "`python -m pyperf system reset` undoes it), isolate CPUs for the benchmark "
        "(isolcpus= and nohz_full= on the kernel command line), stop other jobs, or collect "
        "more values with a larger profile (--profile full)",
        "zh-CN": "要让机器安静下来，可以运行 `python -m pyperf system tune`（需要 root；"
        "`python -m pyperf system reset` 可以撤销），为基准测试隔离 CPU（内核命令行中的 isolcpus= "
        "和 nohz_full=），停掉其他任务，或用更大的配置（--profile full）采集更多数值",
    },
    "noise_col_experiment": {"en": "experiment", "zh-CN": "实验"},
    "noise_col_params": {"en": "params", "zh-CN": "参数"},
    "noise_col_metric": {"en": "metric", "zh-CN": "指标"},
    "noise_col_spread": {"en": "spread (half-width / median)", "zh-CN": "离散度（半宽 / 中位数）"},
    "noise_col_values": {"en": "values", "zh-CN": "数值个数"},
    "status_missing": {"en": "missing", "zh-CN": "缺失"},
    "missing_detail": {
        "en": "not in this run's results; run it with ddd-bench run --resume DIR",
        "zh-CN": "本次运行的结果中没有它；可用 ddd-bench run --resume DIR 补跑",
    },
    "no_detail": {"en": "no detail", "zh-CN": "无详细信息"},
    "skipped_detail": {
        "en": "no case for the backends of this run; it needs another backend, for example "
        "--backend postgres",
        "zh-CN": "本次运行所选的后端没有它的用例；它需要其他后端，例如 --backend postgres",
    },
    "statistics_note": {
        "en": "Times are medians over pyperf worker processes; intervals are 95% percentile "
        "bootstrap intervals of the median. Compare ratios within one run: the machine is "
        "shared and absolute times move between runs.",
        "zh-CN": "时间是各 pyperf 工作进程结果的中位数；区间是中位数的 95% 百分位 bootstrap "
        "置信区间。请在同一次运行内比较比值：机器是共享的，绝对时间在不同运行之间会变化。",
    },
    "what_it_means": {"en": "What it means", "zh-CN": "结论解读"},
    "summary_counts": {
        "en": "Of the {checked} claims checked in this run: {confirmed} confirmed, "
        "{conditional} conditional, {refuted} refuted; {unchecked} not checked yet.",
        "zh-CN": "本次运行检验了 {checked} 个说法：{confirmed} 个成立，{conditional} 个有条件成立，"
        "{refuted} 个不成立；另有 {unchecked} 个尚未检验。",
    },
    "summary_item": {"en": "{claim}, {topic}: {phrase}.", "zh-CN": "{claim}，{topic}：{phrase}。"},
    "summary_figures": {"en": "Measured: ", "zh-CN": "实测："},
    "summary_conditions": {"en": "Conditions: ", "zh-CN": "条件："},
    "summary_advice": {"en": "What to do instead: ", "zh-CN": "应当怎么做："},
    "list_separator": {"en": "; ", "zh-CN": "；"},
    "sentence_end": {"en": ".", "zh-CN": "。"},
    "summary_not_checked": {
        "en": "Not checked in this run: {claims}.",
        "zh-CN": "本次运行未检验：{claims}。",
    },
    "claimed_verdict": {
        "en": "Claimed: {claimed}. Verdict: {verdict}.",
        "zh-CN": "声称：{claimed}。结论：{verdict}。",
    },
    "quote_label": {"en": "The guide says", "zh-CN": "教程原文"},
    "translation_label": {"en": "English rendering", "zh-CN": "英文译文"},
    "experiment": {"en": "Experiment", "zh-CN": "实验"},
    "status_ok": {"en": "ok", "zh-CN": "完成"},
    "status_failed": {"en": "failed", "zh-CN": "失败"},
    "status_skipped": {"en": "skipped", "zh-CN": "跳过"},
    "failed_with": {"en": "Failed: ", "zh-CN": "失败："},
    "skipped_because": {"en": "Skipped: ", "zh-CN": "跳过："},
    "setup": {"en": "Setup", "zh-CN": "实验设置"},
    "results_table": {"en": "Results", "zh-CN": "结果"},
    "median_ci": {"en": "(median [95% CI])", "zh-CN": "（中位数 [95% 置信区间]）"},
    "plots": {"en": "Plots", "zh-CN": "图表"},
    "plot_alt": {"en": "{claim} plot: {file}", "zh-CN": "{claim} 图表：{file}"},
    "plot_failed": {
        "en": "(plot {file} failed; see the log)",
        "zh-CN": "（图表 {file} 生成失败，详见日志）",
    },
    "reason": {"en": "Reason: ", "zh-CN": "理由："},
    "claim_heading": {"en": "{claim}: {title}", "zh-CN": "{claim}：{title}"},
    "reason_in_english": {
        "en": "",
        "zh-CN": "（此理由尚无中文版本，以下为英文原文）",
    },
    "environment": {"en": "Environment", "zh-CN": "运行环境"},
    "packages": {"en": "packages", "zh-CN": "依赖包"},
    "command_and_configuration": {
        "en": "Command and configuration",
        "zh-CN": "命令与配置",
    },
    "command": {"en": "Command", "zh-CN": "命令"},
    "configuration": {"en": "Configuration", "zh-CN": "配置"},
    "fairness": {"en": "Fairness settings", "zh-CN": "公平性设置"},
    "fairness_recorded": {
        "en": "Recorded for this run:",
        "zh-CN": "本次运行记录的设置：",
    },
    "fairness_per_experiment": {
        "en": "Pool sizes, gather widths and pyperf settings of each experiment are listed "
        "in its Setup above.",
        "zh-CN": "每个实验的线程池大小、gather 宽度和 pyperf 设置见上文各自的“实验设置”。",
    },
    "plots_in_english": {
        "en": "",
        "zh-CN": "本机没有可显示中文的字体，图表保留英文标注；安装 mplfonts 包或 fonts-noto-cjk 后"
        "重新运行 ddd-bench report 即可。",
    },
}

VERDICT_WORDS: Catalogue = {
    "confirmed": {"en": "confirmed", "zh-CN": "成立"},
    "refuted": {"en": "refuted", "zh-CN": "不成立"},
    "conditional": {"en": "conditional", "zh-CN": "有条件成立"},
    "not-checked": {"en": "not-checked", "zh-CN": "未检验"},
}

# The plain-words phrase for a verdict in the summary.
VERDICT_PHRASES: Catalogue = {
    "confirmed": {"en": "holds", "zh-CN": "成立"},
    "refuted": {"en": "does not hold", "zh-CN": "不成立"},
    "conditional": {"en": "holds only under conditions", "zh-CN": "只在特定条件下成立"},
    "not-checked": {"en": "not checked", "zh-CN": "未检验"},
}

PARAM_LABELS: Catalogue = {
    "backend": {"en": "backend", "zh-CN": "后端"},
    "scenario": {"en": "scenario", "zh-CN": "场景"},
    "policy": {"en": "policy", "zh-CN": "策略"},
    "stack": {"en": "stack", "zh-CN": "栈"},
    "executor": {"en": "executor", "zh-CN": "执行方式"},
    "concurrency": {"en": "concurrency", "zh-CN": "并发度"},
}

# Table column labels by metric name; a metric with no entry keeps its Column label.
METRIC_LABELS: Catalogue = {
    "wall_time_s": {"en": "wall time, ms", "zh-CN": "总耗时（毫秒）"},
    "speedup_over_sync_sequential": {
        "en": "speed-up over sync sequential, x",
        "zh-CN": "相对同步逐个执行的加速比（倍）",
    },
    "duplicates_stored": {"en": "users stored with the email", "zh-CN": "该邮箱存下的用户数"},
    "max_duplicates_stored": {"en": "max over repetitions", "zh-CN": "各次重复中的最大值"},
    "rejected_registrations": {
        "en": "rejected as already in use",
        "zh-CN": "以“邮箱已被使用”拒绝的注册数",
    },
    "invariant_violations": {"en": "invariant violations", "zh-CN": "不变式违反次数"},
    "max_invariant_violations": {"en": "max violations", "zh-CN": "最大违反次数"},
}

# Labels for the keys that experiments' describe() and the run configuration record.
SETUP_LABELS: Catalogue = {
    "workload": {"en": "workload", "zh-CN": "负载"},
    "scenarios": {"en": "scenarios", "zh-CN": "场景"},
    "requests_per_scenario": {"en": "requests per scenario", "zh-CN": "每个场景的请求数"},
    "latency_ms": {"en": "latency ms", "zh-CN": "模拟延迟（毫秒）"},
    "thread_pool_sizes": {"en": "thread pool sizes", "zh-CN": "线程池大小"},
    "gather_width": {"en": "gather width", "zh-CN": "gather 宽度"},
    "timing": {"en": "timing", "zh-CN": "计时方式"},
    "pyperf": {"en": "pyperf", "zh-CN": "pyperf"},
    "sqlite": {"en": "sqlite", "zh-CN": "SQLite"},
    "handlers": {"en": "handlers", "zh-CN": "事件处理器"},
    "registrations": {"en": "registrations", "zh-CN": "注册次数"},
    "repetitions": {"en": "repetitions", "zh-CN": "重复次数"},
    "claims": {"en": "claims", "zh-CN": "说法"},
    "backends": {"en": "backends", "zh-CN": "后端"},
    "seed": {"en": "seed", "zh-CN": "随机种子"},
    "profile": {"en": "profile", "zh-CN": "配置"},
    "name": {"en": "name", "zh-CN": "名称"},
    "processes": {"en": "processes", "zh-CN": "进程数"},
    "values_per_process": {"en": "values per process", "zh-CN": "每进程取值数"},
    "warmups_per_process": {"en": "warm-ups per process", "zh-CN": "每进程预热次数"},
    "loops_per_value": {"en": "loops per value", "zh-CN": "每个取值的循环次数"},
    "pyperf_processes": {"en": "pyperf processes", "zh-CN": "pyperf 进程数"},
    "pyperf_values": {"en": "pyperf values per process", "zh-CN": "pyperf 每进程取值数"},
    "pyperf_warmups": {"en": "pyperf warm-ups per process", "zh-CN": "pyperf 每进程预热次数"},
    "race_repetitions": {"en": "race repetitions", "zh-CN": "竞态重复次数"},
    "case_timeout_s": {"en": "case timeout s", "zh-CN": "单个用例超时（秒）"},
    "python": {"en": "python", "zh-CN": "Python 版本"},
    "implementation": {"en": "implementation", "zh-CN": "解释器实现"},
    "platform": {"en": "platform", "zh-CN": "平台"},
    "cpu_model": {"en": "cpu model", "zh-CN": "CPU 型号"},
    "cpu_count": {"en": "cpu count", "zh-CN": "CPU 核数"},
    "sqlite_library": {"en": "sqlite library", "zh-CN": "SQLite 库版本"},
    "executable": {"en": "executable", "zh-CN": "解释器路径"},
    "load_average_at_start": {"en": "load average at start", "zh-CN": "开始时的系统负载"},
}

# Short names for the headline figures that verdicts record.
HEADLINE_LABELS: Catalogue = {
    "c3_speedup_memory_as_written": {
        "en": "async gather over sync sequential, memory, as written",
        "zh-CN": "异步 gather 相对同步逐个执行的加速比（内存，照原文）",
    },
    "c3_speedup_memory_corrected": {
        "en": "async gather over sync sequential, memory, corrected",
        "zh-CN": "异步 gather 相对同步逐个执行的加速比（内存，修正版）",
    },
    "c3_speedup_memory_corrected_threads100": {
        "en": "100 sync threads over sync sequential, memory, corrected",
        "zh-CN": "100 个同步线程相对同步逐个执行的加速比（内存，修正版）",
    },
    "c3_speedup_sqlite_as_written": {
        "en": "async gather over sync sequential, SQLite, as written",
        "zh-CN": "异步 gather 相对同步逐个执行的加速比（SQLite，照原文）",
    },
    "c3_speedup_sqlite_corrected": {
        "en": "async gather over sync sequential, SQLite, corrected",
        "zh-CN": "异步 gather 相对同步逐个执行的加速比（SQLite，修正版）",
    },
    "c3_speedup_sqlite_corrected_threads100": {
        "en": "100 sync threads over sync sequential, SQLite, corrected",
        "zh-CN": "100 个同步线程相对同步逐个执行的加速比（SQLite，修正版）",
    },
    "c7_duplicates_memory_as_written_asyncio": {
        "en": "users stored with one email, the guide's setup (memory, asyncio, as written)",
        "zh-CN": "同一邮箱最终存下的用户数，教程原设置（内存，asyncio，照原文）",
    },
}

# Names of headline keys that judges build from parameters. Each pattern matches the whole
# key, and its named groups are filled in from HEADLINE_WORDS or kept as they are.
HEADLINE_PATTERNS: list[tuple[re.Pattern[str], dict[str, str]]] = [
    (
        re.compile(r"c1_added_ms_(?P<strategy>\w+)"),
        {
            "en": "latency added by {strategy}, at the largest K and d",
            "zh-CN": "{strategy}在最大 K 和 d 下增加的延迟",
        },
    ),
    (
        re.compile(r"c2_utilisation_ratio_(?P<policy>as_written|corrected)"),
        {
            "en": "async over sync throughput per pooled connection, asyncio, {policy}",
            "zh-CN": "每个池化连接吞吐量的异步与同步之比（asyncio，{policy}）",
        },
    ),
    (
        re.compile(
            r"c4_speedup_(?P<backend>memory|sqlite|postgres)_(?P<policy>as_written|corrected)"
            r"_k(?P<k>\d+)_(?P<runner>async|threads)"
        ),
        {
            "en": "{runner} speed-up over serial reads, {backend}, {policy}, K={k}",
            "zh-CN": "{runner}相对串行读取的加速比（{backend}，{policy}，K={k}）",
        },
    ),
    (
        re.compile(r"c5_rss_bytes_per_request_(?P<executor>threads|asyncio|uvloop)"),
        {"en": "RSS per parked request, {executor}", "zh-CN": "每个挂起请求的 RSS（{executor}）"},
    ),
    (
        re.compile(r"c5_rss_ratio_threads_over_asyncio"),
        {
            "en": "RSS per parked request, threads over asyncio tasks",
            "zh-CN": "每个挂起请求的 RSS，线程与 asyncio 任务之比",
        },
    ),
    (
        re.compile(
            r"c6_p50_ratio_(?P<threads>best|worst)_threads_(?P<policy>as_written|corrected)"
            r"_u(?P<users>\d+)_p(?P<processes>\d+)"
        ),
        {
            "en": "sync over async p50 latency, {threads} sync thread count, {policy}, "
            "{users} users, {processes} server process(es)",
            "zh-CN": "同步与异步 p50 延迟之比（{threads}同步线程数，{policy}，{users} 个用户，"
            "{processes} 个服务器进程）",
        },
    ),
    (
        re.compile(r"c8_failures_lost_(?P<policy>as_written|corrected|guide_gather)"),
        {"en": "handler failures lost, {policy}", "zh-CN": "丢失的处理器失败（{policy}）"},
    ),
]

HEADLINE_WORDS: dict[str, Catalogue] = {
    "strategy": {
        "sync_inline": {"en": "sync inline publishing", "zh-CN": "同步请求内逐个发布"},
        "sync_thread_pool": {"en": "a sync thread-pool fan-out", "zh-CN": "同步线程池分发"},
        "async_gather": {"en": "async gather", "zh-CN": "异步 gather "},
        "sync_background": {"en": "a sync background worker", "zh-CN": "同步后台工作者"},
        "async_background": {"en": "an async background worker", "zh-CN": "异步后台工作者"},
        "sync_outbox": {"en": "the sync SQLite outbox", "zh-CN": "同步 SQLite outbox "},
        "async_outbox": {"en": "the async SQLite outbox", "zh-CN": "异步 SQLite outbox "},
    },
    "policy": {
        "as_written": {"en": "as written", "zh-CN": "照原文"},
        "corrected": {"en": "corrected", "zh-CN": "修正版"},
        "guide_gather": {"en": "the guide's gather", "zh-CN": "教程的 gather"},
    },
    "backend": {
        "memory": {"en": "memory", "zh-CN": "内存"},
        "sqlite": {"en": "SQLite", "zh-CN": "SQLite"},
        "postgres": {"en": "PostgreSQL", "zh-CN": "PostgreSQL"},
    },
    "runner": {
        "async": {"en": "fastest async executor", "zh-CN": "最快异步执行器"},
        "threads": {"en": "sync threads", "zh-CN": "同步线程"},
    },
    "executor": {
        "threads": {"en": "threads", "zh-CN": "线程"},
        "asyncio": {"en": "asyncio tasks", "zh-CN": "asyncio 任务"},
        "uvloop": {"en": "uvloop tasks", "zh-CN": "uvloop 任务"},
    },
    "threads": {
        "best": {"en": "best", "zh-CN": "最佳"},
        "worst": {"en": "slowest", "zh-CN": "最慢"},
    },
}

# Units of headline figures; the Chinese report writes them after the number.
UNIT_LABELS: Catalogue = {
    "x": {"en": "x", "zh-CN": " 倍"},
    "users": {"en": " users", "zh-CN": " 个用户"},
    "s": {"en": " s", "zh-CN": " 秒"},
    "ms": {"en": " ms", "zh-CN": " 毫秒"},
    "bytes": {"en": " bytes", "zh-CN": " 字节"},
    "failures": {"en": " failures", "zh-CN": " 个失败"},
}

# What each claim is about, in a few words, for the summary.
CLAIM_TOPICS: Catalogue = {
    "C1": {"en": "latency added by sync event publishing", "zh-CN": "同步事件发布增加的延迟"},
    "C2": {"en": "database connection utilisation", "zh-CN": "数据库连接利用率"},
    "C3": {"en": "time to create 100 users", "zh-CN": "创建 100 个用户的耗时"},
    "C4": {"en": "concurrent queries", "zh-CN": "并发查询"},
    "C5": {"en": "memory per in-flight request", "zh-CN": "每个进行中请求的内存"},
    "C6": {"en": "response latency over HTTP", "zh-CN": "HTTP 响应延迟"},
    "C7": {
        "en": "asyncio.Lock keeping registrations consistent",
        "zh-CN": "asyncio.Lock 能否保证注册数据一致",
    },
    "C8": {
        "en": "handler failures with return_exceptions=True",
        "zh-CN": "return_exceptions=True 下的处理器失败",
    },
}

# What an engineer should do, whatever the verdict: the corrected policy's practice.
ADVICE: Catalogue = {
    "C1": {
        "en": "publish events after the response (a background worker or an outbox), so "
        "handler I/O does not add to request latency in either stack.",
        "zh-CN": "在响应之后再发布事件（后台工作者或 outbox），这样无论同步还是异步，"
        "处理器的 I/O 都不会增加请求延迟。",
    },
    "C2": {
        "en": "hold a pooled connection only around the queries, not across other waits, "
        "and size the pool for the database rather than for the request count.",
        "zh-CN": "只在执行查询时持有连接池中的连接，不要在其他等待期间占用；"
        "按数据库的承受能力而不是请求数来确定连接池大小。",
    },
    "C3": {
        "en": "hold no lock across I/O; with blocking drivers a thread pool overlaps the "
        "waits too, because the speed-up comes from overlapping waits, not from async itself.",
        "zh-CN": "不要在 I/O 期间持锁；使用阻塞式驱动时线程池同样能让等待重叠，"
        "因为加速来自等待的重叠，而不是异步本身。",
    },
    "C4": {
        "en": "bound the number of concurrent queries (a semaphore or the pool size); "
        "past that bound extra concurrency only queues.",
        "zh-CN": "限制并发查询的数量（信号量或连接池大小）；超过这个上限，更多并发只会排队。",
    },
    "C5": {
        "en": "measure resident memory per in-flight request on your own workload before "
        "choosing a stack for memory.",
        "zh-CN": "如果要因内存选择技术栈，先在自己的负载上测量每个进行中请求占用的常驻内存。",
    },
    "C6": {
        "en": "compare latency percentiles at equal load and equal CPU budget, and look at "
        "what the request waits on before changing stacks.",
        "zh-CN": "在相同负载和相同 CPU 预算下比较延迟百分位，换技术栈之前先弄清请求在等待什么。",
    },
    "C7": {
        "en": "enforce email uniqueness atomically: a UNIQUE constraint mapped to a domain "
        "error in SQL, or a per-email lock or atomic reservation in memory; a lock around "
        "each repository call does not protect a check-then-act pair.",
        "zh-CN": "以原子方式保证邮箱唯一：SQL 中用 UNIQUE 约束并映射为领域错误，内存中用按邮箱的锁"
        "或原子预留；只给每次仓储调用加锁保护不了“先查后写”这一对操作。",
    },
    "C8": {
        "en": "log every handler failure and report it to the caller or a retry queue; "
        "return_exceptions=True only collects exceptions, it does not handle them.",
        "zh-CN": "记录每一次处理器失败，并上报给调用方或重试队列；return_exceptions=True "
        "只是收集异常，并没有处理它们。",
    },
}

# The rules the harness enforces for every run; recorded settings are listed beside them.
FAIRNESS_RULES: dict[str, tuple[str, ...]] = {
    "en": (
        "Both stacks run the same core/ domain code, the same seeded workload and the "
        "same database schema.",
        "Timed regions exclude event-loop creation, thread-pool start-up, service wiring "
        "and database file creation.",
        "Each configuration runs in its own pyperf worker processes, and warm-up values "
        "are discarded.",
        "The async stack runs on asyncio and on uvloop, with the same code.",
        "Intervals are 95% percentile-bootstrap intervals of the median; raw values are "
        "kept in results.json.",
    ),
    "zh-CN": (
        "两套栈运行同一份 core/ 领域代码、同一个带种子的负载和同一个数据库模式。",
        "计时区间不包括事件循环创建、线程池启动、服务装配和数据库文件创建。",
        "每个配置在各自的 pyperf 工作进程中运行，预热结果被丢弃。",
        "异步栈用同一份代码分别在 asyncio 和 uvloop 上运行。",
        "区间是中位数的 95% 百分位 bootstrap 区间；原始数据保存在 results.json 中。",
    ),
}

# Titles, axis labels and legends of the built-in plots.
PLOT_TEXT: Catalogue = {
    "little_k": {"en": "Little's law: K in flight", "zh-CN": "利特尔法则：K 个同时进行"},
    "little_cap": {
        "en": "Little's law: 100 threads or connections",
        "zh-CN": "利特尔法则：100 个线程或连接",
    },
    "threads_cap": {"en": " (pool <= 100)", "zh-CN": "（线程池 <= 100）"},
    "c4_xlabel": {"en": "K, concurrent reads (log scale)", "zh-CN": "K，并发读取数（对数坐标）"},
    "c4_ylabel": {
        "en": "speed-up over serial reads, x (log scale)",
        "zh-CN": "相对串行读取的加速比，倍（对数坐标）",
    },
    "c4_title": {
        "en": "C4: speed-up of K concurrent reads over serial (median, 95% CI)",
        "zh-CN": "C4：K 个并发读取相对串行的加速比（中位数，95% 置信区间）",
    },
    "c2_held_bound": {
        "en": "Little's law, held {wait_ms} ms: {bound}/s",
        "zh-CN": "利特尔法则，占用 {wait_ms} 毫秒：{bound}/秒",
    },
    "c2_client_bound": {
        "en": "Little's law, client-limited: clients / wait / pool",
        "zh-CN": "利特尔法则，受客户端限制：客户端数 / 等待 / 连接池",
    },
    "c2_pool_title": {"en": "pool of {pool} connections", "zh-CN": "{pool} 个连接的连接池"},
    "c2_xlabel": {"en": "clients (closed loop)", "zh-CN": "客户端数（闭环）"},
    "c2_top_ylabel": {
        "en": "requests/s per pooled connection (log scale)",
        "zh-CN": "每个池化连接的请求数/秒（对数坐标）",
    },
    "c2_bottom_ylabel": {
        "en": "pool wait p99, ms (log scale)",
        "zh-CN": "连接池等待 p99，毫秒（对数坐标）",
    },
    "c2_title": {
        "en": "C2: throughput per pooled connection and pool wait (dashed: connection held "
        "for the use case; median, 95% CI)",
        "zh-CN": "C2：每个池化连接的吞吐量与连接池等待（虚线：整个用例期间占用连接；"
        "中位数，95% 置信区间）",
    },
    "c6_sync_series": {
        "en": "sync gunicorn, {threads} threads",
        "zh-CN": "同步 gunicorn，{threads} 个线程",
    },
    "c6_async_series": {"en": "async uvicorn, {executor}", "zh-CN": "异步 uvicorn，{executor}"},
    "c6_closed_xlabel": {
        "en": "concurrency: locust users, each with one request in flight",
        "zh-CN": "并发：locust 用户数，每个用户同时只有一个请求",
    },
    "c6_open_xlabel": {
        "en": "offered load: arrival rate (requests/s)",
        "zh-CN": "施加负载：到达速率（请求数/秒）",
    },
    "c6_latency_title": {
        "en": "C6: response latency over HTTP (p50 solid with 95% CI, p99 dashed; "
        "hollow = generator saturated)",
        "zh-CN": "C6：HTTP 响应延迟（实线为 p50 及 95% 置信区间，虚线为 p99；"
        "空心 = 负载生成器饱和）",
    },
    "c6_sync_claim": {
        "en": "guide's sync claim, 200-500 ms",
        "zh-CN": "教程对同步的说法：200-500 毫秒",
    },
    "c6_async_claim": {
        "en": "guide's async claim, 50-100 ms",
        "zh-CN": "教程对异步的说法：50-100 毫秒",
    },
    "c6_latency_ylabel": {"en": "latency (ms, log scale)", "zh-CN": "延迟（毫秒，对数坐标）"},
    "c6_panel_title": {
        "en": "{load}, {processes} server process(es)",
        "zh-CN": "{load}，{processes} 个服务器进程",
    },
    "c6_throughput_title": {
        "en": "C6: throughput over HTTP, with the Little's-law bound",
        "zh-CN": "C6：HTTP 吞吐量，附利特尔法则上限",
    },
    "c6_little": {
        "en": "Little's law: users / {service_ms} ms (dotted: sync capped at threads)",
        "zh-CN": "利特尔法则：用户数 / {service_ms} 毫秒（点线：同步受线程数限制）",
    },
    "c6_offered": {"en": "offered rate", "zh-CN": "施加的速率"},
    "c6_throughput_ylabel": {
        "en": "throughput (successful requests/s)",
        "zh-CN": "吞吐量（成功请求数/秒）",
    },
    "backend_title": {"en": "backend: {backend}", "zh-CN": "后端：{backend}"},
    "policy_legend": {
        "en": "policy (hatched = as-written)",
        "zh-CN": "策略（斜线 = 照原文 as-written）",
    },
    "pool": {"en": "pool {size}", "zh-CN": "线程池 {size}"},
    "gather": {"en": "gather {size}", "zh-CN": "gather {size}"},
    "c3_ylabel": {
        "en": "wall time for 100 registrations (ms, log scale)",
        "zh-CN": "100 次注册的总耗时（毫秒，对数坐标）",
    },
    "c3_title": {
        "en": "C3: time to register 100 users (median, 95% CI error bars)",
        "zh-CN": "C3：注册 100 个用户的耗时（中位数，误差线为 95% 置信区间）",
    },
    "c3_bound": {
        "en": "I/O floor: calls x latency / overlap (Little's law)",
        "zh-CN": "I/O 下限：调用数 x 延迟 / 重叠数（利特尔法则）",
    },
    "c7_ylabel": {
        "en": "users stored with one email (median of repetitions)",
        "zh-CN": "同一邮箱存下的用户数（各次重复的中位数）",
    },
    "c7_title": {
        "en": "C7: 50 concurrent registrations of one email (1 is correct)",
        "zh-CN": "C7：同一邮箱的 50 个并发注册（正确结果为 1）",
    },
    "c7_reference": {"en": "correct: exactly 1", "zh-CN": "正确：恰好 1 个"},
    "c7_lost_ylabel": {
        "en": "invariant violations per repetition (median)",
        "zh-CN": "每次重复的不变式违反次数（中位数）",
    },
    "c7_lost_title": {
        "en": "C7: concurrent changes to existing users (0 is correct)",
        "zh-CN": "C7：对已有用户的并发修改（0 为正确）",
    },
    "scenario_deactivations": {
        "en": "20 deactivations\nof one user",
        "zh-CN": "同一用户\n20 次停用",
    },
    "scenario_email_race": {
        "en": "20 changes to\none free email",
        "zh-CN": "20 次改为\n同一空闲邮箱",
    },
    "scenario_deactivate_vs_change": {
        "en": "deactivate vs\nchange email",
        "zh-CN": "停用与\n改邮箱并发",
    },
}


def translate(catalogue: Catalogue, key: str, lang: str, default: str | None = None) -> str:
    """Return the entry for key in lang, else its English entry, else default or the key."""
    entry = catalogue.get(key)
    if entry is None:
        return default if default is not None else key
    return entry.get(lang) or entry.get(DEFAULT_LANGUAGE) or (default or key)


def headline_label(key: str, lang: str) -> str:
    """Return the name of a headline figure in lang, or the key with spaces if it has none."""
    if key in HEADLINE_LABELS:
        return translate(HEADLINE_LABELS, key, lang)
    for pattern, template in HEADLINE_PATTERNS:
        match = pattern.fullmatch(key)
        if match is None:
            continue
        words = {
            group: translate(HEADLINE_WORDS.get(group, {}), value, lang, value)
            for group, value in match.groupdict().items()
        }
        return translate({key: template}, key, lang).format(**words)
    return key.replace("_", " ")


def text(key: str, lang: str, **fields: Any) -> str:
    """Return a report phrase in lang with its fields filled in."""
    return translate(REPORT_TEXT, key, lang).format(**fields)


def suffix(lang: str) -> str:
    """Return the file-name suffix of a language: empty for English, `.zh-CN` for Chinese."""
    return "" if lang == DEFAULT_LANGUAGE else f".{lang}"
