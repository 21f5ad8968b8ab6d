"""A person's message in an assistant thread (a DM thread): answer it in that thread."""

from __future__ import annotations

from typing import Any

from slack_bolt import Assistant, BoltContext

from slack_app.conversation import incoming_message
from slack_app.services import SlackServices


def register(assistant: Assistant, services: SlackServices) -> None:
    @assistant.user_message
    def handle_user_message(body: dict[str, Any], context: BoltContext) -> None:
        message = incoming_message(body, body.get("event") or {}, bot_user_id=context.bot_user_id)
        if message is not None:
            services.conversations.receive(message)
