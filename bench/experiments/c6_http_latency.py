"""C6: response latency and throughput over HTTP, sync under gunicorn against async under uvicorn.

Each case starts a fresh server on a free loopback port, loads it, samples its
memory, and stops it. Closed-loop cases run locust with N users and no think time;
open-loop cases send registrations at a constant rate and measure latency from each
request's intended send time. Both stacks get the same number of server processes,
and the sync server's thread count is swept, because its figures depend on it.
"""

from __future__ import annotations

import itertools
import logging
import os
from dataclasses import dataclass
from typing import Any

from bench import load, processes, servers
from bench.experiments.base import Case, Context, Point
from bench.results import metric
from bench.sampling import SAMPLE_INTERVAL_S, TreeSampler
from bench.vocabulary import Executor, Stack
from core.app_settings import GUIDE_HANDLER_MS, AppSettings
from core.policy import Backend, Policy

logger = logging.getLogger(__name__)

ID = "c6-http-latency"
CLAIM = "C6"

LATENCY_MS = 1.0  # the guide's simulated I/O per repository call
REPOSITORY_CALLS = 2  # a registration does find_by_email, then save
EVENTS_PER_REQUEST = 1  # a registration records one UserRegistered event
OPEN_LOOP_MAX_IN_FLIGHT = 1000  # connections the open-loop generator may hold at once
CLOSED = "closed-loop"
OPEN = "open-loop"


@dataclass(frozen=True)
class LoadPlan:
    """How much of the C6 grid a profile runs, and for how long."""

    sync_threads: tuple[int, ...]
    per_core_processes: bool  # also run one server process per core, beside one process
    users: tuple[int, ...]  # closed-loop locust users
    open_rates: tuple[float, ...]  # open-loop arrival rates, requests per second
    closed_s: int  # locust --run-time per closed-loop case
    open_s: float  # duration of each open-loop case
    policies: tuple[Policy, ...] = (Policy.AS_WRITTEN,)
    handler_ms: float = GUIDE_HANDLER_MS
    handlers_per_event: int = 1  # the guide subscribes one handler per event type


PLANS = {
    # smoke: about two minutes on 2 cores; two thread counts bracket the user counts.
    "smoke": LoadPlan((8, 64), False, (10, 50), (40.0, 150.0), 5, 4.0),
    # default: the full thread sweep, one process and one per core.
    "default": LoadPlan((8, 32, 64), True, (10, 50, 100), (40.0, 100.0, 200.0), 10, 8.0),
    "full": LoadPlan(
        (8, 32, 64, 128), True, (10, 50, 100, 200), (40.0, 100.0, 200.0, 400.0), 30, 20.0
    ),
}


def _plan_for(context: Context) -> LoadPlan:
    return PLANS.get(context.profile.name, PLANS["smoke"])


def _backend(context: Context) -> Backend:
    for backend in (Backend.MEMORY, Backend.SQLITE):
        if backend in context.backends:
            return backend
    return Backend.MEMORY


def _load_workers(context: Context) -> int:
    return int(context.extra.get("load_workers", 0))


def service_time_ms(stack: str, handler_ms: float, handlers_per_event: int) -> float:
    """The unloaded response time of one registration: its I/O plus its handlers.

    The sync publisher runs an event's handlers one after another; the async one
    gathers them, so they overlap.
    """
    handlers = handlers_per_event if stack == Stack.SYNC.value else 1
    io_ms = REPOSITORY_CALLS * LATENCY_MS
    return io_ms + EVENTS_PER_REQUEST * handlers * handler_ms if handler_ms > 0 else io_ms


def describe(context: Context) -> dict[str, Any]:
    plan = _plan_for(context)
    return {
        "workload": "POST /users registrations, each with its own id and email; "
        f"memory backend with {LATENCY_MS} ms per repository call",
        "policies": ", ".join(p.value for p in plan.policies)
        + " (as-written holds one lock across every repository call's sleep, so one server "
        f"process completes at most about 1000 / ({REPOSITORY_CALLS} x {LATENCY_MS:.0f} ms) = "
        f"{1000 / (REPOSITORY_CALLS * LATENCY_MS):.0f} registrations/s, fewer when sleeps "
        "overshoot)",
        "handlers": f"{plan.handlers_per_event} handler per event type, each sleeping "
        f"{plan.handler_ms:.0f} ms (the guide's), run inline in the request",
        "sync_server": "gunicorn, gthread workers, threads swept over "
        + ", ".join(str(t) for t in plan.sync_threads),
        "async_server": "uvicorn with httptools, on asyncio and on uvloop",
        "server_processes": "1"
        + (f" and {os.cpu_count()} (one per core)" if plan.per_core_processes else ""),
        "cpu_pinning": "with one server process, the server runs on CPU 0 and the load "
        "generator on the other CPUs; otherwise nothing is pinned",
        "closed_loop": f"locust {_locust_mode(context)}, FastHttpUser, no think time, users "
        + ", ".join(str(u) for u in plan.users)
        + f", {plan.closed_s} s per case",
        "open_loop": "bench.openloop (httpx on uvloop, one process), rates "
        + ", ".join(f"{r:.0f}" for r in plan.open_rates)
        + f" requests/s, {plan.open_s:.0f} s per case, latency from the intended send time; "
        "send lag is how late the generator started requests, which counts in their latency",
        "server_rss": "summed RSS of the server's process tree (gunicorn master or uvicorn "
        f"supervisor included), sampled every {SAMPLE_INTERVAL_S} s during the load",
        "warm_up": f"requests that started in the first {load.WARMUP_S:.0f} s are dropped",
        "generator_cpu": f"CPU of the busiest generator process over the load phase; above "
        f"{load.SATURATED_CPU_PERCENT:.0f}% the point is flagged and left out of the verdict",
        "latency_values_kept": f"a uniform sample of at most {load.KEPT_LATENCY_VALUES} "
        "latencies per point; percentiles use every request",
    }


def _locust_mode(context: Context) -> str:
    workers = _load_workers(context)
    return f"master with {workers} workers" if workers else "in one process"


def _server_specs(context: Context) -> list[tuple[Executor, int, int]]:
    plan = _plan_for(context)
    counts = [1]
    cpu_count = os.cpu_count() or 1
    if plan.per_core_processes and cpu_count > 1:
        counts.append(cpu_count)
    specs = []
    for count in counts:
        specs += [(Executor.THREADS, count, threads) for threads in plan.sync_threads]
        specs += [(Executor.ASYNCIO, count, 1), (Executor.UVLOOP, count, 1)]
    return specs


def plan(context: Context) -> list[Case]:
    load_plan = _plan_for(context)
    backend = _backend(context)
    cases = []
    for policy, (executor, count, threads) in itertools.product(
        load_plan.policies, _server_specs(context)
    ):
        stack = executor.stack.value
        base = {
            "stack": stack,
            "executor": executor.value,
            "backend": backend.value,
            "policy": policy.value,
            "latency_ms": LATENCY_MS if backend is Backend.MEMORY else None,
            "server_processes": count,
            "server_threads": threads if executor is Executor.THREADS else None,
            "handler_ms": load_plan.handler_ms,
            "handlers_per_event": load_plan.handlers_per_event,
        }
        server = f"{executor.value} x{count}"
        if stack == Stack.SYNC.value:
            server = f"{executor.value} {count}x{threads}"
        if len(load_plan.policies) > 1:
            server = f"{policy.value} {server}"
        for users in load_plan.users:
            params = {
                **base,
                "load": CLOSED,
                "concurrency": users,
                "users": users,
                "workers": max(_load_workers(context), 1),
                "duration_s": load_plan.closed_s,
            }
            cases.append(Case(f"{server} closed {users} users", params))
        for rate in load_plan.open_rates:
            params = {
                **base,
                "load": OPEN,
                "concurrency": OPEN_LOOP_MAX_IN_FLIGHT,
                "rate_rps": rate,
                "workers": 1,
                "duration_s": load_plan.open_s,
            }
            cases.append(Case(f"{server} open {rate:.0f}/s", params))
    return cases


def _spec(params: dict[str, Any], context: Context) -> servers.ServerSpec:
    settings = AppSettings(
        backend=Backend(params["backend"]),
        policy=Policy(params["policy"]),
        latency_ms=LATENCY_MS,
        sqlite_path=context.scratch_dir / "c6" / "users.db"
        if params["backend"] == Backend.SQLITE.value
        else None,
        handler_ms=params["handler_ms"],
        handlers_per_event=params["handlers_per_event"],
    )
    server_cpus, _ = servers.server_cpus(params["server_processes"], os.cpu_count() or 1)
    return servers.ServerSpec(
        Executor(params["executor"]),
        processes=params["server_processes"],
        threads=params["server_threads"] or 1,
        settings=settings,
        cpus=server_cpus,
    )


def measure(case: Case, context: Context) -> Point:
    params = dict(case.params)
    spec = _spec(params, context)
    _, generator_cpus = servers.server_cpus(spec.processes, os.cpu_count() or 1)
    work_dir = context.scratch_dir / "c6" / case.name.replace(" ", "_").replace("/", "per")
    if spec.settings.sqlite_path is not None:
        spec.settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
        spec.settings.sqlite_path.unlink(missing_ok=True)

    with processes.sigterm_as_interrupt(), servers.serve(spec, work_dir) as server:
        params.update(spec.params())
        params["server_pids"] = server.pids()
        params["generator_cpus"] = None if generator_cpus is None else list(generator_cpus)
        sampler = TreeSampler(server.pid).start()
        try:
            if params["load"] == CLOSED:
                result = load.run_locust(
                    server.url,
                    params["users"],
                    params["duration_s"],
                    work_dir,
                    workers=_load_workers(context),
                    cpus=generator_cpus,
                )
            else:
                result = load.run_open_loop(
                    server.url,
                    params["rate_rps"],
                    params["duration_s"],
                    work_dir,
                    max_in_flight=OPEN_LOOP_MAX_IN_FLIGHT,
                    cpus=generator_cpus,
                )
        finally:
            server_sample = sampler.stop()
        server.check_running(params["server_pids"])

    metrics: dict[str, Any] = result.metrics()
    metrics["latency_ms"] = metric(result.kept_values(context.seed), "ms")
    if server_sample.rss_bytes:
        metrics["server_rss_bytes"] = metric(server_sample.rss_bytes, "bytes")
    if server_sample.cpu_percent is not None:
        metrics["server_cpu_percent"] = server_sample.cpu_percent
    if result.send_lag_p99_ms is not None:
        metrics["send_lag_p99_ms"] = result.send_lag_p99_ms
    params["generator_processes"] = result.generator_processes
    logger.info(
        "%s: p50 %.1f ms, p99 %.1f ms, %.1f requests/s, %d failures, generator CPU %.0f%%",
        case.name,
        metrics["latency_p50_ms"],
        metrics["latency_p99_ms"],
        metrics["throughput_rps"],
        metrics["failures"],
        metrics["generator_cpu_percent"],
    )
    return {"params": params, "metrics": metrics}


def derive(points: list[Point]) -> list[Point]:
    """Add the Little's-law bound and the in-flight count Little's law gives from the figures.

    In a closed loop, throughput cannot pass (requests in flight) / (unloaded response
    time), and a sync server holds at most processes x threads requests at once.
    """
    for point in points:
        params = point["params"]
        metrics = point["metrics"]
        base_ms = service_time_ms(
            params["stack"], params["handler_ms"], params["handlers_per_event"]
        )
        metrics["service_time_ms"] = base_ms
        if params["load"] == CLOSED:
            in_flight = params["users"]
            if params["stack"] == Stack.SYNC.value:
                in_flight = min(in_flight, params["server_processes"] * params["server_threads"])
            metrics["littles_law_bound_rps"] = 1000.0 * in_flight / base_ms
        metrics["littles_law_in_flight"] = (
            metrics["throughput_rps"] * metrics["latency_mean_ms"] / 1000.0
        )
    return points
