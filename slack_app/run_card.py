"""A run as a Block Kit card: header, fields with citations, corrections, metadata, link.

Every piece of text from a run is shown ``mrkdwn.inline`` (one line, escaped, no
formatting of its own; reference text as a ``mrkdwn.quotation``). People read cards,
so extracted values read in the ``HUMAN`` style of ``tools.text.formatting``
(``$15,735.10``, ``Oct 31, 2024``, ``74%``); metadata as it was set. A card too big
for one message continues in the next ones (``blocks.split_into_messages``).
Under the fields, a "Show source" menu offers each field with a box on the page;
picking one uploads the cited region into the thread (``slack_app.citation_upload``).
"""

from __future__ import annotations

from slack_app.blocks import (
    MAX_BUTTON_URL,
    Block,
    SlackMessage,
    context,
    header,
    plain_text,
    sections,
    split_into_messages,
)
from slack_app.citation_upload import SHOW_SOURCE_ACTION, SourceRequest
from slack_app.mrkdwn import code, escape, inline, quotation
from tools.faces.run_change import TAGS_KEY
from tools.runs.models import Citation, ExtractedField, ProcessorResult, Run, SplitPart
from tools.text.formatting import HUMAN, format_confidence, format_value

MAX_REFERENCE_TEXT = 300
OPEN_IN_EXTEND_ACTION = "open_in_extend"
MAX_SELECT_OPTIONS = 100  # Block Kit: options in a static select
MAX_OPTION_TEXT = 75  # Block Kit: an option's text


def run_card(run: Run, *, low_confidence: float = 0.8) -> list[SlackMessage]:
    """The run as one message, or several when it exceeds Slack's limits."""
    blocks: list[Block] = [header(f"{run.display_name} · {_status(run.status)}")]
    blocks.append(context(_about_line(run)))
    if run.failure_reason or run.failure_message:
        reason = " — ".join(inline(p) for p in (run.failure_reason, run.failure_message) if p)
        blocks += sections([f":x: *Failed:* {reason}"])
    for result in run.results:
        blocks += _result_blocks(result, low_confidence, many=len(run.results) > 1)
    picker = show_source_block(run)
    if picker is not None:
        blocks.append(picker)
    corrections = [_correction_line(f) for f in run.fields if _was_corrected(f)]
    if corrections:
        blocks += sections(corrections, title="*Reviewer corrections*")
    blocks += _metadata_blocks(run)
    link = _open_in_extend(run.dashboard_url)
    named = f" ({inline(run.name)})" if run.name else ""
    fallback = f"Run {escape(run.id)}{named}: {escape(_status(run.status))}"
    return split_into_messages(blocks, fallback=fallback, tail=[link] if link else [])


def _status(status: str) -> str:
    return status.replace("_", " ").capitalize()


def _about_line(run: Run) -> str:
    parts = [code(run.id)]
    if run.workflow.name:
        version = f" v{run.workflow.version}" if run.workflow.version else ""
        parts.append(f"workflow {inline(run.workflow.name + version)}")
    files = [f.name for f in run.files if f.name]
    if files:
        parts.append("file " + ", ".join(inline(f) for f in files))
    if run.reviewed_by:
        parts.append(f"reviewed by {inline(run.reviewed_by)}")
    elif run.reviewed:
        parts.append("reviewed")
    return " · ".join(parts)


def _result_blocks(result: ProcessorResult, low_confidence: float, *, many: bool) -> list[Block]:
    title = f"*{inline(result.processor_name)}*" if many and result.processor_name else None
    if result.kind == "extract":
        lines = [_field_line(f, low_confidence) for f in result.fields]
        return sections(lines or ["_No fields extracted._"], title=title)
    if result.kind == "classify" and result.classification is not None:
        found = result.classification
        confidence = (
            f" ({format_confidence(found.confidence, HUMAN)})"
            if found.confidence is not None
            else ""
        )
        return sections([f"*Classified as* {inline(found.type or '(none)')}{confidence}"], title)
    if result.kind == "split" and result.splits:
        lines = [f"• {inline(s.type or s.name or 'part')}: {_pages(s)}" for s in result.splits]
        return sections(lines, title=title or "*Splits*")
    return []


def _pages(part: SplitPart) -> str:
    if part.start_page is None or part.end_page in (None, part.start_page):
        return f"page {part.start_page}" if part.start_page is not None else "pages unknown"
    return f"pages {part.start_page}–{part.end_page}"


def _field_line(field_: ExtractedField, low_confidence: float) -> str:
    line = f"*{inline(field_.name)}*: {inline(format_value(field_.value, HUMAN))}"
    if field_.is_low_confidence(low_confidence):
        score = field_.confidence
        shown = f" ({format_confidence(score, HUMAN)})" if score is not None else ""
        line += f"  :warning: _low confidence{shown}_"
    cited = "; ".join(_citation_text(c) for c in field_.citations[:3])
    more = f" (+{len(field_.citations) - 3} more)" if len(field_.citations) > 3 else ""
    return f"{line}\n      {cited}{more}" if cited else f"{line}\n      _no citation_"


def _citation_text(citation: Citation) -> str:
    page = f"p. {citation.page}" if citation.page is not None else "page ?"
    if not citation.reference_text:
        return f"_{page}_"
    return f"_{page}_ {quotation(citation.reference_text, MAX_REFERENCE_TEXT)}"


def _was_corrected(field_: ExtractedField) -> bool:
    return field_.initial_value is not None and field_.initial_value != field_.value


def _correction_line(field_: ExtractedField) -> str:
    before = inline(format_value(field_.initial_value, HUMAN))
    after = inline(format_value(field_.value, HUMAN))
    return f"• *{inline(field_.name)}*: {before} → {after}"


def _metadata_blocks(run: Run) -> list[Block]:
    lines = [
        f"• {inline(key)}: {inline(format_value(value))}"
        for key, value in run.metadata.items()
        if not (key == TAGS_KEY and run.tags)
    ]
    if run.tags:
        lines.insert(0, "• tags: " + ", ".join(inline(t) for t in run.tags))
    return sections(lines, title="*Metadata*") if lines else []


def show_source_block(run: Run) -> Block | None:
    """A "Show source" menu: pick a field to see where on the page it was read.

    One option per field with a boxed citation, in the run's order, at most
    ``MAX_SELECT_OPTIONS`` (Block Kit's limit); None when no field has one.
    """
    options = []
    for field_ in run.fields:
        if not any(c.polygon and c.page is not None for c in field_.citations):
            continue
        value = SourceRequest(run.id, field_.name).option_value()
        if value is None:
            continue
        label = plain_text(field_.name, MAX_OPTION_TEXT)
        options.append({"text": label, "value": value})
        if len(options) == MAX_SELECT_OPTIONS:
            break
    if not options:
        return None
    menu = {
        "type": "static_select",
        "action_id": SHOW_SOURCE_ACTION,
        "placeholder": {"type": "plain_text", "text": "Show source…"},
        "options": options,
    }
    return {"type": "actions", "elements": [menu]}


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
