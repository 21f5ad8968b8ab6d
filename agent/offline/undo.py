"""Undo: "undo that", "rename it back", "put the old name back", from recorded before-values.

An undo is never guessed from words: it is the inverse of the last change this
conversation applied, computed from the before-values that change recorded (the
``change`` the ``update_run_metadata`` tool returns with its result, a
``RunChange`` dump). The inverse is an ordinary change, so it goes through the
same approval as any other. What cannot be put back is said, not approximated:
Extend cannot clear a name (a rename back to "no name" is impossible), and a
metadata key the change added can only be set to null (Extend merges metadata and
deletes nothing).

``undo_scope`` reads a message: "all" for "undo that" / "revert the last change",
"name" for "rename it back" / "put the old name back" / "change the name back to
what it was", None for anything else. "rename it back to what it was" is an undo,
never a rename to the text "back to what it was".
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from agent.names import RUN_ID_IN_TEXT
from tools.faces.tool_names import UPDATE_RUN_METADATA

if TYPE_CHECKING:  # read by duck typing, so ``cli.yes_scope`` stays cheap to import
    from langchain_core.messages import BaseMessage

__all__ = ["Undo", "UndoScope", "last_applied_change", "undo_of", "undo_scope"]

UndoScope = Literal["all", "name"]

_TARGET = rf"(?:it|this(?:\s+run)?|that(?:\s+run)?|the\s+run|{RUN_ID_IN_TEXT.pattern})"
_POLITE = r"^\s*(?:please\s+|pls\s+)?(?:(?:can|could|would)\s+you\s+(?:please\s+)?)?"
_END = r"\s*(?:,?\s*(?:please|thanks|thank\s+you)\b)?\s*[.!]*\s*$"
_UNDO_ALL = re.compile(
    _POLITE + r"(?:undo|revert|roll\s*back|reverse)"
    rf"(?:\s+(?:that|this|it|the\s+(?:last\s+)?(?:change|update|edit)|my\s+last\s+change|"
    rf"the\s+last\s+one|what\s+you\s+(?:just\s+)?did|(?:the\s+)?changes?\s+(?:to|on)\s+{_TARGET}))?"
    r"(?:\s+(?:on|to|for)\s+" + _TARGET + ")?" + _END,
    re.IGNORECASE,
)
_UNDO_NAME = re.compile(
    _POLITE + r"(?:"
    rf"(?:rename|name)\s+(?:{_TARGET}\s+)?back(?:\s+to\s+(?:what\s+it\s+was|the\s+(?:old|previous|"
    r"original)\s+(?:name|one)|its\s+(?:old|previous|original)\s+name|how\s+it\s+was))?|"
    r"(?:put|set|change|turn|switch)\s+(?:the\s+|its\s+)?(?:old\s+|previous\s+|original\s+)?name\s+"
    r"back(?:\s+to\s+(?:what\s+it\s+was|the\s+(?:old|previous|original)\s+(?:name|one)))?|"
    r"(?:put|bring)\s+(?:back\s+)?the\s+(?:old|previous|original)\s+name(?:\s+back)?|"
    r"restore\s+(?:the\s+|its\s+)?(?:old\s+|previous\s+|original\s+)name|"
    r"(?:undo|revert|reverse)\s+(?:the|that|my)\s+(?:last\s+)?rename"
    r")(?:\s+(?:on|of|for)\s+" + _TARGET + ")?" + _END,
    re.IGNORECASE,
)


def undo_scope(text: str) -> UndoScope | None:
    """What an undo message takes back: everything of the last change, or only its name."""
    if _UNDO_NAME.match(text):
        return "name"
    if _UNDO_ALL.match(text):
        return "all"
    return None


@dataclass(frozen=True)
class Undo:
    """The change that puts back what the last change altered, or why it cannot."""

    args: dict[str, Any] | None
    problem: str | None = None
    notes: tuple[str, ...] = ()


def last_applied_change(
    messages: Sequence[BaseMessage], scope: UndoScope = "all"
) -> dict[str, Any] | None:
    """The ``change`` recorded with the latest successful ``update_run_metadata`` result.

    For ``"name"`` ("rename it back"), the latest one that renamed a run, even when
    other changes (a tag) came after it.
    """
    for message in reversed(messages):
        artifact = getattr(message, "artifact", None)
        if (
            message.type == "tool"
            and message.name == UPDATE_RUN_METADATA
            and getattr(message, "status", None) != "error"
            and isinstance(artifact, dict)
            and isinstance(artifact.get("change"), dict)
            and (scope == "all" or _renamed(artifact["change"]))
        ):
            return dict(artifact["change"])
    return None


def undo_of(change: Mapping[str, Any] | None, scope: UndoScope) -> Undo:
    """The inverse of ``change`` (a ``RunChange`` dump), limited to the name for ``"name"``."""
    if change is None:
        return Undo(
            None,
            "There is nothing to undo: I haven't changed a run in this conversation, so "
            "nothing was written. Tell me what to change instead, e.g. “rename "
            "workflow_run_1234 to ACME March”.",
        )
    run_id = str(change.get("run_id") or "")
    args: dict[str, Any] = {"run_id": run_id}
    renamed = _renamed(change)
    if scope == "name" and not renamed:
        return Undo(
            None,
            f"The last change I made, on {run_id}, did not rename it, so there is no old name "
            "to put back. Nothing was written.",
        )
    if renamed:
        before = change.get("name_before")
        if before is None:
            return Undo(
                None,
                f"{run_id} had no name before I renamed it, and Extend can't clear a name, so I "
                "can't put it back as it was. Nothing was written; tell me a name to use instead.",
            )
        args["name"] = before
    if scope == "all":
        _undo_metadata(change, args)
    if set(args) == {"run_id"}:
        return Undo(None, f"The last change on {run_id} left nothing to put back.")
    nested = [k for k, v in (args.get("metadata") or {}).items() if isinstance(v, list | dict)]
    if nested:
        return Undo(
            None,
            f"I can't put back {', '.join(nested)} on {run_id} from here: its earlier value is a "
            "list or an object, which a conversation can't set. Nothing was written; use "
            "extend-agent runs update with --meta 'key:=<JSON>'.",
        )
    return Undo(args)


def _renamed(change: Mapping[str, Any]) -> bool:
    return change.get("name_after") != change.get("name_before")


def _undo_metadata(change: Mapping[str, Any], args: dict[str, Any]) -> None:
    before: Mapping[str, Any] = change.get("metadata_before") or {}
    after: Mapping[str, Any] = change.get("metadata_after") or {}
    added = [t for t in change.get("tags_added") or [] if isinstance(t, str)]
    removed = [t for t in change.get("tags_removed") or [] if isinstance(t, str)]
    if added:
        args["remove_tags"] = added
    if removed:
        args["add_tags"] = removed
    metadata: dict[str, Any] = {}
    for key in after:
        if key == "tags" and (added or removed):
            continue
        metadata[key] = before.get(key)  # a key the change added goes back to null
    if metadata:
        args["metadata"] = metadata
