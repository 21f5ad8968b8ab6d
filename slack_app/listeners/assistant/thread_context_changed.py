"""``assistant_thread_context_changed``: acknowledged, nothing stored.

Bolt's default handler saves the channel the user is viewing into the thread's
first bot message (extra Web API calls per event); answers here depend only on
the conversation, so the context is not needed.
"""

from __future__ import annotations

from slack_bolt import Assistant

from slack_app.services import SlackServices


def register(assistant: Assistant, services: SlackServices) -> None:
    @assistant.thread_context_changed
    def handle_thread_context_changed() -> None:
        return None
