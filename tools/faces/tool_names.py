"""The tools' names, spelled once here: every face, the agent and the offline model import them.

The names are public API (README, "The tools in your own agent"): a host's
approval gate or an integrator's dispatcher keys on them, so a rename here is a
breaking change. ``WRITE_TOOLS`` says which tools change a run: their
descriptions promise what happens before a write (``prompts.tool_description``)
and the agent pauses them for a person's yes.
"""

from __future__ import annotations

from typing import Final

from prompts import WriteApproval, tool_description

__all__ = [
    "FIND_RUNS",
    "GET_RUN",
    "SHOW_CITATION",
    "TOOL_NAMES",
    "UPDATE_RUN_METADATA",
    "WRITE_TOOLS",
    "describe_tool",
]

GET_RUN: Final = "get_run"
UPDATE_RUN_METADATA: Final = "update_run_metadata"
FIND_RUNS: Final = "find_runs"
SHOW_CITATION: Final = "show_citation"

TOOL_NAMES: Final = (GET_RUN, UPDATE_RUN_METADATA, FIND_RUNS, SHOW_CITATION)
"""Every tool, in the order the faces list them."""

WRITE_TOOLS: Final = frozenset({UPDATE_RUN_METADATA})


def describe_tool(name: str, *, approval: WriteApproval) -> str:
    """The description of tool ``name`` on a face whose writes go through ``approval``."""
    return tool_description(name, writes=name in WRITE_TOOLS, approval=approval)
