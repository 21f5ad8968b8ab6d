"""Every listener of the app, one module per Slack surface: events, actions, commands, assistant.

Listeners are thin: they read the payload, hand the work to ``SlackServices``
and return, so Bolt acks Slack within its 3 seconds whatever the work costs.
``register_listeners`` registers them all.
"""

from __future__ import annotations

from slack_bolt import App

from slack_app.listeners import actions, assistant, commands, events
from slack_app.services import SlackServices


def register_listeners(app: App, services: SlackServices) -> None:
    assistant.register(app, services)
    events.register(app, services)
    actions.register(app, services)
    commands.register(app, services)
