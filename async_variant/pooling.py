"""Pooled-connection checkout shared by the async PostgreSQL repositories.

Its twin is sync_variant/pooling.py. Each repository names how it acquires a
connection from its pool. This base times every checkout, and a connection_scope()
block keeps one connection for every call inside it.
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import AsyncIterator
from contextlib import AbstractAsyncContextManager
from typing import Generic, TypeVar

from core.pool_timing import PoolTimings

C = TypeVar("C")


class PooledConnections(Generic[C]):
    def __init__(self, timings: PoolTimings | None) -> None:
        self._timings = timings
        # The connection a connection_scope() block holds, per task.
        self._scoped_connection: contextvars.ContextVar[C | None] = contextvars.ContextVar(
            "scoped_connection", default=None
        )

    def _acquire(self) -> AbstractAsyncContextManager[C]:
        """Check one connection out of the pool and return it when the block ends."""
        raise NotImplementedError

    @contextlib.asynccontextmanager
    async def connection_scope(self) -> AsyncIterator[None]:
        """Hold one pooled connection for every call made inside the block."""
        if self._scoped_connection.get() is not None:
            yield
            return
        async with self._checkout() as connection:
            token = self._scoped_connection.set(connection)
            try:
                yield
            finally:
                self._scoped_connection.reset(token)

    @contextlib.asynccontextmanager
    async def _checkout(self) -> AsyncIterator[C]:
        started = time.perf_counter()
        async with self._acquire() as connection:
            acquired = time.perf_counter()
            try:
                yield connection
            finally:
                if self._timings is not None:
                    self._timings.record(acquired - started, time.perf_counter() - acquired)

    @contextlib.asynccontextmanager
    async def _connection(self) -> AsyncIterator[C]:
        """Yield the scoped connection inside connection_scope(), otherwise a fresh checkout."""
        scoped = self._scoped_connection.get()
        if scoped is not None:
            yield scoped
            return
        async with self._checkout() as connection:
            yield connection
