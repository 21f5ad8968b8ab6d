"""Webhook alerts wired from the settings: ledger, poster and receiver, or nothing.

``open_webhook_alerts`` yields the ``WebhookReceiver`` when
``EXTEND_WEBHOOK_SECRET`` is set (``EXTEND_ALERT_CHANNEL`` is then required),
else None: without a secret no delivery can be verified, so none is accepted.
The HTTP server mounts the receiver next to ``/slack/events``; Socket Mode,
which has no HTTP server, runs it on its own port (``serve_webhooks_in_thread``).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from slack_sdk import WebClient

from slack_app.settings import SlackSettings, SlackSettingsError
from slack_app.state.handled import HandledKeys
from slack_app.webhooks.events import WebhookEvent
from slack_app.webhooks.ledger import EventLedger
from slack_app.webhooks.poster import AlertPoster
from slack_app.webhooks.receiver import WebhookReceiver, create_webhook_app
from tools.client.clients import ExtendClient

logger = logging.getLogger(__name__)


@contextmanager
def open_webhook_alerts(
    settings: SlackSettings,
    *,
    slack: WebClient,
    extend: ExtendClient,
    handled: HandledKeys | None,
    low_confidence: float,
    submit: Callable[..., None],
    clock: Callable[[], float] = time.time,
) -> Iterator[WebhookReceiver | None]:
    """The receiver for the configured alerts (None when no webhook secret is set).

    ``handled`` is the app store's handled keys (``SlackState.handled``), where
    accepted event ids are claimed; None keeps them in memory (one process only).
    """
    secret = settings.webhook_secret.get_secret_value().strip() if settings.webhook_secret else ""
    if not secret:
        yield None
        return
    channel = (settings.alert_channel or "").strip()
    if not channel:
        raise SlackSettingsError(
            "EXTEND_ALERT_CHANNEL is not set: it must name the channel (id like C0123ABCD) "
            "where alerts from Extend webhooks are posted. See README, Slack."
        )
    ledger = EventLedger(handled)
    with ledger:
        poster = AlertPoster(
            slack=slack,
            channel=channel,
            extend=extend,
            ledger=ledger,
            low_confidence=low_confidence,
        )

        def queue(event: WebhookEvent) -> None:
            submit(poster.post, event)

        yield WebhookReceiver(
            secret=secret,
            ledger=ledger,
            alert_events=settings.alert_events,
            submit=queue,
            clock=clock,
        )


@contextmanager
def serve_webhooks_in_thread(receiver: WebhookReceiver, *, host: str, port: int) -> Iterator[Any]:
    """Serve only ``/extend/webhooks`` with uvicorn in a daemon thread (Socket Mode)."""
    import uvicorn

    config = uvicorn.Config(create_webhook_app(receiver), host=host, port=port, log_level="info")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="extend-webhooks", daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise SlackSettingsError(
                f"The webhook listener could not start on {host}:{port} "
                "(is the port in use?); choose another with --webhooks-port."
            )
        time.sleep(0.02)
    logger.info("Extend webhooks served at http://%s:%d/extend/webhooks", host, port)
    try:
        yield server
    finally:
        server.should_exit = True
        thread.join(timeout=10)
