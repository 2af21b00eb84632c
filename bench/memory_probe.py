"""Park N registrations inside the repository call and print the memory they cost, as JSON.

Run as `python -m bench.memory_probe --executor threads --requests 1000 --mode rss`
in a fresh process per measurement. The probe builds one service through the
stack's composition root: memory backend, corrected policy, and a simulated I/O
latency far longer than the probe lives. It samples the process, starts N
registrations (one thread or one task each) and waits until all N are parked in
the repository's simulated I/O. Then it samples again and exits without waiting
for them. `--mode tracemalloc` traces Python allocations instead of reading RSS,
because tracing inflates RSS itself.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import resource
import sys
import threading
import time
import tracemalloc
from pathlib import Path
from typing import Any

from async_variant.bootstrap import build_service as build_async_service
from bench.drivers import new_event_loop
from bench.memory import sample_memory
from bench.vocabulary import Executor
from core.policy import Backend, Policy
from core.workload import registrations
from sync_variant.bootstrap import build_service as build_sync_service

PARK_MS = 3_600_000.0  # one hour: every request stays in its repository call until exit
PARK_TIMEOUT_S = 120.0  # give up when the requests have not all parked by then
SETTLE_S = 0.2  # let the allocator and the kernel account for the last thread or task
SYNC_PARKING_FRAME = "_io_then_table"  # the memory repository's simulated-I/O step


def _memory_now(mode: str) -> dict[str, int]:
    gc.collect()
    sample = sample_memory()
    memory = {"rss_bytes": sample.rss_bytes, "vm_bytes": sample.vm_bytes, "threads": sample.threads}
    if mode == "tracemalloc":
        memory["traced_bytes"] = tracemalloc.get_traced_memory()[0]
    return memory


def _parked_threads() -> int:
    """Count threads whose innermost Python frame is the sync repository's simulated I/O."""
    parked = 0
    for frame in sys._current_frames().values():
        code = frame.f_code
        if code.co_name == SYNC_PARKING_FRAME and code.co_filename.endswith(
            str(Path("sync_variant") / "memory.py")
        ):
            parked += 1
    return parked


def probe_threads(requests: int, mode: str) -> dict[str, Any]:
    commands = registrations(requests, seed=0)
    service = build_sync_service(Backend.MEMORY, Policy.CORRECTED, latency_ms=PARK_MS)
    if mode == "tracemalloc":
        tracemalloc.start()
    baseline = _memory_now(mode)
    started = 0
    error = None
    for command in commands:
        thread = threading.Thread(target=service.register_user, args=(command,), daemon=True)
        try:
            thread.start()
        except RuntimeError as failure:  # "can't start new thread": a process or memory limit
            error = f"{type(failure).__name__}: {failure}"
            break
        started += 1
    deadline = time.monotonic() + PARK_TIMEOUT_S
    while _parked_threads() < started and time.monotonic() < deadline:
        time.sleep(0.01)
    parked = _parked_threads()
    time.sleep(SETTLE_S)
    return {"baseline": baseline, "loaded": _memory_now(mode), "parked": parked, "error": error}


def probe_tasks(executor: Executor, requests: int, mode: str) -> dict[str, Any]:
    loop = new_event_loop(executor)
    asyncio.set_event_loop(loop)

    async def park() -> dict[str, Any]:
        commands = registrations(requests, seed=0)
        service = await build_async_service(Backend.MEMORY, Policy.CORRECTED, latency_ms=PARK_MS)
        if mode == "tracemalloc":
            tracemalloc.start()
        baseline = _memory_now(mode)
        tasks = [asyncio.ensure_future(service.register_user(c)) for c in commands]
        # Each task runs up to its first suspension, the repository's sleep, in FIFO
        # order before this coroutine resumes, so after one yield all of them are parked.
        await asyncio.sleep(0)
        parked = sum(not task.done() for task in tasks)
        await asyncio.sleep(SETTLE_S)
        loaded = _memory_now(mode)
        return {
            "baseline": baseline,
            "loaded": loaded,
            "parked": parked,
            "error": None,
            "tasks": tasks,
        }

    result = loop.run_until_complete(park())
    result.pop("tasks")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--executor", required=True, choices=["threads", "asyncio", "uvloop"])
    parser.add_argument("--requests", required=True, type=int, help="requests to park, at least 1")
    parser.add_argument("--mode", choices=["rss", "tracemalloc"], default="rss")
    args = parser.parse_args()
    if args.requests < 1:
        parser.error(f"invalid --requests {args.requests}: must be at least 1")

    executor = Executor(args.executor)
    if executor is Executor.THREADS:
        result = probe_threads(args.requests, args.mode)
    else:
        result = probe_tasks(executor, args.requests, args.mode)
    result.update(
        {
            "executor": executor.value,
            "requests": args.requests,
            "mode": args.mode,
            "pid": os.getpid(),
            # 0 means the platform default, which glibc takes from RLIMIT_STACK.
            "thread_stack_size_bytes": threading.stack_size(),
            "rlimit_stack_bytes": resource.getrlimit(resource.RLIMIT_STACK)[0],
        }
    )
    sys.stdout.write(json.dumps(result) + "\n")
    sys.stdout.flush()
    # The parked requests would sleep for an hour; exit without waiting for them.
    os._exit(0)


if __name__ == "__main__":
    main()
