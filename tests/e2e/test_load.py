"""Load generators against real servers: distributed locust, open loop, and clean shutdown."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import psutil
import pytest

from bench import load
from bench.openloop import main as openloop_main
from bench.results import validate
from bench.servers import ServerError, ServerSpec, serve
from bench.targets import TargetError
from bench.vocabulary import Executor
from core.app_settings import AppSettings

ROOT = Path(__file__).resolve().parents[2]
SPEC = ServerSpec(Executor.UVLOOP, settings=AppSettings(latency_ms=1.0, handler_ms=5.0))
C6_METRICS = ("latency_p50_ms", "latency_p99_ms", "throughput_rps", "generator_cpu_percent")


def _descendants() -> list[psutil.Process]:
    """Return this test process's descendants, except the session's PostgreSQL cluster.

    The PostgreSQL contract tests keep one throwaway cluster for the whole session, so
    its server processes are children of pytest while these tests run.
    """
    found = []
    for process in psutil.Process().children(recursive=True):
        try:
            if process.name().startswith("postgres"):
                continue
        except psutil.NoSuchProcess:
            continue
        found.append(process)
    return found


def _alive(pids: list[int]) -> list[int]:
    alive = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.append(pid)
        except psutil.NoSuchProcess:
            continue
    return alive


def test_distributed_locust_with_two_workers(tmp_path: Path) -> None:
    with serve(SPEC, tmp_path) as server:
        result = load.run_locust(server.url, users=4, run_time_s=3, work_dir=tmp_path, workers=2)
        children = [p.pid for p in _descendants() if p.pid not in server.pids()]
    assert result.generator_processes == 2
    assert result.requests > 0
    assert result.failures == 0
    assert result.throughput_rps > 0
    assert result.generator_cpu_percent >= 0
    assert (tmp_path / "locust_stats.csv").exists()
    assert children == []
    assert _descendants() == []


def test_open_loop_sends_planned_requests(tmp_path: Path) -> None:
    with serve(SPEC, tmp_path) as server:
        result = load.run_open_loop(
            server.url, rate_rps=40.0, duration_s=2.0, work_dir=tmp_path, max_in_flight=20
        )
    # 80 requests are planned; the first second's are dropped as the warm-up.
    assert 30 <= result.requests <= 80
    assert result.failures == 0
    assert result.percentile(50) >= 5.0  # the 5 ms handler runs inside every request
    assert result.send_lag_p99_ms is not None
    assert _descendants() == []


@pytest.mark.parametrize(
    "url", ["http://10.1.2.3:80", "http://example.com", "http://169.254.169.254"]
)
def test_remote_target_rejected(tmp_path: Path, url: str) -> None:
    with pytest.raises(TargetError, match="loopback"):
        load.run_locust(url, users=1, run_time_s=1, work_dir=tmp_path)
    with pytest.raises(TargetError, match="loopback"):
        load.run_open_loop(url, 1.0, 1.0, tmp_path, max_in_flight=1)
    with pytest.raises(SystemExit) as exited:
        openloop_main(["--url", url, "--rate", "1", "--duration", "1", "--out", str(tmp_path)])
    assert exited.value.code == 2
    assert _descendants() == []


def test_interrupted_run_leaves_no_process(tmp_path: Path) -> None:
    out = tmp_path / "run"
    harness = subprocess.Popen(
        [sys.executable, "-m", "bench.cli", "run", "--profile", "smoke", "--claims", "C6",
         "--out", str(out)],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    seen: set[int] = set()
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            children = psutil.Process(harness.pid).children(recursive=True)
            seen.update(p.pid for p in children)
            if any("locust" in " ".join(_cmdline(p)) for p in children):
                break
            time.sleep(0.1)
        else:
            pytest.fail("the C6 run started no locust process within 90 s")
        time.sleep(1.0)
        seen.update(p.pid for p in psutil.Process(harness.pid).children(recursive=True))
        os.kill(harness.pid, signal.SIGINT)
        code = harness.wait(timeout=90)
    finally:
        if harness.poll() is None:
            harness.kill()
            harness.wait()
    assert code == 130
    assert len(seen) >= 2  # the server and locust at least
    assert _alive(sorted(seen)) == []
    results = json.loads((out / "results.json").read_text(encoding="utf-8"))
    c6 = next(e for e in results["experiments"] if e["id"] == "c6-http-latency")
    assert c6["status"] == "failed"
    assert "interrupted" in c6["error"]


def _cmdline(process: psutil.Process) -> list[str]:
    try:
        return process.cmdline()
    except psutil.Error:
        return []


@pytest.mark.slow
def test_c6_smoke_run(tmp_path: Path) -> None:
    out = tmp_path / "run"
    completed = subprocess.run(
        [sys.executable, "-m", "bench.cli", "run", "--profile", "smoke", "--claims", "C6",
         "--out", str(out)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )  # fmt: skip
    assert completed.returncode == 0, completed.stderr[-3000:]
    results: dict[str, Any] = json.loads((out / "results.json").read_text(encoding="utf-8"))
    validate(results)
    c6 = next(e for e in results["experiments"] if e["id"] == "c6-http-latency")
    assert c6["status"] == "ok"
    combos = {
        (p["params"]["stack"], p["params"]["executor"], p["params"]["load"]) for p in c6["points"]
    }
    for executor, stack in (("threads", "sync"), ("asyncio", "async"), ("uvloop", "async")):
        assert (stack, executor, "closed-loop") in combos
        assert (stack, executor, "open-loop") in combos
    for point in c6["points"]:
        params = point["params"]
        assert params["workers"] >= 1
        assert params["server_processes"] >= 1
        for name in C6_METRICS:
            assert name in point["metrics"], name
        assert "server_rss_bytes" in point["metrics"]
        if params["stack"] == "sync":
            assert params["server_threads"] >= 1
    claim = next(c for c in results["claims"] if c["id"] == "C6")
    assert claim["verdict"] != "not-checked", claim["reason"]
    report = (out / "report.md").read_text(encoding="utf-8")
    for plot in ("c6-latency.png", "c6-throughput.png"):
        assert (out / plot).stat().st_size > 10_000
        assert f"]({plot})" in report
    assert _descendants() == []


def test_lost_locust_worker_is_an_error(tmp_path: Path) -> None:
    outcome: dict[str, BaseException | None] = {"error": None}

    def run() -> None:
        try:
            load.run_locust(server.url, users=4, run_time_s=6, work_dir=tmp_path, workers=2)
        except BaseException as error:  # handed to the test thread below
            outcome["error"] = error

    with serve(SPEC, tmp_path) as server:
        runner = threading.Thread(target=run)
        runner.start()
        deadline = time.monotonic() + 30
        workers: list[psutil.Process] = []
        while len(workers) < 2 and time.monotonic() < deadline:
            workers = [p for p in _descendants() if "--worker" in p.cmdline()]
            time.sleep(0.2)
        assert len(workers) == 2, "the two locust workers never started"
        time.sleep(1.5)
        workers[0].kill()  # a worker that disappears in the middle of the load
        runner.join(timeout=60)
        assert not runner.is_alive()
    assert isinstance(outcome["error"], load.LoadError)
    assert "exited during the load" in str(outcome["error"])
    assert _descendants() == []


def test_server_worker_lost_is_an_error(tmp_path: Path) -> None:
    spec = ServerSpec(Executor.THREADS, processes=1, threads=4, settings=SPEC.settings)
    with serve(spec, tmp_path) as server:
        pids = server.pids()
        server.check_running(pids)
        workers = [pid for pid in pids if pid != server.pid]
        assert workers, "gunicorn started no worker process"
        psutil.Process(workers[0]).kill()
        psutil.Process(workers[0]).wait(timeout=10)
        with pytest.raises(ServerError, match="during the load"):
            server.check_running(pids)
    assert _descendants() == []
