"""The tools' JSON schemas, derived from their pydantic argument models, never written by hand.

The arguments are defined once, in ``tools.faces.tool_arguments``; each face needs
them in its own JSON shape:

- ``input_schema(model)``: the model's JSON schema, as MCP publishes it (optional
  arguments may be left out).
- ``strict_schema(model)``: the shape OpenAI's strict mode (``"strict": true``)
  demands. Every object lists all its properties as required, with
  ``additionalProperties: false``; an argument that may be left out is nullable
  instead (null means "left out"); and a free-form object such as ``metadata``,
  which strict mode would collapse to ``{}``, becomes a list of
  ``{"key": ..., "value": ...}`` entries whose value has the object's value type.
- ``strict_arguments(model, sent)``: arguments sent in that shape, read back into
  ``model`` (a plain object is accepted where entries are expected, for models
  that do not use strict mode).

Both strict functions go through ``strict_call_model(model)``, a pydantic model
built from ``model`` field by field, so the schema a model is shown and the
validation its call meets are the same thing.
"""

from __future__ import annotations

import copy
import types
from collections.abc import Mapping
from functools import cache
from typing import Annotated, Any, TypeVar, Union, get_args, get_origin

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, create_model

from tools.text.quoting import plain_or_quoted

__all__ = ["input_schema", "strict_arguments", "strict_call_model", "strict_schema"]

ArgsT = TypeVar("ArgsT", bound=BaseModel)

ENTRIES_NOTE = ' Sent as a list of {"key": ..., "value": ...} entries, one per key.'
_SIMPLE_TYPES = ("string", "integer", "number", "boolean", "array", "object", "null")


def input_schema(model: type[BaseModel]) -> dict[str, Any]:
    """``model``'s JSON schema for an MCP tool's ``inputSchema`` (no title or description)."""
    schema = model.model_json_schema()
    schema.pop("title", None)
    schema.pop("description", None)
    return schema


def strict_schema(model: type[BaseModel]) -> dict[str, Any]:
    """``model``'s arguments as an OpenAI strict-mode parameters schema (a fresh copy)."""
    schema = strict_call_model(model).model_json_schema()
    definitions = schema.pop("$defs", {})
    schema.pop("description", None)
    return _strict(_inlined(schema, definitions))


def strict_arguments(model: type[ArgsT], sent: Mapping[str, Any]) -> ArgsT:
    """``sent`` (strict-mode shaped) as ``model``; raises pydantic's ``ValidationError``.

    A null argument counts as left out; a list of key/value entries becomes the
    object ``model`` expects.
    """
    call = strict_call_model(model).model_validate(sent)
    values: dict[str, Any] = {}
    for name in model.model_fields:
        value = getattr(call, name)
        if value is None:
            continue
        if _free_form_values(model.model_fields[name].annotation) is not None:
            value = {entry.key: entry.value for entry in value}
        values[name] = value
    return model.model_validate(values)


@cache
def strict_call_model(model: type[BaseModel]) -> type[BaseModel]:
    """``model`` as strict mode sends it: optional arguments nullable, objects as entries."""
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        annotation: Any = info.annotation
        description = info.description
        values = _free_form_values(annotation)
        if values is not None:
            annotation = Annotated[
                list[_entry_model(values)] | None,  # type: ignore[misc]
                BeforeValidator(_object_as_entries),
                AfterValidator(_unique_keys),
            ]
            description = (description or "") + ENTRIES_NOTE
        if info.is_required():
            fields[name] = (annotation, Field(description=description))
        else:
            fields[name] = (annotation | None, Field(default=None, description=description))
    return create_model(
        f"{model.__name__}Strict",
        __config__=ConfigDict(extra="forbid"),
        __doc__=model.__doc__,
        **fields,
    )


@cache
def _entry_model(values: Any) -> type[BaseModel]:
    """One key and its value, the value typed like the free-form object's values."""
    return create_model(
        "Entry",
        __config__=ConfigDict(extra="forbid"),
        key=(str, Field(description="The key.")),
        value=(values, Field(description="Its value.")),
    )


def _free_form_values(annotation: Any) -> Any | None:
    """The value type of ``dict[str, V]`` (also inside ``| None``); None for anything else."""
    if get_origin(annotation) in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        if len(members) != 1:
            return None
        annotation = members[0]
    if get_origin(annotation) is dict:
        return get_args(annotation)[1]
    return None


def _object_as_entries(value: Any) -> Any:
    """A model not in strict mode may send ``{"vendor": "ACME"}``: read it as entries."""
    if isinstance(value, dict):
        return [{"key": key, "value": item} for key, item in value.items()]
    return value


def _unique_keys(entries: list[Any] | None) -> list[Any] | None:
    keys = [entry.key for entry in entries or []]
    repeated = sorted({key for key in keys if keys.count(key) > 1})
    if repeated:
        raise ValueError(f"sets {', '.join(map(plain_or_quoted, repeated))} more than once")
    return entries


def _inlined(node: Any, definitions: Mapping[str, Any]) -> Any:
    """``node`` with every ``{"$ref": "#/$defs/X"}`` replaced by a copy of ``X``."""
    if isinstance(node, list):
        return [_inlined(item, definitions) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        target = copy.deepcopy(definitions[node["$ref"].rsplit("/", 1)[-1]])
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return {key: _inlined(value, definitions) for key, value in node.items()}


def _strict(schema: dict[str, Any]) -> dict[str, Any]:
    """One schema node in strict form: no titles or defaults, objects closed, unions as types."""
    node = {k: v for k, v in schema.items() if k not in ("title", "default")}
    if "anyOf" in node:
        node = _collapsed({**node, "anyOf": [_strict(member) for member in node["anyOf"]]})
    if isinstance(node.get("items"), dict):
        node["items"] = _strict(node["items"])
    if "properties" in node:
        node["properties"] = {name: _strict(prop) for name, prop in node["properties"].items()}
        node["required"] = list(node["properties"])
        node["additionalProperties"] = False
    return node


def _collapsed(node: dict[str, Any]) -> dict[str, Any]:
    """``anyOf`` of plain types as one ``type`` list: ``{"type": ["array", "null"], "items": ...}``.

    Left as ``anyOf`` when two members carry other keywords (nothing to merge them into).
    ``integer`` is dropped beside ``number``, which includes it.
    """
    members = node["anyOf"]
    if not all(isinstance(m.get("type"), str) and m["type"] in _SIMPLE_TYPES for m in members):
        return node
    extras = [{k: v for k, v in m.items() if k != "type"} for m in members]
    if sum(1 for extra in extras if extra) > 1:
        return node
    names = list(dict.fromkeys(m["type"] for m in members))
    if "number" in names and "integer" in names:
        names.remove("integer")
    merged = {k: v for k, v in node.items() if k != "anyOf"}
    for extra in extras:
        merged.update(extra)
    return {"type": names, **merged}
