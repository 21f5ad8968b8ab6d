"""Slack's side of the conversation: requests signed as Slack signs them, and their payloads.

``SlackSender`` posts to the app's events URL with Slack's headers: the
signature ``v0=`` + hex HMAC-SHA256 over ``v0:{timestamp}:{body}`` in
``X-Slack-Signature`` and the timestamp in ``X-Slack-Request-Timestamp``
(``signature_headers``), and, for re-deliveries, ``X-Slack-Retry-Num``. Events
go as JSON envelopes (``event_envelope``), button clicks and slash commands as
form posts with a ``payload`` field, as Slack sends them. ``mention``,
``message`` and ``block_action`` build the payloads with the test workspace's
ids (``slack_app.testing.workspace``); every message ts is new (``new_ts``).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

import httpx

from slack_app.testing.workspace import (
    ALICE,
    API_APP_ID,
    BOT_USER_ID,
    CHANNEL,
    SIGNING_SECRET,
    TEAM_ID,
)

_ts_counter = itertools.count(1)


def new_ts() -> str:
    """A unique Slack message ts."""
    return f"{1_600_000_000 + next(_ts_counter)}.{uuid.uuid4().int % 1_000_000:06d}"


def signature_headers(
    body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    """The headers Slack sends: ``v0=`` + hex HMAC-SHA256 of ``v0:{ts}:{body}``."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def mention(
    text: str,
    *,
    user: str = ALICE,
    channel: str = CHANNEL,
    ts: str | None = None,
    thread_ts: str | None = None,
) -> dict[str, Any]:
    """An ``app_mention`` event: ``user`` mentions the bot in ``channel`` (in a thread if given)."""
    event = {
        "type": "app_mention",
        "user": user,
        "text": f"<@{BOT_USER_ID}> {text}",
        "ts": ts or new_ts(),
        "channel": channel,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def message(
    text: str,
    *,
    user: str = ALICE,
    channel: str = CHANNEL,
    ts: str | None = None,
    thread_ts: str | None = None,
    channel_type: str = "channel",
) -> dict[str, Any]:
    """A ``message`` event (``channel_type="im"`` for a direct message)."""
    event = {
        "type": "message",
        "user": user,
        "text": text,
        "ts": ts or new_ts(),
        "channel": channel,
        "channel_type": channel_type,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def event_envelope(event: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    """The Events API envelope around ``event`` (a new ``event_id`` unless given)."""
    return {
        "token": "unused",
        "team_id": TEAM_ID,
        "api_app_id": API_APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:12].upper()}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM_ID, "user_id": BOT_USER_ID, "is_bot": True}],
    }


def block_action(
    action_id: str,
    value: str,
    *,
    user: str,
    channel: str,
    message_ts: str,
    response_url: str,
    thread_ts: str | None = None,
) -> dict[str, Any]:
    """A ``block_actions`` payload: ``user`` clicked the button ``action_id`` with ``value``."""
    container = {"type": "message", "message_ts": message_ts, "channel_id": channel}
    if thread_ts:
        container["thread_ts"] = thread_ts
    return {
        "type": "block_actions",
        "team": {"id": TEAM_ID},
        "user": {"id": user, "team_id": TEAM_ID},
        "api_app_id": API_APP_ID,
        "container": container,
        "channel": {"id": channel},
        "message": {"ts": message_ts, "type": "message"},
        "response_url": response_url,
        "trigger_id": "1.2.3",
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "value": value,
                "block_id": f"approval:{value}",
                "action_ts": str(time.time()),
            }
        ],
    }


@dataclass
class SlackSender:
    """Sends signed requests to the app's events URL, as Slack would; ``close()`` when done."""

    url: str
    secret: str = SIGNING_SECRET

    def __post_init__(self) -> None:
        self.http = httpx.Client(timeout=30.0, trust_env=False)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> SlackSender:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def post(
        self,
        body: str,
        content_type: str,
        *,
        headers: dict[str, str] | None = None,
        secret: str | None = None,
        timestamp: int | None = None,
    ) -> httpx.Response:
        signed = signature_headers(body, secret=secret or self.secret, timestamp=timestamp)
        all_headers = {"Content-Type": content_type, **signed, **(headers or {})}
        return self.http.post(self.url, content=body.encode(), headers=all_headers)

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        **options: Any,
    ) -> httpx.Response:
        body = json.dumps(event_envelope(event, event_id=event_id))
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return self.post(body, "application/json", headers=headers, **options)

    def envelope(self, envelope: dict[str, Any], *, retry_num: int | None = None) -> httpx.Response:
        headers = {"X-Slack-Retry-Num": str(retry_num)} if retry_num is not None else {}
        return self.post(json.dumps(envelope), "application/json", headers=headers)

    def click(self, payload: dict[str, Any]) -> httpx.Response:
        body = urlencode({"payload": json.dumps(payload)})
        return self.post(body, "application/x-www-form-urlencoded")

    def command(
        self, text: str, *, user: str = ALICE, channel: str = CHANNEL, response_url: str
    ) -> httpx.Response:
        form = {
            "token": "unused",
            "team_id": TEAM_ID,
            "channel_id": channel,
            "user_id": user,
            "command": "/extend",
            "text": text,
            "response_url": response_url,
            "trigger_id": f"{next(_ts_counter)}.{uuid.uuid4().hex[:12]}",  # unique, as Slack's
            "api_app_id": API_APP_ID,
        }
        return self.post(urlencode(form), "application/x-www-form-urlencoded")
