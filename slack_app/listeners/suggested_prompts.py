"""Offering the suggested prompts, shared by the assistant thread start and App Home."""

from __future__ import annotations

import logging

from slack_bolt.context.set_suggested_prompts import SetSuggestedPrompts
from slack_sdk.errors import SlackClientError

from slack_app import texts

logger = logging.getLogger(__name__)


def offer_suggested_prompts(set_suggested_prompts: SetSuggestedPrompts) -> None:
    """Set the app's suggested prompts; a failure is logged (prompts are a nicety)."""
    try:
        set_suggested_prompts(prompts=texts.SUGGESTED_PROMPTS, title=texts.SUGGESTED_PROMPTS_TITLE)
    except SlackClientError as error:
        logger.info("could not set suggested prompts: %s", type(error).__name__)
