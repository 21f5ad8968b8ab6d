"""The run tools (``get_run``, ``find_runs``, ``show_citation``...) for OpenAI function calling.

    from tools.faces.openai_functions import dispatch, tool_schemas
    run_tools = RunTools(ExtendClient(api_key="sk_..."))
    reply = openai.chat.completions.create(model=..., messages=messages, tools=tool_schemas())
    for call in reply.choices[0].message.tool_calls or []:
        text = dispatch(call.function.name, call.function.arguments, run_tools)
        messages.append({"role": "tool", "tool_call_id": call.id, "content": text})

``tool_schemas()`` gives Chat Completions tool definitions that satisfy strict mode
(``"strict": true``), derived from the tools' pydantic argument models
(``tools.faces.tool_schemas.strict_schema``): every object lists all its properties
as required, with ``additionalProperties: false``, and optional arguments are
nullable. Strict mode cannot express a free-form object (it would collapse to
``{}``), so ``metadata`` is a list of ``{"key": ..., "value": ...}`` entries whose
value is text, a number, true/false or null. ``dispatch`` also accepts a plain
object for ``metadata`` (what a non-strict model may send).

``dispatch`` never raises: an unknown tool, arguments that are not JSON or have
the wrong types, and Extend errors all come back as text starting ``Error:`` that
tells the model what to fix (argument errors in the same words as the other faces,
``tools.faces.tool_arguments``).

``dispatch`` never writes on a model's say-so alone: a write is done only when the
caller passes ``approve``, a function that is shown the exact change (a
``RunChange``: ``describe()`` and ``before_after_lines()``) and returns True once
the user said yes. Without it, or when it returns False, nothing is written and
the tool message says so (with the change that was proposed)::

    def approve(change):
        return input(f"{change.describe()}? [y/N] ").strip().lower() == "y"

    text = dispatch(call.function.name, call.function.arguments, run_tools, approve=approve)

With ``read_only=True`` or ``EXTEND_AGENT_READ_ONLY=1`` the writing tools are left out
of ``tool_schemas()`` and refused by ``dispatch``.

A tool message is text, so ``show_citation`` here returns its line (field, value,
page) and says that the image is not included and how to get it
(``extend-agent runs cite``; the MCP and LangChain faces return the image itself).
"""

from __future__ import annotations

import json
import logging
import shlex
from collections.abc import Callable
from typing import Any

from pydantic import ValidationError

from prompts import WriteApproval
from tools.faces.find_runs import FindOutput
from tools.faces.read_only import READ_ONLY_MESSAGE, served_tool_names
from tools.faces.run_change import RunChange
from tools.faces.run_tools import RunTools, ToolOutput
from tools.faces.tool_arguments import (
    TOOL_ARGUMENTS,
    FindRunsArgs,
    GetRunArgs,
    ShowCitationArgs,
    UpdateRunMetadataArgs,
    argument_hints,
    invalid_arguments_message,
)
from tools.faces.tool_errors import ToolError
from tools.faces.tool_names import FIND_RUNS, GET_RUN, SHOW_CITATION, TOOL_NAMES, describe_tool
from tools.faces.tool_schemas import strict_arguments, strict_schema

__all__ = ["ApproveChange", "dispatch", "no_image_note", "tool_schemas"]

logger = logging.getLogger(__name__)


def tool_schemas(
    *, strict: bool = True, approval: WriteApproval = "human", read_only: bool | None = None
) -> list[dict[str, Any]]:
    """The tools as Chat Completions ``tools`` entries (fresh copies, safe to modify).

    ``approval`` is what ``update_run_metadata``'s description promises before a
    write: ``"human"`` (the default) because ``dispatch`` writes only after its
    ``approve`` callback says yes. ``read_only`` (default: ``EXTEND_AGENT_READ_ONLY``)
    leaves the writing tools out.
    """
    return [
        {
            "type": "function",
            "function": {
                "name": name,
                "description": describe_tool(name, approval=approval),
                "parameters": strict_schema(TOOL_ARGUMENTS[name]),
                "strict": strict,
            },
        }
        for name in served_tool_names(read_only)
    ]


ApproveChange = Callable[[RunChange], bool]
"""Shown the exact change a write would make; True only when the user approved it."""


def dispatch(
    name: str,
    arguments_json: str,
    run_tools: RunTools,
    *,
    approve: ApproveChange | None = None,
    read_only: bool | None = None,
) -> str:
    """Run one tool call and return the text for the ``tool`` message; never raises.

    A write happens only when ``approve`` (the caller's, asking the user) returns True
    for the change it is shown; ``read_only`` (default: ``EXTEND_AGENT_READ_ONLY``)
    refuses writes outright.
    """
    if name not in TOOL_NAMES:
        return f"Error: there is no tool named {name!r}. The tools are: {', '.join(TOOL_NAMES)}."
    try:
        served = served_tool_names(read_only)
    except ValueError as error:
        return f"Error: {error}"
    if name not in served:
        return f"Error: {name} is not available: {READ_ONLY_MESSAGE} Nothing was changed."
    try:
        arguments = json.loads(arguments_json or "{}")
    except (TypeError, ValueError):
        return f"Error: the arguments for {name} are not valid JSON. Send a JSON object."
    if not isinstance(arguments, dict):
        return f"Error: the arguments for {name} must be a JSON object."
    try:
        output = _call(name, arguments, run_tools, approve)
    except ValidationError as error:
        hints = argument_hints(TOOL_ARGUMENTS[name])
        return f"Error: {invalid_arguments_message(name, error, hints)}"
    except ToolError as error:
        return f"Error: {error.message}"
    except Exception:
        logger.exception("unexpected error in %s", name)
        return f"Error: {name} failed unexpectedly (details are in the server log). Try again."
    return output if isinstance(output, str) else output.text


def no_image_note(run_id: str, field: str, whole_page: bool) -> str:
    """What ``show_citation`` says on this face, which carries text only: where to get the image."""
    command = shlex.join(["extend-agent", "runs", "cite", run_id, field])
    return (
        "(The image is not included: this tool connection returns text only. "
        f"`{command}{' --page' if whole_page else ''}` writes it as a PNG; the MCP server and "
        "the LangChain tools return it as an image.)"
    )


def _call(
    name: str, arguments: dict[str, Any], run_tools: RunTools, approve: ApproveChange | None
) -> ToolOutput | FindOutput | str:
    if name == FIND_RUNS:
        find = strict_arguments(FindRunsArgs, arguments)
        return run_tools.find_runs(**find.model_dump(exclude_none=True))
    if name == SHOW_CITATION:
        cite = strict_arguments(ShowCitationArgs, arguments)
        shown = run_tools.show_citation(
            cite.run_id, cite.field, whole_page=cite.whole_page, before_review=cite.before_review
        )
        return shown.text + " " + no_image_note(shown.run.id, shown.images.field, cite.whole_page)
    if name == GET_RUN:
        read = strict_arguments(GetRunArgs, arguments)
        return run_tools.get_run(
            read.run_id, fields=read.fields, include_reasoning=read.include_reasoning
        )
    update = strict_arguments(UpdateRunMetadataArgs, arguments)
    change = run_tools.preview_update(
        update.run_id,
        name=update.name,
        metadata=update.metadata or None,
        add_tags=update.add_tags,
        remove_tags=update.remove_tags,
    )
    if approve is None:
        return (
            f"Not written: this application has not enabled writes (dispatch was given no "
            f"approve callback). The change would have been: {change.describe()}. Tell the "
            "user it was not made."
        )
    if not approve(change):
        return (
            f"Not written: the user rejected the change ({change.describe()}). Run "
            f"{change.run_id} is unchanged; do not try again unless the user asks."
        )
    return run_tools.update_run_metadata(
        update.run_id,
        name=update.name,
        metadata=update.metadata or None,
        add_tags=update.add_tags,
        remove_tags=update.remove_tags,
        approved=change,
    )
