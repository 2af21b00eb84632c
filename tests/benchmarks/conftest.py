"""pytest-benchmark fixtures for both stacks, including coroutines on asyncio and on uvloop.

pytest-benchmark times plain callables only. `async_benchmark` creates the event
loop once per test, outside the timed region. It times `loop.run_until_complete` of
a fresh coroutine per round, so each value contains the coroutine and the cost of
handing it to the running loop, but never the loop's creation. Async set-up and
tear-down (building a service, closing it) run on the same loop, untimed.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import pytest

from tests.conftest import LOOP_FACTORIES

ROUNDS = 10  # timed rounds per benchmark: enough for Mann-Whitney in compare, suite in ~1 min
WARMUP_ROUNDS = 1  # first round imports and fills caches; discarded as pyperf does

AsyncSetup = Callable[[], Awaitable[tuple[Any, ...]]]
AsyncTeardown = Callable[..., Awaitable[None]]
SyncSetup = Callable[[], tuple[Any, ...]]
SyncTeardown = Callable[..., None]


@pytest.fixture(params=tuple(LOOP_FACTORIES))
def event_loop_name(request: pytest.FixtureRequest) -> str:
    name: str = request.param
    return name


@pytest.fixture
def async_benchmark(benchmark: Any, event_loop_name: str) -> Iterator[Callable[..., Any]]:
    """Return run(coroutine_function, setup=..., teardown=...) that benchmarks on one loop."""
    loop = LOOP_FACTORIES[event_loop_name]()
    benchmark.extra_info["event_loop"] = event_loop_name

    def run(
        coroutine_function: Callable[..., Awaitable[Any]],
        *,
        setup: AsyncSetup | None = None,
        teardown: AsyncTeardown | None = None,
        rounds: int = ROUNDS,
    ) -> Any:
        def sync_setup() -> tuple[tuple[Any, ...], dict[str, Any]]:
            arguments = loop.run_until_complete(setup()) if setup is not None else ()
            return arguments, {}

        def target(*arguments: Any) -> Any:
            return loop.run_until_complete(coroutine_function(*arguments))

        def sync_teardown(*arguments: Any) -> None:
            if teardown is not None:
                loop.run_until_complete(teardown(*arguments))

        return benchmark.pedantic(
            target,
            setup=sync_setup,
            teardown=sync_teardown,
            rounds=rounds,
            warmup_rounds=WARMUP_ROUNDS,
            iterations=1,  # pytest-benchmark allows only one iteration with a setup function
        )

    try:
        yield run
    finally:
        loop.run_until_complete(loop.shutdown_asyncgens())
        loop.close()


@pytest.fixture
def sync_benchmark(benchmark: Any) -> Callable[..., Any]:
    """Return run(function, setup=..., teardown=...): the sync twin of async_benchmark."""

    def run(
        function: Callable[..., Any],
        *,
        setup: SyncSetup | None = None,
        teardown: SyncTeardown | None = None,
        rounds: int = ROUNDS,
    ) -> Any:
        def pedantic_setup() -> tuple[tuple[Any, ...], dict[str, Any]]:
            return (setup() if setup is not None else ()), {}

        return benchmark.pedantic(
            function,
            setup=pedantic_setup,
            teardown=teardown,
            rounds=rounds,
            warmup_rounds=WARMUP_ROUNDS,
            iterations=1,
        )

    return run
