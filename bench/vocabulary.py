"""The harness vocabulary: stacks and executors, as named in the CLI, results.json and report."""

from __future__ import annotations

from enum import StrEnum


class Stack(StrEnum):
    SYNC = "sync"
    ASYNC = "async"


class Executor(StrEnum):
    SEQUENTIAL = "sequential"
    THREADS = "threads"
    ASYNCIO = "asyncio"
    UVLOOP = "uvloop"

    @property
    def stack(self) -> Stack:
        if self in (Executor.SEQUENTIAL, Executor.THREADS):
            return Stack.SYNC
        return Stack.ASYNC
