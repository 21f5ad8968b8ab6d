"""Slash command listeners."""

from __future__ import annotations

from slack_bolt import App

from slack_app.listeners.commands import extend_command
from slack_app.services import SlackServices


def register(app: App, services: SlackServices) -> None:
    extend_command.register(app, services)
