"""Block Kit views: a run card, a change waiting for approval, and what became of it.

Every piece of text from a run or a user goes through ``slack_app.mrkdwn`` first.
Values read the same as everywhere else (``tools.formatting``: ``15,735.10 USD``).
Slack's limits are kept here, not hoped for: at most 50 blocks per message, 3000
characters per section text, 150 per header, 40,000 per message text; a card
too big for one message continues in the next ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from slack_app.mrkdwn import code, defang_plain, escape, split_text, truncate, user_mention
from tools.formatting import format_confidence, format_value
from tools.models import Citation, ExtractedField, ProcessorResult, Run, SplitPart
from tools.run_tools import TAGS_KEY, RunChange

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_HEADER_TEXT = 150
MAX_MESSAGE_TEXT = 40_000
MAX_BUTTON_URL = 3000
MAX_REFERENCE_TEXT = 300
APPROVE_ACTION = "approve_change"
CANCEL_ACTION = "cancel_change"
OPEN_IN_EXTEND_ACTION = "open_in_extend"

Block = dict[str, Any]


@dataclass
class SlackMessage:
    """One message: ``text`` is the notification / fallback text (already escaped)."""

    text: str
    blocks: list[Block] = field(default_factory=list)


# -- run card --------------------------------------------------------------------------


def run_card(run: Run, *, low_confidence: float = 0.8) -> list[SlackMessage]:
    """The run as one message, or several when it exceeds Slack's limits."""
    blocks: list[Block] = [_header(f"{run.display_name} · {_status(run.status)}")]
    blocks.append(_context(_about_line(run)))
    if run.failure_reason or run.failure_message:
        reason = " — ".join(escape(p) for p in (run.failure_reason, run.failure_message) if p)
        blocks += _sections([f":x: *Failed:* {reason}"])
    for result in run.results:
        blocks += _result_blocks(result, low_confidence, many=len(run.results) > 1)
    corrections = [_correction_line(f) for f in run.fields if _was_corrected(f)]
    if corrections:
        blocks += _sections(corrections, title="*Reviewer corrections*")
    blocks += _metadata_blocks(run)
    link = _open_in_extend(run.dashboard_url)
    named = f" ({run.name})" if run.name else ""
    fallback = escape(f"Run {run.id}{named}: {_status(run.status)}")
    return split_into_messages(blocks, fallback=fallback, tail=[link] if link else [])


def _status(status: str) -> str:
    return status.replace("_", " ").capitalize()


def _about_line(run: Run) -> str:
    parts = [code(run.id)]
    if run.workflow.name:
        version = f" v{run.workflow.version}" if run.workflow.version else ""
        parts.append(f"workflow {escape(run.workflow.name)}{escape(version)}")
    files = [f.name for f in run.files if f.name]
    if files:
        parts.append("file " + ", ".join(escape(f) for f in files))
    if run.reviewed_by:
        parts.append(f"reviewed by {escape(run.reviewed_by)}")
    elif run.reviewed:
        parts.append("reviewed")
    return " · ".join(parts)


def _result_blocks(result: ProcessorResult, low_confidence: float, *, many: bool) -> list[Block]:
    title = f"*{escape(result.processor_name)}*" if many and result.processor_name else None
    if result.kind == "extract":
        lines = [_field_line(f, low_confidence) for f in result.fields]
        return _sections(lines or ["_No fields extracted._"], title=title)
    if result.kind == "classify" and result.classification is not None:
        found = result.classification
        confidence = (
            f" ({format_confidence(found.confidence)})" if found.confidence is not None else ""
        )
        return _sections([f"*Classified as* {escape(found.type or '(none)')}{confidence}"], title)
    if result.kind == "split" and result.splits:
        lines = [f"• {escape(s.type or s.name or 'part')}: {_pages(s)}" for s in result.splits]
        return _sections(lines, title=title or "*Splits*")
    return []


def _pages(part: SplitPart) -> str:
    if part.start_page is None or part.end_page in (None, part.start_page):
        return f"page {part.start_page}" if part.start_page is not None else "pages unknown"
    return f"pages {part.start_page}–{part.end_page}"


def _field_line(field_: ExtractedField, low_confidence: float) -> str:
    line = f"*{escape(field_.name)}*: {escape(format_value(field_.value))}"
    if field_.is_low_confidence(low_confidence):
        score = field_.confidence
        shown = f" ({format_confidence(score)})" if score is not None else ""
        line += f"  :warning: _low confidence{shown}_"
    cited = "; ".join(_citation_text(c) for c in field_.citations[:3])
    more = f" (+{len(field_.citations) - 3} more)" if len(field_.citations) > 3 else ""
    return f"{line}\n      {cited}{more}" if cited else f"{line}\n      _no citation_"


def _citation_text(citation: Citation) -> str:
    page = f"p. {citation.page}" if citation.page is not None else "page ?"
    if not citation.reference_text:
        return f"_{page}_"
    one_line = citation.reference_text.replace("\r", " ").replace("\n", " ").strip()
    reference = truncate(escape(one_line), MAX_REFERENCE_TEXT)
    return f"_{page}_ “{reference}”"


def _was_corrected(field_: ExtractedField) -> bool:
    return field_.initial_value is not None and field_.initial_value != field_.value


def _correction_line(field_: ExtractedField) -> str:
    before = escape(format_value(field_.initial_value))
    return f"• *{escape(field_.name)}*: {before} → {escape(format_value(field_.value))}"


def _metadata_blocks(run: Run) -> list[Block]:
    lines = [
        f"• {escape(key)}: {escape(format_value(value))}"
        for key, value in run.metadata.items()
        if not (key == TAGS_KEY and run.tags)
    ]
    if run.tags:
        lines.insert(0, "• tags: " + ", ".join(escape(t) for t in run.tags))
    return _sections(lines, title="*Metadata*") if lines else []


def _open_in_extend(url: str | None) -> Block | None:
    if not url or not url.startswith(("https://", "http://")) or len(url) > MAX_BUTTON_URL:
        return None
    button = {
        "type": "button",
        "text": {"type": "plain_text", "text": "Open in Extend"},
        "url": url,
        "action_id": OPEN_IN_EXTEND_ACTION,
    }
    return {"type": "actions", "elements": [button]}


# -- changes ---------------------------------------------------------------------------


def change_lines(change: RunChange) -> list[str]:
    """``• name: (none) → “ACME March”`` style lines, escaped, one per touched item."""
    lines = []
    if change.renames:
        before = f"“{escape(change.name_before)}”" if change.name_before else "(none)"
        lines.append(f"• *name*: {before} → “{escape(change.name_after or '')}”")
    for key in change.metadata_keys:
        before = (
            escape(format_value(change.metadata_before[key]))
            if key in change.metadata_before
            else "(unset)"
        )
        after = escape(format_value(change.metadata_after[key]))
        lines.append(f"• *metadata* {code(key)}: {before} → {after}")
    if change.tags_added:
        lines.append("• *tags*: add " + ", ".join(escape(t) for t in change.tags_added))
    return lines


def proposal_message(
    approval_id: str,
    run_id: str,
    description: str,
    change: RunChange | None,
    requester: str | None,
) -> SlackMessage:
    """The change with Approve (behind a confirm dialog) and Cancel buttons."""
    blocks = _change_blocks(":pencil2: *Change waiting for approval*", run_id, description, change)
    who = (
        f"Requested by {user_mention(requester)}. Only they or an approver can decide"
        if requester
        else "Only an approver can decide"
    )
    blocks.append(_context(f"{who}; nothing is written to Extend before that."))
    confirm = {
        "title": {"type": "plain_text", "text": "Apply this change?"},
        "text": {"type": "plain_text", "text": defang_plain(truncate(description, 300))},
        "confirm": {"type": "plain_text", "text": "Apply"},
        "deny": {"type": "plain_text", "text": "Go back"},
    }
    approve = {
        "type": "button",
        "action_id": APPROVE_ACTION,
        "text": {"type": "plain_text", "text": "Approve"},
        "style": "primary",
        "value": approval_id,
        "confirm": confirm,
    }
    cancel = {
        "type": "button",
        "action_id": CANCEL_ACTION,
        "text": {"type": "plain_text", "text": "Cancel"},
        "value": approval_id,
    }
    blocks.append(
        {"type": "actions", "block_id": f"approval:{approval_id}", "elements": [approve, cancel]}
    )
    text = escape(f"Change waiting for approval: {truncate(description, 500)}")
    return split_into_messages(blocks, fallback=text)[0]


def outcome_message(
    run_id: str,
    description: str,
    change: RunChange | None,
    outcome: str,
) -> SlackMessage:
    """The decided change without buttons; ``outcome`` is mrkdwn, already escaped."""
    blocks = _change_blocks("*Change*", run_id, description, change)
    blocks.append(_context(outcome))
    return split_into_messages(blocks, fallback=outcome)[0]


def _change_blocks(
    title: str, run_id: str, description: str, change: RunChange | None
) -> list[Block]:
    lines = change_lines(change) if change is not None and not change.is_empty else []
    body = "\n".join(lines) if lines else escape(description)
    text = truncate(f"{title} to {code(run_id)}\n{body}", MAX_SECTION_TEXT)
    return [{"type": "section", "text": {"type": "mrkdwn", "text": text}}]


# -- plain answers -----------------------------------------------------------------------


def text_messages(text: str, *, limit: int = MAX_MESSAGE_TEXT) -> list[str]:
    """Untrusted text escaped and cut into message-sized parts."""
    escaped = escape(text.strip()) or "_(no answer)_"
    return split_text(escaped, limit)


def notice(text: str) -> SlackMessage:
    """A short message of our own words (already safe mrkdwn) as one section."""
    return SlackMessage(text=text, blocks=_sections([text]))


# -- limits --------------------------------------------------------------------------------


def split_into_messages(
    blocks: Sequence[Block], *, fallback: str, tail: Sequence[Block] = ()
) -> list[SlackMessage]:
    """``blocks`` (and ``tail``, kept together at the end) in messages of <= 50 blocks."""
    messages: list[list[Block]] = [[]]
    for block in [*blocks, *tail]:
        if len(messages[-1]) >= MAX_BLOCKS:
            messages.append([_context("_…continued_")])
        messages[-1].append(block)
    fallback = truncate(fallback, MAX_MESSAGE_TEXT)
    if len(messages) == 1:
        return [SlackMessage(text=fallback, blocks=messages[0])]
    total = len(messages)
    return [
        SlackMessage(text=truncate(f"{fallback} ({i}/{total})", MAX_MESSAGE_TEXT), blocks=chunk)
        for i, chunk in enumerate(messages, 1)
    ]


def _header(text: str) -> Block:
    shown = defang_plain(truncate(" ".join(text.split()), MAX_HEADER_TEXT))
    return {"type": "header", "text": {"type": "plain_text", "text": shown, "emoji": True}}


def _context(text: str) -> Block:
    return {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": truncate(text, MAX_SECTION_TEXT)}],
    }


def _sections(lines: Sequence[str], title: str | None = None) -> list[Block]:
    """Lines packed into as few sections as fit 3000 characters each; long lines are cut up."""
    texts: list[str] = []
    current = title or ""
    for line in lines:
        for piece in split_text(line, MAX_SECTION_TEXT):
            candidate = f"{current}\n{piece}" if current else piece
            if len(candidate) <= MAX_SECTION_TEXT:
                current = candidate
            else:
                texts.append(current)
                current = piece
    if current:
        texts.append(current)
    return [{"type": "section", "text": {"type": "mrkdwn", "text": t}} for t in texts]
