"""``assistant_thread_started``: greet, and offer suggested prompts."""

from __future__ import annotations

import logging

from slack_bolt import Assistant, Say
from slack_bolt.context.set_suggested_prompts import SetSuggestedPrompts
from slack_sdk.errors import SlackClientError

from slack_app import texts
from slack_app.listeners.suggested_prompts import offer_suggested_prompts
from slack_app.services import SlackServices

logger = logging.getLogger(__name__)


def register(assistant: Assistant, services: SlackServices) -> None:
    @assistant.thread_started
    def handle_thread_started(say: Say, set_suggested_prompts: SetSuggestedPrompts) -> None:
        services.run_in_background(greet, say, set_suggested_prompts)


def greet(say: Say, set_suggested_prompts: SetSuggestedPrompts) -> None:
    try:
        say(text=texts.GREETING, unfurl_links=False, unfurl_media=False)
    except SlackClientError as error:
        logger.info("could not greet in the assistant thread: %s", type(error).__name__)
    offer_suggested_prompts(set_suggested_prompts)
