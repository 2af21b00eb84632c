"""Server-side query time from pg_stat_statements, for the C2 utilisation figures.

Only statements on the benchmark's table count. pg_stat_statements' execution time
excludes planning (pg_stat_statements.track_planning is off by default), the network
round trip and all client time, so it is the time the server spends executing.
"""

from __future__ import annotations

import logging

import psycopg

from core import pg_sql

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT_S = 10


class QueryStats:
    """One audit connection that resets and reads pg_stat_statements."""

    def __init__(self, dsn: str) -> None:
        self._connection = psycopg.connect(dsn, autocommit=True, connect_timeout=CONNECT_TIMEOUT_S)
        self.available = True
        try:
            self._connection.execute("CREATE EXTENSION IF NOT EXISTS pg_stat_statements")
            self._connection.execute("SELECT pg_stat_statements_reset()")
        except psycopg.Error as error:
            # An existing server may not preload the library; C2 then omits the server-side shares.
            logger.warning("pg_stat_statements is unavailable, so no server-side times: %s", error)
            self.available = False

    def reset(self) -> None:
        if self.available:
            self._connection.execute("SELECT pg_stat_statements_reset()")

    def execution_time_s(self) -> tuple[int, float] | None:
        """Return (calls, total execution seconds) on the benchmark table since the reset."""
        if not self.available:
            return None
        row = self._connection.execute(
            "SELECT coalesce(sum(calls), 0), coalesce(sum(total_exec_time), 0) "
            "FROM pg_stat_statements WHERE query LIKE %s "
            "AND query NOT ILIKE 'CREATE%%' AND query NOT ILIKE 'DROP%%'",
            (f"%{pg_sql.TABLE}%",),
        ).fetchone()
        assert row is not None  # an aggregate always returns one row
        return int(row[0]), float(row[1]) / 1000.0

    def close(self) -> None:
        self._connection.close()
