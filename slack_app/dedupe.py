"""Handled once: an Events API delivery per ``event_id``, a slash command per request.

Slack redelivers an event (``X-Slack-Retry-Num``) when it saw no ack in 3 s or
got an error. ``once_per_event`` (global Bolt middleware) claims the delivery's
``event_id`` in the shared store; later deliveries are acked with 200 and go no
further, on any replica. Slack never resends a slash command, so the same signed
command request arriving twice is a replay: it is claimed by a digest of its
whole body (which holds Slack's unique ``trigger_id``) and handled once.
``release_on_error`` (the app's error handler) gives the claim back when the
listener failed, so Slack's retry is handled instead of being dropped as a
duplicate. The claim uses the store's ack connection, whose short busy timeout
fails the request (Slack retries) rather than missing the 3-second ack.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltContext, BoltRequest, BoltResponse

from slack_app.state.slack_state import SlackState

logger = logging.getLogger(__name__)

_CLAIM = "extend_event_claim"  # the context key holding this request's claimed key


def once_per_event(state: SlackState, ttl_seconds: float) -> Callable[..., BoltResponse | None]:
    def dedupe_events(
        request: BoltRequest, body: dict[str, Any], context: BoltContext, next: Callable[[], None]
    ) -> BoltResponse | None:
        key = _delivery_key(request, body)
        if key is not None:
            if not state.handled.claim(key, ttl_seconds):
                logger.debug("%s already handled; acking the repeat", key)
                return BoltResponse(status=200, body="")
            context[_CLAIM] = key
        next()
        return None

    return dedupe_events


def _delivery_key(request: BoltRequest, body: dict[str, Any]) -> str | None:
    """The key a delivery is handled once by: its event id, or a slash command's body digest."""
    event_id = body.get("event_id") if body.get("type") == "event_callback" else None
    if isinstance(event_id, str):
        return f"event:{event_id}"
    if not isinstance(body.get("command"), str):
        return None
    if request.raw_body:  # HTTP mode: the signed body as sent
        return f"command:{hashlib.sha256(request.raw_body.encode('utf-8')).hexdigest()}"
    trigger_id = body.get("trigger_id")  # Socket Mode: no raw body
    return f"command:{trigger_id}" if isinstance(trigger_id, str) and trigger_id else None


def release_on_error(state: SlackState) -> Callable[..., None]:
    """The app's error handler: log the failure; give back this request's event claim."""

    def handle_error(error: Exception, context: BoltContext) -> None:
        logger.error("handling a Slack request failed", exc_info=error)
        key = context.get(_CLAIM)
        if isinstance(key, str):
            try:
                state.handled.release(key)
            except Exception:  # the store itself is failing; Slack's retry may be dropped
                logger.warning("could not release %s", key, exc_info=True)

    return handle_error
