"""Reading a conversation the way the offline model needs it: this turn, and what came before.

The offline model is stateless: each call gets the whole checkpointed message list.
From it we need the person's latest message, the tool calls and results that
followed it, the run the conversation is about ("it", "that run") and earlier
questions (for "where does it come from?" after "what's the total?").

The run in focus is taken only from what the person typed, from tool calls
already made, and from the ids ``find_runs`` resolved or listed (Extend's own run
ids, kept in the result's structured artifact); never from a tool result's text,
which can come from a document.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from pydantic import ValidationError

from agent.names import run_ids_in
from agent.request_mood import without_interjection
from tools.faces.tool_names import FIND_RUNS
from tools.runs.models import Run


def message_text(message: BaseMessage) -> str:
    content = message.content
    if isinstance(content, str):
        return content
    return str(message.text)


def artifact_run(result: ToolMessage) -> Run | None:
    """The structured run a tool returned beside its text, if any."""
    if not isinstance(result.artifact, dict):
        return None
    try:
        return Run.model_validate(result.artifact)
    except ValidationError:
        return None


@dataclass
class Turn:
    """The latest human message, what came before it, and the tool calls/results after it."""

    question: str
    history: list[BaseMessage]
    calls: dict[str, dict[str, Any]] = field(default_factory=dict)  # tool call id -> call
    results: list[ToolMessage] = field(default_factory=list)

    def call_for(self, result: ToolMessage) -> dict[str, Any] | None:
        return self.calls.get(result.tool_call_id)


def current_turn(messages: Sequence[BaseMessage]) -> Turn:
    """Split the messages at the last human message (an empty question if there is none)."""
    last_human = next(
        (i for i in range(len(messages) - 1, -1, -1) if isinstance(messages[i], HumanMessage)),
        None,
    )
    if last_human is None:
        return Turn(question="", history=list(messages))
    question = without_interjection(message_text(messages[last_human]))  # "whoops, undo that"
    turn = Turn(question=question, history=list(messages[:last_human]))
    for message in messages[last_human + 1 :]:
        if isinstance(message, AIMessage):
            for call in message.tool_calls:
                call_id = call.get("id")
                if call_id:
                    turn.calls[call_id] = dict(call)
        elif isinstance(message, ToolMessage):
            turn.results.append(message)
    return turn


def run_in_focus(history: Sequence[BaseMessage]) -> str | None:
    """The run the conversation was last about: latest tool call or id the person typed.

    A run ``find_runs`` resolved from the person's words ("the Bluebird fax") counts too:
    its id comes from our resolver (``resolution.run_id``), never from document text.
    After a search that listed one run, "it" is that run; after a list of several,
    "it" names none of them (``None``: the model asks which). Searches made together
    ("which runs failed or need review?" is one search per status, "compare the Acme
    and Bluebird invoices" one per run) count as one list.
    """
    messages = list(history)
    for index in range(len(messages) - 1, -1, -1):
        message = messages[index]
        if isinstance(message, ToolMessage) and message.name == FIND_RUNS:
            artifact = message.artifact if isinstance(message.artifact, dict) else {}
            resolution = artifact.get("resolution")
            resolved = resolution.get("run_id") if isinstance(resolution, dict) else None
            listed, resolved_together = _searched_together(messages, index)
            if isinstance(resolved, str) and run_ids_in(resolved):
                if len(resolved_together) > 1:
                    return None  # after "compare the Acme and Bluebird invoices", "it" is neither
                return resolved
            if len(listed) == 1 and run_ids_in(listed[0]):
                return listed[0]
            if len(listed) > 1:
                return None  # "it" after a list of several runs names none of them: ask
        elif isinstance(message, AIMessage):
            called = [
                run_id
                for call in reversed(message.tool_calls)
                if isinstance(run_id := call.get("args", {}).get("run_id"), str)
                and run_ids_in(run_id)
            ]
            if len(set(called)) > 1:
                return None  # "how much do we owe?" read many runs: "it" is none of them
            if called:
                return called[0]
        elif isinstance(message, HumanMessage):
            ids = run_ids_in(message_text(message))
            if ids:
                return ids[-1]
    return None


def _searched_together(messages: Sequence[BaseMessage], last: int) -> tuple[list[str], set[str]]:
    """The run ids listed, and those resolved, by the ``find_runs`` result at ``last`` and
    the results just before it (searches made in one step)."""
    listed: list[str] = []
    resolved: set[str] = set()
    index = last
    while index >= 0:
        message = messages[index]
        if not isinstance(message, ToolMessage):
            break
        artifact = message.artifact if isinstance(message.artifact, dict) else {}
        if message.name == FIND_RUNS:
            for item in artifact.get("runs") or []:
                if isinstance(item, dict) and isinstance(item.get("id"), str):
                    listed.append(item["id"])
            resolution = artifact.get("resolution")
            if isinstance(resolution, dict) and isinstance(resolution.get("run_id"), str):
                resolved.add(resolution["run_id"])
        index -= 1
    return list(dict.fromkeys(listed)), resolved


def earlier_questions(history: Sequence[BaseMessage]) -> list[str]:
    """What the person asked before this turn, most recent first."""
    return [message_text(m) for m in reversed(history) if isinstance(m, HumanMessage)]


def known_field_names(history: Sequence[BaseMessage]) -> tuple[str, ...]:
    """Field names of runs read earlier in the conversation (from the tools' structured runs)."""
    names: list[str] = []
    for message in reversed(history):
        if isinstance(message, ToolMessage) and isinstance(message.artifact, dict):
            for result in message.artifact.get("results") or []:
                for extracted in result.get("fields") or [] if isinstance(result, dict) else []:
                    if isinstance(extracted, dict) and isinstance(extracted.get("name"), str):
                        names.append(extracted["name"])
    return tuple(dict.fromkeys(names))
