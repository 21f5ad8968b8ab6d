"""Build the agent: a LangChain ``create_agent`` graph whose every write waits for a human.

``build_agent(model, tools, checkpointer)`` takes everything it uses, so tests pass a
scripted model and deployments pass ``ChatOpenAI`` or the offline model. Each
``update_run_metadata`` call stops the graph (``HumanInTheLoopMiddleware``, an
interrupt saved by the checkpointer) until someone approves or rejects it: nothing
is written before a yes, and after a no the model is told the change was not made.
This holds whatever the model was persuaded to do, including by text inside a
document, because the gate sits in the graph, not in the prompt.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from langchain.agents import create_agent
from langchain.agents.middleware import HumanInTheLoopMiddleware, ModelCallLimitMiddleware
from langchain_core.language_models import BaseChatModel
from langchain_core.tools import BaseTool
from langgraph.checkpoint.base import BaseCheckpointSaver
from langgraph.graph.state import CompiledStateGraph

from prompts import load_prompt

WRITE_TOOL = "update_run_metadata"
MAX_MODEL_CALLS_PER_TURN = 12
"""A runaway model (calling tools in a loop) is stopped after this many calls in one turn."""


def build_agent(
    model: BaseChatModel,
    tools: Sequence[BaseTool],
    checkpointer: BaseCheckpointSaver[Any] | None,
    *,
    system_prompt: str | None = None,
) -> CompiledStateGraph[Any, Any, Any, Any]:
    """The agent graph; conversations are keyed by ``config["configurable"]["thread_id"]``."""
    approval = HumanInTheLoopMiddleware(
        interrupt_on={
            WRITE_TOOL: {
                "allowed_decisions": ["approve", "reject"],
                "description": _describe_for_approval,
            }
        },
        interrupt_mode="batched",
    )
    return create_agent(
        model,
        tools=list(tools),
        system_prompt=system_prompt if system_prompt is not None else load_prompt("system"),
        middleware=[approval, ModelCallLimitMiddleware(run_limit=MAX_MODEL_CALLS_PER_TURN)],
        checkpointer=checkpointer,
        name="extend_run_agent",
    )


def describe_write(args: Mapping[str, Any]) -> str:
    """A requested write in words, from the tool call's arguments alone (no I/O)."""
    run_id = args.get("run_id") or "(no run id)"
    pieces = []
    if args.get("name") is not None:
        pieces.append(f"rename it to “{args['name']}”")
    metadata = args.get("metadata")
    if isinstance(metadata, Mapping) and metadata:
        pieces.append("set " + ", ".join(f"{k} = {_plain(v)}" for k, v in metadata.items()))
    tags = args.get("add_tags")
    if isinstance(tags, list) and tags:
        pieces.append("add tags " + ", ".join(str(t) for t in tags))
    if not pieces:
        return f"Change {run_id} (no name, metadata or tags given)"
    text = "; ".join(pieces)
    return f"On {run_id}: {text[0].upper()}{text[1:]}"


def _describe_for_approval(tool_call: Mapping[str, Any], state: Any, runtime: Any) -> str:
    return describe_write(tool_call.get("args") or {})


def _plain(value: Any) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)
