"""Start and stop the child processes of a load test (servers, locust) so none outlives the run.

Each child starts in its own session, so its whole process group (a gunicorn master
and its workers, a locust master) is stopped together: SIGTERM first, SIGKILL after
a grace period. On Linux each child also gets PR_SET_PDEATHSIG, so the kernel sends
it SIGTERM if the harness itself dies without running its clean-up.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import IO

import psutil

logger = logging.getLogger(__name__)

STOP_GRACE_S = 10.0  # gunicorn's default graceful timeout is 30 s; ours finish sooner
_PR_SET_PDEATHSIG = 1  # from linux/prctl.h


def _die_with_parent() -> None:
    """Run in the child before exec: ask the kernel for SIGTERM when the parent exits."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


def start(
    argv: Sequence[str],
    *,
    log_path: Path,
    env: Mapping[str, str] | None = None,
    cpus: Sequence[int] | None = None,
    cwd: Path | None = None,
) -> subprocess.Popen[bytes]:
    """Start argv in a new session with stdout and stderr appended to log_path."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log: IO[bytes] = log_path.open("ab")
    try:
        process = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,
            preexec_fn=_die_with_parent,  # only calls prctl, which is async-signal-safe
        )
    finally:
        log.close()
    if cpus:
        with contextlib.suppress(psutil.Error):
            psutil.Process(process.pid).cpu_affinity(list(cpus))
    logger.info("started pid %d: %s (log %s)", process.pid, " ".join(argv), log_path)
    return process


def tree(pid: int) -> list[psutil.Process]:
    """Return the process and its descendants that still run."""
    try:
        root = psutil.Process(pid)
        return [root, *root.children(recursive=True)]
    except psutil.NoSuchProcess:
        return []


def stop(process: subprocess.Popen[bytes], grace_s: float = STOP_GRACE_S) -> int | None:
    """Stop the process and every process of its group; return its exit code.

    SIGTERM goes to the group first; whatever still runs after grace_s gets SIGKILL.
    Descendants that left the group are collected beforehand and stopped by pid.
    """
    members = tree(process.pid)
    if process.poll() is None:
        _signal_group(process.pid, signal.SIGTERM)
    for member in members[1:]:
        with contextlib.suppress(psutil.Error):
            member.terminate()
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        logger.warning("pid %d ignored SIGTERM for %.0f s; sending SIGKILL", process.pid, grace_s)
        _signal_group(process.pid, signal.SIGKILL)
        process.wait(timeout=grace_s)
    _, alive = psutil.wait_procs(members[1:], timeout=grace_s)
    for member in alive:
        logger.warning("pid %d outlived its parent; sending SIGKILL", member.pid)
        with contextlib.suppress(psutil.Error):
            member.kill()
    psutil.wait_procs(alive, timeout=grace_s)
    logger.info("stopped pid %d with exit code %s", process.pid, process.returncode)
    return process.returncode


def _signal_group(pid: int, signum: signal.Signals) -> None:
    # The child leads its own session, so its group id is its pid; the group is only ours.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signum)


@contextlib.contextmanager
def running(
    argv: Sequence[str],
    *,
    log_path: Path,
    env: Mapping[str, str] | None = None,
    cpus: Sequence[int] | None = None,
) -> Iterator[subprocess.Popen[bytes]]:
    """Start argv and stop it (and its group) on exit, also after an error or an interrupt."""
    process = start(argv, log_path=log_path, env=env, cpus=cpus)
    try:
        yield process
    finally:
        stop(process)


@contextlib.contextmanager
def sigterm_as_interrupt() -> Iterator[None]:
    """Turn SIGTERM into KeyboardInterrupt while the block runs, so clean-up code still runs."""

    def interrupt(signum: int, frame: object) -> None:
        raise KeyboardInterrupt(f"received signal {signum}")

    try:
        previous = signal.signal(signal.SIGTERM, interrupt)
    except ValueError:  # not the main thread: signals cannot be handled here
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def wait_until(deadline: float, step_s: float = 0.05) -> Iterator[float]:
    """Yield the time left until deadline (time.monotonic), sleeping step_s between yields."""
    while (left := deadline - time.monotonic()) > 0:
        yield left
        time.sleep(step_s)


class ChildTimedOut(Exception):
    """A child process ran longer than its timeout and was stopped."""


def run_child(argv: Sequence[str], *, timeout_s: float, log_path: Path) -> int:
    """Run argv to completion in its own process group and return its exit status.

    Raises ChildTimedOut after timeout_s. On any exception, KeyboardInterrupt
    included, the whole group (a pyperf manager and its workers) is stopped first.
    """
    process = start(argv, log_path=log_path)
    try:
        return process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired as error:
        stop(process)
        raise ChildTimedOut(f"{' '.join(argv[:3])} timed out after {timeout_s:.0f} s") from error
    finally:
        if process.poll() is None:
            logger.info("stopping pid %d after an interruption or error", process.pid)
            stop(process)
