"""Slash command listeners: ``/extend`` is acked at once and run on the work pool.

What the command does is ``slack_app.extend_command``.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from slack_app.extend_command import COMMAND
from slack_app.services import SlackServices


def register(app: App, services: SlackServices) -> None:
    @app.command(COMMAND)
    def handle_extend_command(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        services.run_in_background(services.extend_command.handle, command, respond)
