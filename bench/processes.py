"""Child processes the harness starts: each in its own process group, always stopped.

A benchmark child (the pyperf manager) starts children of its own (pyperf
workers). Starting it in a new session makes it the leader of a process group, so
stopping the group stops the workers too, whether the run ends normally, times
out, fails or is interrupted.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from typing import IO

logger = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
STOP_GRACE_S = 5.0  # time a group gets to exit after SIGTERM before it is sent SIGKILL


class ChildTimedOut(Exception):
    """A child process ran longer than its timeout and was stopped."""


def stop_group(process: subprocess.Popen[bytes], grace_s: float = STOP_GRACE_S) -> None:
    """Send SIGTERM to the child's process group, then SIGKILL if it is still running."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        logger.warning("process group %d ignored SIGTERM; sending SIGKILL", process.pid)
    # Workers of the group can outlive its leader, so the group gets SIGKILL either way.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=grace_s)


def _die_with_parent() -> None:
    """Ask Linux to SIGKILL this child when the harness dies, even by SIGKILL."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError):
        pass  # not Linux: an orphaned child still stops when its bounded work ends


def run_child(command: Sequence[str], *, timeout_s: float, output: IO[str]) -> int:
    """Run a command in a new process group and return its exit status.

    Raises ChildTimedOut after timeout_s. On any exception, KeyboardInterrupt
    included, the whole group is stopped before the exception propagates.
    """
    process = subprocess.Popen(
        list(command),
        stdout=output,
        stderr=subprocess.STDOUT,
        start_new_session=True,
        preexec_fn=_die_with_parent if sys.platform == "linux" else None,
    )
    logger.info("started process group %d: %s", process.pid, command[0])
    try:
        return process.wait(timeout=timeout_s)
    except subprocess.TimeoutExpired as error:
        stop_group(process)
        raise ChildTimedOut(f"{' '.join(command[:3])} timed out after {timeout_s:.0f} s") from error
    except BaseException:
        logger.info("stopping process group %d after an interruption or error", process.pid)
        stop_group(process)
        raise
    finally:
        if process.poll() is None:
            stop_group(process)
