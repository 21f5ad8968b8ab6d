"""The alert a webhook event becomes: a card saying what happened to which run, and why.

    needs review · ACME invoice.pdf
    `workflow_run_…` · workflow Invoices v3 · file acme.pdf
    Failed: OCR_ERROR — the page could not be read
    Failed validation rules: • total_matches_lines — the rule evaluated to false
    Low-confidence fields: • total: $1,234.00 (62%) p. 1 “Total 1,234.00”
    [Open in Extend] [Summarize] [Show source]

Every piece of run text is shown ``mrkdwn.inline`` (one line, escaped, no formatting
of its own; reference text quoted first, as on the run card) before it is cut to
Slack's limits (``slack_app.blocks``). The buttons carry only the run id.
"""

from __future__ import annotations

from slack_app.blocks import (
    MAX_BUTTON_URL,
    Block,
    SlackMessage,
    context,
    header,
    sections,
    split_into_messages,
)
from slack_app.mrkdwn import code, escape, inline, quotation, truncate
from slack_app.webhooks import events
from slack_app.webhooks.reasons import AlertReasons
from tools.runs.models import ExtractedField, Run
from tools.text.formatting import HUMAN, format_confidence, format_value

SUMMARIZE_ACTION = "alert_summarize"
SHOW_SOURCE_ACTION = "alert_show_source"
OPEN_ALERT_IN_EXTEND_ACTION = "alert_open_in_extend"
MAX_FIELDS_SHOWN = 15
MAX_VALUE_TEXT = 200
MAX_REFERENCE_TEXT = 160

HEADLINES = {
    events.NEEDS_REVIEW: ":eyes: Needs review",
    events.FAILED: ":x: Failed",
    events.REJECTED: ":no_entry: Rejected",
    events.CANCELLED: ":heavy_multiplication_x: Cancelled",
    events.COMPLETED: ":white_check_mark: Processed",
}


def alert_card(run: Run, event_type: str, reasons: AlertReasons) -> list[SlackMessage]:
    """The alert for ``run`` after ``event_type``, as one message (or several if huge)."""
    headline = HEADLINES.get(event_type, event_type)
    blocks: list[Block] = [header(f"{headline}: {_title(run)}")]
    blocks.append(context(_about(run)))
    if reasons.failure:
        blocks += sections([f":x: *Failure:* {truncate(inline(reasons.failure), 1500)}"])
    if reasons.failed_rules:
        lines = [
            f"• *{inline(rule.name)}*" + (f" — {inline(rule.why)}" if rule.why else "")
            for rule in reasons.failed_rules
        ]
        blocks += sections(lines, title="*Failed validation rules*")
    if reasons.low_confidence:
        shown = reasons.low_confidence[:MAX_FIELDS_SHOWN]
        lines = [_field_line(f) for f in shown]
        hidden = len(reasons.low_confidence) - len(shown)
        if hidden:
            lines.append(f"_…and {hidden} more_")
        blocks += sections(lines, title="*Low-confidence fields*")
    if not reasons.any:
        blocks += sections(["_Extend gave no reason beyond the status._"])
    named = f" ({inline(run.name)})" if run.name else ""
    fallback = escape(f"{headline.split(' ', 1)[-1]}: run {run.id}") + named
    return split_into_messages(blocks, fallback=fallback, tail=[_actions(run)])


def _title(run: Run) -> str:
    """The run's name; 2026-02-09 reads have none, so then its file's name, then its id."""
    files = [f.name for f in run.files if f.name]
    return run.name or (files[0] if files else run.id)


def _about(run: Run) -> str:
    parts = [code(run.id)]
    if run.workflow.name:
        version = f" v{run.workflow.version}" if run.workflow.version else ""
        parts.append(f"workflow {inline(run.workflow.name + version)}")
    files = [f.name for f in run.files if f.name]
    if files:
        parts.append("file " + ", ".join(inline(f) for f in files[:5]))
    parts.append(f"status {inline(run.status)}")
    return " · ".join(parts)


def _field_line(field_: ExtractedField) -> str:
    value = truncate(inline(format_value(field_.value, HUMAN)), MAX_VALUE_TEXT)
    line = f"• *{inline(field_.name)}*: {value}"
    if field_.confidence is not None:
        line += f" ({format_confidence(field_.confidence, HUMAN)})"
    elif field_.review_agent_score is not None:
        line += f" (review score {field_.review_agent_score:g} of 5)"
    if field_.citations:
        cited = field_.citations[0]
        page = f"p. {cited.page}" if cited.page is not None else "page ?"
        text = (cited.reference_text or "").strip()
        quoted = f" {quotation(text, MAX_REFERENCE_TEXT)}" if text else ""
        line += f" _{page}_{quoted}"
    return line


def _actions(run: Run) -> Block:
    elements: list[Block] = []
    url = run.dashboard_url
    if url and url.startswith(("https://", "http://")) and len(url) <= MAX_BUTTON_URL:
        elements.append(_button("Open in Extend", OPEN_ALERT_IN_EXTEND_ACTION, run.id, url=url))
    elements.append(_button("Summarize", SUMMARIZE_ACTION, run.id))
    elements.append(_button("Show source", SHOW_SOURCE_ACTION, run.id))
    return {"type": "actions", "block_id": "extend_alert_actions", "elements": elements}


def _button(text: str, action_id: str, value: str, *, url: str | None = None) -> Block:
    button: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "action_id": action_id,
        "value": value,
    }
    if url:
        button["url"] = url
    return button
