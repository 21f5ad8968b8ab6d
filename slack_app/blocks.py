"""Block Kit building blocks and Slack's limits: messages, headers, sections, splitting.

The views (``slack_app.run_card``, ``slack_app.change_view``) are built from these,
so Slack's limits are kept in one place rather than hoped for: at most 50 blocks
per message, 3000 characters per section text, 150 per header, 40,000 per message
text. Text is escaped (mrkdwn) or defanged (plain text) *before* it is cut to a
limit, and the cut never splits an escape, so what is sent is both safe and within
the limit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from slack_app.mrkdwn import defang_plain, escape, split_text, truncate

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_MESSAGE_TEXT = 40_000
MAX_BUTTON_TEXT = 75
MAX_CONFIRM_TEXT = 300
MAX_BUTTON_URL = 3000

Block = dict[str, Any]


@dataclass
class SlackMessage:
    """One message: ``text`` is the notification / fallback text (already escaped)."""

    text: str
    blocks: list[Block] = field(default_factory=list)


def plain_text(text: str, limit: int) -> dict[str, Any]:
    """A ``plain_text`` object: whitespace collapsed, defanged (``mrkdwn.defang_plain``), cut.

    A run name in a header can neither start a line nor reverse the text after it.
    """
    shown = truncate(defang_plain(" ".join(text.split())), limit)
    return {"type": "plain_text", "text": shown, "emoji": True}


def header(text: str) -> Block:
    return {"type": "header", "text": plain_text(text, MAX_HEADER_TEXT)}


def context(text: str) -> Block:
    """A context line; ``text`` is safe mrkdwn (already escaped)."""
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": truncate(text, MAX_SECTION_TEXT)}],
    }


def sections(lines: Sequence[str], title: str | None = None) -> list[Block]:
    """Lines (safe mrkdwn) in as few sections as fit 3000 characters; long lines are cut up.

    Nothing is dropped: a line longer than a section continues in the next one.
    """
    texts: list[str] = []
    current = title or ""
    for line in lines:
        for piece in split_text(line, MAX_SECTION_TEXT):
            candidate = f"{current}\n{piece}" if current else piece
            if len(candidate) <= MAX_SECTION_TEXT:
                current = candidate
            else:
                texts.append(current)
                current = piece
    if current:
        texts.append(current)
    return [{"type": "section", "text": {"type": "mrkdwn", "text": t}} for t in texts]


def split_into_messages(
    blocks: Sequence[Block], *, fallback: str, tail: Sequence[Block] = ()
) -> list[SlackMessage]:
    """``blocks`` (and ``tail``, kept together at the end) in messages of <= 50 blocks."""
    messages: list[list[Block]] = [[]]
    for block in [*blocks, *tail]:
        if len(messages[-1]) >= MAX_BLOCKS:
            messages.append([context("_…continued_")])
        messages[-1].append(block)
    fallback = truncate(fallback, MAX_MESSAGE_TEXT)
    if len(messages) == 1:
        return [SlackMessage(text=fallback, blocks=messages[0])]
    total = len(messages)
    return [
        SlackMessage(text=truncate(f"{fallback} ({i}/{total})", MAX_MESSAGE_TEXT), blocks=chunk)
        for i, chunk in enumerate(messages, 1)
    ]


def text_messages(text: str, *, limit: int = MAX_MESSAGE_TEXT) -> list[str]:
    """Untrusted text escaped and cut into message-sized parts."""
    escaped = escape(text.strip()) or "_(no answer)_"
    return split_text(escaped, limit)
