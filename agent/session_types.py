"""What an ``AgentSession`` hands back: the reply, the change waiting for approval, and
the error for a decision about a change that is no longer waiting.

Plain data with no LangChain or LangGraph import, so front ends can name these types
(type hints, ``TYPE_CHECKING`` blocks) without paying for the agent's libraries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tools.faces.run_change import RunChange
from tools.faces.show_citation import ShownImage
from tools.runs.models import Run

__all__ = ["AgentReply", "ChangeNotWaitingError", "PendingWrite"]


@dataclass
class PendingWrite:
    """A change the agent asked to make, waiting for a person's yes or no."""

    run_id: str
    name: str | None
    metadata: dict[str, Any] | None
    add_tags: list[str] | None
    description: str  # "Rename workflow_run_1234 from (none) to “ACME March”"
    # Which paused change this is (the graph's interrupt id): ``decide(..., change_id=)``
    # applies a decision only while this very change is still the one waiting.
    change_id: str = ""
    # Before -> after against Extend when the change was first shown; None if unreadable.
    change: RunChange | None = None
    # Why the tools refuse this change as proposed (never shown, declined at once), or None.
    refusal: str | None = None
    remove_tags: list[str] | None = None


class ChangeNotWaitingError(Exception):
    """``decide(..., change_id=...)``: that change is no longer the one waiting (nothing done)."""


@dataclass
class AgentReply:
    """What to show: the answer, the runs it is about, and a change awaiting approval."""

    text: str
    runs: list[Run]
    pending: PendingWrite | None
    not_asked: bool = False  # the message was held back: a change is waiting for a decision
    proposal_only: bool = False  # ``text`` only restates ``pending`` (the model said nothing)
    # Images ``show_citation`` drew this turn (where a value was read), for the front end.
    images: list[ShownImage] = field(default_factory=list)
    # What a CLI turns into its exit status: a read failed this turn (a run that can't be
    # read: 404, 401, network); a change was proposed or tried; one was written.
    read_failed: bool = False
    change_tried: bool = False
    change_written: bool = False
    # A run named by words this turn ("the Zeta invoice") that no single run matches.
    reference_unmatched: bool = False
