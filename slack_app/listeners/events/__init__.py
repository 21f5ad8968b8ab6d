"""Events API listeners: mentions, messages (DMs and thread follow-ups), App Home opened."""

from __future__ import annotations

from slack_bolt import App

from slack_app.listeners.events import app_home_opened, app_mention, message
from slack_app.services import SlackServices


def register(app: App, services: SlackServices) -> None:
    app_mention.register(app, services)
    message.register(app, services)
    app_home_opened.register(app, services)
