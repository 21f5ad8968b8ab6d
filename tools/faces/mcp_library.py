"""What the MCP server offers besides tools: runs as resources, and two ready-made prompts.

Resources let a host attach a run to a conversation without a tool call:

- ``extend://runs/{run_id}``: the run summarized (the text ``get_run`` returns);
- ``extend://runs/{run_id}/json``: the normalized run as JSON (``Run`` without ``raw``).

Prompts are product text in ``prompts/`` (``mcp_prompt_*.txt``):

- ``summarize_run(run_id)``: summarize one run from ``get_run``'s result;
- ``triage_review(workflow?, limit?)``: rank the runs waiting for review.

A run id is checked before Extend is asked; a run that can't be read is a resource
error whose message says which run and why (never a traceback).
"""

from __future__ import annotations

import json

import anyio.to_thread
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ResourceNotFoundError
from mcp.shared.exceptions import MCPError
from mcp.types import INVALID_PARAMS

from prompts import load_prompt
from tools.client.errors import ExtendError, NotFoundError
from tools.client.validation import validate_run_id
from tools.faces.run_tools import RunTools
from tools.faces.tool_errors import ToolError
from tools.faces.tool_outputs import structured
from tools.text.quoting import plain_or_quoted

__all__ = ["MAX_TRIAGE", "RUN_JSON_URI", "RUN_URI", "add_prompts", "add_run_resources"]

RUN_URI = "extend://runs/{run_id}"
RUN_JSON_URI = "extend://runs/{run_id}/json"
MAX_TRIAGE = 50


def add_run_resources(server: MCPServer, run_tools: RunTools) -> None:
    """Serve each run as ``extend://runs/{run_id}`` (summary) and ``.../json`` (the run)."""

    @server.resource(
        RUN_URI,
        name="run_summary",
        title="Extend workflow run (summary)",
        description="A workflow run summarized: status, workflow, files, reviewer, and each "
        "field with its value, page, reference text and confidence.",
        mime_type="text/plain",
    )
    async def run_summary(run_id: str) -> str:
        return await anyio.to_thread.run_sync(lambda: _summary(run_tools, run_id))

    @server.resource(
        RUN_JSON_URI,
        name="run_json",
        title="Extend workflow run (JSON)",
        description="A workflow run as normalized JSON (the same for both Extend API versions).",
        mime_type="application/json",
    )
    async def run_json(run_id: str) -> str:
        return await anyio.to_thread.run_sync(lambda: _json(run_tools, run_id))


def add_prompts(server: MCPServer) -> None:
    """Offer the ``summarize_run`` and ``triage_review`` prompts."""

    @server.prompt(
        name="summarize_run",
        title="Summarize a workflow run",
        description="Summarize one Extend workflow run: values with pages, low confidence, "
        "reviewer changes.",
    )
    def summarize_run(run_id: str) -> str:
        try:
            checked = validate_run_id(run_id)
        except ExtendError as error:
            raise _bad_argument(error.message) from None
        return load_prompt("mcp_prompt_summarize_run").replace("{run_id}", checked)

    @server.prompt(
        name="triage_review",
        title="Triage runs needing review",
        description="Find the runs waiting for human review and rank them, most urgent first.",
    )
    def triage_review(workflow: str = "", limit: str = "10") -> str:
        count = int(limit) if limit.strip().isdigit() else 0
        if not 1 <= count <= MAX_TRIAGE:
            raise _bad_argument(f"limit must be a whole number from 1 to {MAX_TRIAGE}.")
        workflow = " ".join(workflow.split())
        scope = f" in the workflow {plain_or_quoted(workflow)}" if workflow else ""
        text = load_prompt("mcp_prompt_triage_review")
        return text.replace("{scope}", scope).replace("{limit}", str(count))


def _bad_argument(message: str) -> MCPError:
    """A prompt argument that doesn't fit: the client sees ``message`` (the SDK hides others)."""
    return MCPError(code=INVALID_PARAMS, message=message)


def _summary(run_tools: RunTools, run_id: str) -> str:
    try:
        return run_tools.get_run(run_id).text
    except ToolError as error:
        raise _resource_error(error) from None


def _json(run_tools: RunTools, run_id: str) -> str:
    try:
        run = run_tools.get_run(run_id).run
    except ToolError as error:
        raise _resource_error(error) from None
    return json.dumps(structured(run), ensure_ascii=False, indent=2)


def _resource_error(error: ToolError) -> ResourceError:
    if isinstance(error.cause, NotFoundError):
        return ResourceNotFoundError(error.message)
    return ResourceError(error.message)
