"""Extracted fields as summary lines: value, citations, confidence, reviewer changes.

One field reads ``- total: 15,735.10 USD | page 1 "TOTAL  $15,735.1" | OCR 99.2%``.
A field a reviewer changed reads ``before: <value> (page N "ref") -> after: <value>
(changed by reviewer, note "...")``, the pre-review value with the citations it was
read from (``ExtractedField.initial_citations``), so an old citation is never shown
as evidence for the new value, and the reviewer's note when they left one. A
spreadsheet citation names its cells (``page 1 cells "Manifest!B2:B4"``); in a run
with several files, a citation names its file (``page 1 of "manifest.xlsx"``).
Lists of objects (line items) get one line per item, and an item the reviewer
changed says what it held before (only the keys that changed), or that the reviewer
added or removed it. Nested evidence Extend reports for a path
(``line_items[3].amount``) follows on its own line.

Values are written by ``tools.text.formatting.format_value`` in its ``QUOTED`` style,
which follows ``tools.text.facts``: text is JSON-quoted, amounts read ``1,948.63 EUR``,
booleans ``yes``/``no``. Names and keys are written bare only when they are simple
identifiers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any

from tools.runs.models import Citation, Evidence, ExtractedField, FieldPart
from tools.text.facts import page_text
from tools.text.formatting import QUOTED, format_confidence, format_value
from tools.text.quoting import plain_or_quoted, quote

__all__ = ["LOW_CONFIDENCE_FLAG", "FieldStyle", "field_lines"]

LOW_CONFIDENCE_FLAG = "LOW CONFIDENCE"
_PATH_STEP = re.compile(r"\[(\d+)\]|\.([^.\[]+)")


@dataclass(frozen=True)
class FieldStyle:
    """How fields are written: reasoning or not, the confidence bar, the run's file names.

    ``file_names`` maps a file id to how a citation names its file; it is empty for a
    run with one file, where saying so on every citation would tell nothing.
    """

    include_reasoning: bool
    low_confidence: float
    file_names: Mapping[str, str] = dataclass_field(default_factory=dict)


def field_lines(field: ExtractedField, style: FieldStyle) -> list[str]:
    """The lines of one field: its own line, then item lines and nested evidence."""
    name = plain_or_quoted(field.name)
    value = format_value(field.value, QUOTED)
    if field.edited:
        cited = citations_text(getattr(field, "initial_citations", []), style)
        before = format_value(field.initial_value, QUOTED) + (f" ({cited})" if cited else "")
        note = f", note {quote(field.edit_note)}" if field.edit_note else ""
        value = f"before: {before} -> after: {value} (changed by reviewer{note})"
    lines = [f"- {name}: {value}{evidence_text(field, style)}"]
    lines += _reasoning(field, style, "  ")
    items = field.value if _is_item_list(field.value) else []
    was_items = field.edited and _is_item_list(field.initial_value)
    before_items = field.initial_value if was_items else []
    used: set[str] = set()
    for index in range(max(len(items), len(before_items))):
        path = f"{field.name}[{index}]"
        own = next((p for p in field.parts if p.path == path), None)
        if own is not None:
            used.add(own.path)
        if index >= len(items):
            lines.append(f"  [{index}] removed by reviewer: {_inner(before_items[index])}")
            continue
        change = _item_change(before_items, index, items[index]) if before_items else ""
        evidence = evidence_text(own, style) if own is not None else ""
        lines.append(f"  [{index}] {_inner(items[index])}{change}{evidence}")
        if own is not None:
            lines += _reasoning(own, style, "    ")
    for part in field.parts:
        if part.path not in used:
            lines += _part_lines(field, part, style)
    return lines


def _item_change(before_items: Sequence[Any], index: int, item: dict[str, Any]) -> str:
    """`` (before: {amount: 10})``: the keys of a changed item as they were; else ``""``."""
    if index >= len(before_items):
        return " (added by reviewer)"
    before = before_items[index]
    if before == item:
        return ""
    changed = {k: v for k, v in before.items() if k not in item or item[k] != v}
    return f" (before: {_inner(changed)})" if changed else " (changed by reviewer)"


def _part_lines(field: ExtractedField, part: FieldPart, style: FieldStyle) -> list[str]:
    found, value = _at_path(field.name, field.value, part.path)
    shown = f" = {_inner(value)}" if found else ""
    evidence = evidence_text(part, style) or ": no citation"
    return [f"  {plain_or_quoted(part.path)}{shown}{evidence}", *_reasoning(part, style, "    ")]


def _reasoning(evidence: Evidence, style: FieldStyle, indent: str) -> list[str]:
    if not style.include_reasoning:
        return []
    return [f"{indent}reasoning: {quote(r)}" for r in evidence.reasoning]


def citations_text(citations: Iterable[Citation], style: FieldStyle | None = None) -> str:
    """``page 1 "TOTAL  $15,735.1"; page 2 "..."`` (empty when nothing is cited).

    A citation also names its cells (``cells "Sheet!A1:B2"``) and, in a run with
    several files (``style.file_names``), its file (``of "manifest.xlsx"``).
    """
    files = style.file_names if style is not None else {}
    cites = []
    for c in citations:
        where = page_text(c.page) if c.page is not None else ""
        if c.file_id and files:
            where = f"{where} of {files.get(c.file_id) or plain_or_quoted(c.file_id)}".strip()
        cells = f"cells {quote(c.cell_range)}" if c.cell_range else ""
        text = quote(c.reference_text) if c.reference_text else ""
        if where or cells or text:
            cites.append(" ".join(p for p in (where, cells, text) if p))
    return "; ".join(cites)


def evidence_text(evidence: Evidence, style: FieldStyle) -> str:
    """`` | page 1 "ref" | OCR 99.2%, logprobs 100%`` for a field or a nested path."""
    pieces = []
    cited = citations_text(evidence.citations, style)
    if cited:
        pieces.append(cited)
    scores = []
    if evidence.ocr_confidence is not None:
        scores.append(f"OCR {format_confidence(evidence.ocr_confidence)}")
    if evidence.logprobs_confidence is not None:
        scores.append(f"logprobs {format_confidence(evidence.logprobs_confidence)}")
    if evidence.field_confidence is not None:  # a legacy fields-array output's one score
        scores.append(f"confidence {format_confidence(evidence.field_confidence)}")
    if evidence.review_agent_score is not None:
        scores.append(f"review agent score {evidence.review_agent_score:g}/5")
    if evidence.is_low_confidence(style.low_confidence):
        scores.append(LOW_CONFIDENCE_FLAG)
    if scores:
        pieces.append(", ".join(scores))
    return "".join(f" | {p}" for p in pieces)


def _inner(value: Any) -> str:
    """A value inside a field's (an item, a changed key): braces and brackets kept."""
    return format_value(value, QUOTED, top=False)


def _is_item_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(i, dict) for i in value)


def _at_path(root: str, value: Any, path: str) -> tuple[bool, Any]:
    """Resolve ``line_items[0].amount`` against the field's value; (False, None) if absent."""
    for match in _PATH_STEP.finditer(path[len(root) :]):
        index, key = match.groups()
        if index is not None and isinstance(value, list) and int(index) < len(value):
            value = value[int(index)]
        elif key is not None and isinstance(value, dict) and key in value:
            value = value[key]
        else:
            return False, None
    return True, value
