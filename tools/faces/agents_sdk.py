"""The run tools for the OpenAI Agents SDK (``openai-agents``), the write paused for approval.

    from agents import Agent, Runner
    from tools.faces.agents_sdk import AgentsSdkTools

    extend = AgentsSdkTools(run_tools)
    agent = Agent(name="runs", instructions="...", tools=extend.tools)
    result = await Runner.run(agent, "Tag workflow_run_1234 urgent")
    while result.interruptions:                  # a write is waiting for a person
        state = result.to_state()
        for item in result.interruptions:
            print(extend.describe(item))         # the exact change, before -> after
            if input("Apply? [y/N] ").strip().lower() == "y":
                state.approve(item)
            else:
                state.reject(item, rejection_message="The user rejected the change.")
        result = await Runner.run(agent, state)

Every tool is a ``FunctionTool`` with the strict-mode schema of its pydantic model
(``tools.faces.tool_schemas``) and calls ``tools.faces.openai_functions.dispatch``,
so arguments and errors read as on every face. The writing tools have
``needs_approval=True``: the SDK stops the run before calling them and resumes
only once the call is approved or rejected on the run state. ``describe(item)``
reads the run and words the change, and binds the approval to it: if the run
changed by the time the approved call runs, so that the call would now do
something else, nothing is written and the model is told why. With
``read_only`` (or ``EXTEND_AGENT_READ_ONLY=1``) the writing tools are left out.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import anyio.to_thread
from agents import FunctionTool, ToolApprovalItem
from agents.tool_context import ToolContext
from pydantic import ValidationError

from tools.faces.openai_functions import dispatch
from tools.faces.read_only import served_tool_names
from tools.faces.run_change import RunChange
from tools.faces.run_tools import RunTools
from tools.faces.tool_arguments import TOOL_ARGUMENTS, UpdateRunMetadataArgs
from tools.faces.tool_errors import ToolError
from tools.faces.tool_names import UPDATE_RUN_METADATA, WRITE_TOOLS, describe_tool
from tools.faces.tool_schemas import strict_arguments, strict_schema

__all__ = ["AgentsSdkTools", "make_function_tools"]


class AgentsSdkTools:
    """The tools as Agents SDK function tools, and the words for each approval they wait on."""

    def __init__(self, run_tools: RunTools, *, read_only: bool | None = None) -> None:
        self.run_tools = run_tools
        self._shown: dict[str, RunChange] = {}
        self._guard = threading.Lock()
        self.tools: list[FunctionTool] = [self._tool(name) for name in served_tool_names(read_only)]

    def describe(self, item: ToolApprovalItem) -> str:
        """What approving ``item`` would do, in words a person can judge: before -> after.

        The change shown is the one the approved call may make (see the module docstring).
        """
        arguments = _arguments(item.arguments)
        if item.name != UPDATE_RUN_METADATA:
            return f"Run {item.name} with {json.dumps(arguments, ensure_ascii=False)}"
        try:
            update = strict_arguments(UpdateRunMetadataArgs, arguments)
            change = self.run_tools.preview_update(
                update.run_id,
                name=update.name,
                metadata=update.metadata or None,
                add_tags=update.add_tags,
                remove_tags=update.remove_tags,
            )
        except (ValidationError, ToolError) as error:
            reason = error.message if isinstance(error, ToolError) else "its arguments are invalid"
            return f"A change that cannot be made as asked ({reason}); rejecting it is safe."
        if item.call_id:
            with self._guard:
                self._shown[item.call_id] = change
        return "\n".join([change.describe(), *change.before_after_lines()])

    def _tool(self, name: str) -> FunctionTool:
        async def invoke(context: ToolContext[Any], arguments: str) -> str:
            with self._guard:
                shown = self._shown.pop(context.tool_call_id, None)

            def approve(change: RunChange) -> bool:
                # Reached only after the SDK's approval; the change must be the one shown.
                if shown is not None and change != shown:
                    raise ToolError(
                        f"Run {change.run_id} changed after the change was approved, so this "
                        f"call would now do something else ({change.describe()}). Nothing was "
                        "written; propose the change again so the user can approve it."
                    )
                return True

            return await anyio.to_thread.run_sync(
                lambda: dispatch(name, arguments, self.run_tools, approve=approve)
            )

        return FunctionTool(
            name=name,
            description=describe_tool(name, approval="human"),
            params_json_schema=strict_schema(TOOL_ARGUMENTS[name]),
            on_invoke_tool=invoke,
            strict_json_schema=True,
            needs_approval=name in WRITE_TOOLS,
        )


def make_function_tools(
    run_tools: RunTools, *, read_only: bool | None = None
) -> list[FunctionTool]:
    """The tools as Agents SDK function tools (writes need approval); see ``AgentsSdkTools``."""
    return AgentsSdkTools(run_tools, read_only=read_only).tools


def _arguments(raw: str | None) -> dict[str, Any]:
    try:
        value = json.loads(raw or "{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
