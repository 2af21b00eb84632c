"""Run a load phase against a server and summarise what the generator processes recorded.

Closed-loop load is real locust, headless, in one process or as a master with N
workers (locust's distributed mode, here all on loopback). Open-loop load is
bench.openloop in its own process. Both write per-process sample files
(bench.http_workload), which summarise() turns into percentiles, throughput,
failures and the generator's CPU use.
"""

from __future__ import annotations

import contextlib
import csv
import logging
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from bench import processes
from bench.http_workload import SAMPLES_DIR_ENV, read_samples
from bench.servers import free_port
from bench.targets import ALLOW_REMOTE_ENV, require_loopback

logger = logging.getLogger(__name__)

LOCUSTFILE = Path(__file__).with_name("locustfile.py")
SATURATED_CPU_PERCENT = 90.0  # locust warns at the same level; above it latencies are suspect
WARMUP_S = 1.0  # samples that started in the first second (connections opening) are dropped
KEPT_LATENCY_VALUES = 2000  # raw latencies kept in results.json per point, sampled uniformly
LOCUST_STARTUP_S = 60.0  # time allowed beyond the run time for start-up, workers and shutdown
WORKER_WAIT_S = 30  # how long the master waits for its workers to connect


class LoadError(RuntimeError):
    """A load generator failed or recorded nothing."""


@dataclass(frozen=True)
class LoadResult:
    latencies_ms: np.ndarray  # every request started after the warm-up, failed ones included
    requests: int  # requests started after the warm-up
    failures: int  # of those requests
    completed: int  # successful responses that arrived after the warm-up
    duration_s: float  # from the end of the warm-up to the last response
    generator_cpu_percent: float  # the busiest generator process, 100 = one core
    generator_processes: int
    send_lag_p99_ms: float | None = None
    # Locust's own summary of the whole run, warm-up included, for comparison.
    locust_summary: dict[str, float] = field(default_factory=dict)

    @property
    def throughput_rps(self) -> float:
        """Successful responses per second between the end of the warm-up and the last response.

        Responses are counted by when they arrived, so requests that were in flight when
        the warm-up ended count too, as they do in a server's own request rate.
        """
        if self.duration_s <= 0:
            return 0.0
        return self.completed / self.duration_s

    @property
    def saturated(self) -> bool:
        return self.generator_cpu_percent > SATURATED_CPU_PERCENT

    def percentile(self, q: float) -> float:
        if self.latencies_ms.size == 0:
            return float("nan")
        return float(np.percentile(self.latencies_ms, q))

    def kept_values(self, seed: int = 0) -> list[float]:
        """A uniform sample of at most KEPT_LATENCY_VALUES latencies, for results.json."""
        values = self.latencies_ms
        if values.size > KEPT_LATENCY_VALUES:
            rng = np.random.default_rng(seed)
            values = rng.choice(values, KEPT_LATENCY_VALUES, replace=False)
        return [round(float(v), 3) for v in values]

    def metrics(self) -> dict[str, Any]:
        locust = {f"locust_{name}": value for name, value in self.locust_summary.items()}
        return {
            **locust,
            "latency_p50_ms": self.percentile(50),
            "latency_p95_ms": self.percentile(95),
            "latency_p99_ms": self.percentile(99),
            "latency_mean_ms": float(self.latencies_ms.mean()) if self.latencies_ms.size else 0.0,
            "throughput_rps": self.throughput_rps,
            "requests": self.requests,
            "failures": self.failures,
            "generator_cpu_percent": self.generator_cpu_percent,
            "generator_saturated": int(self.saturated),
        }


def summarise(documents: list[dict[str, Any]], warmup_s: float = WARMUP_S) -> LoadResult:
    """Merge the generator processes' sample files into one result, dropping the warm-up."""
    rows = [row for document in documents for row in document["samples"]]
    cpu = [d["cpu_percent"] for d in documents if d.get("cpu_percent") is not None]
    lags = [d["send_lag_p99_ms"] for d in documents if d.get("send_lag_p99_ms") is not None]
    if not rows:
        raise LoadError(
            f"the load generator recorded no requests ({len(documents)} sample files); "
            "see the locust or generator log"
        )
    starts = np.array([r[0] for r in rows], dtype=float)
    latencies = np.array([r[1] for r in rows], dtype=float)
    failed = np.array([bool(r[2]) for r in rows])
    ends = starts + latencies / 1000.0
    cutoff = starts.min() + warmup_s
    measured = starts >= cutoff
    if not measured.any():  # a run shorter than the warm-up: keep everything
        cutoff = starts.min()
        measured = np.ones_like(failed)
    return LoadResult(
        latencies_ms=latencies[measured],
        requests=int(measured.sum()),
        failures=int(failed[measured].sum()),
        completed=int(((ends >= cutoff) & ~failed).sum()),
        duration_s=max(float(ends.max() - cutoff), 1e-9),
        generator_cpu_percent=max(cpu) if cpu else float("nan"),
        generator_processes=len(documents),
        send_lag_p99_ms=max(lags) if lags else None,
    )


def _fresh_dir(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def _generator_env(samples_dir: Path, allow_remote: bool) -> dict[str, str]:
    env = dict(os.environ)
    env[SAMPLES_DIR_ENV] = str(samples_dir)
    if allow_remote:
        env[ALLOW_REMOTE_ENV] = "1"
    return env


def run_locust(
    url: str,
    users: int,
    run_time_s: int,
    work_dir: Path,
    *,
    workers: int = 0,
    cpus: tuple[int, ...] | None = None,
    allow_remote: bool = False,
) -> LoadResult:
    """Run headless locust against url for run_time_s with `users` users spawned in one second.

    workers=0 runs locust in one process; workers=N runs a master and N worker
    processes that connect to it over loopback, the mode that also spreads load
    over machines.
    """
    require_loopback(url, allow_remote=allow_remote)
    if users < 1 or run_time_s < 1 or workers < 0:
        raise ValueError(
            f"invalid locust run: users {users}, run time {run_time_s} s, workers {workers}"
        )
    samples_dir = _fresh_dir(work_dir / "samples")
    env = _generator_env(samples_dir, allow_remote)
    base = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--loglevel", "WARNING"]
    master = [
        *base,
        "--headless",
        "--users", str(users),
        "--spawn-rate", str(users),
        "--run-time", f"{run_time_s}s",
        "--host", url,
        "--csv", str(work_dir / "locust"),
        "--only-summary",
        "--stop-timeout", "2",
        "--exit-code-on-error", "0",
    ]  # fmt: skip
    worker_argv: list[str] = []
    if workers:
        master_port = free_port()
        master += [
            "--master",
            "--expect-workers", str(workers),
            "--expect-workers-max-wait", str(WORKER_WAIT_S),
            "--master-bind-host", "127.0.0.1",
            "--master-bind-port", str(master_port),
        ]  # fmt: skip
        worker_argv = [
            *base,
            "--worker",
            "--master-host", "127.0.0.1",
            "--master-port", str(master_port),
        ]  # fmt: skip

    log_path = work_dir / "locust.log"
    with contextlib.ExitStack() as stack:
        master_process = stack.enter_context(
            processes.running(master, log_path=log_path, env=env, cpus=cpus)
        )
        for index in range(workers):
            stack.enter_context(
                processes.running(
                    worker_argv,
                    log_path=work_dir / f"locust-worker-{index}.log",
                    env=env,
                    cpus=cpus,
                )
            )
        try:
            code = master_process.wait(timeout=run_time_s + LOCUST_STARTUP_S)
        except subprocess.TimeoutExpired as error:
            raise LoadError(
                f"locust did not finish within {run_time_s + LOCUST_STARTUP_S:.0f} s; "
                f"see {log_path}"
            ) from error
        if code != 0:
            raise LoadError(f"locust exited with code {code}; see {log_path}")
        # Workers write their samples when the master stops them; give them a moment to exit.
        for _ in processes.wait_until(_deadline(10.0)):
            if len(read_samples(samples_dir)) >= workers + 1:
                break
    documents = read_samples(samples_dir)
    load_documents = [d for d in documents if d["role"] != "master"]
    expected = workers or 1
    if len(load_documents) < expected:
        raise LoadError(
            f"{expected - len(load_documents)} of {expected} locust load processes wrote no "
            f"samples, so one exited during the load; see the locust logs in {work_dir}"
        )
    result = summarise(load_documents)
    master_cpu = [d["cpu_percent"] for d in documents if d["role"] == "master"]
    if master_cpu and master_cpu[0] is not None and master_cpu[0] > result.generator_cpu_percent:
        result = replace(result, generator_cpu_percent=master_cpu[0])
    return replace(result, locust_summary=locust_summary(work_dir / "locust_stats.csv"))


# Columns of the "Aggregated" row of locust's --csv stats file, and the names we keep.
_LOCUST_COLUMNS = {
    "Request Count": "requests",
    "Failure Count": "failures",
    "50%": "p50_ms",
    "99%": "p99_ms",
    "Requests/s": "rps",
}


def locust_summary(stats_csv: Path) -> dict[str, float]:
    """Read locust's aggregated figures from its stats CSV; empty when the file is missing."""
    try:
        with stats_csv.open(newline="", encoding="utf-8") as file:
            rows = [row for row in csv.DictReader(file) if row.get("Name") == "Aggregated"]
    except OSError as error:
        logger.warning("no locust stats in %s: %s", stats_csv, error)
        return {}
    if not rows:
        return {}
    summary = {}
    for column, name in _LOCUST_COLUMNS.items():
        try:
            summary[name] = float(rows[0][column])
        except (KeyError, ValueError):
            continue
    return summary


def _deadline(seconds: float) -> float:
    return time.monotonic() + seconds


def run_open_loop(
    url: str,
    rate_rps: float,
    duration_s: float,
    work_dir: Path,
    *,
    max_in_flight: int,
    cpus: tuple[int, ...] | None = None,
    allow_remote: bool = False,
    timeout_s: float = 10.0,
) -> LoadResult:
    """Run bench.openloop in its own process at rate_rps for duration_s."""
    require_loopback(url, allow_remote=allow_remote)
    samples_dir = _fresh_dir(work_dir / "samples")
    argv = [
        sys.executable, "-m", "bench.openloop",
        "--url", url,
        "--rate", repr(rate_rps),
        "--duration", repr(duration_s),
        "--max-in-flight", str(max_in_flight),
        "--timeout", repr(timeout_s),
        "--out", str(samples_dir),
    ]  # fmt: skip
    log_path = work_dir / "openloop.log"
    env = _generator_env(samples_dir, allow_remote)
    with processes.running(argv, log_path=log_path, env=env, cpus=cpus) as process:
        limit = duration_s + timeout_s + LOCUST_STARTUP_S
        try:
            code = process.wait(timeout=limit)
        except subprocess.TimeoutExpired as error:
            raise LoadError(
                f"open-loop generator ran over {limit:.0f} s; see {log_path}"
            ) from error
        if code != 0:
            raise LoadError(f"open-loop generator exited with code {code}; see {log_path}")
    return summarise(read_samples(samples_dir))
