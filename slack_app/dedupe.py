"""Handled once: an Events API delivery per ``event_id``, and a claim given back on failure.

Slack redelivers an event (``X-Slack-Retry-Num``) when it saw no ack in 3 s or
got an error. ``once_per_event`` (global Bolt middleware) claims the delivery's
``event_id`` in the shared SQLite store; later deliveries are acked with 200 and
go no further, on any replica. ``release_on_error`` (the app's error handler)
gives the claim back when the listener failed, so Slack's retry is handled
instead of being dropped as a duplicate. The claim uses the store's ack
connection, whose short busy timeout fails the request (Slack retries) rather
than missing the 3-second ack.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, BoltResponse

from slack_app.state import SlackState

logger = logging.getLogger(__name__)

_CLAIM = "extend_event_claim"  # the context key holding this request's claimed key


def once_per_event(state: SlackState, ttl_seconds: float) -> Callable[..., BoltResponse | None]:
    def dedupe_events(
        body: dict[str, Any], context: BoltContext, next: Callable[[], None]
    ) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str):
            key = f"event:{event_id}"
            if not state.claim(key, ttl_seconds):
                logger.debug("event %s already handled; acking the redelivery", event_id)
                return BoltResponse(status=200, body="")
            context[_CLAIM] = key
        next()
        return None

    return dedupe_events


def release_on_error(state: SlackState) -> Callable[..., None]:
    """The app's error handler: log the failure; give back this request's event claim."""

    def handle_error(error: Exception, context: BoltContext) -> None:
        logger.error("handling a Slack request failed", exc_info=error)
        key = context.get(_CLAIM)
        if isinstance(key, str):
            try:
                state.release(key)
            except Exception:  # the store itself is failing; Slack's retry may be dropped
                logger.warning("could not release %s", key, exc_info=True)

    return handle_error
