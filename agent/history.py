"""Keep a conversation's context bounded: the last few turns, and structured runs only recently.

A thread can live for months (the CLI's ``cli`` thread, a busy Slack channel), and
every model call would otherwise carry all of it: more tokens, slower turns, and a
checkpoint store that grows without bound. ``RecentTurnsMiddleware`` runs before
each model call and, in the conversation state itself (so the checkpointer stores
the bounded version too):

- removes whole turns older than the last ``max_turns``: a turn starts at a
  person's message, so a tool call and its result are always kept or dropped
  together;
- drops the structured run (``ToolMessage.artifact``) from tool results older than
  the last ``artifact_turns`` turns; their text summary stays for the model. What
  tells which run "it" is (a ``find_runs`` resolution, the ids a search listed) is
  kept as a small artifact, so a follow-up several turns later still means that run;
  so is an applied change's record (touched keys only), so "rename it back" a few
  turns after the rename still knows the old name.

No model call is made; this is plain list surgery with LangGraph's
``RemoveMessage`` and same-id replacement.
"""

from __future__ import annotations

from typing import Any

from langchain.agents.middleware import AgentMiddleware, AgentState
from langchain_core.messages import (
    AnyMessage,
    BaseMessage,
    HumanMessage,
    RemoveMessage,
    ToolMessage,
)
from langgraph.runtime import Runtime

MAX_TURNS = 10
"""Turns (a person's message and everything that answered it) the model is given."""
ARTIFACT_TURNS = 2
"""Turns whose tool results keep their structured run (this one and the one before)."""


class RecentTurnsMiddleware(AgentMiddleware):
    """Before each model call: keep the last ``max_turns`` turns, artifacts only recently."""

    def __init__(self, max_turns: int = MAX_TURNS, artifact_turns: int = ARTIFACT_TURNS) -> None:
        super().__init__()
        if max_turns < 1 or artifact_turns < 1:
            raise ValueError("max_turns and artifact_turns must be at least 1")
        self.max_turns = max_turns
        self.artifact_turns = artifact_turns

    def before_model(self, state: AgentState[Any], runtime: Runtime[Any]) -> dict[str, Any] | None:
        updates = bounded_history_updates(
            state["messages"], max_turns=self.max_turns, artifact_turns=self.artifact_turns
        )
        return {"messages": updates} if updates else None


def bounded_history_updates(
    messages: list[AnyMessage], *, max_turns: int, artifact_turns: int
) -> list[BaseMessage]:
    """The state updates that bound ``messages``: removals, and tool results without artifacts.

    ``RemoveMessage`` is no ``AnyMessage`` (it is not a message the model sees), but
    the ``messages`` channel's reducer takes any ``BaseMessage``: hence the wider type.
    """
    starts = [i for i, message in enumerate(messages) if isinstance(message, HumanMessage)]
    cut = starts[-max_turns] if len(starts) > max_turns else 0
    artifacts_from = starts[-artifact_turns] if len(starts) >= artifact_turns else 0
    updates: list[BaseMessage] = [
        RemoveMessage(id=message.id) for message in messages[:cut] if message.id
    ]
    for message in messages[cut:artifacts_from]:
        if isinstance(message, ToolMessage) and message.artifact is not None and message.id:
            kept = focus_artifact(message.artifact)
            if kept != message.artifact:
                updates.append(message.model_copy(update={"artifact": kept}))
    return updates


def focus_artifact(artifact: Any) -> dict[str, Any] | None:
    """The part of a tool result's artifact a later turn still needs.

    A ``find_runs`` result keeps its resolved run id and the ids it listed (ids from
    our resolver and Extend's list, never document text); an ``update_run_metadata``
    result keeps its ``change`` (the before-values an undo puts back); every other
    artifact is dropped.
    """
    if not isinstance(artifact, dict):
        return None
    kept: dict[str, Any] = {}
    resolution = artifact.get("resolution")
    if isinstance(resolution, dict) and "run_id" in resolution:
        kept["resolution"] = {"run_id": resolution.get("run_id")}
    change = artifact.get("change")
    if isinstance(change, dict):
        kept["change"] = change
    runs = artifact.get("runs")
    if isinstance(runs, list):
        kept["runs"] = [
            {"id": item["id"]} for item in runs if isinstance(item, dict) and "id" in item
        ]
    return kept or None
