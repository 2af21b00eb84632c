"""Publishing strategies of the sync stack beyond the inline one in publisher.py.

ThreadPoolPublisher fans each event's handlers out on a thread pool and waits for
all of them, so a request waits for the slowest handler instead of their sum.
BackgroundPublisher queues the events for one worker thread and returns at once,
so the handlers run after the response.

Both follow the policy of the inline publisher: as-written swallows handler
failures; corrected logs each one with the event and handler named. The thread
pool publisher then raises EventDeliveryFailed to the caller. The background one
cannot, because the caller has already returned, so the log line is its report.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor

from core.errors import EventDeliveryFailed, HandlerFailure
from core.events import DomainEvent
from core.policy import Policy
from sync_variant.ports import EventPublisher, Handler
from sync_variant.publisher import handler_name

logger = logging.getLogger(__name__)

THREAD_START_TIMEOUT_S = 30.0
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


def run_handlers(
    handlers: list[Handler], event: DomainEvent, policy: Policy
) -> list[HandlerFailure]:
    """Run each handler on event in turn and return their failures, logged when corrected.

    Every handler runs even when an earlier one raised.
    """
    failures: list[HandlerFailure] = []
    for handler in handlers:
        try:
            handler(event)
        except Exception as error:
            failures.append(HandlerFailure(event.event_type, handler_name(handler), error))
    if policy is Policy.CORRECTED:
        log_failures(failures)
    return failures


def _start_every_thread(pool: ThreadPoolExecutor, size: int) -> None:
    """Make the pool start all `size` threads now, so none starts inside a request."""
    barrier = threading.Barrier(size, timeout=THREAD_START_TIMEOUT_S)
    # Each task waits until all `size` tasks run at once, so the pool must start every thread.
    list(pool.map(lambda _: barrier.wait(), range(size)))


class ThreadPoolPublisher(EventPublisher):
    """Runs each event's handlers at once on a pool of `threads` threads and waits for all.

    Every handler runs even when another one raised. Handlers of one event run in
    parallel only up to the pool size; size it to the largest handler count.
    """

    def __init__(self, policy: Policy, threads: int) -> None:
        if threads < 1:
            raise ValueError(f"invalid threads {threads}: the pool needs at least 1 thread")
        self._policy = policy
        self._handlers: defaultdict[type[DomainEvent], list[Handler]] = defaultdict(list)
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="event-handler")
        _start_every_thread(self._pool, threads)

    def subscribe(self, event_type: type[DomainEvent], handler: Handler) -> None:
        self._handlers[event_type].append(handler)

    def publish(self, events: list[DomainEvent]) -> None:
        failures: list[HandlerFailure] = []
        for event in events:
            handlers = self._handlers.get(type(event), [])
            futures = [self._pool.submit(handler, event) for handler in handlers]
            for handler, future in zip(handlers, futures, strict=True):
                error = future.exception()  # waits for the handler to finish
                if error is None:
                    continue
                if not isinstance(error, Exception):
                    raise error
                failures.append(HandlerFailure(event.event_type, handler_name(handler), error))

        if not failures or self._policy is Policy.AS_WRITTEN:
            return
        log_failures(failures)
        raise EventDeliveryFailed(tuple(failures))

    def close(self) -> None:
        self._pool.shutdown(wait=True)


class _Stop:
    """Queue item that stops the worker once every earlier event is handled."""


class BackgroundPublisher(EventPublisher):
    """Queues events for one worker thread, which runs each event's handlers in turn.

    publish() returns as soon as the events are queued. close() lets the worker
    finish every queued event before it returns, so nothing published before
    close() is lost; publishing after close() raises RuntimeError. When the
    worker has not finished within close_timeout_s, close() logs an error that
    counts the events not yet handled and returns. The worker is a daemon
    thread, so neither a stuck handler nor a publisher that is never closed
    blocks the interpreter's exit, but the events still queued at exit are lost.
    """

    def __init__(self, policy: Policy, close_timeout_s: float = CLOSE_TIMEOUT_S) -> None:
        self._policy = policy
        self._close_timeout_s = close_timeout_s
        self._handlers: defaultdict[type[DomainEvent], list[Handler]] = defaultdict(list)
        self._queue: queue.Queue[DomainEvent | _Stop] = queue.Queue()
        self._closing = threading.Lock()
        self._closed = False
        self.failures: list[HandlerFailure] = []  # every handler failure the worker caught
        self._worker = threading.Thread(target=self._run, name="event-dispatch", daemon=True)
        self._worker.start()

    def subscribe(self, event_type: type[DomainEvent], handler: Handler) -> None:
        self._handlers[event_type].append(handler)

    def publish(self, events: list[DomainEvent]) -> None:
        with self._closing:
            if self._closed:
                raise RuntimeError(
                    "publish on a closed BackgroundPublisher: build a new service to publish"
                )
            for event in events:
                self._queue.put(event)

    def join(self) -> None:
        """Wait until every event queued so far has been handled."""
        self._queue.join()

    def close(self) -> None:
        with self._closing:
            if self._closed:
                return
            self._closed = True
            self._queue.put(_Stop())
        self._worker.join(self._close_timeout_s)
        if self._worker.is_alive():
            # The queue contains the stop item after the events not yet taken.
            logger.error(
                "event dispatch timed out after %.1f s: a handler is still running and "
                "%d queued events are undelivered",
                self._close_timeout_s,
                self._queue.qsize() - 1,
            )
            return
        logger.debug("event dispatch thread stopped with its queue drained")

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            try:
                if isinstance(item, _Stop):
                    return
                self._deliver(item)
            finally:
                self._queue.task_done()

    def _deliver(self, event: DomainEvent) -> None:
        self.failures.extend(run_handlers(self._handlers.get(type(event), []), event, self._policy))
