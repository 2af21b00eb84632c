"""Inline event publisher: runs each event's handlers one after another inside the request."""

from __future__ import annotations

import logging
from collections import defaultdict

from core.errors import EventDeliveryFailed, HandlerFailure
from core.events import DomainEvent
from core.policy import Policy
from sync_variant.ports import EventPublisher, Handler

logger = logging.getLogger(__name__)


def handler_name(handler: Handler) -> str:
    return getattr(handler, "__qualname__", None) or repr(handler)


class InlinePublisher(EventPublisher):
    """Every handler runs even when an earlier one raised.

    as-written swallows the failure silently, like the guide's gather with
    return_exceptions=True whose results are dropped. corrected logs each failure
    with the event and handler named, then raises EventDeliveryFailed once all
    handlers have run.
    """

    def __init__(self, policy: Policy) -> None:
        self._policy = policy
        self._handlers: defaultdict[type[DomainEvent], list[Handler]] = defaultdict(list)

    def subscribe(self, event_type: type[DomainEvent], handler: Handler) -> None:
        self._handlers[event_type].append(handler)

    def publish(self, events: list[DomainEvent]) -> None:
        failures: list[HandlerFailure] = []
        for event in events:
            for handler in self._handlers.get(type(event), ()):
                try:
                    handler(event)
                except Exception as error:
                    failures.append(HandlerFailure(event.event_type, handler_name(handler), error))

        if not failures or self._policy is Policy.AS_WRITTEN:
            return
        for failure in failures:
            logger.error(
                "event handler %s failed on %s",
                failure.handler_name,
                failure.event_name,
                exc_info=failure.error,
            )
        raise EventDeliveryFailed(tuple(failures))
