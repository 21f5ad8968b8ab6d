"""Build the agent: a LangChain ``create_agent`` graph whose every write waits for a human.

``build_agent(model, tools, checkpointer)`` takes everything it uses, so tests pass a
scripted model and deployments pass ``ChatOpenAI`` or the offline model. Each call
of a writing tool (``WRITE_TOOLS``: ``update_run_metadata``) stops the graph
(``HumanInTheLoopMiddleware``, an interrupt saved by the checkpointer) until someone
approves or rejects it: nothing is written before a yes, and after a no the model is
told the change was not made.
This holds whatever the model was persuaded to do, including by text inside a
document, because the gate sits in the graph, not in the prompt. The model is given
only the last few turns of a conversation (``agent.history``), so a thread that
runs for months costs what a short one does.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain.agents import create_agent
from langchain.agents.middleware import (
    AgentMiddleware,
    HumanInTheLoopMiddleware,
    InterruptOnConfig,
    ModelCallLimitMiddleware,
)
from langchain_core.language_models import BaseChatModel
from langchain_core.tools import BaseTool
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph.state import CompiledStateGraph

from agent.change_text import describe_write
from agent.history import MAX_TURNS, RecentTurnsMiddleware
from prompts import load_prompt
from tools.faces.tool_names import WRITE_TOOLS

__all__ = ["MAX_MODEL_CALLS_PER_TURN", "build_agent", "describe_write"]

MAX_MODEL_CALLS_PER_TURN = 12
"""A runaway model (calling tools in a loop) is stopped after this many calls in one turn."""


def build_agent(
    model: BaseChatModel,
    tools: Sequence[BaseTool],
    checkpointer: BaseCheckpointSaver[Any] | None,
    *,
    system_prompt: str | None = None,
    max_turns: int = MAX_TURNS,
) -> CompiledStateGraph[Any, Any, Any, Any]:
    """The agent graph; conversations are keyed by ``config["configurable"]["thread_id"]``.

    ``max_turns`` bounds how many recent turns of a conversation the model is given.
    """
    approval = HumanInTheLoopMiddleware(
        interrupt_on={
            name: InterruptOnConfig(
                allowed_decisions=["approve", "reject"], description=_describe_for_approval
            )
            for name in sorted(WRITE_TOOLS)
        },
        interrupt_mode="batched",
    )
    # Each middleware has its own state type (AgentMiddleware's state parameter is
    # invariant), so the list is typed by what ``create_agent`` accepts of any of them.
    middleware: list[AgentMiddleware[Any, Any, Any]] = [
        RecentTurnsMiddleware(max_turns=max_turns),
        approval,
        ModelCallLimitMiddleware(run_limit=MAX_MODEL_CALLS_PER_TURN),
    ]
    return create_agent(
        model,
        tools=list(tools),
        system_prompt=system_prompt if system_prompt is not None else load_prompt("system"),
        middleware=middleware,
        checkpointer=checkpointer,
        name="extend_run_agent",
    )


def _describe_for_approval(tool_call: Mapping[str, Any], state: Any, runtime: Any) -> str:
    """The request in words from its arguments alone: no read of Extend inside the graph.

    Not ``tools.faces.langchain_approval.approval_interrupt_on``: that preset reads the
    run for a before -> after description each time the graph pauses, while
    ``AgentSession`` already reads it once for the proposal it shows (and never shows
    this description), so the preset would double the reads for text no one sees.
    """
    return describe_write(tool_call.get("args") or {})
