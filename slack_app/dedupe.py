"""Global Bolt middleware: an Events API delivery is handled once per ``event_id``.

Slack redelivers an event (``X-Slack-Retry-Num``) when it saw no ack in 3 s or
got an error. The first delivery claims the ``event_id`` in the shared SQLite
store; later ones are acked with 200 and go no further, on any replica.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import BoltResponse

from slack_app.state import SlackState

logger = logging.getLogger(__name__)


def once_per_event(state: SlackState, ttl_seconds: float) -> Callable[..., BoltResponse | None]:
    def dedupe_events(body: dict[str, Any], next: Callable[[], None]) -> BoltResponse | None:
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if isinstance(event_id, str) and not state.claim(f"event:{event_id}", ttl_seconds):
            logger.debug("event %s already handled; acking the redelivery", event_id)
            return BoltResponse(status=200, body="")
        next()
        return None

    return dedupe_events
