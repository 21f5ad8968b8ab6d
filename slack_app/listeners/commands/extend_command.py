"""``/extend get|rename|tag|meta|help``: ack at once, run the command on the work pool."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond

from slack_app.services import SlackServices

COMMAND = "/extend"


def register(app: App, services: SlackServices) -> None:
    @app.command(COMMAND)
    def handle_extend_command(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        services.run_in_background(services.commands.handle, command, respond)
