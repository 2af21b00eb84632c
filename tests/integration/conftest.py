"""A PostgreSQL server for the integration tests, started once per session.

It is the throwaway cluster the harness itself starts (or the server named by
DDD_BENCH_PG_DSN). Without binaries or a DSN the PostgreSQL tests are skipped on a
developer's machine and fail under CI (CI=true), where .ci/run installs the server.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from bench import postgres


@pytest.fixture(scope="session")
def pg_dsn() -> Iterator[str]:
    try:
        postgres.check_available(None)
    except postgres.PostgresUnavailable as error:
        if os.environ.get("CI"):
            pytest.fail(str(error))
        pytest.skip(str(error))
    with postgres.postgres_server() as server:
        yield server.dsn
