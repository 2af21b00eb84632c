"""Every publishing strategy of both stacks, wired through the composition roots."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections import Counter

import pytest

from async_variant.bootstrap import build_publisher as build_async_publisher
from async_variant.bootstrap import build_service as build_async_service
from async_variant.ports import Handler as AsyncHandler
from async_variant.publishers import BackgroundPublisher as AsyncBackgroundPublisher
from core.commands import RegisterUser
from core.errors import EventDeliveryFailed
from core.events import DomainEvent, UserActivated, UserRegistered
from core.policy import Backend, Policy, PublishStrategy
from sync_variant.bootstrap import build_publisher as build_sync_publisher
from sync_variant.bootstrap import build_service as build_sync_service
from sync_variant.ports import Handler as SyncHandler
from sync_variant.publishers import BackgroundPublisher as SyncBackgroundPublisher

SYNC_STRATEGIES = (
    PublishStrategy.INLINE_SEQUENTIAL,
    PublishStrategy.THREAD_POOL,
    PublishStrategy.BACKGROUND,
)
ASYNC_STRATEGIES = (PublishStrategy.INLINE_GATHER, PublishStrategy.BACKGROUND)
EVENTS = [UserRegistered(f"u{i}", f"user{i}@example.com", f"User {i}") for i in range(20)]


class MailServerDown(ConnectionError):
    pass


class SyncRecorder:
    """Handlers that count each (handler, user id) delivery; one of them can fail."""

    def __init__(self, handlers: int, failing: int | None = None) -> None:
        self.deliveries: Counter[tuple[int, str]] = Counter()
        self._lock = threading.Lock()
        self.subscriptions: list[tuple[type[DomainEvent], SyncHandler]] = [
            (UserRegistered, self._handler(i, failing == i)) for i in range(handlers)
        ]

    def _handler(self, number: int, fails: bool) -> SyncHandler:
        def handle(event: DomainEvent) -> None:
            time.sleep(0.001)
            with self._lock:
                self.deliveries[(number, event.user_id)] += 1
            if fails:
                raise MailServerDown("smtp refused")

        handle.__qualname__ = f"handler_{number}"
        return handle


class AsyncRecorder:
    def __init__(self, handlers: int, failing: int | None = None) -> None:
        self.deliveries: Counter[tuple[int, str]] = Counter()
        self.subscriptions: list[tuple[type[DomainEvent], AsyncHandler]] = [
            (UserRegistered, self._handler(i, failing == i)) for i in range(handlers)
        ]

    def _handler(self, number: int, fails: bool) -> AsyncHandler:
        async def handle(event: DomainEvent) -> None:
            await asyncio.sleep(0.001)
            self.deliveries[(number, event.user_id)] += 1
            if fails:
                raise MailServerDown("smtp refused")

        handle.__qualname__ = f"handler_{number}"
        return handle


def _expected(handlers: int) -> Counter[tuple[int, str]]:
    return Counter({(i, event.user_id): 1 for i in range(handlers) for event in EVENTS})


@pytest.mark.parametrize("strategy", SYNC_STRATEGIES)
@pytest.mark.parametrize("policy", list(Policy))
@pytest.mark.parametrize("failing", [None, 1])
def test_sync_strategy_delivers_exactly_once(
    strategy: PublishStrategy, policy: Policy, failing: int | None
) -> None:
    recorder = SyncRecorder(3, failing)
    publisher = build_sync_publisher(policy, strategy, recorder.subscriptions)
    raised = 0
    for event in EVENTS:
        try:
            publisher.publish([event])
        except EventDeliveryFailed:
            raised += 1
    publisher.close()
    assert recorder.deliveries == _expected(3)
    reports_to_caller = (
        failing is not None
        and policy is Policy.CORRECTED
        and strategy is not PublishStrategy.BACKGROUND
    )
    assert raised == (len(EVENTS) if reports_to_caller else 0)


@pytest.mark.asyncio
@pytest.mark.parametrize("strategy", ASYNC_STRATEGIES)
@pytest.mark.parametrize("policy", list(Policy))
@pytest.mark.parametrize("failing", [None, 1])
async def test_async_strategy_delivers_exactly_once(
    strategy: PublishStrategy, policy: Policy, failing: int | None
) -> None:
    recorder = AsyncRecorder(3, failing)
    publisher = build_async_publisher(policy, strategy, recorder.subscriptions)
    raised = 0
    for event in EVENTS:
        try:
            await publisher.publish([event])
        except EventDeliveryFailed:
            raised += 1
    await publisher.close()
    assert recorder.deliveries == _expected(3)
    reports_to_caller = (
        failing is not None
        and policy is Policy.CORRECTED
        and strategy is not PublishStrategy.BACKGROUND
    )
    assert raised == (len(EVENTS) if reports_to_caller else 0)


def test_sync_events_only_reach_their_type() -> None:
    recorder = SyncRecorder(2)
    publisher = build_sync_publisher(
        Policy.CORRECTED, PublishStrategy.THREAD_POOL, [*recorder.subscriptions]
    )
    publisher.publish([UserActivated("u1", "user1@example.com")])
    publisher.close()
    assert recorder.deliveries == Counter()


def test_sync_thread_pool_logs_failure(caplog: pytest.LogCaptureFixture) -> None:
    recorder = SyncRecorder(3, failing=2)
    publisher = build_sync_publisher(
        Policy.CORRECTED, PublishStrategy.THREAD_POOL, recorder.subscriptions
    )
    with caplog.at_level(logging.ERROR), pytest.raises(EventDeliveryFailed) as raised:
        publisher.publish(EVENTS[:1])
    publisher.close()
    (failure,) = raised.value.failures
    assert failure.handler_name == "handler_2"
    assert failure.event_name == "UserRegistered"
    assert isinstance(failure.error, MailServerDown)
    assert "handler_2 failed on UserRegistered" in caplog.text


def test_sync_background_logs_failure(caplog: pytest.LogCaptureFixture) -> None:
    recorder = SyncRecorder(3, failing=0)
    publisher = SyncBackgroundPublisher(Policy.CORRECTED)
    for event_type, handler in recorder.subscriptions:
        publisher.subscribe(event_type, handler)
    with caplog.at_level(logging.ERROR):
        publisher.publish(EVENTS[:2])
        publisher.close()
    assert caplog.text.count("handler_0 failed on UserRegistered") == 2
    assert len(publisher.failures) == 2


def test_sync_background_as_written_is_silent(caplog: pytest.LogCaptureFixture) -> None:
    recorder = SyncRecorder(2, failing=0)
    publisher = build_sync_publisher(
        Policy.AS_WRITTEN, PublishStrategy.BACKGROUND, recorder.subscriptions
    )
    with caplog.at_level(logging.DEBUG, logger="sync_variant"):
        publisher.publish(EVENTS[:1])
        publisher.close()
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert recorder.deliveries == Counter({(0, "u0"): 1, (1, "u0"): 1})


def test_sync_background_drains_on_close() -> None:
    gate = threading.Event()
    handled: list[str] = []

    def slow(event: DomainEvent) -> None:
        gate.wait(timeout=10)
        handled.append(event.user_id)

    publisher = SyncBackgroundPublisher(Policy.CORRECTED)
    publisher.subscribe(UserRegistered, slow)
    publisher.publish(EVENTS)
    assert len(handled) < len(EVENTS)  # the first handler is still waiting on the gate
    closer = threading.Thread(target=publisher.close)
    closer.start()
    gate.set()
    closer.join(timeout=10)
    assert not closer.is_alive()
    assert handled == [event.user_id for event in EVENTS]


def test_sync_background_rejects_publish_after_close() -> None:
    publisher = SyncBackgroundPublisher(Policy.CORRECTED)
    publisher.close()
    with pytest.raises(RuntimeError, match="closed"):
        publisher.publish(EVENTS[:1])


def test_sync_service_close_drains_background() -> None:
    recorder = SyncRecorder(2)
    service = build_sync_service(
        Backend.MEMORY,
        Policy.CORRECTED,
        latency_ms=0.0,
        handlers=recorder.subscriptions,
        publishing=PublishStrategy.BACKGROUND,
    )
    for i in range(10):
        service.register_user(RegisterUser(f"u{i}", f"user{i}@example.com", f"User {i}"))
    service.close()
    assert sum(recorder.deliveries.values()) == 20


def test_sync_root_rejects_async_strategy() -> None:
    with pytest.raises(ValueError, match="'inline-gather'"):
        build_sync_service(
            Backend.MEMORY, Policy.CORRECTED, publishing=PublishStrategy.INLINE_GATHER
        )


@pytest.mark.asyncio
async def test_async_root_rejects_sync_strategy() -> None:
    with pytest.raises(ValueError, match="'thread-pool'"):
        await build_async_service(
            Backend.MEMORY, Policy.CORRECTED, publishing=PublishStrategy.THREAD_POOL
        )


@pytest.mark.asyncio
async def test_async_background_logs_failure(caplog: pytest.LogCaptureFixture) -> None:
    recorder = AsyncRecorder(3, failing=1)
    publisher = build_async_publisher(
        Policy.CORRECTED, PublishStrategy.BACKGROUND, recorder.subscriptions
    )
    with caplog.at_level(logging.ERROR):
        await publisher.publish(EVENTS[:3])
        await publisher.close()
    assert caplog.text.count("handler_1 failed on UserRegistered") == 3
    assert recorder.deliveries == Counter(
        {(i, event.user_id): 1 for i in range(3) for event in EVENTS[:3]}
    )


@pytest.mark.asyncio
async def test_async_background_drains_on_close() -> None:
    gate = asyncio.Event()
    handled: list[str] = []

    async def slow(event: DomainEvent) -> None:
        await gate.wait()
        handled.append(event.user_id)

    publisher = AsyncBackgroundPublisher(Policy.CORRECTED)
    publisher.subscribe(UserRegistered, slow)
    await publisher.publish(EVENTS)
    closing = asyncio.ensure_future(publisher.close())
    await asyncio.sleep(0.01)
    assert not closing.done()  # close waits for the queued events
    gate.set()
    await asyncio.wait_for(closing, timeout=10)
    assert handled == [event.user_id for event in EVENTS]


@pytest.mark.asyncio
async def test_async_background_rejects_publish_after_close() -> None:
    publisher = AsyncBackgroundPublisher(Policy.CORRECTED)
    await publisher.close()
    with pytest.raises(RuntimeError, match="closed"):
        await publisher.publish(EVENTS[:1])


@pytest.mark.asyncio
async def test_async_service_close_drains_background() -> None:
    recorder = AsyncRecorder(2)
    service = await build_async_service(
        Backend.MEMORY,
        Policy.CORRECTED,
        latency_ms=0.0,
        handlers=recorder.subscriptions,
        publishing=PublishStrategy.BACKGROUND,
    )
    for i in range(10):
        await service.register_user(RegisterUser(f"u{i}", f"user{i}@example.com", f"User {i}"))
    await service.close()
    assert sum(recorder.deliveries.values()) == 20


def test_sync_background_close_times_out(caplog: pytest.LogCaptureFixture) -> None:
    started, gate = threading.Event(), threading.Event()

    def stuck(event: DomainEvent) -> None:
        started.set()
        gate.wait(timeout=10)

    publisher = SyncBackgroundPublisher(Policy.CORRECTED, close_timeout_s=0.1)
    publisher.subscribe(UserRegistered, stuck)
    publisher.publish(EVENTS[:3])
    assert started.wait(timeout=10)
    try:
        with caplog.at_level(logging.ERROR):
            publisher.close()  # returns although the handler is still running
        assert "timed out after 0.1 s" in caplog.text
        assert "2 queued events are undelivered" in caplog.text
    finally:
        gate.set()


@pytest.mark.asyncio
async def test_async_background_close_times_out(caplog: pytest.LogCaptureFixture) -> None:
    started, gate = asyncio.Event(), asyncio.Event()
    handled: list[str] = []

    async def stuck(event: DomainEvent) -> None:
        started.set()
        await gate.wait()
        handled.append(event.user_id)

    publisher = AsyncBackgroundPublisher(Policy.CORRECTED, close_timeout_s=0.1)
    publisher.subscribe(UserRegistered, stuck)
    await publisher.publish(EVENTS[:3])
    await asyncio.wait_for(started.wait(), timeout=10)
    with caplog.at_level(logging.ERROR):
        await asyncio.wait_for(publisher.close(), timeout=10)
    assert "timed out after 0.1 s" in caplog.text
    assert "2 queued events are undelivered" in caplog.text
    assert handled == []  # the stuck handler was cancelled
