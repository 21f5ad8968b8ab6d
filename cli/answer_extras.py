"""What ``ask`` and ``chat`` add beside an answer: cited-region images and pointers.

An answer that shows where a value sits on the page comes with images of the
cited regions, written to a folder (by default the data directory's ``images``
folder) and printed as paths. A summary, written for people without pages and
scores, is followed by the ``runs get`` commands that show every field. A
question held back because an earlier change still waits is answered with
``HELD_BACK_NOTICE`` instead of the model's text.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agent.session import AgentReply

IMAGES_FOLDER = "images"
"""The data directory's folder for images of cited regions (``ask --images-dir`` overrides)."""
HELD_BACK_NOTICE = (
    "A change from earlier in this conversation is waiting for your decision; "
    "decide on it first, then ask again."
)


def write_images(reply: AgentReply, directory: Path) -> list[Path]:
    """Write the images the answer drew (where a value was read); the paths written."""
    if not reply.images:
        return []
    from cli.cite import save_images

    return save_images(reply.images, directory)


def details_hint(question: str, reply: AgentReply) -> str | None:
    """After a summary (written for people, without pages and scores): where the details are."""
    from agent.offline.intents import understand

    if reply.not_asked or reply.pending is not None or not reply.runs:
        return None
    if understand(question, ()).kind != "summary":
        return None
    commands = ", ".join(f"extend-agent runs get {run.id}" for run in reply.runs[:3])
    return f"Every field, with its page, quote and confidence: {commands}"


def shown_reply(reply: AgentReply) -> AgentReply:
    """The reply to show: ``HELD_BACK_NOTICE`` in place of a question that was not asked."""
    if not reply.not_asked:
        return reply
    from dataclasses import replace

    return replace(reply, text=HELD_BACK_NOTICE)
