"""Tool arguments over MCP: taken from the client untouched, then checked against our models.

The SDK would validate arguments against each tool function's signature and answer
a wrong type with pydantic's multi-line dump (union members, a documentation URL).
Instead each MCP tool takes pass-through parameters (``SentText``, ``SentValue``),
publishes the input schema of its pydantic model, and checks the arguments with
``validated``, so a bad argument reads like on every other face:
``Invalid arguments for get_run: run_id must be text (...)``.
"""

from __future__ import annotations

from typing import Annotated, Any, TypeVar

from mcp.server.mcpserver.exceptions import ToolError as MCPToolError
from pydantic import BaseModel, PlainValidator
from pydantic import ValidationError as PydanticValidationError

from tools.faces.tool_arguments import argument_hints, invalid_arguments_message

__all__ = ["LEFT_OUT", "SentText", "SentValue", "validated"]

ArgsT = TypeVar("ArgsT", bound=BaseModel)

SentText = Annotated[str, PlainValidator(lambda value: value)]
"""A text argument, untouched. Annotated ``str`` so the SDK does not JSON-decode it (a name
such as '["draft"]' stays text)."""
SentValue = Annotated[Any, PlainValidator(lambda value: value)]
"""Any other argument, untouched (lists and objects may arrive JSON-encoded; the SDK decodes)."""
LEFT_OUT: Any = None
"""What the SDK passes for an argument the client left out (``Any``: a ``SentText`` default)."""


def validated(model: type[ArgsT], tool: str, sent: dict[str, Any]) -> ArgsT:
    """The arguments checked against ``model``; a one-line tool error when they don't fit."""
    try:
        return model.model_validate({k: v for k, v in sent.items() if v is not None})
    except PydanticValidationError as error:
        message = invalid_arguments_message(tool, error, argument_hints(model))
        raise MCPToolError(message) from None
