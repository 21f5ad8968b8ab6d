"""The tools' arguments as pydantic models, and one wording for arguments that don't fit.

``GetRunArgs``, ``UpdateRunMetadataArgs``, ``FindRunsArgs`` and ``ShowCitationArgs`` are
the tools' arguments, defined once here (``TOOL_ARGUMENTS`` maps each tool name to its
model). Every face publishes and validates against them: LangChain takes them as
``args_schema``, and the MCP input schema and the OpenAI strict-mode schema are derived
from them (``tools.faces.tool_schemas``), so an argument added here shows up everywhere.

When a model sends arguments that don't fit, pydantic's error is written for
programmers: several lines, one per member of a union (``str``, ``int``, ...), a
documentation URL. ``invalid_arguments_message`` turns it into one line that says
which argument is wrong and what to send instead, and every face uses it:

    Invalid arguments for get_run: run_id must be text (the run id, e.g.
    workflow_run_1234). Fix them and call get_run again.

The values that were sent are never repeated (they may be long or hostile);
argument and key names are, quoted when they are not simple identifiers.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tools.faces.tool_names import FIND_RUNS, GET_RUN, SHOW_CITATION, UPDATE_RUN_METADATA
from tools.text.quoting import plain_or_quoted

__all__ = [
    "TOOL_ARGUMENTS",
    "FindRunsArgs",
    "GetRunArgs",
    "MetadataValue",
    "ShowCitationArgs",
    "UpdateRunMetadataArgs",
    "argument_hints",
    "invalid_arguments_message",
]

MetadataValue = str | int | float | bool | None
RUN_ID_HINT = "The run id, e.g. workflow_run_1234."
MAX_PROBLEMS = 5


class GetRunArgs(BaseModel):
    """Arguments of ``get_run``."""

    model_config = ConfigDict(extra="forbid")

    run_id: str = Field(description=RUN_ID_HINT)
    fields: list[str] | None = Field(
        default=None,
        description='Only these extracted fields, e.g. ["total", "due_date"]; null or left out '
        "for all.",
    )
    include_reasoning: bool = Field(
        default=False, description="Also return the extraction model's reasoning per field."
    )


class UpdateRunMetadataArgs(BaseModel):
    """Arguments of ``update_run_metadata``."""

    model_config = ConfigDict(extra="forbid")

    run_id: str = Field(description=RUN_ID_HINT)
    name: str | None = Field(
        default=None, description="The new run name; null or left out to keep it."
    )
    metadata: dict[str, MetadataValue] | None = Field(
        default=None,
        description='Metadata keys to set, e.g. {"vendor": "ACME"}; other keys are kept.',
    )
    add_tags: list[str] | None = Field(
        default=None, description='Labels to add to the run\'s tags, e.g. ["urgent"].'
    )
    remove_tags: list[str] | None = Field(
        default=None,
        description='Labels to take out of the run\'s tags, e.g. ["urgent"]; only ones it has.',
    )


class FindRunsArgs(BaseModel):
    """Arguments of ``find_runs``; every filter is optional and all given ones must match."""

    model_config = ConfigDict(extra="forbid")

    reference: str | None = Field(
        default=None,
        description="One run as the user named it: the end of its id, a dashboard link, a "
        "file name, a run name, a vendor or an invoice number. Gives that run in full, or "
        "the candidates to ask about, or says nothing matched; use alone.",
    )
    status: str | None = Field(
        default=None,
        description="NEEDS_REVIEW, FAILED, PROCESSED, REJECTED, PENDING, PROCESSING, "
        "CANCELLED, or IN_PROGRESS for runs still running.",
    )
    workflow: str | None = Field(
        default=None, description="A workflow id (workflow_...) or part of its name."
    )
    file_name: str | None = Field(default=None, description="Part of a file name.")
    text: str | None = Field(
        default=None,
        description="Words to find in run ids, names, file names and, for recent runs, "
        'extracted values such as a vendor or invoice number, e.g. "Bluebird" or "INV-58213".',
    )
    tag: str | None = Field(default=None, description='Runs tagged this, e.g. "urgent".')
    metadata_key: str | None = Field(
        default=None, description='Runs whose metadata has this key, e.g. "vendor_id".'
    )
    metadata_value: str | None = Field(
        default=None, description="With metadata_key: the value that key must have."
    )
    created_after: str | None = Field(default=None, description="A date, e.g. 2024-09-01.")
    created_before: str | None = Field(default=None, description="A date, e.g. 2024-10-01.")
    updated_after: str | None = Field(default=None, description="A date, e.g. 2024-09-01.")
    updated_before: str | None = Field(default=None, description="A date, e.g. 2024-10-01.")
    max_pages: int | None = Field(
        default=None, description="List at most this many pages of 100 runs (default 5)."
    )


class ShowCitationArgs(BaseModel):
    """Arguments of ``show_citation``."""

    model_config = ConfigDict(extra="forbid")

    run_id: str = Field(description=RUN_ID_HINT)
    field: str = Field(
        description='The field to show, as named in the run, e.g. "amount" or '
        '"line_items[0].amount"; close spellings match.'
    )
    whole_page: bool = Field(
        default=False,
        description="Show the whole page as a thumbnail with the box drawn, not a close crop.",
    )
    before_review: bool = Field(
        default=False,
        description="Show where the value before a reviewer's change was read.",
    )


TOOL_ARGUMENTS: dict[str, type[BaseModel]] = {
    GET_RUN: GetRunArgs,
    UPDATE_RUN_METADATA: UpdateRunMetadataArgs,
    FIND_RUNS: FindRunsArgs,
    SHOW_CITATION: ShowCitationArgs,
}
"""Each tool's argument model, by tool name."""


def argument_hints(model: type[BaseModel]) -> dict[str, str]:
    """Each argument's description, by name: what ``invalid_arguments_message`` suggests."""
    return {name: f.description for name, f in model.model_fields.items() if f.description}


def invalid_arguments_message(
    tool: str, error: ValidationError, hints: Mapping[str, str] | None = None
) -> str:
    """One line naming each wrong argument and what to send (``hints``: argument -> advice)."""
    hints = hints or {}
    found: dict[tuple[Any, ...], list[dict[str, Any]]] = {}
    for item in error.errors(include_url=False):
        found.setdefault(_location(item), []).append(dict(item))
    problems = [_problem(tool, loc, items, hints) for loc, items in found.items()]
    if len(problems) > MAX_PROBLEMS:
        problems = [*problems[:MAX_PROBLEMS], f"and {len(problems) - MAX_PROBLEMS} more"]
    listed = "; ".join(problems) or "they do not match the tool's schema"
    return f"Invalid arguments for {tool}: {listed}. Fix them and call {tool} again."


# What each pydantic type error expects, in words.
_EXPECTED = {
    "string_type": "text",
    "int_type": "a whole number",
    "int_parsing": "a whole number",
    "int_from_float": "a whole number",
    "float_type": "a number",
    "float_parsing": "a number",
    "bool_type": "true/false",
    "bool_parsing": "true/false",
    "none_required": "null",
    "list_type": "a list",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
}
# Location segments pydantic adds for the members of a union (``str | int | ...``).
_UNION_MEMBERS = frozenset({"str", "int", "float", "bool", "none", "list", "dict"})


def _location(item: Mapping[str, Any]) -> tuple[Any, ...]:
    """The error's location without the union member pydantic appends (``metadata.a.str``)."""
    loc = tuple(item.get("loc", ()))
    member = loc[-1] if len(loc) > 1 and isinstance(loc[-1], str) else ""
    if item.get("type") in _EXPECTED and (member in _UNION_MEMBERS or "[" in member):
        return loc[:-1]
    return loc


def _where(loc: tuple[Any, ...]) -> str:
    text = ""
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += ("." if text else "") + plain_or_quoted(str(part))
    return text or "the arguments"


def _problem(
    tool: str, loc: tuple[Any, ...], items: list[dict[str, Any]], hints: Mapping[str, str]
) -> str:
    types = [str(item.get("type")) for item in items]
    if "missing" in types:
        problem = "is required"
    elif "extra_forbidden" in types:
        known = ", ".join(hints)
        problem = f"is not an argument of {tool}" if len(loc) == 1 else "is not allowed here"
        if len(loc) == 1 and known:
            problem += f" (its arguments: {known})"
        return f"{_where(loc)} {problem}"
    elif all(t in _EXPECTED for t in types):
        expected = list(dict.fromkeys(_EXPECTED[t] for t in types))
        if "a number" in expected and "a whole number" in expected:
            expected.remove("a whole number")
        problem = "must be " + _one_of(expected)
    else:
        message = " ".join(str(items[0].get("msg", "is not valid")).split())
        message = message.removeprefix("Value error, ")
        problem = message[:1].lower() + message[1:]
    hint = hints.get(str(loc[0])) if len(loc) == 1 and loc else None
    if hint:
        problem += f" ({hint[:1].lower()}{hint[1:].rstrip('.')})"
    return f"{_where(loc)} {problem}"


def _one_of(options: list[str]) -> str:
    return options[0] if len(options) == 1 else f"{', '.join(options[:-1])} or {options[-1]}"
