"""Locust scenario for the HTTP latency experiment: closed-loop registrations, no think time.

Each virtual user sends one registration, waits for the response, and sends the next,
so the number of users is the number of requests in flight. Every locust process
(local, master or worker) records its own request samples and its CPU use between
test start and test stop, and writes them to DDD_BENCH_LOAD_SAMPLES_DIR when set.

Run it alone against a server you started on loopback:

    locust -f bench/locustfile.py --headless -u 50 -r 50 -t 10s --host http://127.0.0.1:8000

The host must be a loopback address unless DDD_BENCH_ALLOW_REMOTE_TARGET=1 is set.
"""

from __future__ import annotations

import itertools
import logging
import os
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psutil
from locust import FastHttpUser, constant, events, task
from locust.exception import StopUser

from bench.http_workload import (
    REQUEST_NAME,
    SAMPLES_DIR_ENV,
    new_prefix,
    registration_body,
    write_samples,
)
from bench.targets import TargetError, remote_allowed, require_loopback

logger = logging.getLogger(__name__)

_PREFIX = new_prefix()
_COUNTER = itertools.count()
_SAMPLES: list[tuple[float, float, bool]] = []
_CPU_START: dict[str, float] = {}
_PROCESS = psutil.Process()


def _role(environment: Any) -> str:
    name = type(environment.runner).__name__ if environment.runner is not None else ""
    return {"MasterRunner": "master", "WorkerRunner": "worker"}.get(name, "local")


def _cpu_seconds() -> float:
    times = _PROCESS.cpu_times()
    return float(times.user + times.system)


def check_target(environment: Any, **kwargs: Any) -> None:
    """Stop before any load is sent when --host is not loopback (workers get it later)."""
    host = environment.host or getattr(environment.parsed_options, "host", None)
    if host:
        require_loopback(host, allow_remote=remote_allowed())


def record_request(response_time: float, exception: BaseException | None, **kwargs: Any) -> None:
    _SAMPLES.append(
        (time.time() - response_time / 1000.0, float(response_time), exception is not None)
    )


def start_cpu_window(environment: Any, **kwargs: Any) -> None:
    _SAMPLES.clear()
    _CPU_START["cpu"] = _cpu_seconds()
    _CPU_START["wall"] = time.monotonic()


def write_process_samples(environment: Any, **kwargs: Any) -> None:
    directory = os.environ.get(SAMPLES_DIR_ENV)
    if not directory or "wall" not in _CPU_START:
        return
    window = time.monotonic() - _CPU_START["wall"]
    cpu = 100.0 * (_cpu_seconds() - _CPU_START["cpu"]) / window if window > 0 else None
    write_samples(Path(directory), _role(environment), list(_SAMPLES), cpu, window)


_LISTENERS: tuple[tuple[Any, Callable[..., None]], ...] = (
    (events.init, check_target),
    (events.request, record_request),
    (events.test_start, start_cpu_window),
    (events.test_stop, write_process_samples),
)
for _hook, _listener in _LISTENERS:
    _hook.add_listener(_listener)


class Registrations(FastHttpUser):
    """Registers new users back to back; every request has an id and email of its own."""

    wait_time = constant(0)
    connection_timeout = 10.0
    network_timeout = 30.0

    def on_start(self) -> None:
        try:
            require_loopback(self.host or "", allow_remote=remote_allowed())
        except TargetError as error:
            logger.error("%s", error)
            raise StopUser() from error

    @task
    def register(self) -> None:
        body = registration_body(_PREFIX, next(_COUNTER))
        self.client.post("/users", json=body, name=REQUEST_NAME)
