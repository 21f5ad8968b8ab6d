"""``app_home_opened`` on the Messages tab: offer suggested prompts (the agent entry point)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App
from slack_bolt.context.set_suggested_prompts import SetSuggestedPrompts

from slack_app.listeners.suggested_prompts import offer_suggested_prompts
from slack_app.services import SlackServices


def register(app: App, services: SlackServices) -> None:
    @app.event("app_home_opened")
    def handle_app_home_opened(
        event: dict[str, Any], set_suggested_prompts: SetSuggestedPrompts | None = None
    ) -> None:
        if event.get("tab") != "messages" or set_suggested_prompts is None:
            return
        services.run_in_background(offer_suggested_prompts, set_suggested_prompts)
