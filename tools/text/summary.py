"""A workflow run as compact plain text, for a model's context window or a person's eyes.

The JSON Extend returns repeats every output up to three times and carries polygons
no reader needs; the summary keeps what answers questions: who, what, status, and
for each extracted field its value, page, reference text and confidence, with the
reviewer's corrections as ``before -> after`` and weak fields flagged, and what the
other steps decided (validation, routing, failures). Nothing is invented and nothing
is dropped: ``tools.text.facts`` states the rule and tests hold every sample run to
it. Field lines are written by ``tools.text.summary_fields``, step outcomes by
``tools.text.summary_steps``.

Document text is untrusted. Every piece of it (string values, reference text,
reasoning, names) is written as a JSON string literal with control characters
escaped (``tools.text.quoting``), so a newline or quote in a document cannot forge a
line of the summary, and a reader can always tell data from the summary's own
words. The summary adds no instructions of its own.
"""

from __future__ import annotations

from collections.abc import Sequence

from tools.runs.models import (
    IN_PROGRESS_STATUSES,
    ExtractedField,
    ProcessorResult,
    Run,
    RunStatus,
)
from tools.runs.versions import CURRENT_API_VERSION
from tools.text.facts import page_range_text
from tools.text.field_names import match_fields
from tools.text.formatting import EMPTY, format_confidence
from tools.text.quoting import json_text, quote
from tools.text.quoting import plain_or_quoted as _p
from tools.text.summary_fields import LOW_CONFIDENCE_FLAG, FieldStyle, field_lines
from tools.text.summary_steps import (
    UNREADABLE_OUTPUT,
    credits_text,
    failure_text,
    merged_text,
    outcome_lines,
    unknown_steps_line,
)

__all__ = ["LOW_CONFIDENCE", "summarize_run"]

LOW_CONFIDENCE = 0.8


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
    style = FieldStyle(
        include_reasoning=include_reasoning,
        low_confidence=low_confidence,
        file_names=_file_names(run),
    )
    for result in run.results:
        lines += _result_lines(run, result, selected, style)
    unknown_steps = unknown_steps_line(run.unknown_steps) if selected is None else None
    if unknown_steps:
        lines.append(unknown_steps)
    return "\n".join(lines)


def _file_names(run: Run) -> dict[str, str]:
    """File id -> how a citation names its file; empty for a one-file run (nothing to tell)."""
    if len(run.files) < 2:
        return {}
    return {f.id: quote(f.name) if f.name else _p(f.id) for f in run.files if f.id}


# -- header --------------------------------------------------------------------------------


def _header(run: Run) -> list[str]:
    if run.name:
        named = f", name {quote(run.name)}"
    elif run.api_version == CURRENT_API_VERSION and "name" not in run.raw:
        named = ""  # 2026-02-09 reads carry no name: say nothing rather than "(no name)"
    else:
        named = ", name (no name)"
    lines = [f"Run {_p(run.id)}{named}, status {_p(run.status)}."]
    wf = run.workflow
    if wf.name or wf.id:
        parts = ["Workflow", quote(wf.name) if wf.name else _p(wf.id or "")]
        if wf.version:
            parts.append(f"version {_p(wf.version)}")
        lines.append(" ".join(parts) + ".")
    if run.files:
        names = [quote(f.name) if f.name else _p(f.id or "?") for f in run.files]
        lines.append(f"File{'s' if len(names) > 1 else ''}: {', '.join(names)}.")
    if run.reviewed_by or run.reviewed_at or run.reviewed:
        who = f" by {quote(run.reviewed_by)}" if run.reviewed_by else ""
        when = f" at {_p(run.reviewed_at)}" if run.reviewed_at else ""
        if run.reviewed is False:  # Extend's explicit answer wins over the reviewer fields
            lines.append(f"Not marked reviewed (reviewed: false); reviewer fields:{who}{when}.")
        else:
            lines.append(f"Reviewed{who}{when}.")
    tags_line = bool(run.tags) and run.metadata.get("tags") == run.tags
    other = {k: v for k, v in run.metadata.items() if k != "tags" or not tags_line}
    if other:
        pairs = "; ".join(f"{_p(k)}={json_text(v)}" for k, v in other.items())
        lines.append(f"Metadata: {pairs}.")
    if tags_line:
        lines.append(f"Tags: {', '.join(quote(t) for t in run.tags)}.")
    if run.usage_credits is not None:
        lines.append(f"Usage: {credits_text(run.usage_credits)}.")
    lines += _status_notes(run)
    return lines


def _status_notes(run: Run) -> list[str]:
    notes = []
    if run.failure_reason or run.failure_message or run.status == RunStatus.FAILED:
        reason = _p(run.failure_reason) if run.failure_reason else "no reason given"
        message = f": {quote(run.failure_message)}" if run.failure_message else ""
        notes.append(f"Failed ({reason}){message}.")
    if run.rejection_note:
        notes.append(f"Rejection note: {quote(run.rejection_note)}.")
    if run.in_progress:
        notes.append("Still processing: results are not final yet.")
    elif run.status == RunStatus.NEEDS_REVIEW:
        notes.append("Waiting for human review in Extend.")
    if not run.results and not run.in_progress and not notes:
        notes.append("No processor results on this run.")
    return notes


def _unknown_fields_note(run: Run, unknown: list[str]) -> str:
    asked = ", ".join(quote(n) for n in unknown)
    names = ", ".join(_p(f.name) for f in run.fields)
    have = f"Its fields are: {names}." if names else "It has no extracted fields."
    return f"No field on this run matches {asked}. {have}"


# -- results -------------------------------------------------------------------------------


def _result_lines(
    run: Run, result: ProcessorResult, selected: list[ExtractedField] | None, style: FieldStyle
) -> list[str]:
    name = result.processor_name or result.step_name
    label = quote(name) if name else _p(result.id or "")
    label = f" {label}" if label else ""
    failed = failure_text(result)
    also_failed = f", {failed}" if failed else ""
    if result.kind == "extract":
        shown = [f for f in result.fields if selected is None or any(f is s for s in selected)]
        if selected is not None and not shown:
            return []
        edited = ", edited by reviewer" if result.edited else ""
        used = ""
        if result.usage_credits is not None and run.usage_credits is None:  # else in the header
            used = f", {credits_text(result.usage_credits)}"
        label += merged_text(result)
        if result.output_shape == "unknown":
            return [f"Extraction{label}{used}: {UNREADABLE_OUTPUT}{also_failed}."]
        if not result.fields:
            if failed:
                return [f"Extraction{label}{used}: {failed}."]
            state = _p(result.status or run.status)
            pending = " yet" if run.in_progress or state in IN_PROGRESS_STATUSES else ""
            return [f"Extraction{label}: no fields{pending} (status {state})."]
        lines = [f"Extraction{label}{edited}{used}{also_failed}:"]
        for field in shown:
            lines += field_lines(field, style)
        return lines
    if selected is not None:
        return []
    if result.kind == "classify":
        return _classify_lines(result, label, style, failed)
    if result.kind == "split":
        return _split_lines(result, label, style, failed)
    if result.kind == "other":
        return []  # one line for all of them, after the results (``unknown_steps_line``)
    if not result.pending:
        decided = outcome_lines(result, label, include_reasoning=style.include_reasoning)
        if decided:
            decided[0] = decided[0].removesuffix(".") + f"{also_failed}."
            return decided
    step_type = _p(result.step_type or "unknown type")
    if failed:
        return [f"Step{label} ({step_type}): {failed}."]
    status = f": status {_p(result.status)}" if result.status else ""
    pending = ", no result yet" if result.pending else ""
    return [f"Step{label} ({step_type}){status}{pending}."]


def _classify_lines(
    result: ProcessorResult, label: str, style: FieldStyle, failed: str
) -> list[str]:
    c = result.classification
    if c is None:
        if failed:
            return [f"Classification{label}: {failed}."]
        return [f"Classification{label}: no result yet (status {_p(result.status or 'unknown')})."]
    text = f"Classification{label}: type {quote(c.type) if c.type else EMPTY}"
    if c.initial_type:
        text += f" (reviewer changed {quote(c.initial_type)} -> {quote(c.type or '')})"
    if c.confidence is not None:
        text += f", confidence {format_confidence(c.confidence)}"
        if c.confidence < style.low_confidence:
            text += f" {LOW_CONFIDENCE_FLAG}"
    lines = [text + (f", {failed}." if failed else ".")]
    if style.include_reasoning:
        lines += [f"  reasoning: {quote(r)}" for r in c.reasoning]
    return lines


def _split_lines(result: ProcessorResult, label: str, style: FieldStyle, failed: str) -> list[str]:
    if not result.splits:
        if failed:
            return [f"Split{label}: {failed}."]
        return [f"Split{label}: no parts (status {_p(result.status or 'unknown')})."]
    count = len(result.splits)
    also_failed = f", {failed}" if failed else ""
    lines = [f"Split{label} into {count} part{'s' if count > 1 else ''}{also_failed}:"]
    for part in result.splits:
        kind = quote(part.type) if part.type else "(no type)"
        name = f" {quote(part.name)}" if part.name else ""
        ident = f" ({quote(part.identifier)})" if part.identifier else ""
        lines.append(f"- {kind}{name}{ident}: {page_range_text(part.start_page, part.end_page)}")
        if style.include_reasoning and part.observation:
            lines.append(f"  observation: {quote(part.observation)}")
    return lines
