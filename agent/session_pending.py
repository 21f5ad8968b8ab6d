"""The change a paused turn waits on: found in the graph's interrupts, previewed against Extend.

``write_requests`` picks the ``update_run_metadata`` requests out of an interrupt (the
only tool that pauses for approval), ``waiting_write`` the first interrupt carrying
one. ``PendingPreviews`` turns such an interrupt into a ``PendingWrite``: the change's
before -> after read from Extend (or the plain request when Extend can't be read), the
tools' refusal if the change could never be written as shown, and its text with
@channel-style mentions neutralized. Each interrupt is previewed once and cached
(bounded), so showing the same change again never calls Extend twice.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Mapping
from typing import Any

from langgraph.types import Interrupt

from agent.change_text import describe_write
from agent.safety import neutralize_mentions
from agent.session_types import PendingWrite
from tools.client.errors import NotFoundError
from tools.faces.run_change import RunChange
from tools.faces.run_tools import RunTools
from tools.faces.tool_errors import ToolError
from tools.faces.tool_names import UPDATE_RUN_METADATA

_MAX_CACHED_PREVIEWS = 256


def write_requests(waiting: Interrupt) -> list[dict[str, Any]]:
    """The ``update_run_metadata`` requests this interrupt asks a person to decide."""
    value = waiting.value
    if not isinstance(value, dict):
        return []
    requests = value.get("action_requests") or []
    return [r for r in requests if isinstance(r, dict) and r.get("name") == UPDATE_RUN_METADATA]


def waiting_write(interrupts: Iterable[Interrupt]) -> Interrupt | None:
    """The first interrupt that waits on a change to a run, if any."""
    return next((i for i in interrupts if write_requests(i)), None)


class PendingPreviews:
    """``PendingWrite``s for paused changes, previewed against Extend once each. Thread-safe."""

    def __init__(self, run_tools: RunTools) -> None:
        self._run_tools = run_tools
        self._guard = threading.Lock()
        self._previews: dict[str, PendingWrite] = {}

    def pending_write(self, waiting: Interrupt) -> PendingWrite:
        """The change ``waiting`` asks for, as shown to a person (cached by interrupt id)."""
        key = str(waiting.id)
        with self._guard:
            cached = self._previews.get(key)
        if cached is not None:
            return cached
        args: Mapping[str, Any] = write_requests(waiting)[0].get("args") or {}
        description, change, refusal = self._preview(args)
        pending = PendingWrite(
            run_id=str(args.get("run_id") or ""),
            name=args.get("name"),
            metadata=dict(args["metadata"]) if isinstance(args.get("metadata"), dict) else None,
            add_tags=list(args["add_tags"]) if isinstance(args.get("add_tags"), list) else None,
            remove_tags=(
                list(args["remove_tags"]) if isinstance(args.get("remove_tags"), list) else None
            ),
            description=neutralize_mentions(description),
            change_id=key,
            change=change,
            refusal=refusal,
        )
        with self._guard:
            if len(self._previews) >= _MAX_CACHED_PREVIEWS:
                self._previews.clear()
            self._previews[key] = pending
        return pending

    def _preview(self, args: Mapping[str, Any]) -> tuple[str, RunChange | None, str | None]:
        """Before -> after from Extend's current state; the plain request if Extend fails.

        The third item is the tools' refusal of the change itself (bad text, reserved
        key, nothing to change), or None; Extend being unreadable is not a refusal.
        """
        try:
            change = self._run_tools.preview_update(
                str(args.get("run_id") or ""),
                name=args.get("name"),
                metadata=args.get("metadata"),
                add_tags=args.get("add_tags"),
                remove_tags=args.get("remove_tags"),
            )
        except ToolError as error:
            # the change itself is refused, or Extend says the run does not exist: either
            # way it would fail as shown, so it is never offered
            known_to_fail = error.cause is None or isinstance(error.cause, NotFoundError)
            refusal = error.message if known_to_fail else None
            return f"{describe_write(args)} (note: {error.message})", None, refusal
        return change.describe() + change.files_note(), change, None
