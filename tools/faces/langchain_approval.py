"""Approval for our LangChain tools in your own ``create_agent``: the ``interrupt_on`` preset.

    from langchain.agents import create_agent
    from langchain.agents.middleware import HumanInTheLoopMiddleware
    from tools.faces.langchain_approval import approval_interrupt_on
    from tools.faces.langchain_tools import make_tools

    tools = make_tools(run_tools, approval="human")
    gate = HumanInTheLoopMiddleware(interrupt_on=approval_interrupt_on(run_tools))
    agent = create_agent(model, tools, middleware=[gate], checkpointer=InMemorySaver())

Every writing tool (``tools.faces.tool_names.WRITE_TOOLS``) then stops the graph
until a person approves or rejects the call (``Command(resume={"decisions":
[{"type": "approve"}]})``); editing a call is not offered, since a person
approves exactly what they were shown. Each request's description is the change
as it would be made now, read from the run (``RunChange.describe()`` and the
before -> after lines), or, when it cannot be made, why; document text in it
is JSON-quoted, so it cannot forge lines of the request.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from langchain.agents.middleware import InterruptOnConfig
from pydantic import ValidationError

from tools.faces.run_tools import RunTools
from tools.faces.tool_arguments import UpdateRunMetadataArgs
from tools.faces.tool_errors import ToolError
from tools.faces.tool_names import UPDATE_RUN_METADATA, WRITE_TOOLS
from tools.text.quoting import json_text

__all__ = ["approval_interrupt_on", "describe_change"]


def approval_interrupt_on(run_tools: RunTools) -> dict[str, bool | InterruptOnConfig]:
    """For ``HumanInTheLoopMiddleware(interrupt_on=...)``: each write approved or rejected."""

    def description(tool_call: Mapping[str, Any], state: Any, runtime: Any) -> str:
        return describe_change(run_tools, str(tool_call.get("name")), tool_call.get("args") or {})

    return {
        name: InterruptOnConfig(allowed_decisions=["approve", "reject"], description=description)
        for name in sorted(WRITE_TOOLS)
    }


def describe_change(run_tools: RunTools, tool: str, args: Mapping[str, Any]) -> str:
    """What the write call ``tool(**args)`` would do to the run now, for a person to judge."""
    if tool != UPDATE_RUN_METADATA:
        return f"{tool} with {json_text(dict(args))}"
    try:
        update = UpdateRunMetadataArgs.model_validate(dict(args))
        change = run_tools.preview_update(
            update.run_id,
            name=update.name,
            metadata=update.metadata,
            add_tags=update.add_tags,
            remove_tags=update.remove_tags,
        )
    except ValidationError:
        return f"{tool} with arguments that do not fit ({json_text(dict(args))}); reject it."
    except ToolError as error:
        return f"A change that cannot be made as asked: {error.message} Rejecting it is safe."
    return "\n".join([change.describe(), *change.before_after_lines()])
