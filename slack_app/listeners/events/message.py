"""``message``: direct messages, and follow-ups in channel threads the bot is already in.

A top-level channel message is left alone (a mention arrives as ``app_mention``);
a thread reply also sent to the channel (``thread_broadcast``) is answered like
any thread reply; edits, joins, bot messages and other subtypes are ignored.
Direct messages in an assistant thread are handled by the assistant listeners.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext

from slack_app.conversation import incoming_message
from slack_app.services import SlackServices

ANSWERED_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})


def register(app: App, services: SlackServices) -> None:
    @app.event("message")
    def handle_message(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
        if event.get("subtype") not in ANSWERED_SUBTYPES or event.get("bot_id"):
            return
        message = incoming_message(body, event, bot_user_id=context.bot_user_id)
        if message is None:
            return
        direct = event.get("channel_type") == "im"
        follow_up = message.thread_ts is not None and services.state.in_thread(
            message.channel_id, message.thread_ts
        )
        if direct or follow_up:
            services.conversations.receive(message)
