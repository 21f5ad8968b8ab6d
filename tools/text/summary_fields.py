"""Extracted fields as summary lines: value, citations, confidence, reviewer changes.

One field reads ``- total: 15,735.10 USD | page 1 "TOTAL  $15,735.1" | OCR 99.2%``.
A field a reviewer changed reads ``before: <value> (page N "ref") -> after: <value>
(changed by reviewer)``, the pre-review value with the citations it was read from
(``ExtractedField.initial_citations``), so an old citation is never shown as
evidence for the new value. Lists of objects (line items) get one line per item,
and an item the reviewer changed says what it held before (only the keys that
changed), or that the reviewer added or removed it. Nested evidence Extend reports
for a path (``line_items[3].amount``) follows on its own line.

Values follow ``tools.text.facts``: text is JSON-quoted, amounts read ``1,948.63 EUR``,
other numbers and booleans as ``tools.text.formatting.format_value`` gives them. Names
and keys are written bare only when they are simple identifiers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from tools.runs.models import Citation, Evidence, ExtractedField, FieldPart
from tools.text.facts import page_text, plain_amount
from tools.text.formatting import EMPTY, format_confidence, format_value, money
from tools.text.quoting import plain_or_quoted, quote

__all__ = ["LOW_CONFIDENCE_FLAG", "FieldStyle", "field_lines", "value_text"]

LOW_CONFIDENCE_FLAG = "LOW CONFIDENCE"
_PATH_STEP = re.compile(r"\[(\d+)\]|\.([^.\[]+)")


@dataclass(frozen=True)
class FieldStyle:
    """How fields are written: with the model's reasoning or not, and the confidence bar."""

    include_reasoning: bool
    low_confidence: float


def field_lines(field: ExtractedField, style: FieldStyle) -> list[str]:
    """The lines of one field: its own line, then item lines and nested evidence."""
    name = plain_or_quoted(field.name)
    value = value_text(field.value, top=True)
    if field.edited:
        cited = citations_text(getattr(field, "initial_citations", []))
        before = value_text(field.initial_value, top=True) + (f" ({cited})" if cited else "")
        value = f"before: {before} -> after: {value} (changed by reviewer)"
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
            lines.append(f"  [{index}] removed by reviewer: {value_text(before_items[index])}")
            continue
        change = _item_change(before_items, index, items[index]) if before_items else ""
        evidence = evidence_text(own, style) if own is not None else ""
        lines.append(f"  [{index}] {value_text(items[index])}{change}{evidence}")
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
    return f" (before: {value_text(changed)})" if changed else " (changed by reviewer)"


def _part_lines(field: ExtractedField, part: FieldPart, style: FieldStyle) -> list[str]:
    found, value = _at_path(field.name, field.value, part.path)
    shown = f" = {value_text(value)}" if found else ""
    evidence = evidence_text(part, style) or ": no citation"
    return [f"  {plain_or_quoted(part.path)}{shown}{evidence}", *_reasoning(part, style, "    ")]


def _reasoning(evidence: Evidence, style: FieldStyle, indent: str) -> list[str]:
    if not style.include_reasoning:
        return []
    return [f"{indent}reasoning: {quote(r)}" for r in evidence.reasoning]


def citations_text(citations: Iterable[Citation]) -> str:
    """``page 1 "TOTAL  $15,735.1"; page 2 "..."`` (empty when nothing is cited)."""
    cites = []
    for c in citations:
        where = page_text(c.page) if c.page is not None else ""
        text = quote(c.reference_text) if c.reference_text else ""
        if where or text:
            cites.append(" ".join(p for p in (where, text) if p))
    return "; ".join(cites)


def evidence_text(evidence: Evidence, style: FieldStyle) -> str:
    """`` | page 1 "ref" | OCR 99.2%, logprobs 100%`` for a field or a nested path."""
    pieces = []
    cited = citations_text(evidence.citations)
    if cited:
        pieces.append(cited)
    scores = []
    if evidence.ocr_confidence is not None:
        scores.append(f"OCR {format_confidence(evidence.ocr_confidence)}")
    if evidence.logprobs_confidence is not None:
        scores.append(f"logprobs {format_confidence(evidence.logprobs_confidence)}")
    if evidence.review_agent_score is not None:
        scores.append(f"review agent score {evidence.review_agent_score:g}/5")
    if evidence.is_low_confidence(style.low_confidence):
        scores.append(LOW_CONFIDENCE_FLAG)
    if scores:
        pieces.append(", ".join(scores))
    return "".join(f" | {p}" for p in pieces)


def _is_item_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(i, dict) for i in value)


def value_text(value: Any, *, top: bool = False) -> str:
    """A value on one line: amounts as money, text quoted, objects as ``key: value`` pairs.

    ``top`` is for a field's own line: an object loses its braces and a list of
    objects reads ``4 items`` (the items follow on their own lines).
    """
    amount = plain_amount(value)
    if amount is not None:
        return money(*amount)
    if isinstance(value, str):
        return quote(value) if value.strip() else EMPTY
    if isinstance(value, dict):
        if not value:
            return EMPTY
        inner = "; ".join(f"{plain_or_quoted(k)}: {value_text(v)}" for k, v in value.items())
        return inner if top else "{" + inner + "}"
    if isinstance(value, list):
        if not value:
            return "(none)"
        if top and _is_item_list(value):
            return f"{len(value)} item{'s' if len(value) > 1 else ''}"
        return "[" + ", ".join(value_text(item) for item in value) + "]"
    return format_value(value)


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
