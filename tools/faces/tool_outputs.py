"""What the tools return as data, beside their text: pydantic models and their JSON schemas.

A face that carries structured results (MCP ``structuredContent`` with an
``outputSchema``; the LangChain artifact) publishes these shapes, so a host can
render or check a result without parsing the text:

- ``get_run``: the normalized run (``tools.runs.models.Run``, without ``raw``);
- ``update_run_metadata``: a ``WriteOutcome``, saying whether the change was
  written, is waiting for confirmation, or was declined or cancelled, with the
  change (``RunChange``, before -> after) and, once written, the run;
- ``find_runs``: ``FoundRuns``, the matching runs as a list shows them;
- ``show_citation``: ``CitationShown``, what each image shows (field, value, page,
  alt text, size); the PNGs themselves travel as image content or in the artifact.

``OUTPUT_MODELS`` maps each tool name to its model (a tool added later adds a
row); ``output_schema(model)`` is the schema to advertise and ``structured(value)``
the matching JSON value, both leaving out ``raw`` (Extend's unmodified JSON,
large and untyped) wherever a run carries it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from tools.faces.run_change import RunChange
from tools.faces.tool_names import FIND_RUNS, GET_RUN, SHOW_CITATION, UPDATE_RUN_METADATA
from tools.runs.listing import RunListItem
from tools.runs.models import Run

__all__ = [
    "OUTPUT_MODELS",
    "CitationShown",
    "FoundRuns",
    "ShownPage",
    "WriteOutcome",
    "WriteStatus",
    "output_schema",
    "structured",
]

WriteStatus = Literal["updated", "confirmation_required", "declined", "cancelled"]
_HIDDEN = "raw"


class WriteOutcome(BaseModel):
    """The result of a write tool call: what happened, the change, and the run afterwards."""

    status: WriteStatus = Field(
        description="updated: written to Extend. confirmation_required: nothing written yet; "
        "show the change and call again with confirmation_token once the user approves. "
        "declined / cancelled: the user said no or dismissed the question; nothing written."
    )
    written: bool = Field(description="Whether Extend was changed by this call.")
    run_id: str
    change: RunChange = Field(description="The change, before -> after, per touched item.")
    run: Run | None = Field(default=None, description="The run as Extend holds it after a write.")
    confirmation_token: str | None = Field(
        default=None,
        description="With confirmation_required: pass it back, with the same arguments, to "
        "write exactly this change. Single use.",
    )
    expires_in_seconds: int | None = Field(
        default=None, description="How long confirmation_token stays valid."
    )


class FoundRuns(BaseModel):
    """The result of ``find_runs``: the matching runs, as many as the text lists."""

    runs: list[RunListItem] = Field(default_factory=list)


class ShownPage(BaseModel):
    """One image of ``show_citation``: the page it shows and how it reads to a screen reader."""

    file_id: str
    page: int
    width: int = Field(description="Pixels.")
    height: int = Field(description="Pixels.")
    alt_text: str = Field(description="Field, value, page and the quoted text it was read from.")


class CitationShown(BaseModel):
    """The result of ``show_citation``: which field was drawn, its value, and each image."""

    run_id: str
    field: str
    value: str = Field(description="The value as shown (document text quoted).")
    before_review: bool = Field(description="The images show the value before a reviewer's change.")
    whole_page: bool
    images: list[ShownPage] = Field(description="In the order of the image content blocks.")


OUTPUT_MODELS: dict[str, type[BaseModel]] = {
    GET_RUN: Run,
    UPDATE_RUN_METADATA: WriteOutcome,
    FIND_RUNS: FoundRuns,
    SHOW_CITATION: CitationShown,
}
"""Each tool's structured result model, by tool name."""


def output_schema(model: type[BaseModel]) -> dict[str, Any]:
    """``model``'s JSON schema as sent (serialization mode), without ``Run.raw``."""
    schema = model.model_json_schema(mode="serialization")
    for node in [schema, *schema.get("$defs", {}).values()]:
        if node.get("title") in _CARRY_RAW:
            node.get("properties", {}).pop(_HIDDEN, None)
    return schema


def structured(value: BaseModel) -> dict[str, Any]:
    """``value`` as the JSON object ``output_schema`` describes (``raw`` left out)."""
    return _without_raw(value.model_dump(mode="json", round_trip=False), type(value))


_CARRY_RAW = frozenset({Run.__name__, RunListItem.__name__})


def _without_raw(data: Any, model: Any) -> Any:
    """``data`` (a dump of ``model``) with ``raw`` dropped from every run in it."""
    if isinstance(data, list):
        return [_without_raw(item, model) for item in data]
    if not isinstance(data, dict) or not isinstance(model, type):
        return data
    if model.__name__ in _CARRY_RAW:
        return {k: v for k, v in data.items() if k != _HIDDEN}
    if not issubclass(model, BaseModel):
        return data
    fields = {name: _run_model(info.annotation) for name, info in model.model_fields.items()}
    return {k: _without_raw(v, fields[k]) if fields.get(k) else v for k, v in data.items()}


def _run_model(annotation: Any) -> type[BaseModel] | None:
    """The run model inside ``annotation`` (``Run | None``, ``list[RunListItem]``), if any."""
    for candidate in (annotation, *getattr(annotation, "__args__", ())):
        if isinstance(candidate, type) and candidate.__name__ in _CARRY_RAW:
            return candidate
    return None
