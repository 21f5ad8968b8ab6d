"""Read an extraction output, in either shape Extend writes, into field dicts for ``Run``.

Two shapes exist in both API versions (the ``extend-ai`` SDK's ``ExtractOutput``):

- JSON: ``{value: {...}, metadata: {<path>: {citations, insights, ocrConfidence,
  logprobsConfidence, reviewAgentScore}}}``;
- the legacy "fields-array" output of runs made with a legacy processor config:
  ``{<field>: {id, type, value, confidence, insights?, references: [{page,
  boundingBoxes: [{top, left, bottom, right}]}]}}``.

Anything else is an output shape this code does not know: ``output_shape`` says
"unknown" and the output stays on ``Run.raw``, rather than a run that silently
has no fields. Outputs are the bulk of a run, so they are read straight from the
JSON into plain dicts and type-checked once, by the ``Run`` validation.
"""

from __future__ import annotations

import re
from typing import Any

from tools.runs.models import OutputShape

_MISSING = object()
_PATH_ROOT = re.compile(r"^([^.\[]+)")


def output_shape(output: Any) -> OutputShape | None:
    """Which extraction shape ``output`` is; None when there is no output."""
    if output is None:
        return None
    if not isinstance(output, dict):
        return "unknown"
    if output and all(_is_field_result(v) for v in output.values()):
        return "fields_array"
    if set(output) <= {"value", "metadata"} or ("value" in output and "metadata" in output):
        return "json"  # (an empty output is one with no fields, nothing unknown about it)
    return "unknown"


def _is_field_result(entry: Any) -> bool:
    return isinstance(entry, dict) and "value" in entry and "references" in entry


def extract_fields(final: Any, initial: Any, edits: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The fields of an extraction output, with reviewer changes and edit notes."""
    shape = output_shape(final)
    if shape == "fields_array":
        fields = _fields_array_fields(final, initial)
    elif shape == "json":
        fields = _json_fields(final, initial)
    else:
        return []
    notes = _edit_notes(edits)
    for field in fields:
        field["edit_note"] = notes.get(field["name"])
    return fields


def _edit_notes(edits: dict[str, Any] | None) -> dict[str, str]:
    """``edits[<field or path>].notes`` by top-level field (several paths' notes joined)."""
    notes: dict[str, list[str]] = {}
    for path, edit in (edits or {}).items():
        if isinstance(edit, dict) and isinstance(edit.get("notes"), str) and edit["notes"]:
            notes.setdefault(field_root(path), []).append(edit["notes"])
    return {name: " / ".join(texts) for name, texts in notes.items()}


# -- legacy fields-array ------------------------------------------------------------


def _fields_array_fields(final: dict[str, Any], initial: Any) -> list[dict[str, Any]]:
    before: dict[str, Any] = {}
    if output_shape(initial) == "fields_array" and initial != final:
        before = initial
    fields = []
    for name, entry in final.items():
        old = before.get(name, _MISSING)
        old_value = old.get("value") if isinstance(old, dict) else _MISSING
        edited = old_value is not _MISSING and old_value != entry.get("value")
        fields.append(
            {
                "name": name,
                "value": entry.get("value"),
                "field_type": entry.get("type"),
                "initial_value": old_value if edited else None,
                "edited": edited,
                "field_confidence": entry.get("confidence"),
                "reasoning": _insights(_sequence(entry.get("insights"), "insights")),
                "citations": _references(entry.get("references")),
                "initial_citations": _references(old.get("references")) if edited else [],
            }
        )
    return fields


def _references(references: Any) -> list[dict[str, Any]]:
    """Fields-array references -> citations: one per bounding box (a box becomes a polygon)."""
    citations = []
    for ref in _sequence(references, "references"):
        ref = _mapping(ref, "reference")
        page = ref.get("page")
        page = int(page) if isinstance(page, float) and page.is_integer() else page
        boxes = [b for b in _sequence(ref.get("boundingBoxes"), "boundingBoxes") if b]
        for box in boxes or [None]:
            polygon = []
            if isinstance(box, dict):
                top, left = box.get("top"), box.get("left")
                bottom, right = box.get("bottom"), box.get("right")
                polygon = [
                    {"x": left, "y": top},
                    {"x": right, "y": top},
                    {"x": right, "y": bottom},
                    {"x": left, "y": bottom},
                ]
            citations.append({"page": page, "polygon": polygon, "reference_text": None})
    return citations


# -- JSON output --------------------------------------------------------------------


def _json_fields(final: Any, initial: Any) -> list[dict[str, Any]]:
    """One field per top-level key; nested metadata paths become the field's ``parts``.

    A field the reviewer changed keeps only the final output's evidence; what the
    pre-review output cited goes to ``initial_citations``, so an old citation is
    never shown as evidence for the new value. An unchanged field may borrow the
    pre-review evidence when the final output carries none (same value, same source).
    """
    out = _mapping(final, "output")
    values = _mapping(out.get("value"), "output.value")
    metadata = _mapping(out.get("metadata"), "output.metadata")
    initial_values: dict[str, Any] | None = None
    initial_metadata: dict[str, Any] = {}
    if output_shape(initial) == "json" and initial is not final and initial != final:
        init = _mapping(initial, "initialOutput")
        initial_values = _mapping(init.get("value"), "initialOutput.value")
        initial_metadata = _mapping(init.get("metadata"), "initialOutput.metadata")

    final_by_field, initial_by_field = _by_field(metadata), _by_field(initial_metadata)
    names = list(values)
    if initial_values is not None:
        names += [n for n in initial_values if n not in values]
    names += [n for n in final_by_field if n not in names]

    fields = []
    for name in names:
        value = values.get(name)
        before = initial_values.get(name, _MISSING) if initial_values is not None else _MISSING
        edited = before is not _MISSING and before != value
        evidence = final_by_field.get(name, {})
        if not edited:
            evidence = {**initial_by_field.get(name, {}), **evidence}
        own = evidence.get(name)
        initial_own = initial_metadata.get(name) if edited else None
        fields.append(
            {
                "name": name,
                "value": value,
                "initial_value": before if edited else None,
                "edited": edited,
                "parts": [
                    {"path": path, **_evidence(meta, path)}
                    for path, meta in evidence.items()
                    if path != name
                ],
                "initial_citations": (
                    _evidence(initial_own, name)["citations"] if initial_own is not None else []
                ),
                **(_evidence(own, name) if own is not None else {}),
            }
        )
    return fields


def _by_field(metadata: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Metadata entries grouped by top-level field: its own key and its nested paths."""
    grouped: dict[str, dict[str, Any]] = {}
    for path, meta in metadata.items():
        if meta is not None:
            grouped.setdefault(field_root(path), {})[path] = meta
    return grouped


def _evidence(meta: Any, where: str) -> dict[str, Any]:
    meta = _mapping(meta, f"metadata[{where!r}]")
    return {
        "citations": [_citation(c) for c in _sequence(meta.get("citations"), "citations")],
        "reasoning": _insights(_sequence(meta.get("insights"), "insights")),
        "ocr_confidence": meta.get("ocrConfidence"),
        "logprobs_confidence": meta.get("logprobsConfidence"),
        "review_agent_score": meta.get("reviewAgentScore"),
    }


def _citation(citation: Any) -> dict[str, Any]:
    """2024-12-23 has ``page: int`` (+ pageWidth/Height); 2026-02-09 ``page: {number, ...}``."""
    c = _mapping(citation, "citation")
    page: Any = c.get("page")
    width, height = c.get("pageWidth"), c.get("pageHeight")
    if isinstance(page, dict):
        nested: dict[str, Any] = page
        page, width, height = nested.get("number"), nested.get("width"), nested.get("height")
    if isinstance(page, float) and page.is_integer():
        page = int(page)
    return {
        "page": page,
        "polygon": c.get("polygon") or [],
        "reference_text": c.get("referenceText"),
        "page_width": width,
        "page_height": height,
        "file_id": c.get("fileId"),
        "cell_range": c.get("cellRange"),
    }


def _insights(insights: list[Any]) -> list[str]:
    return [
        i["content"] for i in insights if isinstance(i, dict) and isinstance(i.get("content"), str)
    ]


def _mapping(value: Any, where: str) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ValueError(f"{where} should be an object, got {type(value).__name__}")
    return value


def _sequence(value: Any, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise ValueError(f"{where} should be a list, got {type(value).__name__}")
    return value


def field_root(path: str) -> str:
    """The top-level field of a metadata path: ``line_items[0].amount`` -> ``line_items``."""
    match = _PATH_ROOT.match(path)
    return match.group(1) if match else path
