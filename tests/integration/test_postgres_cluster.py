"""The throwaway PostgreSQL cluster: it leaves no process or directory behind, and the
adapters' pools time out instead of hanging when saturated."""

from __future__ import annotations

import asyncio
import contextvars
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import psycopg.conninfo
import psycopg_pool
import pytest

from async_variant.asyncpg_postgres import AsyncpgUserRepository
from async_variant.postgres import PostgresUserRepository as AsyncPostgres
from bench import postgres
from core.policy import Policy
from sync_variant.postgres import PostgresUserRepository as SyncPostgres

REPOSITORY = Path(__file__).resolve().parents[2]
WAIT_S = 60.0  # bound on every wait below; the cluster starts in about 2 s

# Starts a cluster, prints its settings as one JSON line, then waits to be signalled.
HOLDER = """
import json, sys, time
from bench.postgres import postgres_server
with postgres_server() as server:
    print(json.dumps(server.settings), flush=True)
    time.sleep(120)
"""


@pytest.fixture(autouse=True)
def _needs_binaries() -> None:
    if postgres.find_binaries() is None:
        message = postgres.unavailable_message()
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)


def _server_pids(directory: str) -> list[int]:
    """Return the pids of processes whose command line names the cluster's directory."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        if directory in cmdline and "postgres" in cmdline:
            pids.append(int(entry.name))
    return pids


def _assert_gone(directory: str) -> None:
    deadline = time.monotonic() + WAIT_S
    while _server_pids(directory) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _server_pids(directory) == []
    assert not Path(directory).exists()


def test_cluster_removed_after_exit() -> None:
    with postgres.postgres_server() as server:
        directory = server.settings["directory"]
        with psycopg.connect(server.dsn) as connection:
            assert connection.execute("SELECT 1").fetchone() == (1,)
        assert _server_pids(directory)
    _assert_gone(directory)


def _fail_inside_cluster(directories: list[str]) -> None:
    with postgres.postgres_server() as server:
        directories.append(server.settings["directory"])
        raise RuntimeError("failure inside the block")


def test_cluster_removed_after_error() -> None:
    directories: list[str] = []
    with pytest.raises(RuntimeError, match="failure inside the block"):
        _fail_inside_cluster(directories)
    _assert_gone(directories[0])


def _start_holder() -> tuple[subprocess.Popen[str], dict[str, str]]:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER],
        cwd=REPOSITORY,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None
    line = holder.stdout.readline()
    assert line, "the holder process exited before the cluster started"
    return holder, json.loads(line)


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM], ids=["sigint", "sigterm"])
def test_cluster_removed_after_signal(signum: signal.Signals) -> None:
    holder, settings = _start_holder()
    try:
        holder.send_signal(signum)
        holder.wait(timeout=WAIT_S)
    finally:
        if holder.poll() is None:
            holder.kill()
    _assert_gone(settings["directory"])


def test_server_dies_with_killed_parent() -> None:
    holder, settings = _start_holder()
    holder.kill()  # SIGKILL: no cleanup code runs, so only the server's death signal helps
    holder.wait(timeout=WAIT_S)
    directory = settings["directory"]
    deadline = time.monotonic() + WAIT_S
    while _server_pids(directory) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _server_pids(directory) == []
    assert Path(directory).exists()  # no cleanup code ran in the killed holder

    # The next cluster started deletes the directory the killed one left.
    with postgres.postgres_server():
        assert not Path(directory).exists()


def _exited_pid() -> int:
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait(timeout=WAIT_S)
    return child.pid


def test_stale_directories_removed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    exited, running, unowned = (tmp_path / f"{postgres.TEMP_PREFIX}{n}" for n in "abc")
    for directory in (exited, running, unowned):
        directory.mkdir()
    (exited / postgres.OWNER_FILE).write_text(f"{_exited_pid()}\n")
    (running / postgres.OWNER_FILE).write_text(f"{os.getpid()}\n")

    assert postgres.remove_stale_directories() == [exited]

    assert not exited.exists()
    assert running.exists()
    assert unowned.exists()


def test_stale_directory_with_live_server_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    directory = tmp_path / f"{postgres.TEMP_PREFIX}server"
    (directory / "data").mkdir(parents=True)
    (directory / postgres.OWNER_FILE).write_text(f"{_exited_pid()}\n")
    # postmaster.pid starts with the server's pid. Here it names a live process, this one.
    (directory / "data" / "postmaster.pid").write_text(f"{os.getpid()}\n/some/data\n")

    assert postgres.remove_stale_directories() == []
    assert directory.exists()


def test_cluster_requires_password() -> None:
    with postgres.postgres_server() as server:
        parts = psycopg.conninfo.conninfo_to_dict(server.dsn)
        assert parts["password"]
        del parts["password"]
        with pytest.raises(psycopg.OperationalError, match="password"):
            psycopg.connect(psycopg.conninfo.make_conninfo(**parts), connect_timeout=10)


def test_interrupted_run_leaves_nothing(tmp_path: Path) -> None:
    out = tmp_path / "run"
    command = [
        sys.executable,
        "-m",
        "bench.cli",
        "run",
        "--profile",
        "smoke",
        "--claims",
        "C7",
        "--backend",
        "postgres",
        "--out",
        str(out),
    ]
    environment = {k: v for k, v in os.environ.items() if k != postgres.DSN_ENV}
    run = subprocess.Popen(command, cwd=REPOSITORY, env=environment, stderr=subprocess.DEVNULL)
    try:
        log = out / "ddd-bench.log"
        deadline = time.monotonic() + WAIT_S
        while time.monotonic() < deadline:
            if log.exists() and "starting experiment" in log.read_text():
                break
            time.sleep(0.1)
        run.send_signal(signal.SIGTERM)
        status = run.wait(timeout=WAIT_S)
    finally:
        if run.poll() is None:
            run.kill()
    assert status == 130
    results = json.loads((out / "results.json").read_text())
    directory = results["run"]["config"]["postgres"]["directory"]
    _assert_gone(directory)


def test_cli_without_server_exits_2(tmp_path: Path) -> None:
    environment = {k: v for k, v in os.environ.items() if k != postgres.DSN_ENV}
    environment[postgres.BIN_ENV] = str(tmp_path)  # a directory without binaries
    completed = subprocess.run(
        [sys.executable, "-m", "bench.cli", "run", "--backend", "postgres", "--out", str(tmp_path)],
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
        timeout=WAIT_S,
        check=False,
    )
    assert completed.returncode == 2
    assert "apt-get install postgresql" in completed.stderr
    assert "--pg-dsn" in completed.stderr


def test_sync_pool_saturated_times_out(pg_dsn: str) -> None:
    repository = SyncPostgres(pg_dsn, Policy.CORRECTED, pool_size=1, pool_timeout_s=0.2)
    try:
        with repository.connection_scope(), ThreadPoolExecutor(1) as other_thread:
            waiting = other_thread.submit(repository.find_by_id, "u1")
            with pytest.raises(psycopg_pool.PoolTimeout):
                waiting.result(timeout=WAIT_S)
        assert repository.find_by_id("u1") is None
    finally:
        repository.close()


@pytest.mark.asyncio
@pytest.mark.parametrize("driver", ["psycopg", "asyncpg"])
async def test_async_pool_saturated_times_out(pg_dsn: str, driver: str) -> None:
    opener = AsyncPostgres.open if driver == "psycopg" else AsyncpgUserRepository.open
    repository = await opener(pg_dsn, Policy.CORRECTED, pool_size=1, pool_timeout_s=0.2)
    try:
        async with repository.connection_scope():
            # A fresh context, so the task does not inherit the held connection.
            waiting = asyncio.create_task(
                repository.find_by_id("u1"), context=contextvars.Context()
            )
            with pytest.raises((psycopg_pool.PoolTimeout, TimeoutError)):
                await asyncio.wait_for(waiting, WAIT_S)
        assert await repository.find_by_id("u1") is None
    finally:
        await repository.close()


def test_cli_uses_given_dsn(tmp_path: Path, pg_dsn: str) -> None:
    password = psycopg.conninfo.conninfo_to_dict(pg_dsn)["password"]
    assert password
    out = tmp_path / "run"
    environment = {k: v for k, v in os.environ.items() if k != postgres.DSN_ENV}
    environment[postgres.BIN_ENV] = str(tmp_path)  # no binaries: only the DSN can serve
    command = [
        sys.executable,
        "-m",
        "bench.cli",
        "run",
        "--profile",
        "smoke",
        "--claims",
        "C7",
        "--backend",
        "postgres",
        "--pg-dsn",
        pg_dsn,
        "--out",
        str(out),
    ]
    completed = subprocess.run(
        command,
        cwd=REPOSITORY,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    results = json.loads((out / "results.json").read_text())
    assert results["run"]["config"]["postgres"]["source"] == "existing server (--pg-dsn)"
    points = results["experiments"][0]["points"]
    assert points
    assert {p["params"]["backend"] for p in points} == {"postgres"}
    assert str(password) not in (out / "results.json").read_text()
    assert str(password) not in (out / "ddd-bench.log").read_text()
