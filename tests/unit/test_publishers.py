"""Both publishers, both policies: a failing handler never stops the others."""

from __future__ import annotations

import asyncio
import logging

import pytest

from async_variant.publisher import InlinePublisher as AsyncPublisher
from core.errors import EventDeliveryFailed
from core.events import DomainEvent, UserRegistered
from core.policy import Policy
from sync_variant.publisher import InlinePublisher as SyncPublisher

EVENT = UserRegistered("u1", "ada@example.com", "Ada")


class MailServerDown(ConnectionError):
    pass


def test_sync_as_written_swallows_failure(caplog: pytest.LogCaptureFixture) -> None:
    seen: list[str] = []
    publisher = SyncPublisher(Policy.AS_WRITTEN)
    publisher.subscribe(UserRegistered, lambda e: seen.append("first"))
    publisher.subscribe(UserRegistered, _failing_sync)
    publisher.subscribe(UserRegistered, lambda e: seen.append("last"))
    with caplog.at_level(logging.DEBUG):
        publisher.publish([EVENT])
    assert seen == ["first", "last"]
    assert caplog.records == []


def test_sync_corrected_logs_and_raises(caplog: pytest.LogCaptureFixture) -> None:
    seen: list[str] = []
    publisher = SyncPublisher(Policy.CORRECTED)
    publisher.subscribe(UserRegistered, lambda e: seen.append("first"))
    publisher.subscribe(UserRegistered, _failing_sync)
    publisher.subscribe(UserRegistered, lambda e: seen.append("last"))
    with caplog.at_level(logging.ERROR), pytest.raises(EventDeliveryFailed) as raised:
        publisher.publish([EVENT])
    assert seen == ["first", "last"]
    (failure,) = raised.value.failures
    assert failure.handler_name == "_failing_sync"
    assert failure.event_name == "UserRegistered"
    assert isinstance(failure.error, MailServerDown)
    assert "_failing_sync" in caplog.text
    assert "UserRegistered" in caplog.text


def _failing_sync(event: DomainEvent) -> None:
    raise MailServerDown("smtp refused")


async def _failing_async(event: DomainEvent) -> None:
    await asyncio.sleep(0)
    raise MailServerDown("smtp refused")


@pytest.mark.asyncio
async def test_async_as_written_swallows_failure(caplog: pytest.LogCaptureFixture) -> None:
    seen: list[str] = []

    async def record(event: DomainEvent) -> None:
        seen.append(event.event_type)

    publisher = AsyncPublisher(Policy.AS_WRITTEN)
    publisher.subscribe(UserRegistered, _failing_async)
    publisher.subscribe(UserRegistered, record)
    with caplog.at_level(logging.DEBUG, logger="async_variant"):
        await publisher.publish([EVENT])
    assert seen == ["UserRegistered"]
    assert [r for r in caplog.records if r.name.startswith("async_variant")] == []


@pytest.mark.asyncio
async def test_async_corrected_logs_and_raises(caplog: pytest.LogCaptureFixture) -> None:
    seen: list[str] = []

    async def record(event: DomainEvent) -> None:
        seen.append(event.event_type)

    publisher = AsyncPublisher(Policy.CORRECTED)
    publisher.subscribe(UserRegistered, _failing_async)
    publisher.subscribe(UserRegistered, record)
    with caplog.at_level(logging.ERROR), pytest.raises(EventDeliveryFailed) as raised:
        await publisher.publish([EVENT])
    assert seen == ["UserRegistered"]
    (failure,) = raised.value.failures
    assert failure.handler_name == "_failing_async"
    assert "_failing_async" in caplog.text


@pytest.mark.asyncio
async def test_async_corrected_propagates_cancellation() -> None:
    started = asyncio.Event()

    async def slow(event: DomainEvent) -> None:
        started.set()
        await asyncio.sleep(10)

    publisher = AsyncPublisher(Policy.CORRECTED)
    publisher.subscribe(UserRegistered, slow)
    task = asyncio.ensure_future(publisher.publish([EVENT]))
    await started.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
