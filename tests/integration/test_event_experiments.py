"""The C5 memory probe and the C8 failure checks, run against the real stacks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bench.experiments.c5_memory import run_probe
from bench.experiments.c8_handler_failures import (
    cancellation_async,
    failure_async,
    failure_sync,
)
from bench.memory import rss_bytes, sample_memory
from core.policy import Policy, PublishStrategy

SYNC_STRATEGIES = (
    PublishStrategy.INLINE_SEQUENTIAL,
    PublishStrategy.THREAD_POOL,
    PublishStrategy.BACKGROUND,
)
ASYNC_STRATEGIES = (PublishStrategy.INLINE_GATHER, PublishStrategy.BACKGROUND)
FAILURES = ("AttributeError", "ConnectionError")


@pytest.mark.parametrize("executor", ["threads", "asyncio", "uvloop"])
def test_probe_parks_every_request(executor: str) -> None:
    result = run_probe(executor, 50, "rss")
    assert result["parked"] == 50
    assert result["error"] is None
    assert result["loaded"]["rss_bytes"] > 0
    if executor == "threads":
        assert result["loaded"]["threads"] >= 50


def test_probe_traces_allocations() -> None:
    result = run_probe("asyncio", 50, "tracemalloc")
    assert result["loaded"]["traced_bytes"] > result["baseline"]["traced_bytes"]


def test_probe_rejects_zero_requests() -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "bench.memory_probe", "--executor", "threads", "--requests", "0"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2
    assert "invalid --requests 0" in completed.stderr


def test_sample_memory_of_child_process() -> None:
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        sample = sample_memory(child.pid)
        assert sample.pid == child.pid
        assert sample.rss_bytes > 0
        assert sample.vm_bytes >= sample.rss_bytes
    finally:
        child.kill()
        child.wait(timeout=10)


def test_rss_of_this_process() -> None:
    sample = sample_memory(os.getpid())
    assert sample.rss_bytes > 0
    assert sample.threads >= 1
    assert rss_bytes() > 0


@pytest.mark.parametrize("strategy", SYNC_STRATEGIES)
@pytest.mark.parametrize("failure", FAILURES)
def test_sync_failure_outcomes(strategy: PublishStrategy, failure: str) -> None:
    as_written = failure_sync(strategy, Policy.AS_WRITTEN, failure)
    corrected = failure_sync(strategy, Policy.CORRECTED, failure)
    assert as_written["other_handlers_ran"] == 2
    assert corrected["other_handlers_ran"] == 2
    assert as_written["failures_lost"] == 1
    assert corrected["failures_lost"] == 0
    assert corrected["logged_with_names"] == 1
    inline = strategy is not PublishStrategy.BACKGROUND
    assert corrected["caller_learned"] == float(inline)


@pytest.mark.asyncio
@pytest.mark.parametrize("strategy", ASYNC_STRATEGIES)
@pytest.mark.parametrize("failure", FAILURES)
async def test_async_failure_outcomes(strategy: PublishStrategy, failure: str) -> None:
    as_written = await failure_async(strategy, Policy.AS_WRITTEN, failure)
    corrected = await failure_async(strategy, Policy.CORRECTED, failure)
    assert as_written["other_handlers_ran"] == 2
    assert corrected["other_handlers_ran"] == 2
    assert as_written["failures_lost"] == 1
    assert corrected["failures_lost"] == 0
    assert corrected["logged_with_names"] == 1
    inline = strategy is not PublishStrategy.BACKGROUND
    assert corrected["caller_learned"] == float(inline)


@pytest.mark.asyncio
@pytest.mark.parametrize("strategy", ASYNC_STRATEGIES)
@pytest.mark.parametrize("policy", list(Policy))
async def test_async_cancellation_reaches_caller(strategy: PublishStrategy, policy: Policy) -> None:
    outcome = await cancellation_async(strategy, policy)
    assert outcome["cancellation_propagates"] == 1
    if strategy is PublishStrategy.INLINE_GATHER:
        assert outcome["slow_handler_cancelled"] == 1


@pytest.mark.parametrize("failure", FAILURES)
def test_sync_outbox_failure_outcomes(tmp_path: Path, failure: str) -> None:
    as_written = failure_sync(PublishStrategy.OUTBOX, Policy.AS_WRITTEN, failure, tmp_path / "a.db")
    corrected = failure_sync(PublishStrategy.OUTBOX, Policy.CORRECTED, failure, tmp_path / "c.db")
    assert as_written["other_handlers_ran"] == 2
    assert as_written["failures_lost"] == 1
    assert corrected["other_handlers_ran"] == 2
    assert corrected["failures_lost"] == 0
    assert corrected["caller_learned"] == 0


@pytest.mark.asyncio
@pytest.mark.parametrize("failure", FAILURES)
async def test_async_outbox_failure_outcomes(tmp_path: Path, failure: str) -> None:
    corrected = await failure_async(
        PublishStrategy.OUTBOX, Policy.CORRECTED, failure, tmp_path / "c.db"
    )
    assert corrected["other_handlers_ran"] == 2
    assert corrected["failures_lost"] == 0
    assert corrected["logged_with_names"] == 1
