"""Cancel button: drop the change (nothing is written), if this person may decide."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from slack_app.change_view import CANCEL_ACTION
from slack_app.listeners.actions.clicks import decide_on_click
from slack_app.services import SlackServices


def register(app: App, services: SlackServices) -> None:
    @app.action(CANCEL_ACTION)
    def handle_cancel(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond
    ) -> None:
        ack()
        decide_on_click(services, body, action, respond, approve=False)
