"""The body of an Extend webhook delivery: ``{eventId, eventType, payload}``.

Only workflow run events become alerts; others are acknowledged and ignored.
``payload`` is the run (either API version's shape) or, for a large event sent
as a signed download URL, ``{data: <url>}`` (see ``slack_app.webhooks.payloads``).
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

COMPLETED = "workflow_run.completed"
FAILED = "workflow_run.failed"
NEEDS_REVIEW = "workflow_run.needs_review"
REJECTED = "workflow_run.rejected"
CANCELLED = "workflow_run.cancelled"
RUN_EVENTS = (COMPLETED, FAILED, NEEDS_REVIEW, REJECTED, CANCELLED)
DEFAULT_ALERT_EVENTS = (NEEDS_REVIEW, FAILED)
MAX_EVENT_ID_LENGTH = 200


class MalformedEventError(ValueError):
    """The body is not a webhook event; the message says what is wrong (never the body)."""


class WebhookEvent(BaseModel):
    """One delivery's event; unknown keys are kept (the API grows)."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, frozen=True)

    event_id: str = Field(alias="eventId", min_length=1, max_length=MAX_EVENT_ID_LENGTH)
    event_type: str = Field(alias="eventType", min_length=1, max_length=200)
    payload: dict[str, Any]

    @property
    def is_run_event(self) -> bool:
        return self.event_type in RUN_EVENTS


def parse_event(body: bytes) -> WebhookEvent:
    """The event in ``body``; ``MalformedEventError`` when it is not JSON or not an event."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise MalformedEventError("the body is not JSON") from None
    if not isinstance(data, dict):
        raise MalformedEventError("the body is not a JSON object")
    try:
        return WebhookEvent.model_validate(data)
    except ValidationError as exc:
        names = sorted({str(e["loc"][0]) for e in exc.errors() if e.get("loc")})
        raise MalformedEventError(
            "missing or invalid "
            + ", ".join(names or ["fields"])
            + " (eventId, eventType, payload)"
        ) from None


def parse_alert_events(text: str | None) -> frozenset[str]:
    """``EXTEND_ALERT_EVENTS`` (commas; short names like ``failed`` allowed) as event types."""
    if text is None or not text.strip():
        return frozenset(DEFAULT_ALERT_EVENTS)
    chosen: set[str] = set()
    for part in text.split(","):
        name = part.strip().lower()
        if not name:
            continue
        full = name if name.startswith("workflow_run.") else f"workflow_run.{name}"
        if full not in RUN_EVENTS:
            known = ", ".join(e.removeprefix("workflow_run.") for e in RUN_EVENTS)
            raise ValueError(f"unknown alert event {part.strip()!r}; use some of: {known}")
        chosen.add(full)
    return frozenset(chosen)
