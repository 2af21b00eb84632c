"""Drive a batch of commands through one executor: the only place scheduling differs."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

import uvloop

from bench.vocabulary import Executor
from core.errors import DomainError

C = TypeVar("C")
R = TypeVar("R")

THREAD_START_TIMEOUT_S = 30.0


def new_event_loop(executor: Executor) -> asyncio.AbstractEventLoop:
    if executor is Executor.UVLOOP:
        return uvloop.new_event_loop()
    if executor is Executor.ASYNCIO:
        return asyncio.new_event_loop()
    raise ValueError(f"executor {executor.value!r} has no event loop")


def warmed_thread_pool(size: int) -> ThreadPoolExecutor:
    """Return a pool whose `size` threads already exist, so none starts inside a timed region."""
    pool = ThreadPoolExecutor(max_workers=size, thread_name_prefix="ddd-bench")
    barrier = threading.Barrier(size, timeout=THREAD_START_TIMEOUT_S)
    # Each task waits until all `size` tasks run at once, so the pool must start every thread.
    list(pool.map(lambda _: barrier.wait(), range(size)))
    return pool


def run_sync(
    executor: Executor,
    call: Callable[[C], R],
    commands: Sequence[C],
    pool: ThreadPoolExecutor | None = None,
) -> list[R]:
    """Run every command; the first exception propagates."""
    if executor is Executor.SEQUENTIAL:
        return [call(command) for command in commands]
    if executor is Executor.THREADS:
        if pool is None:
            raise ValueError("the threads executor needs a thread pool")
        return list(pool.map(call, commands))
    raise ValueError(f"executor {executor.value!r} is not a sync executor")


async def run_async(call: Callable[[C], Awaitable[R]], commands: Sequence[C]) -> list[R]:
    """Gather every command at once, as the guide does; the first exception propagates."""
    return list(await asyncio.gather(*(call(command) for command in commands)))


def rejecting_domain_errors(call: Callable[[C], R]) -> Callable[[C], R | DomainError]:
    """Wrap a sync call so a domain error becomes its result instead of aborting the batch."""

    def attempt(command: C) -> R | DomainError:
        try:
            return call(command)
        except DomainError as error:
            return error

    return attempt


def rejecting_domain_errors_async(
    call: Callable[[C], Awaitable[R]],
) -> Callable[[C], Awaitable[R | DomainError]]:
    """Async twin of rejecting_domain_errors."""

    async def attempt(command: C) -> R | DomainError:
        try:
            return await call(command)
        except DomainError as error:
            return error

    return attempt
