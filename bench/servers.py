"""Start the web apps under real servers on free loopback ports, and stop them.

The sync app runs under gunicorn's threaded (gthread) workers, the async app under
uvicorn on asyncio or uvloop. Both get the same number of worker processes, the same
keep-alive and backlog, and, when pinned, the same CPUs.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx

from bench import processes
from bench.vocabulary import Executor, Stack
from core.app_settings import AppSettings

logger = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
READY_TIMEOUT_S = 30.0  # importing Flask or FastAPI and booting workers takes 1-3 s on 2 cores
KEEP_ALIVE_S = 5  # idle keep-alive seconds, the same for both servers
BACKLOG = 2048  # gunicorn's default; uvicorn is given the same
GRACEFUL_S = 5  # both servers let in-flight requests finish this long on SIGTERM


class ServerError(RuntimeError):
    """A server exited or did not become ready in time."""


@dataclass(frozen=True)
class ServerSpec:
    """One server configuration; params() is what results.json records beside each number."""

    executor: Executor  # THREADS: gunicorn gthread; ASYNCIO or UVLOOP: uvicorn
    processes: int = 1
    threads: int = 1  # gunicorn threads per worker; ignored by uvicorn
    settings: AppSettings = field(default_factory=AppSettings)
    host: str = LOOPBACK
    cpus: tuple[int, ...] | None = None  # CPUs the server may run on; None leaves it unpinned

    def __post_init__(self) -> None:
        if self.executor not in (Executor.THREADS, Executor.ASYNCIO, Executor.UVLOOP):
            raise ValueError(
                f"invalid server executor {self.executor.value!r}: use threads, asyncio or uvloop"
            )
        if self.processes < 1 or self.threads < 1:
            raise ValueError(
                f"invalid processes {self.processes} / threads {self.threads}: both must be >= 1"
            )

    @property
    def stack(self) -> Stack:
        return self.executor.stack

    @property
    def server(self) -> str:
        return "gunicorn" if self.stack is Stack.SYNC else "uvicorn"

    @property
    def app_settings(self) -> AppSettings:
        # Each sync thread gets its own sqlite3 connection, as the C3 thread pools do.
        if self.stack is Stack.SYNC:
            return replace(self.settings, pool_size=max(self.settings.pool_size, self.threads))
        return self.settings

    def argv(self, port: int) -> list[str]:
        if self.stack is Stack.SYNC:
            return [
                sys.executable, "-m", "gunicorn",
                "--worker-class", "gthread",
                "--workers", str(self.processes),
                "--threads", str(self.threads),
                "--bind", f"{self.host}:{port}",
                "--backlog", str(BACKLOG),
                "--keep-alive", str(KEEP_ALIVE_S),
                "--graceful-timeout", str(GRACEFUL_S),
                "--log-level", "warning",
                "sync_variant.wsgi:create_app()",
            ]  # fmt: skip
        return [
            sys.executable, "-m", "uvicorn",
            "--factory", "async_variant.asgi:create_app",
            "--host", self.host,
            "--port", str(port),
            "--workers", str(self.processes),
            "--loop", self.executor.value,
            "--http", "httptools",
            "--backlog", str(BACKLOG),
            "--timeout-keep-alive", str(KEEP_ALIVE_S),
            "--timeout-graceful-shutdown", str(GRACEFUL_S),
            "--no-access-log",
            "--log-level", "warning",
        ]  # fmt: skip

    def params(self) -> dict[str, Any]:
        settings = self.app_settings
        return {
            "stack": self.stack.value,
            "executor": self.executor.value,
            "server": self.server,
            "server_processes": self.processes,
            "server_threads": self.threads if self.stack is Stack.SYNC else None,
            "server_loop": None if self.stack is Stack.SYNC else self.executor.value,
            "server_cpus": None if self.cpus is None else list(self.cpus),
            "backend": settings.backend.value,
            "policy": settings.policy.value,
            "latency_ms": settings.latency_ms,
            "handler_ms": settings.handler_ms,
            "handlers_per_event": settings.handlers_per_event,
            "pool_size": settings.pool_size if settings.backend.value == "sqlite" else None,
        }

    def label(self) -> str:
        if self.stack is Stack.SYNC:
            return f"gunicorn gthread {self.processes}x{self.threads}"
        return f"uvicorn {self.executor.value} x{self.processes}"


@dataclass
class RunningServer:
    spec: ServerSpec
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    @property
    def url(self) -> str:
        return f"http://{self.host_for_url}:{self.port}"

    @property
    def host_for_url(self) -> str:
        return f"[{self.spec.host}]" if ":" in self.spec.host else self.spec.host

    @property
    def pid(self) -> int:
        return self.process.pid

    def pids(self) -> list[int]:
        return [p.pid for p in processes.tree(self.process.pid)]

    def check_running(self, expected_pids: list[int]) -> None:
        """Raise ServerError if the server, or a worker it had, exited since expected_pids."""
        code = self.process.poll()
        current = set(self.pids())
        gone = [pid for pid in expected_pids if pid not in current]
        if code is None and not gone:
            return
        what = f"exited with code {code}" if code is not None else f"lost worker pids {gone}"
        raise ServerError(
            f"{self.spec.label()} {what} during the load, so this case's figures are not "
            f"valid; see {self.log_path}"
        )


def free_port(host: str = LOOPBACK) -> int:
    """Return a port that was free on host a moment ago; the server binds it right after."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        port: int = probe.getsockname()[1]
        return port


def _log_tail(path: Path, lines: int = 20) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def expected_processes(spec: ServerSpec) -> int:
    """Count the processes of a ready server: gunicorn's master and workers; uvicorn's
    supervisor and workers, or its single process when it runs one worker."""
    if spec.stack is Stack.SYNC or spec.processes > 1:
        return spec.processes + 1
    return 1


def wait_ready(server: RunningServer, timeout_s: float = READY_TIMEOUT_S) -> None:
    """Poll GET /health until it returns 200 and every worker process exists."""
    deadline = time.monotonic() + timeout_s
    expected = expected_processes(server.spec)
    healthy = False
    with httpx.Client(timeout=1.0) as client:
        for _ in processes.wait_until(deadline):
            if server.process.poll() is not None:
                raise ServerError(
                    f"{server.spec.label()} exited with code {server.process.returncode} "
                    f"before it was ready; log {server.log_path}:\n{_log_tail(server.log_path)}"
                )
            if not healthy:
                with contextlib.suppress(httpx.HTTPError):
                    healthy = client.get(f"{server.url}/health").status_code == 200
            if healthy and len(server.pids()) >= expected:
                return
    raise ServerError(
        f"{server.spec.label()} on port {server.port} not ready after {timeout_s:.0f} s; "
        f"log {server.log_path}:\n{_log_tail(server.log_path)}"
    )


@contextlib.contextmanager
def serve(
    spec: ServerSpec,
    log_dir: Path,
    *,
    ready_timeout_s: float = READY_TIMEOUT_S,
    extra_env: dict[str, str] | None = None,
) -> Iterator[RunningServer]:
    """Start the server on a free loopback port, wait until ready, and always stop it on exit."""
    port = free_port(spec.host)
    env = dict(os.environ)
    env.update(spec.app_settings.to_env())
    env.update(extra_env or {})
    log_path = log_dir / f"server-{spec.executor.value}-{spec.processes}x{spec.threads}-{port}.log"
    with processes.running(spec.argv(port), log_path=log_path, env=env, cpus=spec.cpus) as process:
        server = RunningServer(spec, process, port, log_path)
        wait_ready(server, ready_timeout_s)
        logger.info(
            "%s ready at %s, pids %s, settings %s",
            spec.label(),
            server.url,
            server.pids(),
            spec.app_settings.as_dict(),
        )
        yield server


def server_cpus(
    processes_wanted: int, cpu_count: int
) -> tuple[tuple[int, ...] | None, tuple[int, ...] | None]:
    """Split the CPUs between server and load generator when the server leaves some free.

    With one server process on two or more CPUs, the server gets CPU 0 and the load
    generator the rest, so they do not compete for one core. When the server uses
    every CPU, neither is pinned.
    """
    if processes_wanted >= cpu_count:
        return None, None
    server = tuple(range(processes_wanted))
    generator = tuple(range(processes_wanted, cpu_count))
    return server, generator


__all__: Sequence[str] = (
    "LOOPBACK",
    "RunningServer",
    "ServerError",
    "ServerSpec",
    "free_port",
    "serve",
    "server_cpus",
    "wait_ready",
)
