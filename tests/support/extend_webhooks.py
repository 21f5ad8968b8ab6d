"""Extend's side of a webhook delivery, for tests: sign a body as Extend does and send it.

Written apart from ``slack_app.webhooks.signature`` (and from the emulator's
sender) so a mistake in one is caught by the others.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from typing import Any

import httpx

WEBHOOK_SECRET = "whsec_test_0123456789abcdef"
ALERT_CHANNEL = "C0ALERTS01"


def extend_signature_headers(
    body: bytes, *, secret: str = WEBHOOK_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), b"v0:" + ts.encode() + b":" + body, hashlib.sha256)
    return {
        "x-extend-request-timestamp": ts,
        "x-extend-request-signature": digest.hexdigest(),
        "Content-Type": "application/json",
    }


def run_event(
    event_type: str, run: dict[str, Any], *, event_id: str | None = None
) -> dict[str, Any]:
    return {
        "eventId": event_id or f"evt_{uuid.uuid4().hex[:20]}",
        "eventType": event_type,
        "payload": run,
    }


def outcome(reply: httpx.Response) -> str:
    """What the receiver did with an accepted delivery: accepted, duplicate or ignored."""
    assert reply.status_code == 200, reply.text
    assert reply.content == b""
    return reply.headers["x-alert-outcome"]


def deliver(
    http: httpx.Client,
    url: str,
    event: dict[str, Any] | bytes,
    *,
    secret: str = WEBHOOK_SECRET,
    timestamp: int | None = None,
) -> httpx.Response:
    """POST ``event`` to ``url`` signed as Extend signs it."""
    body = event if isinstance(event, bytes) else json.dumps(event).encode()
    headers = extend_signature_headers(body, secret=secret, timestamp=timestamp)
    return http.post(url, content=body, headers=headers)
