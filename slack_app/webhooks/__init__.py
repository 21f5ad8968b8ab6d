"""Extend webhooks into Slack alerts: verify, dedupe, ack at once, post a card that says why.

- ``signature``: Extend's HMAC-SHA256 signature over ``v0:{timestamp}:{body}``,
  checked in constant time, with a 300-second tolerance;
- ``events``: the event body ``{eventId, eventType, payload}`` and the event types;
- ``ledger``: event ids already accepted (SQLite), so a retry or replay posts once;
- ``receiver``: the Starlette route ``POST /extend/webhooks`` (answers in
  milliseconds, hands the event to the poster);
- ``payloads``: the run an event carries, inline or behind a signed download URL;
- ``reasons`` and ``alert_card``: why a run needs someone, as a Block Kit card;
- ``poster``: reads the run and posts the card to ``EXTEND_ALERT_CHANNEL``;
- ``actions``: the card's Summarize and Show source buttons.
"""

from __future__ import annotations
