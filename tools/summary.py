"""A workflow run as compact plain text, for a model's context window or a person's eyes.

The JSON Extend returns repeats every output up to three times and carries polygons
no reader needs; the summary keeps what answers questions: who, what, status, and
for each extracted field its value, page, reference text and confidence, with the
reviewer's corrections as ``before -> after`` and weak fields flagged. Nothing is
invented and nothing is dropped: ``tools.facts`` states the rule and tests hold
every sample run to it.

Document text is untrusted. Every piece of it (string values, reference text,
reasoning, names) is written as a JSON string literal, so a newline or quote in a
document cannot forge a line of the summary, and a reader can always tell data
from the summary's own words. The summary adds no instructions of its own.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tools.facts import page_range_text, page_text, quote
from tools.formatting import EMPTY, amount_parts, format_confidence, format_value, money
from tools.models import (
    IN_PROGRESS_STATUSES,
    Evidence,
    ExtractedField,
    FieldPart,
    ProcessorResult,
    Run,
    RunStatus,
)

__all__ = ["LOW_CONFIDENCE", "LOW_CONFIDENCE_FLAG", "match_fields", "summarize_run"]

LOW_CONFIDENCE = 0.8
LOW_CONFIDENCE_FLAG = "LOW CONFIDENCE"
_NOT_ALNUM = re.compile(r"[^0-9a-z]+")
_PATH_ROOT = re.compile(r"^([^.\[]+)")
_SIMPLE_KEY = re.compile(r"[A-Za-z0-9_:.\-]{1,64}")


def summarize_run(
    run: Run,
    *,
    fields: Sequence[str] | None = None,
    include_reasoning: bool = False,
    low_confidence: float = LOW_CONFIDENCE,
) -> str:
    """The run as a few lines of text; ``fields`` narrows the extracted fields shown.

    With ``fields`` (names matched loosely, see ``match_fields``) only those extracted
    fields appear, plus a note naming any that matched nothing; no or empty ``fields``
    shows everything.

    ``include_reasoning`` adds the model's reasoning for each field (and split
    observations). Fields whose OCR or logprobs confidence is below
    ``low_confidence``, or whose review agent score Extend would flag, are marked
    ``LOW CONFIDENCE`` (``Evidence.is_low_confidence``, the same rule every face uses).
    """
    lines = _header(run)
    selected: list[ExtractedField] | None = None
    if fields:
        selected, unknown = match_fields(run, fields)
        if unknown:
            lines.append(_unknown_fields_note(run, unknown))
    style = _Style(include_reasoning=include_reasoning, low_confidence=low_confidence)
    for result in run.results:
        lines += _result_lines(run, result, selected, style)
    return "\n".join(lines)


def match_fields(run: Run, names: Sequence[str]) -> tuple[list[ExtractedField], list[str]]:
    """The fields ``names`` refer to (case, spaces and ``_`` ignored), and names matching none.

    A name matches a field exactly first (``"Invoice Number"`` -> ``invoice_number``),
    else by containment (``"date"`` -> ``invoice_date``, ``due_date``), else by a
    close spelling. A path such as ``line_items[0].amount`` selects its root field.
    """
    if isinstance(names, str):
        names = [names]
    available = run.fields
    keys = {id(f): _key(f.name) for f in available}
    chosen: list[ExtractedField] = []
    unknown: list[str] = []
    for name in names:
        root = _PATH_ROOT.match(name.strip())
        wanted = _key(root.group(1) if root else name)
        hits = [f for f in available if wanted and keys[id(f)] == wanted]
        if not hits and wanted:
            hits = [f for f in available if wanted in keys[id(f)] or keys[id(f)] in wanted]
        if not hits and wanted:
            close = set(difflib.get_close_matches(wanted, list(keys.values()), n=3, cutoff=0.75))
            hits = [f for f in available if keys[id(f)] in close]
        if not hits:
            unknown.append(name)
        chosen += [f for f in hits if all(f is not c for c in chosen)]
    order = {id(f): index for index, f in enumerate(available)}
    return sorted(chosen, key=lambda f: order[id(f)]), unknown


def _key(name: str) -> str:
    return _NOT_ALNUM.sub("", name.lower())


@dataclass(frozen=True)
class _Style:
    include_reasoning: bool
    low_confidence: float


# -- header --------------------------------------------------------------------------------


def _header(run: Run) -> list[str]:
    name = quote(run.name) if run.name else "(no name)"
    lines = [f"Run {run.id}, name {name}, status {run.status}."]
    wf = run.workflow
    if wf.name or wf.id:
        parts = ["Workflow", quote(wf.name) if wf.name else wf.id or ""]
        if wf.version:
            parts.append(f"version {wf.version}")
        lines.append(" ".join(parts) + ".")
    if run.files:
        names = [quote(f.name) if f.name else (f.id or "?") for f in run.files]
        lines.append(f"File{'s' if len(names) > 1 else ''}: {', '.join(names)}.")
    if run.reviewed_by or run.reviewed_at or run.reviewed:
        who = f" by {quote(run.reviewed_by)}" if run.reviewed_by else ""
        when = f" at {run.reviewed_at}" if run.reviewed_at else ""
        lines.append(f"Reviewed{who}{when}.")
    tags_line = bool(run.tags) and run.metadata.get("tags") == run.tags
    other = {k: v for k, v in run.metadata.items() if k != "tags" or not tags_line}
    if other:
        pairs = "; ".join(f"{_key_text(k)}={_json(v)}" for k, v in other.items())
        lines.append(f"Metadata: {pairs}.")
    if tags_line:
        lines.append(f"Tags: {', '.join(quote(t) for t in run.tags)}.")
    lines += _status_notes(run)
    return lines


def _status_notes(run: Run) -> list[str]:
    notes = []
    if run.failure_reason or run.failure_message or run.status == RunStatus.FAILED:
        reason = run.failure_reason or "no reason given"
        message = f": {quote(run.failure_message)}" if run.failure_message else ""
        notes.append(f"Failed ({reason}){message}.")
    if run.in_progress:
        notes.append("Still processing: results are not final yet.")
    elif run.status == RunStatus.NEEDS_REVIEW:
        notes.append("Waiting for human review in Extend.")
    if not run.results and not run.in_progress and not notes:
        notes.append("No processor results on this run.")
    return notes


def _unknown_fields_note(run: Run, unknown: list[str]) -> str:
    asked = ", ".join(quote(n) for n in unknown)
    names = ", ".join(f.name for f in run.fields)
    have = f"Its fields are: {names}." if names else "It has no extracted fields."
    return f"No field on this run matches {asked}. {have}"


# -- results -------------------------------------------------------------------------------


def _result_lines(
    run: Run, result: ProcessorResult, selected: list[ExtractedField] | None, style: _Style
) -> list[str]:
    label = quote(result.processor_name) if result.processor_name else (result.id or "")
    label = f" {label}" if label else ""
    if result.kind == "extract":
        shown = [f for f in result.fields if selected is None or any(f is s for s in selected)]
        if selected is not None and not shown:
            return []
        edited = ", edited by reviewer" if result.edited else ""
        if not result.fields:
            state = result.status or run.status
            pending = " yet" if run.in_progress or state in IN_PROGRESS_STATUSES else ""
            return [f"Extraction{label}: no fields{pending} (status {state})."]
        lines = [f"Extraction{label}{edited}:"]
        for field in shown:
            lines += _field_lines(field, style)
        return lines
    if selected is not None:
        return []
    if result.kind == "classify":
        return _classify_lines(result, label, style)
    if result.kind == "split":
        return _split_lines(result, label, style)
    status = f": status {result.status}" if result.status else ""
    return [f"Step{label} ({result.step_type or 'unknown type'}){status}."]


def _classify_lines(result: ProcessorResult, label: str, style: _Style) -> list[str]:
    c = result.classification
    if c is None:
        return [f"Classification{label}: no result yet (status {result.status or 'unknown'})."]
    text = f"Classification{label}: type {quote(c.type) if c.type else EMPTY}"
    if c.initial_type:
        text += f" (reviewer changed {quote(c.initial_type)} -> {quote(c.type or '')})"
    if c.confidence is not None:
        text += f", confidence {format_confidence(c.confidence)}"
        if c.confidence < style.low_confidence:
            text += f" {LOW_CONFIDENCE_FLAG}"
    lines = [text + "."]
    if style.include_reasoning:
        lines += [f"  reasoning: {quote(r)}" for r in c.reasoning]
    return lines


def _split_lines(result: ProcessorResult, label: str, style: _Style) -> list[str]:
    if not result.splits:
        return [f"Split{label}: no parts (status {result.status or 'unknown'})."]
    count = len(result.splits)
    lines = [f"Split{label} into {count} part{'s' if count > 1 else ''}:"]
    for part in result.splits:
        kind = quote(part.type) if part.type else "(no type)"
        name = f" {quote(part.name)}" if part.name else ""
        ident = f" ({quote(part.identifier)})" if part.identifier else ""
        lines.append(f"- {kind}{name}{ident}: {page_range_text(part.start_page, part.end_page)}")
        if style.include_reasoning and part.observation:
            lines.append(f"  observation: {quote(part.observation)}")
    return lines


# -- fields --------------------------------------------------------------------------------


def _field_lines(field: ExtractedField, style: _Style) -> list[str]:
    value = _value_text(field.value, top=True)
    if field.edited:
        value = f"{_value_text(field.initial_value, top=True)} -> {value} (changed by reviewer)"
    lines = [f"- {field.name}: {value}{_evidence_text(field, style)}"]
    if style.include_reasoning:
        lines += [f"  reasoning: {quote(r)}" for r in field.reasoning]
    items = field.value if _is_item_list(field.value) else []
    used: set[str] = set()
    for index, item in enumerate(items):
        path = f"{field.name}[{index}]"
        own = next((p for p in field.parts if p.path == path), None)
        if own is not None:
            used.add(own.path)
        evidence = _evidence_text(own, style) if own is not None else ""
        lines.append(f"  [{index}] {_value_text(item)}{evidence}")
        if own is not None and style.include_reasoning:
            lines += [f"    reasoning: {quote(r)}" for r in own.reasoning]
    for part in field.parts:
        if part.path not in used:
            lines += _part_lines(field, part, style)
    return lines


def _part_lines(field: ExtractedField, part: FieldPart, style: _Style) -> list[str]:
    found, value = _at_path(field.name, field.value, part.path)
    shown = f" = {_value_text(value)}" if found else ""
    lines = [f"  {part.path}{shown}{_evidence_text(part, style) or ': no citation'}"]
    if style.include_reasoning:
        lines += [f"    reasoning: {quote(r)}" for r in part.reasoning]
    return lines


def _evidence_text(evidence: Evidence, style: _Style) -> str:
    pieces = []
    cites = []
    for c in evidence.citations:
        where = page_text(c.page) if c.page is not None else ""
        text = quote(c.reference_text) if c.reference_text else ""
        if where or text:
            cites.append(" ".join(p for p in (where, text) if p))
    if cites:
        pieces.append("; ".join(cites))
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


# -- values --------------------------------------------------------------------------------


def _is_item_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(i, dict) for i in value)


def _value_text(value: Any, *, top: bool = False) -> str:
    """A value on one line: amounts as money, text quoted, objects as ``key: value`` pairs."""
    parts = amount_parts(value)
    if parts is not None:
        return money(*parts)
    if isinstance(value, str):
        return quote(value) if value.strip() else EMPTY
    if isinstance(value, dict):
        if not value:
            return EMPTY
        inner = "; ".join(f"{key}: {_value_text(item)}" for key, item in value.items())
        return inner if top else "{" + inner + "}"
    if isinstance(value, list):
        if not value:
            return "(none)"
        if top and _is_item_list(value):
            return f"{len(value)} item{'s' if len(value) > 1 else ''}"
        return "[" + ", ".join(_value_text(item) for item in value) + "]"
    return format_value(value)


def _at_path(root: str, value: Any, path: str) -> tuple[bool, Any]:
    """Resolve ``line_items[0].amount`` against the field's value; (False, None) if absent."""
    rest = path[len(root) :]
    for match in re.finditer(r"\[(\d+)\]|\.([^.\[]+)", rest):
        index, key = match.groups()
        if index is not None and isinstance(value, list) and int(index) < len(value):
            value = value[int(index)]
        elif key is not None and isinstance(value, dict) and key in value:
            value = value[key]
        else:
            return False, None
    return True, value


def _key_text(key: str) -> str:
    """Metadata keys plain when they are simple (``vendor_id``), else quoted."""
    return key if _SIMPLE_KEY.fullmatch(key) else quote(key)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
