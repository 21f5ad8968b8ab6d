"""A finished turn read into an ``AgentReply``: the model's last answer, the runs and
images the tools returned, and what a CLI turns into its exit status.

Only the messages after the person's last one count (this turn's); a turn that ends
on a proposal with no words from the model is answered with the change itself. The
text has its @channel-style mentions neutralized and its control characters escaped
(``agent.safety.inert_reply``).
"""

from __future__ import annotations

from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from pydantic import ValidationError

from agent.safety import inert_reply
from agent.session_types import AgentReply, PendingWrite
from tools.faces.show_citation import ShownImage, images_in_artifact
from tools.faces.tool_names import FIND_RUNS, SHOW_CITATION, UPDATE_RUN_METADATA
from tools.runs.models import Run


def reply_to_turn(result: Any, pending: PendingWrite | None) -> AgentReply:
    """The reply to show for a graph result (``invoke(..., version="v2")``), with ``pending``
    the change it waits on, if any."""
    messages: list[BaseMessage] = list((result.value or {}).get("messages", []))
    turn = _after_last_human(messages)
    last_ai = next((m for m in reversed(turn) if isinstance(m, AIMessage)), None)
    text = message_text(last_ai) if last_ai is not None else ""
    proposal_only = pending is not None and not text
    if pending is not None and not text:
        text = f"This change needs your approval: {pending.description}."
    text = inert_reply(text or "I have no answer to that.")
    results = [m for m in turn if isinstance(m, ToolMessage)]
    updates = [m for m in results if m.name == UPDATE_RUN_METADATA]
    return AgentReply(
        text,
        _runs_in(turn),
        pending,
        proposal_only=proposal_only,
        images=_images_in(turn),
        read_failed=any(m.status == "error" and m.name != UPDATE_RUN_METADATA for m in results),
        change_tried=bool(updates) or pending is not None,
        change_written=any(m.status != "error" for m in updates),
        reference_unmatched=any(_unmatched(m) for m in _last_searches(turn)),
    )


def message_text(message: BaseMessage) -> str:
    """A message's text, stripped (content blocks joined)."""
    content = message.content
    return (content if isinstance(content, str) else str(message.text)).strip()


def _last_searches(turn: list[BaseMessage]) -> list[ToolMessage]:
    """The ``find_runs`` results of the turn's last model step that searched.

    Searches made together ("compare the Acme and Zeta invoices") count together; an
    earlier search a later step replaced (a model that narrowed "Acme" down) does not.
    """
    batches: list[list[ToolMessage]] = []
    for message in turn:
        if isinstance(message, AIMessage):
            batches.append([])
        elif isinstance(message, ToolMessage) and message.name == FIND_RUNS and batches:
            batches[-1].append(message)
    return next((batch for batch in reversed(batches) if batch), [])


def _unmatched(result: ToolMessage) -> bool:
    """A ``find_runs`` result for a reference that named no single run (none, or several)."""
    artifact = result.artifact
    resolution = artifact.get("resolution") if isinstance(artifact, dict) else None
    return isinstance(resolution, dict) and resolution.get("run_id") is None


def _after_last_human(messages: list[BaseMessage]) -> list[BaseMessage]:
    for index in range(len(messages) - 1, -1, -1):
        if isinstance(messages[index], HumanMessage):
            return messages[index + 1 :]
    return messages


def _runs_in(messages: list[BaseMessage]) -> list[Run]:
    """The runs the tools returned this turn, latest version of each, in first-seen order."""
    runs: dict[str, Run] = {}
    for message in messages:
        if isinstance(message, ToolMessage) and isinstance(message.artifact, dict):
            artifact = message.artifact
            if isinstance(artifact.get("run"), dict):  # find_runs resolved one run
                artifact = artifact["run"]
            try:
                run = Run.model_validate(artifact)
            except ValidationError:
                continue
            runs[run.id] = run
    return list(runs.values())


def _images_in(messages: list[BaseMessage]) -> list[ShownImage]:
    """The images ``show_citation`` returned this turn, in order."""
    return [
        image
        for message in messages
        if isinstance(message, ToolMessage)
        and message.name == SHOW_CITATION
        and message.status != "error"
        for image in images_in_artifact(message.artifact)
    ]
