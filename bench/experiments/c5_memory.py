"""C5: memory per in-flight request, threads against asyncio tasks and uvloop tasks.

Each (executor, count, repetition) runs bench.memory_probe twice in fresh
processes: once reading RSS and virtual size, once with tracemalloc on, because
tracing inflates RSS itself. Per-request figures subtract the probe's own
baseline, taken after the service is built and before any request starts.
Whole-process memory of an HTTP server under load belongs to the HTTP experiment,
which can sample its server's pid with bench.memory.sample_memory.
"""

from __future__ import annotations

import json
import logging
import resource
import subprocess
import sys
from typing import Any

from bench.experiments.base import Case, Context, Point
from bench.memory_probe import PARK_MS
from bench.results import metric
from bench.vocabulary import Executor

logger = logging.getLogger(__name__)

ID = "c5-memory-per-request"
CLAIM = "C5"

EXECUTORS = (Executor.THREADS, Executor.ASYNCIO, Executor.UVLOOP)
COUNTS: dict[str, tuple[int, ...]] = {
    "smoke": (100, 1_000),  # 10,000 threads take seconds to start and park
    "default": (100, 1_000, 10_000),
    "full": (100, 1_000, 10_000),
}
# Memory figures barely vary between fresh processes, so few repetitions suffice.
REPETITIONS = {"smoke": 1, "default": 3, "full": 5}
PROBE_TIMEOUT_S = 300.0


class ProbeFailed(Exception):
    """A memory probe exited with an error, timed out or printed no result."""


def describe(context: Context) -> dict[str, Any]:
    return {
        "workload": "N registrations started at once (one thread or one task each) and "
        "parked inside the memory repository's simulated I/O, on the corrected policy",
        "requests_N": list(COUNTS.get(context.profile.name, COUNTS["default"])),
        "processes": "one fresh `python -m bench.memory_probe` per executor, count, "
        "repetition and mode (RSS, tracemalloc)",
        "repetitions": REPETITIONS.get(context.profile.name, 1),
        "baseline": "the probe's own memory after the service (and event loop) is built, "
        "before the first request starts; subtracted from the memory with N requests parked",
        "thread_stack": "the platform default (threading.stack_size() 0), which glibc takes "
        "from RLIMIT_STACK; each point records both",
        "rlimit_stack_bytes": resource.getrlimit(resource.RLIMIT_STACK)[0],
        "server_memory": "whole-process memory of the HTTP servers under load comes from the "
        "C6 runs when they are present",
    }


def plan(context: Context) -> list[Case]:
    cases = []
    for executor in EXECUTORS:
        for count in COUNTS.get(context.profile.name, COUNTS["default"]):
            params = {
                "stack": executor.stack.value,
                "executor": executor.value,
                "concurrency": count,
                "backend": "memory",
                "policy": "corrected",
                "latency_ms": PARK_MS,
                "requests": count,
            }
            cases.append(Case(f"{executor.value} {count} parked", params))
    return cases


def run_probe(executor: str, requests: int, mode: str) -> dict[str, Any]:
    """Run one probe in a fresh process and return its JSON result."""
    command = [
        sys.executable,
        "-m",
        "bench.memory_probe",
        "--executor",
        executor,
        "--requests",
        str(requests),
        "--mode",
        mode,
    ]
    logger.info("starting memory probe: %s", " ".join(command[1:]))
    try:
        completed = subprocess.run(
            command, capture_output=True, text=True, timeout=PROBE_TIMEOUT_S, check=False
        )
    except subprocess.TimeoutExpired as error:
        raise ProbeFailed(
            f"memory probe {executor} x{requests} ({mode}) timed out after {PROBE_TIMEOUT_S:.0f} s"
        ) from error
    if completed.returncode != 0 or not completed.stdout.strip():
        raise ProbeFailed(
            f"memory probe {executor} x{requests} ({mode}) failed with status "
            f"{completed.returncode}: {completed.stderr.strip()[-500:]}"
        )
    result: dict[str, Any] = json.loads(completed.stdout.strip().splitlines()[-1])
    if result["error"] or result["parked"] != requests:
        raise ProbeFailed(
            f"memory probe {executor} x{requests} ({mode}) parked {result['parked']} of "
            f"{requests} requests: {result['error'] or 'timed out waiting for them'}"
        )
    return result


def measure(case: Case, context: Context) -> Point:
    executor = case.params["executor"]
    requests = int(case.params["requests"])
    rss: list[float] = []
    vm: list[float] = []
    traced: list[float] = []
    process_rss: list[float] = []
    baseline_rss: list[float] = []
    stack_size = rlimit_stack = None
    for _ in range(REPETITIONS.get(context.profile.name, 1)):
        plain = run_probe(executor, requests, "rss")
        before, after = plain["baseline"], plain["loaded"]
        rss.append((after["rss_bytes"] - before["rss_bytes"]) / requests)
        vm.append((after["vm_bytes"] - before["vm_bytes"]) / requests)
        process_rss.append(after["rss_bytes"])
        baseline_rss.append(before["rss_bytes"])
        stack_size = plain["thread_stack_size_bytes"]
        rlimit_stack = plain["rlimit_stack_bytes"]

        tracing = run_probe(executor, requests, "tracemalloc")
        traced.append(
            (tracing["loaded"]["traced_bytes"] - tracing["baseline"]["traced_bytes"]) / requests
        )
    params = dict(case.params)
    params["thread_stack_size_bytes"] = stack_size
    params["rlimit_stack_bytes"] = rlimit_stack
    return {
        "params": params,
        "metrics": {
            "rss_bytes_per_request": metric(rss, "bytes"),
            "traced_bytes_per_request": metric(traced, "bytes"),
            "vm_bytes_per_request": metric(vm, "bytes"),
            "process_rss_bytes": metric(process_rss, "bytes"),
            "baseline_rss_bytes": metric(baseline_rss, "bytes"),
        },
    }


def derive(points: list[Point]) -> list[Point]:
    return points
