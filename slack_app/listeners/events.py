"""Events API listeners: mentions, messages (DMs and thread follow-ups), App Home opened.

- ``app_mention``: someone @-mentions the app in a channel; answer in the thread.
  Mentions by bots (other apps, integrations) are ignored, like their messages.
- ``message``: direct messages, and follow-ups in channel threads the bot is
  already in. A top-level channel message is left alone (a mention arrives as
  ``app_mention``); a thread reply also sent to the channel (``thread_broadcast``)
  is answered like any thread reply; edits, joins, bot messages and other
  subtypes are ignored. Direct messages in an assistant thread are handled by the
  assistant listeners.
- ``app_home_opened`` on the Messages tab: offer the suggested prompts (the agent
  entry point).
"""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext
from slack_bolt.context.set_suggested_prompts import SetSuggestedPrompts

from slack_app.conversation import incoming_message
from slack_app.listeners.assistant import offer_suggested_prompts
from slack_app.services import SlackServices

ANSWERED_SUBTYPES = frozenset({None, "file_share", "thread_broadcast"})


def register(app: App, services: SlackServices) -> None:
    @app.event("app_mention")
    def handle_app_mention(
        body: dict[str, Any], event: dict[str, Any], context: BoltContext
    ) -> None:
        if _from_a_bot(event):
            return
        message = incoming_message(body, event, bot_user_id=context.bot_user_id)
        if message is not None:
            services.conversations.receive(message)

    @app.event("message")
    def handle_message(body: dict[str, Any], event: dict[str, Any], context: BoltContext) -> None:
        if event.get("subtype") not in ANSWERED_SUBTYPES or _from_a_bot(event):
            return
        message = incoming_message(body, event, bot_user_id=context.bot_user_id)
        if message is None:
            return
        direct = event.get("channel_type") == "im"
        follow_up = message.thread_ts is not None and services.state.threads.contains(
            message.channel_id, message.thread_ts
        )
        if direct or follow_up:
            services.conversations.receive(message)

    @app.event("app_home_opened")
    def handle_app_home_opened(
        event: dict[str, Any], set_suggested_prompts: SetSuggestedPrompts | None = None
    ) -> None:
        if event.get("tab") != "messages" or set_suggested_prompts is None:
            return
        services.run_in_background(
            offer_suggested_prompts, set_suggested_prompts, services.suggested_prompts
        )


def _from_a_bot(event: dict[str, Any]) -> bool:
    return bool(event.get("bot_id") or event.get("bot_profile")) or (
        event.get("subtype") == "bot_message"
    )
