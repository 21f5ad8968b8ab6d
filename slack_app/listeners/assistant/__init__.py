"""The assistant (agent view) threads: greeting and prompts on start, then the conversation."""

from __future__ import annotations

from slack_bolt import App, Assistant

from slack_app.listeners.assistant import thread_context_changed, thread_started, user_message
from slack_app.services import SlackServices


def register(app: App, services: SlackServices) -> None:
    assistant = Assistant()
    thread_started.register(assistant, services)
    user_message.register(assistant, services)
    thread_context_changed.register(assistant, services)
    app.assistant(assistant)
