"""Block Kit button listeners: Approve, Cancel, and the Open in Extend link."""

from __future__ import annotations

from slack_bolt import App

from slack_app.listeners.actions import approve_change, cancel_change, open_in_extend
from slack_app.services import SlackServices


def register(app: App, services: SlackServices) -> None:
    approve_change.register(app, services)
    cancel_change.register(app, services)
    open_in_extend.register(app, services)
