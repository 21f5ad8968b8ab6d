"""Print a run in the terminal: header, fields with page, reference text and confidence.

Every text from the run (names, values, reference text, messages) goes through
``_text``: rich markup escaped, controls, line breaks, bidi marks and invisible
format characters shown as escapes (``tools.text.quoting.terminal_safe``), so a run
cannot clear the screen, retitle the window, overwrite a line or forge a header
line; and Slack mentions (``<!channel>``, ``@here``) neutralized after that
(``agent.safety.neutralize_mentions``: escaping first would show its zero-width
space), so output pasted or piped into Slack pings no one. A value longer than
``MAX_SHOWN_CHARS``, and fields past ``MAX_SHOWN_FIELDS``, are cut with a note (a
50 MB run kept rich busy for minutes); ``--json`` and ``--raw`` print everything.
"""

from __future__ import annotations

from rich.console import Console, Group
from rich.markup import escape
from rich.panel import Panel
from rich.table import Table

from agent.safety import neutralize_mentions
from tools.runs.models import ExtractedField, ProcessorResult, Run
from tools.text.formatting import format_confidence, format_value
from tools.text.quoting import terminal_safe
from tools.text.summary import LOW_CONFIDENCE

MAX_SHOWN_CHARS = 1_000
"""Characters of one value shown in the terminal; ``--json`` / ``--raw`` print all of it."""
MAX_SHOWN_FIELDS = 500
"""Rows of one extraction table (rich took minutes over tens of thousands)."""


def _shown(value: str) -> str:
    """Run text for the terminal, before markup escaping: inert, and pinging no one."""
    return neutralize_mentions(terminal_safe(value))


def _text(value: str) -> str:
    if len(value) > MAX_SHOWN_CHARS:
        cut = len(value) - MAX_SHOWN_CHARS
        shown = escape(_shown(value[:MAX_SHOWN_CHARS]))
        return f"{shown}[dim]... ({cut:,} more characters; --json shows all)[/]"
    return escape(_shown(value))


def render_run(run: Run, console: Console, *, low_confidence: float = LOW_CONFIDENCE) -> None:
    """The header panel (with why the run failed or was rejected), then one view per step.

    An extraction step with no fields prints no table: "No fields extracted." is said
    once, when no step shows anything else.
    """
    console.print(Panel(_header(run), title=_text(run.display_name), expand=False))
    views = [v for v in (_result_view(r, low_confidence) for r in run.results) if v is not None]
    for view in views:
        console.print(view)
    if not views:
        note = _no_results_text(run)
        if note:
            console.print(note)


def _header(run: Run) -> str:
    lines = [f"[bold]id[/] {_text(run.id)}   [bold]status[/] {_text(run.status)}"]
    wf = run.workflow
    if wf.name or wf.id:
        version = f" v{_text(wf.version)}" if wf.version else ""
        lines.append(f"[bold]workflow[/] {_text(wf.name or wf.id or '')}{version}")
    if run.files:
        lines.append("[bold]files[/] " + ", ".join(_text(f.name or f.id or "?") for f in run.files))
    if run.reviewed_by or run.reviewed_at:
        who = _text(run.reviewed_by or "someone")
        lines.append(f"[bold]reviewed[/] by {who} at {_text(run.reviewed_at or '?')}")
    if run.metadata:
        pairs = ", ".join(f"{_text(k)}={_text(format_value(v))}" for k, v in run.metadata.items())
        lines.append(f"[bold]metadata[/] {pairs}")
    if run.dashboard_url:
        lines.append(f"[bold]open[/] {_text(run.dashboard_url)}")
    if run.rejection_note:
        lines.append(f"[bold red]Rejected[/]: {_text(run.rejection_note)}")
    if run.failure_reason or run.failure_message:
        lines.append(f"[bold red]Failed[/]: {_failure(run.failure_reason, run.failure_message)}")
    return "\n".join(lines)


def _failure(reason: str | None, message: str | None) -> str:
    """``FAILED_TO_PROCESS_FILE: The file could not be read...`` (either part may be missing)."""
    return ": ".join(_text(part) for part in (reason, message) if part) or "no reason given"


def _no_results_text(run: Run) -> str:
    """Said when no step shows anything (a failure is already in the panel)."""
    if run.failure_reason or run.failure_message:
        return ""
    if run.in_progress:
        return "[yellow]Still processing[/]: no results yet."
    if run.results:
        return "No fields extracted."
    return "No results on this run."


def _step_name(result: ProcessorResult) -> str:
    return _text(result.step_name or result.processor_name or result.step_type or result.kind)


def _result_view(result: ProcessorResult, low_confidence: float) -> Table | Group | str | None:
    """A table, or one line for a step with no output to tabulate; None for an empty extraction."""
    if result.failure_reason or result.failure_message:
        failure = _failure(result.failure_reason, result.failure_message)
        return f"[red]Failed[/] step {_step_name(result)}: {failure}"
    if result.pending:
        return f"[yellow]Waiting[/] step {_step_name(result)}: no result yet."
    if result.kind == "validation" and result.validation is not None:
        return _validation_line(result)
    if result.kind == "router" and result.route is not None:
        branch = _text(result.route.matched_branch or "no branch")
        return f"[bold]Routed[/] by {_step_name(result)}: {branch}"
    if result.kind == "classify" and result.classification:
        c = result.classification
        return (
            f"[bold]Classified as[/] {_text(c.type or '?')} "
            f"(confidence {format_confidence(c.confidence)})"
        )
    if result.kind == "split":
        table = Table(title="Split", title_justify="left")
        for column in ("part", "type", "pages"):
            table.add_column(column)
        for index, part in enumerate(result.splits, 1):
            pages = f"{part.start_page}-{part.end_page}"
            table.add_row(str(index), _text(part.name or part.type or "?"), pages)
        return table
    if not result.fields:
        return None
    table = Table(
        title=f"Extracted fields{' (reviewed)' if result.edited else ''}",
        title_justify="left",
        show_lines=False,
    )
    for column in ("field", "value", "page", "reference text", "confidence"):
        table.add_column(column, overflow="fold")
    for field in result.fields[:MAX_SHOWN_FIELDS]:
        table.add_row(*_field_row(field, low_confidence))
    if len(result.fields) > MAX_SHOWN_FIELDS:
        more = len(result.fields) - MAX_SHOWN_FIELDS
        table.caption = f"{more:,} more fields not shown; --json shows all."
    return table


def _validation_line(result: ProcessorResult) -> str:
    """``Checks Invoice rules: failed (total_matches_line_items)``."""
    outcome = result.validation
    assert outcome is not None
    failed = [r.name or "?" for r in outcome.failed_rules]
    failed += [b.name or "?" for b in outcome.failed_blocks]
    verdict = {True: "passed", False: "failed", None: "no verdict"}[outcome.passed]
    detail = f" ({', '.join(_text(name) for name in failed)})" if failed else ""
    return f"[bold]Checks[/] {_step_name(result)}: {verdict}{detail}"


def _field_row(field: ExtractedField, low_confidence: float) -> list[str]:
    value = _text(format_value(field.value))
    if field.edited:
        value = f"{_text(format_value(field.initial_value))} -> {value} [dim](reviewer)[/]"
    pages = ", ".join(str(c.page) for c in field.citations if c.page is not None) or "-"
    refs = " / ".join(_text(c.reference_text) for c in field.citations if c.reference_text)
    confidence = format_confidence(field.confidence)
    if field.review_agent_score is not None:
        confidence += f", review {field.review_agent_score:g}/5"
    if field.is_low_confidence(low_confidence):
        confidence = f"[red]{confidence} low[/]"
    return [_text(field.name), value, pages, refs or "-", confidence]
