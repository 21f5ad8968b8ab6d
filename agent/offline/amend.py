"""An amendment of the change just made: "actually make that CC-13", "change it to ACME April".

Right after a change was applied, a person often corrects its value rather than
restating it. When the turn before applied exactly one thing (a rename, or one
metadata key), "make that X" / "change it to X" / "no, X instead" proposes the
same thing with the new value, on the same run, through the same approval. Any
other message, or a previous change of several parts (or tags), is not an
amendment and is read as usual.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from agent.offline.undo import last_applied_change

if TYPE_CHECKING:  # read by duck typing, so ``cli.yes_scope`` stays cheap to import
    from langchain_core.messages import BaseMessage

__all__ = ["amended_args", "amended_change", "amendment"]

_CORRECTION = r"(?:(?:no|nope|oops|sorry|actually|wait|hmm)[,!.]?\s+)*"
_MAKE_THAT = re.compile(
    rf"^\s*{_CORRECTION}(?:please\s+)?(?:make|change|set)\s+(?:that|it|this)\s+(?:to\s+|be\s+)?"
    r"(?P<value>.+?)(?:\s+instead)?(?:,?\s+please)?\s*[.!]*\s*$",
    re.IGNORECASE,
)
_INSTEAD = re.compile(
    r"^\s*(?:no|nope|oops|sorry|actually)[,!.]?\s+(?P<value>.+?)\s+instead\s*[.!]*\s*$",
    re.IGNORECASE,
)
_QUOTES = "\"'“”‘’`"


def amendment(text: str) -> str | None:
    """The new value a correction gives ("actually make that CC-13" -> "CC-13"), or None."""
    found = _MAKE_THAT.match(text) or _INSTEAD.match(text)
    if found is None:
        return None
    value = found.group("value").strip().strip(_QUOTES).strip()
    return value or None


def amended_change(value: str, history: Sequence[BaseMessage]) -> dict[str, Any] | None:
    """``update_run_metadata`` arguments setting ``value`` where the previous turn's change
    set its one value; None when the previous turn applied no such change."""
    last_human = max((i for i, m in enumerate(history) if m.type == "human"), default=None)
    if last_human is None:
        return None
    return amended_args(value, last_applied_change(history[last_human:]))


def amended_args(value: str, change: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """``change`` (a ``RunChange`` dump) with ``value`` for its one value; None when it has
    several parts, or tags."""
    if change is None or change.get("tags_added") or change.get("tags_removed"):
        return None
    renamed = change.get("name_after") != change.get("name_before")
    keys = [k for k in change.get("metadata_after") or {} if k != "tags"]
    run_id = change.get("run_id")
    if not isinstance(run_id, str):
        return None
    if renamed and not keys:
        return {"run_id": run_id, "name": value}
    if len(keys) == 1 and not renamed:
        return {"run_id": run_id, "metadata": {keys[0]: value}}
    return None
