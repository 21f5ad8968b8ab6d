"""Open in Extend: a link button; Slack opens the URL and still sends the click, which is acked."""

from __future__ import annotations

from slack_bolt import Ack, App

from slack_app.run_card import OPEN_IN_EXTEND_ACTION
from slack_app.services import SlackServices


def register(app: App, services: SlackServices) -> None:
    @app.action(OPEN_IN_EXTEND_ACTION)
    def handle_open_in_extend(ack: Ack) -> None:
        ack()
