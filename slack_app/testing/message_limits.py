"""Slack's message limits, as the Slack mock enforces them: ``limit_problem``.

Slack rejects a message whose ``text`` is over 40,000 characters
(``msg_too_long``), or whose blocks are more than 50 or hold a text over its
element's limit (``invalid_blocks``): a section 3000, a header 150, a button 75, a
confirm dialog's text 300, a select's options and their texts (``TEXT_LIMITS``,
``MAX_OPTIONS``). ``limit_problem`` names the first
limit a message breaks, or None; the mock answers such a call with Slack's error
and records which limit it was.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

MAX_TEXT = 40_000
MAX_BLOCKS = 50
# (block or element type, path to its text) -> Slack's character limit
TEXT_LIMITS: dict[str, int] = {
    "section": 3000,
    "header": 150,
    "context": 3000,
    "button": 75,
    "confirm.title": 100,
    "confirm.text": 300,
    "confirm.confirm": 30,
    "confirm.deny": 30,
    "option": 75,
    "option.value": 150,
    "placeholder": 150,
}
MAX_OPTIONS = 100  # a static select's options


def limit_problem(args: dict[str, Any]) -> str | None:
    """``"invalid_blocks: ..."`` / ``"msg_too_long: ..."`` if Slack would reject ``args``."""
    text = args.get("text")
    if isinstance(text, str) and len(text) > MAX_TEXT:
        return f"msg_too_long: text of {len(text)} characters"
    blocks = args.get("blocks") or []
    if not isinstance(blocks, list):
        return "invalid_blocks: blocks is not a list"
    if len(blocks) > MAX_BLOCKS:
        return f"invalid_blocks: {len(blocks)} blocks"
    for index, block in enumerate(blocks):
        for element in block.get("elements") or []:
            if len(element.get("options") or []) > MAX_OPTIONS:
                return f"invalid_blocks: more than {MAX_OPTIONS} options in block {index}"
        for what, shown in _limited_texts(block):
            if len(shown) > TEXT_LIMITS[what]:
                return f"invalid_blocks: {what} text of {len(shown)} in block {index}"
    return None


def _limited_texts(block: dict[str, Any]) -> Iterator[tuple[str, str]]:
    kind = block.get("type")
    if kind in ("section", "header"):
        yield kind, str((block.get("text") or {}).get("text") or "")
    for element in block.get("elements") or []:
        if kind == "context":
            yield "context", str(element.get("text") or "")
        elif element.get("type") == "static_select":
            if "placeholder" in element:
                yield "placeholder", str(element["placeholder"].get("text") or "")
            for option in element.get("options") or []:
                yield "option", str((option.get("text") or {}).get("text") or "")
                yield "option.value", str(option.get("value") or "")
        elif element.get("type") == "button":
            yield "button", str((element.get("text") or {}).get("text") or "")
            confirm = element.get("confirm") or {}
            for part in ("title", "text", "confirm", "deny"):
                if part in confirm:
                    yield f"confirm.{part}", str(confirm[part].get("text") or "")
