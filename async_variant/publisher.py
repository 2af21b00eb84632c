"""Inline event publisher: gathers each event's handlers inside the request, as the guide does."""

from __future__ import annotations

import asyncio
import logging
from collections import defaultdict

from async_variant.ports import EventPublisher, Handler
from core.errors import EventDeliveryFailed, HandlerFailure
from core.events import DomainEvent
from core.policy import Policy

logger = logging.getLogger(__name__)


def handler_name(handler: Handler) -> str:
    return getattr(handler, "__qualname__", None) or repr(handler)


class InlinePublisher(EventPublisher):
    """Every handler runs even when another one raised.

    as-written is the guide's publisher: gather with return_exceptions=True and the
    results dropped, so a failure is neither logged nor reported. corrected logs
    each failure with the event and handler named, then raises EventDeliveryFailed
    once all handlers have finished. A handler's CancelledError is re-raised rather
    than counted as a failure, so cancellation still propagates.
    """

    def __init__(self, policy: Policy) -> None:
        self._policy = policy
        self._handlers: defaultdict[type[DomainEvent], list[Handler]] = defaultdict(list)

    def subscribe(self, event_type: type[DomainEvent], handler: Handler) -> None:
        self._handlers[event_type].append(handler)

    async def publish(self, events: list[DomainEvent]) -> None:
        failures: list[HandlerFailure] = []
        for event in events:
            handlers = self._handlers.get(type(event), [])
            if not handlers:
                continue
            outcomes = await asyncio.gather(
                *(handler(event) for handler in handlers), return_exceptions=True
            )
            if self._policy is Policy.AS_WRITTEN:
                continue
            for handler, outcome in zip(handlers, outcomes, strict=True):
                if isinstance(outcome, Exception):
                    failures.append(
                        HandlerFailure(event.event_type, handler_name(handler), outcome)
                    )
                elif isinstance(outcome, BaseException):
                    raise outcome

        if not failures:
            return
        for failure in failures:
            logger.error(
                "event handler %s failed on %s",
                failure.handler_name,
                failure.event_name,
                exc_info=failure.error,
            )
        raise EventDeliveryFailed(tuple(failures))
