"""Pooled-connection checkout shared by the sync PostgreSQL repositories.

Its twin is async_variant/pooling.py. Each repository names how it acquires a
connection from its pool. This base times every checkout, and a connection_scope()
block keeps one connection for every call inside it.
"""

from __future__ import annotations

import contextlib
import contextvars
import time
from collections.abc import Iterator
from contextlib import AbstractContextManager
from typing import Generic, TypeVar

from core.pool_timing import PoolTimings

C = TypeVar("C")


class PooledConnections(Generic[C]):
    def __init__(self, timings: PoolTimings | None) -> None:
        self._timings = timings
        # The connection a connection_scope() block holds, per thread.
        self._scoped_connection: contextvars.ContextVar[C | None] = contextvars.ContextVar(
            "scoped_connection", default=None
        )

    def _acquire(self) -> AbstractContextManager[C]:
        """Check one connection out of the pool and return it when the block ends."""
        raise NotImplementedError

    @contextlib.contextmanager
    def connection_scope(self) -> Iterator[None]:
        """Hold one pooled connection for every call made inside the block."""
        if self._scoped_connection.get() is not None:
            yield
            return
        with self._checkout() as connection:
            token = self._scoped_connection.set(connection)
            try:
                yield
            finally:
                self._scoped_connection.reset(token)

    @contextlib.contextmanager
    def _checkout(self) -> Iterator[C]:
        started = time.perf_counter()
        with self._acquire() as connection:
            acquired = time.perf_counter()
            try:
                yield connection
            finally:
                if self._timings is not None:
                    self._timings.record(acquired - started, time.perf_counter() - acquired)

    @contextlib.contextmanager
    def _connection(self) -> Iterator[C]:
        """Yield the scoped connection inside connection_scope(), otherwise a fresh checkout."""
        scoped = self._scoped_connection.get()
        if scoped is not None:
            yield scoped
            return
        with self._checkout() as connection:
            yield connection
