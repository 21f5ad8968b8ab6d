"""``app_home_opened`` on the Messages tab: offer suggested prompts (the agent entry point)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App
from slack_bolt.context.set_suggested_prompts import SetSuggestedPrompts
from slack_sdk.errors import SlackClientError

from slack_app import texts
from slack_app.services import SlackServices

logger = logging.getLogger(__name__)


def register(app: App, services: SlackServices) -> None:
    @app.event("app_home_opened")
    def handle_app_home_opened(
        event: dict[str, Any], set_suggested_prompts: SetSuggestedPrompts | None = None
    ) -> None:
        if event.get("tab") != "messages" or set_suggested_prompts is None:
            return
        services.run_in_background(offer_prompts, set_suggested_prompts)


def offer_prompts(set_suggested_prompts: SetSuggestedPrompts) -> None:
    try:
        set_suggested_prompts(prompts=texts.SUGGESTED_PROMPTS, title=texts.SUGGESTED_PROMPTS_TITLE)
    except SlackClientError as error:
        logger.info("could not set suggested prompts: %s", type(error).__name__)
