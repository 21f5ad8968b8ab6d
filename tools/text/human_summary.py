"""A run in three to six sentences, written for a person: what it is, its state, what to check.

``tools.text.summary`` writes the compact, complete text a model reads: every value,
page, quote and score. A person asking "summarize this run" wants what a careful
colleague would say instead: which document it is (kind, number, vendor, total with
its currency, dates), where it stands (processed, waiting for review and why,
failed and why, still running), what the reviewer changed, and which fields deserve
a second look, named in words with their score. Details stay in the Slack run card
and the CLI table. ``tools.text.document_roles`` finds the fields that play those
parts; values use the ``HUMAN`` style of ``tools.text.formatting``.

The summary is at most ``MAX_HUMAN_SUMMARY`` characters. Document text (vendor
names, numbers, messages) is untrusted: it is put on one line (control and
formatting characters removed), cut to a length, and never read as instructions;
text that reads like instructions is pointed out as such. Mentions such as
``<!channel>`` are left to the front end to defang (``agent.safety``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from tools.runs.models import ExtractedField, Run, RunStatus, SplitPart
from tools.text.document_roles import (
    DocumentRoles,
    document_kind,
    is_empty,
    line_item_count,
    reads_like_instructions,
)
from tools.text.facts import page_range_text
from tools.text.formatting import (
    HUMAN,
    format_amount,
    format_confidence,
    format_date,
    format_field_name,
    format_timestamp,
)
from tools.text.summary import LOW_CONFIDENCE

__all__ = ["MAX_HUMAN_SUMMARY", "human_summary"]

MAX_HUMAN_SUMMARY = 600
MAX_SHOWN_TEXT = 60
MAX_MESSAGE_TEXT = 180
MAX_LISTED = 3

_SPACE = re.compile(r"\s+")


def human_summary(run: Run, *, low_confidence: float = LOW_CONFIDENCE) -> str:
    """The run in a few plain sentences for a person (at most ``MAX_HUMAN_SUMMARY`` characters)."""
    roles = DocumentRoles.of(run)
    low = _low_fields(run, low_confidence)
    what = _what(run, roles)
    parts = [
        _Part(what, priority=0),
        _Part(_state(run, low, with_file=not what), priority=0),
        _Part(_other_results(run), priority=2, short=_other_results(run, brief=True)),
        _Part(_corrections(run), priority=1, short=_corrections(run, brief=True)),
        _Part(_second_look(low, low_confidence), priority=1, short=_second_look_brief(low)),
        _Part(_instructions_note(run, roles), priority=0),
    ]
    return _fit([p for p in parts if p.text])


# -- sentences -----------------------------------------------------------------------------


def _what(run: Run, roles: DocumentRoles) -> str:
    """``Invoice INV-1 from ACME for $1,420.00 (4 line items), dated .. and due ..``; or ""."""
    number = _text_value(roles.number)
    vendor = _text_value(roles.vendor)
    total = _shown_value(roles.total)
    issued = _shown_value(roles.issued)
    due = _shown_value(roles.due)
    if not (number or vendor or total or issued or due):
        return ""
    kind = _plain(document_kind(run), 30)
    text = f"{kind.capitalize()} {number}" if number else f"The {kind}"
    if vendor:
        text += f" from {vendor}"
    if total:
        text += f" for {total}"
    items = line_item_count(run)
    if items:
        text += f" ({items} line item{'s' if items != 1 else ''})"
    dates = [f"dated {issued}"] if issued else []
    dates += [f"due {due}"] if due else []
    if dates:
        text += ", " + _join(dates)
    return text if text.endswith((".", "…")) else text + "."


def _run_label(run: Run, *, with_file: bool) -> str:
    """``Run workflow_run_1`` and, when the first sentence was left out, its file."""
    files = [f.name for f in run.files if f.name]
    shown = f" (“{_plain(files[0], MAX_SHOWN_TEXT)}”)" if with_file and files else ""
    return f"Run {run.id}{shown}"


def _state(run: Run, low: list[ExtractedField], *, with_file: bool) -> str:
    """Where the run stands, and its review: by whom and when, waiting and why, or none."""
    status = run.status
    label = _run_label(run, with_file=with_file)
    who = _plain(run.reviewed_by, MAX_SHOWN_TEXT) if run.reviewed_by else ""
    when = f" on {format_timestamp(run.reviewed_at)}" if run.reviewed_at else ""
    if status == RunStatus.FAILED or run.failure_reason or run.failure_message:
        message = _plain(run.failure_message, MAX_MESSAGE_TEXT) if run.failure_message else ""
        if message:
            why = f": {message.rstrip('.')}."
        else:
            why = f" ({_reason_words(run.failure_reason)})." if run.failure_reason else "."
        return f"{label} failed{why} Nothing was extracted, so there is nothing to review."
    if run.in_progress:
        if run.fields:
            return f"{label} is still processing, so these results are not final or reviewed yet."
        return f"{label} is still processing, so there are no results to review yet."
    if status == RunStatus.NEEDS_REVIEW:
        why = f" because {len(low)} of {len(run.fields)} fields scored low" if low else ""
        return f"{label} is waiting for human review in Extend{why}."
    if status == RunStatus.REJECTED:
        by = f" by {who}" if who else ""
        note = _plain(run.rejection_note, MAX_MESSAGE_TEXT) if run.rejection_note else ""
        why = f": {note.rstrip('.')}." if note else "."
        return f"{label} was rejected in review{by}{when}{why}"
    if status in (RunStatus.CANCELLED, RunStatus.CANCELLING):
        return f"{label} was cancelled before it finished, so it was not reviewed."
    done = "processed" if status == RunStatus.PROCESSED else _reason_words(status)
    if who:
        return f"{label} is {done} and was reviewed by {who}{when}."
    if run.reviewed or run.reviewed_at:
        return f"{label} is {done} and was reviewed{when}."
    return f"{label} is {done}; no one has reviewed it."


def _other_results(run: Run, *, brief: bool = False) -> str:
    sentences = []
    for result in run.results:
        c = result.classification
        if result.kind == "classify" and c is not None and c.type:
            score = (
                f" ({format_confidence(c.confidence, HUMAN)})" if c.confidence is not None else ""
            )
            sentences.append(f"Extend classified it as {_plain(c.type, 30)}{score}.")
        elif result.kind == "split" and result.splits:
            count = len(result.splits)
            if brief:
                sentences.append(f"Extend split it into {count} part{'s' if count > 1 else ''}.")
                continue
            parts = [_split_part(p) for p in result.splits[:MAX_LISTED]]
            if count > MAX_LISTED:
                parts.append(f"{count - MAX_LISTED} more")
            sentences.append(f"Extend split it into {count} parts: {_join(parts)}.")
    failed = [r for r in run.results if (r.status or "").upper() == "FAILED"]
    if failed and run.status != RunStatus.FAILED:
        names = [_plain(r.processor_name or r.step_type or "a", 40) for r in failed[:MAX_LISTED]]
        steps = "step" if len(failed) == 1 else "steps"
        sentences.append(f"The {_join(names)} {steps} failed.")
    return " ".join(sentences)


def _split_part(part: SplitPart) -> str:
    label = _plain(part.name or (part.type or "part").replace("_", " "), 40)
    ident = f" {_plain(part.identifier, 30)}" if part.identifier else ""
    return f"{label}{ident} ({page_range_text(part.start_page, part.end_page)})"


def _corrections(run: Run, *, brief: bool = False) -> str:
    changed = [f for f in run.fields if f.edited and f.initial_value != f.value]
    changes = []
    for field in changed[:MAX_LISTED]:
        name = format_field_name(field.name)
        before, after = _shown(field.initial_value), _shown(field.value)
        if brief or before is None or after is None:
            changes.append(f"the {name}")
        else:
            changes.append(f"the {name} from {before} to {after}")
    if len(changed) > MAX_LISTED:
        changes.append(f"{len(changed) - MAX_LISTED} more field{'s' if len(changed) > 4 else ''}")
    for result in run.results:
        c = result.classification
        if c is not None and c.initial_type and c.initial_type != c.type:
            changes.append(
                f"the document type from {_plain(c.initial_type, 30)} to {_plain(c.type or '', 30)}"
            )
    if not changes:
        return ""
    return f"The reviewer changed {_join(changes)}."


def _low_fields(run: Run, threshold: float) -> list[ExtractedField]:
    low = [f for f in run.fields if f.is_low_confidence(threshold)]
    return sorted(low, key=lambda f: f.confidence if f.confidence is not None else 2.0)


def _second_look(low: list[ExtractedField], threshold: float) -> str:
    if not low:
        return ""
    shown = [_weak_field(f, threshold) for f in low[:MAX_LISTED]]
    if len(low) > MAX_LISTED:
        shown.append(f"{len(low) - MAX_LISTED} more")
    return f"Worth a second look: {_join(shown)}."


def _second_look_brief(low: list[ExtractedField]) -> str:
    if not low:
        return ""
    names = [format_field_name(f.name) for f in low[:MAX_LISTED]]
    more = f" and {len(low) - MAX_LISTED} more" if len(low) > MAX_LISTED else ""
    return f"Worth a second look: {', '.join(names)}{more}."


def _weak_field(field: ExtractedField, threshold: float) -> str:
    name = format_field_name(field.name)
    if is_empty(field.value):
        name += " (empty)"
    if field.confidence is not None:
        low = field.confidence < threshold
        return f"{name} at {format_confidence(field.confidence, HUMAN, low=low)}"
    score = field.review_agent_score
    return f"{name}, review score {score:g}/5" if score is not None else f"{name}, flagged"


def _instructions_note(run: Run, roles: DocumentRoles) -> str:
    known = {id(f) for f in roles.fields()}
    for field in run.fields:
        if id(field) in known or not isinstance(field.value, str):
            continue
        if reads_like_instructions(field.value):
            quoted = _plain(field.value, 70)
            name = format_field_name(field.name)
            return (
                f"Its {name} field holds instructions (“{quoted}”); they are document text "
                "and were not followed."
            )
    return ""


# -- values --------------------------------------------------------------------------------


def _text_value(field: ExtractedField | None) -> str:
    if field is None or is_empty(field.value):
        return ""
    if isinstance(field.value, str):
        return _plain(field.value, MAX_SHOWN_TEXT)
    return _shown(field.value) or ""


def _shown_value(field: ExtractedField | None) -> str:
    return "" if field is None else _shown(field.value) or ""


def _shown(value: Any) -> str | None:
    """A value in human form, or None when it has no short form (objects, lists)."""
    if is_empty(value):
        return "(empty)"
    money = format_amount(value, HUMAN)
    if money is not None:
        return _plain(money, MAX_SHOWN_TEXT)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return f"{value:,}" if isinstance(value, int) else f"{value:,.2f}".rstrip("0").rstrip(".")
    if isinstance(value, str):
        return _plain(format_date(value), MAX_SHOWN_TEXT)
    return None


def _reason_words(code: str) -> str:
    return _plain(code.replace("_", " ").lower(), 60)


def _plain(text: str | None, limit: int) -> str:
    """Document text on one line: no control or format characters, cut to ``limit``."""
    if not text:
        return ""
    kept = "".join(
        " " if unicodedata.category(ch) in ("Cc", "Zl", "Zp") else ch
        for ch in text
        if unicodedata.category(ch) != "Cf"
    )
    one_line = _SPACE.sub(" ", kept).strip()
    if len(one_line) <= limit:
        return one_line
    cut = one_line[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:.") + "…"


def _join(items: Sequence[str]) -> str:
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


# -- fitting the length --------------------------------------------------------------------


@dataclass
class _Part:
    text: str
    priority: int  # 0: always kept; higher: shortened, then dropped, first
    short: str = ""


def _fit(parts: list[_Part], limit: int = MAX_HUMAN_SUMMARY) -> str:
    """The sentences joined; over ``limit``, the least important are shortened, then dropped."""
    optional = sorted((p for p in parts if p.priority), key=lambda p: -p.priority)
    steps: list[tuple[_Part, str]] = [(p, p.short) for p in optional if p.short != p.text]
    steps += [(p, "") for p in optional]
    text = " ".join(p.text for p in parts if p.text)
    for part, replacement in steps:
        if len(text) <= limit:
            break
        part.text = replacement
        text = " ".join(p.text for p in parts if p.text)
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    return cut[: cut.rindex(" ")].rstrip(" ,;:") + "…" if " " in cut else cut + "…"
