"""``get_run`` and ``update_run_metadata`` for plain OpenAI function calling, no LangChain.

    from tools.faces.openai_functions import dispatch, tool_schemas
    run_tools = RunTools(ExtendClient(api_key="sk_..."))
    reply = openai.chat.completions.create(model=..., messages=messages, tools=tool_schemas())
    for call in reply.choices[0].message.tool_calls or []:
        text = dispatch(call.function.name, call.function.arguments, run_tools)
        messages.append({"role": "tool", "tool_call_id": call.id, "content": text})

``tool_schemas()`` gives Chat Completions tool definitions that satisfy strict mode
(``"strict": true``): every object lists all its properties as required, with
``additionalProperties: false``, and optional arguments are nullable. Strict mode
cannot express a free-form object (it would collapse to ``{}``), so ``metadata``
is a list of ``{"key": ..., "value": ...}`` items whose value is text, a number,
true/false or null. ``dispatch`` also accepts a plain object for ``metadata``
(what a non-strict model may send).

``dispatch`` never raises: an unknown tool, arguments that are not JSON or have
the wrong types, and Extend errors all come back as text starting ``Error:`` that
tells the model what to fix (argument errors in the same words as the other faces,
``tools.faces.tool_arguments``). Note that ``dispatch`` performs writes at once, and the
default tool description tells the model so: a loop that lets a model write should
show ``RunTools.preview_update(...).describe()`` to its user, ask before
dispatching ``update_run_metadata``, and pass ``tool_schemas(approval="human")``.
"""

from __future__ import annotations

import copy
import json
import logging
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from prompts import WriteApproval, tool_description
from tools.faces.run_tools import RunTools, ToolError
from tools.faces.tool_arguments import invalid_arguments_message
from tools.text.quoting import plain_or_quoted

__all__ = ["TOOL_NAMES", "dispatch", "tool_schemas"]

logger = logging.getLogger(__name__)

TOOL_NAMES = ("get_run", "update_run_metadata")

_NULLABLE_TEXT_LIST = {"type": ["array", "null"], "items": {"type": "string"}}
_PARAMETERS: dict[str, dict[str, Any]] = {
    "get_run": {
        "type": "object",
        "properties": {
            "run_id": {"type": "string", "description": "The run id, e.g. workflow_run_1234."},
            "fields": {
                **_NULLABLE_TEXT_LIST,
                "description": 'Only these extracted fields, e.g. ["total"]; null for all.',
            },
            "include_reasoning": {
                "type": ["boolean", "null"],
                "description": "true to also get the extraction model's reasoning per field.",
            },
        },
        "required": ["run_id", "fields", "include_reasoning"],
        "additionalProperties": False,
    },
    "update_run_metadata": {
        "type": "object",
        "properties": {
            "run_id": {"type": "string", "description": "The run id, e.g. workflow_run_1234."},
            "name": {
                "type": ["string", "null"],
                "description": "The new run name; null to keep it.",
            },
            "metadata": {
                "type": ["array", "null"],
                "description": (
                    'Metadata keys to set, e.g. [{"key": "vendor", "value": "ACME"}]; '
                    "other keys are kept. null for none."
                ),
                "items": {
                    "type": "object",
                    "properties": {
                        "key": {"type": "string", "description": "The metadata key."},
                        "value": {
                            "type": ["string", "number", "boolean", "null"],
                            "description": "The value to set.",
                        },
                    },
                    "required": ["key", "value"],
                    "additionalProperties": False,
                },
            },
            "add_tags": {
                **_NULLABLE_TEXT_LIST,
                "description": 'Labels to add to the run\'s tags, e.g. ["urgent"]; null for none.',
            },
        },
        "required": ["run_id", "name", "metadata", "add_tags"],
        "additionalProperties": False,
    },
}


def tool_schemas(*, strict: bool = True, approval: WriteApproval = "none") -> list[dict[str, Any]]:
    """The two tools as Chat Completions ``tools`` entries (fresh copies, safe to modify).

    ``approval`` is what ``update_run_metadata``'s description promises before a
    write: ``"none"`` (the default) because ``dispatch`` writes at once; pass
    ``"human"`` when your loop shows ``RunTools.preview_update(...).describe()`` and
    asks the user before dispatching each write.
    """
    return [
        {
            "type": "function",
            "function": {
                "name": name,
                "description": tool_description(name, approval=approval),
                "parameters": copy.deepcopy(_PARAMETERS[name]),
                "strict": strict,
            },
        }
        for name in TOOL_NAMES
    ]


_HINTS = {
    name: {arg: spec["description"] for arg, spec in parameters["properties"].items()}
    for name, parameters in _PARAMETERS.items()
}


class _GetRunCall(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    run_id: str
    fields: list[str] | None = None
    include_reasoning: bool | None = None


class _MetadataItem(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    key: str
    value: str | int | float | bool | None


class _UpdateCall(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    run_id: str
    name: str | None = None
    metadata: list[_MetadataItem] | None = None
    add_tags: list[str] | None = None

    @field_validator("metadata", mode="before")
    @classmethod
    def _object_to_items(cls, value: Any) -> Any:
        """A non-strict model may send ``{"vendor": "ACME"}``: read it as key/value items."""
        if isinstance(value, dict):
            return [{"key": key, "value": item} for key, item in value.items()]
        return value

    @field_validator("metadata")
    @classmethod
    def _unique_keys(cls, value: list[_MetadataItem] | None) -> list[_MetadataItem] | None:
        keys = [item.key for item in value or []]
        repeated = sorted({k for k in keys if keys.count(k) > 1})
        if repeated:
            raise ValueError(f"sets {', '.join(map(plain_or_quoted, repeated))} more than once")
        return value

    def metadata_dict(self) -> dict[str, Any] | None:
        return {item.key: item.value for item in self.metadata or []} or None


def dispatch(name: str, arguments_json: str, run_tools: RunTools) -> str:
    """Run one tool call and return the text for the ``tool`` message; never raises."""
    if name not in TOOL_NAMES:
        return f"Error: there is no tool named {name!r}. The tools are: {', '.join(TOOL_NAMES)}."
    try:
        arguments = json.loads(arguments_json or "{}")
    except (TypeError, ValueError):
        return f"Error: the arguments for {name} are not valid JSON. Send a JSON object."
    if not isinstance(arguments, dict):
        return f"Error: the arguments for {name} must be a JSON object."
    try:
        if name == "get_run":
            call = _GetRunCall.model_validate(arguments)
            output = run_tools.get_run(
                call.run_id, fields=call.fields, include_reasoning=bool(call.include_reasoning)
            )
        else:
            update = _UpdateCall.model_validate(arguments)
            output = run_tools.update_run_metadata(
                update.run_id,
                name=update.name,
                metadata=update.metadata_dict(),
                add_tags=update.add_tags,
            )
    except ValidationError as error:
        return f"Error: {invalid_arguments_message(name, error, _HINTS[name])}"
    except ToolError as error:
        return f"Error: {error.message}"
    except Exception:
        logger.exception("unexpected error in %s", name)
        return f"Error: {name} failed unexpectedly (details are in the server log). Try again."
    return output.text
