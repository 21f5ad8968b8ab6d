"""Posting an accepted webhook event as an alert card, off the request path.

``AlertPoster.post(event)`` runs on a worker thread after the webhook was
acknowledged: it gets the run (``payloads.run_from_payload``), works out why it
needs someone (``reasons``), builds the card (``alert_card``) and posts it to
the alert channel. A failure is logged with the event id, never raised into
the pool, and the event's claim is given back so a redelivery can try again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from slack_app.webhooks.alert_card import alert_card
from slack_app.webhooks.events import WebhookEvent
from slack_app.webhooks.ledger import EventLedger
from slack_app.webhooks.payloads import PayloadError, run_from_payload
from slack_app.webhooks.reasons import alert_reasons
from tools.client.clients import ExtendClient
from tools.client.errors import ExtendError

logger = logging.getLogger(__name__)


class AlertPoster:
    """Turns events into cards in ``channel``."""

    def __init__(
        self,
        *,
        slack: WebClient,
        channel: str,
        extend: ExtendClient,
        ledger: EventLedger,
        low_confidence: float,
        download: Callable[[str], Any] | None = None,
    ) -> None:
        self.slack = slack
        self.channel = channel
        self.extend = extend
        self.ledger = ledger
        self.low_confidence = low_confidence
        self._download = download

    def post(self, event: WebhookEvent) -> bool:
        """Post the alert for ``event``; False (logged, claim released) if it could not be."""
        try:
            run = run_from_payload(
                event.payload,
                api_version=self.extend.config.api_version,
                read_run=self.extend.get_run,
                download=self._download,
            )
            reasons = alert_reasons(run, low_confidence=self.low_confidence)
            for message in alert_card(run, event.event_type, reasons):
                self.slack.chat_postMessage(
                    channel=self.channel,
                    text=message.text,
                    blocks=message.blocks,
                    unfurl_links=False,
                    unfurl_media=False,
                )
        except (PayloadError, ExtendError, SlackClientError) as error:
            logger.error(
                "could not post the alert for event %s (%s): %s",
                event.event_id,
                event.event_type,
                error,
            )
            self.ledger.release(event.event_id)
            return False
        except Exception:
            logger.exception("the alert for event %s failed", event.event_id)
            self.ledger.release(event.event_id)
            return False
        return True
