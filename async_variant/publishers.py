"""Background publishing for the async stack; the guide's inline gather is in publisher.py.

BackgroundPublisher queues the events for one worker task and returns at once, so
the handlers run after the response. It follows the policy of the inline
publisher: as-written swallows handler failures; corrected logs each one with the
event and handler named. It cannot raise them to the caller, who has already
returned, so the log line is its report.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict

from async_variant.ports import EventPublisher, Handler
from async_variant.publisher import handler_name
from core.errors import HandlerFailure
from core.events import DomainEvent
from core.policy import Policy

logger = logging.getLogger(__name__)

# How long close() waits for queued events. A stuck handler must not block a server's
# shutdown forever, and the experiments' handlers take at most 100 ms each.
CLOSE_TIMEOUT_S = 30.0


def log_failures(failures: list[HandlerFailure]) -> None:
    for failure in failures:
        logger.error(
            "event handler %s failed on %s",
            failure.handler_name,
            failure.event_name,
            exc_info=failure.error,
        )


async def gather_handlers(
    handlers: list[Handler], event: DomainEvent, policy: Policy
) -> list[HandlerFailure]:
    """Run event's handlers together and return their failures, logged when corrected.

    Every handler runs even when another one raised.
    """
    if not handlers:
        return []
    outcomes = await asyncio.gather(
        *(handler(event) for handler in handlers), return_exceptions=True
    )
    failures = [
        HandlerFailure(event.event_type, handler_name(handler), outcome)
        for handler, outcome in zip(handlers, outcomes, strict=True)
        if isinstance(outcome, BaseException)
    ]
    if policy is Policy.CORRECTED:
        log_failures(failures)
    return failures


class BackgroundPublisher(EventPublisher):
    """Queues events for one worker task, which gathers each event's handlers in turn.

    publish() returns as soon as the events are queued. close() waits until the
    worker has handled every queued event, then stops it, so nothing published
    before close() is lost; publishing after close() raises RuntimeError. When
    the queue is not drained within close_timeout_s, close() logs an error that
    counts the events not yet handled, cancels the worker and returns. The
    worker starts with start(), or with the first publish(), inside the running
    event loop.
    """

    def __init__(self, policy: Policy, close_timeout_s: float = CLOSE_TIMEOUT_S) -> None:
        self._policy = policy
        self._close_timeout_s = close_timeout_s
        self._handlers: defaultdict[type[DomainEvent], list[Handler]] = defaultdict(list)
        self._queue: asyncio.Queue[DomainEvent] = asyncio.Queue()
        self._worker: asyncio.Task[None] | None = None
        self._closed = False
        self.failures: list[HandlerFailure] = []  # every handler failure the worker caught

    def subscribe(self, event_type: type[DomainEvent], handler: Handler) -> None:
        self._handlers[event_type].append(handler)

    def start(self) -> None:
        """Start the worker task in the running event loop; a second call does nothing."""
        if self._worker is None:
            self._worker = asyncio.get_running_loop().create_task(
                self._run(), name="event-dispatch"
            )

    async def publish(self, events: list[DomainEvent]) -> None:
        if self._closed:
            raise RuntimeError(
                "publish on a closed BackgroundPublisher: build a new service to publish"
            )
        self.start()
        for event in events:
            self._queue.put_nowait(event)

    async def join(self) -> None:
        """Wait until every event queued so far has been handled."""
        await self._queue.join()

    async def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        if self._worker is None:
            return
        try:
            await asyncio.wait_for(self._queue.join(), self._close_timeout_s)
        except TimeoutError:
            logger.error(
                "event dispatch timed out after %.1f s: cancelled a running handler and "
                "%d queued events are undelivered",
                self._close_timeout_s,
                self._queue.qsize(),
            )
        self._worker.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._worker
        logger.debug("event dispatch task stopped")

    async def _run(self) -> None:
        while True:
            event = await self._queue.get()
            try:
                await self._deliver(event)
            finally:
                self._queue.task_done()

    async def _deliver(self, event: DomainEvent) -> None:
        handlers = self._handlers.get(type(event), [])
        self.failures.extend(await gather_handlers(handlers, event, self._policy))
