"""The assistant (agent view) threads: greeting and prompts on start, then the conversation.

- ``assistant_thread_started``: greet, and offer the suggested prompts (built
  from the runs in Extend now, ``slack_app.home.prompts``).
- a person's message in an assistant thread (a DM thread): answer it there.
- ``assistant_thread_context_changed``: acknowledged, nothing stored. Bolt's
  default handler saves the channel the user is viewing into the thread's first
  bot message (extra Web API calls per event); answers here depend only on the
  conversation, so the context is not needed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, Assistant, BoltContext, Say
from slack_bolt.context.set_suggested_prompts import SetSuggestedPrompts
from slack_sdk.errors import SlackClientError

from slack_app import texts
from slack_app.conversation import incoming_message
from slack_app.services import SlackServices

logger = logging.getLogger(__name__)


def register(app: App, services: SlackServices) -> None:
    assistant = Assistant()

    @assistant.thread_started
    def handle_thread_started(say: Say, set_suggested_prompts: SetSuggestedPrompts) -> None:
        services.run_in_background(greet, say, set_suggested_prompts, services.suggested_prompts)

    @assistant.user_message
    def handle_user_message(body: dict[str, Any], context: BoltContext) -> None:
        message = incoming_message(body, body.get("event") or {}, bot_user_id=context.bot_user_id)
        if message is not None:
            services.conversations.receive(message)

    @assistant.thread_context_changed
    def handle_thread_context_changed() -> None:
        return None

    app.assistant(assistant)


def greet(
    say: Say,
    set_suggested_prompts: SetSuggestedPrompts,
    prompts: Callable[[], list[dict[str, str]]],
) -> None:
    try:
        say(text=texts.GREETING, unfurl_links=False, unfurl_media=False)
    except SlackClientError as error:
        logger.info("could not greet in the assistant thread: %s", type(error).__name__)
    offer_suggested_prompts(set_suggested_prompts, prompts)


def offer_suggested_prompts(
    set_suggested_prompts: SetSuggestedPrompts, prompts: Callable[[], list[dict[str, str]]]
) -> None:
    """Set the suggested prompts ``prompts()`` gives (the Home tab shows the same kind);
    a failure is logged, a nicety."""
    try:
        set_suggested_prompts(prompts=prompts(), title=texts.SUGGESTED_PROMPTS_TITLE)
    except SlackClientError as error:
        logger.info("could not set suggested prompts: %s", type(error).__name__)
