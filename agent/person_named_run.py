"""The run a person last named in a conversation: by its id, or by words resolved to it.

``ask --yes`` binds "tag it urgent" to this run, so it must come from the person, never
from a model's choice or a document: a full id they typed, or a reference in their
message ("the Bluebird fax", "1234", as ``agent.offline.references`` reads it) that a
``find_runs(reference=...)`` call in that same turn resolved to one run (the id comes
from our resolver and Extend's listing). A reference the model chose that is not the
person's words binds nothing.
"""

from __future__ import annotations

from collections.abc import Sequence

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage

from agent.names import run_ids_in
from tools.faces.tool_names import FIND_RUNS

__all__ = ["run_named_by_person"]


def run_named_by_person(messages: Sequence[BaseMessage]) -> str | None:
    """The latest turn's run the person named (id typed, or reference resolved); else None."""
    from agent.offline.references import named_reference

    resolved: dict[str, str] = {}  # this turn's find_runs call id -> resolved run id
    for message in reversed(messages):
        if isinstance(message, ToolMessage) and message.name == FIND_RUNS:
            artifact = message.artifact if isinstance(message.artifact, dict) else {}
            resolution = artifact.get("resolution")
            run_id = resolution.get("run_id") if isinstance(resolution, dict) else None
            if isinstance(run_id, str) and run_ids_in(run_id):
                resolved[message.tool_call_id] = run_id
        elif isinstance(message, HumanMessage):
            text = message.content if isinstance(message.content, str) else str(message.text)
            ids = run_ids_in(text)
            if ids:
                return ids[-1]
            named = named_reference(text)
            if named is not None:
                found = _resolved_for(messages, message, named.reference, resolved)
                if found is not None:
                    return found
            resolved = {}
    return None


def _resolved_for(
    messages: Sequence[BaseMessage],
    human: HumanMessage,
    reference: str,
    resolved: dict[str, str],
) -> str | None:
    """The run a ``find_runs(reference=...)`` call with exactly the person's words resolved."""
    start = next(i for i, m in enumerate(messages) if m is human)
    for message in messages[start + 1 :]:
        if isinstance(message, HumanMessage):
            break
        if isinstance(message, AIMessage):
            for call in message.tool_calls:
                args = call.get("args") or {}
                if call.get("name") == FIND_RUNS and args.get("reference") == reference:
                    run_id = resolved.get(str(call.get("id")))
                    if run_id is not None:
                        return run_id
    return None
