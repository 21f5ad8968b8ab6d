"""Every listener of the app, registered by feature (one handler per file).

Listeners are thin: they read the payload, hand the work to ``SlackServices``
and return, so Bolt acks Slack within its 3 seconds whatever the work costs.
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
