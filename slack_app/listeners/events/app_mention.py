"""``app_mention``: someone @-mentions the app in a channel; answer in the thread."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext

from slack_app.conversation import incoming_message
from slack_app.services import SlackServices


def register(app: App, services: SlackServices) -> None:
    @app.event("app_mention")
    def handle_app_mention(
        body: dict[str, Any], event: dict[str, Any], context: BoltContext
    ) -> None:
        message = incoming_message(body, event, bot_user_id=context.bot_user_id)
        if message is not None:
            services.conversations.receive(message)
