"""What the Slack mock recorded: one ``SlackCall`` per Web API call, one ``SlackUpload`` per file.

``SlackCall.texts`` is every piece of text a call would show (its ``text``,
markdown and block texts), so a test can check that something was never shown
to anyone. ``is_answer_post`` tells an answer (plain text, or its text in
sections with feedback buttons under it) from the app's other messages: run
cards, change proposals, alerts.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any


@dataclass
class SlackCall:
    """One Web API call the app made."""

    method: str
    args: dict[str, Any]
    at: float = field(default_factory=time.perf_counter)
    token: str | None = None
    path: str = ""
    error: str | None = None  # set when the mock answered with an error
    limit_problem: str | None = None  # which Slack limit the call broke, if any

    @property
    def texts(self) -> list[str]:
        """Every piece of text this call would show: ``text``, markdown, block texts."""
        return list(_texts(self.args))


@dataclass
class SlackUpload:
    """One file shared by ``files.completeUploadExternal``: where, what, and its bytes."""

    file_id: str
    channel: str | None
    thread_ts: str | None
    filename: str
    title: str | None
    alt_text: str | None
    data: bytes
    initial_comment: str | None = None
    at: float = field(default_factory=time.perf_counter)


def is_answer_post(args: dict[str, Any]) -> bool:
    """True for a message that is an answer: no blocks, or only sections and feedback buttons."""
    blocks = args.get("blocks") or []
    if isinstance(blocks, str):
        blocks = json.loads(blocks)
    if not blocks:
        return True
    kinds = {block.get("type") for block in blocks}
    feedback = any(
        element.get("type") == "feedback_buttons"
        for block in blocks
        if block.get("type") == "context_actions"
        for element in block.get("elements") or []
    )
    return feedback and kinds <= {"section", "context_actions"}


def _texts(value: Any) -> Iterator[str]:
    """Every string under a ``text``/``markdown_text`` key, or any string in blocks/chunks."""
    if isinstance(value, dict):
        for key, item in value.items():
            if isinstance(item, str) and key in ("text", "markdown_text", "title", "message"):
                yield item
            elif isinstance(item, dict | list):
                yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)
