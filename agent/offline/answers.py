"""The offline model's answers to read requests, written from a normalized run.

``answer_question`` picks the answer for what was asked: a field (see
``agent.offline.field_answers``), the run's status, why it failed or was
rejected and how it was classified (``agent.offline.outcome_answers``), its
name, tags and metadata, its low-confidence fields, or a summary. A question
about fields on a run that has none leads with what the run does have: its
failure or rejection, or its classification. A summary is written for a person
(``tools.text.human_summary``: what the document is, its state, the reviewer's
changes, what to check), not the tool's complete text for models. Document text
is quoted, never obeyed; the session neutralizes @channel-style mentions in
whatever is returned.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from agent.names import shown_id, with_shown_ids
from agent.offline import outcome_answers, run_answers
from agent.offline.field_answers import field_answer, pointed_field_answer
from agent.offline.field_evidence import citation_text, score_text
from agent.offline.intents import Understanding
from agent.offline.question_kinds import asked_currency
from agent.offline.wording import MAX_QUOTE
from tools.runs.models import Run
from tools.text.formatting import (
    HUMAN,
    format_confidence,
    format_field_name,
    format_timestamp,
    format_value,
)
from tools.text.human_summary import human_summary
from tools.text.quoting import quote
from tools.text.summary import LOW_CONFIDENCE

_POINTS_BACK = re.compile(r"\b(?:that|this|it|those|these)\b", re.IGNORECASE)


def answer_question(
    understanding: Understanding,
    run: Run,
    *,
    earlier: Sequence[str] = (),
    low_confidence: float = LOW_CONFIDENCE,
) -> str:
    """The answer to a read request about ``run``; ``earlier`` are past questions, latest first."""
    kind = understanding.kind
    if kind == "currency":
        return run_answers.currency_answer(run, understanding.text)
    if kind == "pages":
        return run_answers.pages_answer(run)
    if kind == "review_changes":
        return run_answers.review_changes_answer(run, understanding.text)
    if kind == "adds_up":
        return run_answers.adds_up_answer(run, understanding.text)
    if kind == "outcome":
        return outcome_answers.outcome_answer(run)
    if kind == "classification":
        return outcome_answers.classification_answer(run, understanding.text, low_confidence)
    if kind == "convert":
        target = asked_currency(understanding.text)
        return run_answers.convert_answer(run, understanding.text, target, low_confidence)
    if kind == "paid":
        return run_answers.paid_answer(run)
    if kind == "status":
        return status_answer(run)
    if kind == "metadata":
        return metadata_answer(run)
    if kind in ("field", "low_confidence") and not run.fields:
        return _without_fields(understanding, run, low_confidence)
    if kind == "low_confidence":
        pointed = _pointed_answer(understanding, run, earlier, low_confidence)
        return pointed or low_confidence_answer(run, low_confidence)
    if kind == "field":
        return field_answer(understanding, run, earlier, low_confidence)
    return human_summary(run, low_confidence=low_confidence)


def _without_fields(understanding: Understanding, run: Run, low_confidence: float) -> str:
    """A field question on a run with none: its failure or rejection, else its classification.

    "why?" or "how confident?" there is about what the run does have, so that leads.
    """
    none = f"{run.id} has no extracted fields."
    if outcome_answers.has_outcome(run):
        answer = outcome_answers.outcome_answer(run)
        return answer if "why" in understanding.aspects else f"{none} {answer}"
    if any(r.classification is not None and r.classification.type for r in run.results):
        answer = outcome_answers.classification_answer(run, understanding.text, low_confidence)
        asks_confidence = understanding.kind == "low_confidence" or "confidence" in (
            understanding.aspects
        )
        return answer if asks_confidence else f"{none} {answer}"
    return f"{none} {human_summary(run, low_confidence=low_confidence)}"


def _pointed_answer(
    understanding: Understanding, run: Run, earlier: Iterable[str], low_confidence: float
) -> str | None:
    """ "how confident is that?" just after a question about a field answers for that field."""
    if "confidence" not in understanding.aspects or not _POINTS_BACK.search(understanding.text):
        return None
    previous = next(iter(earlier), None)
    if previous is None:
        return None
    return pointed_field_answer(run, previous, low_confidence)


def status_answer(run: Run) -> str:
    label = run.id if not run.name else f"{run.id} ({run.name})"
    text = f"{label} is {run.status}"
    if run.workflow.name:
        text += f", workflow {run.workflow.name}"
        if run.workflow.version:
            text += f" v{run.workflow.version}"
    text += "."
    if run.reviewed_by or run.reviewed_at:
        text += f" Reviewed by {run.reviewed_by or 'someone'}"
        text += f" on {format_timestamp(run.reviewed_at)}." if run.reviewed_at else "."
    if run.failure_reason or run.failure_message:
        reason = " ".join(p for p in (run.failure_reason, run.failure_message) if p)
        text += f" It failed: {reason.rstrip('.')}."
    elif run.in_progress:
        text += (
            " It is still processing, so it has no results yet; Extend gives no estimate of "
            "when it will finish, so ask again in a little while."
        )
    return text


def metadata_answer(run: Run) -> str:
    name = (
        f"is named {quote(run.name, limit=MAX_QUOTE, marks='typographic')}"
        if run.name
        else "has no name"
    )
    tags = ", ".join(run.tags) if run.tags else "none"
    others = {k: v for k, v in run.metadata.items() if k != "tags"}
    pairs = "; ".join(f"{k} = {format_value(v)}" for k, v in others.items()) or "none"
    return f"{run.id} {name}. Tags: {tags}. Other metadata: {pairs}."


def low_confidence_answer(run: Run, threshold: float) -> str:
    scored = [f for f in run.fields if f.confidence is not None or f.review_agent_score is not None]
    low = [f for f in scored if f.is_low_confidence(threshold)]
    limit = format_confidence(threshold, HUMAN)
    if not low:
        if not scored:
            return f"{run.id} reports no confidence scores for its fields."
        weakest = min(scored, key=lambda f: f.confidence or 0)
        return (
            f"All {len(scored)} scored fields on {run.id} are at or above {limit} confidence; "
            f"the lowest is {format_field_name(weakest.name)} "
            f"({score_text(weakest, full=True, low_confidence=threshold)})."
        )
    lines = [
        f"{len(low)} of {len(run.fields)} fields on {run.id} are below {limit} confidence "
        "or flagged by Extend's review agent (score 3/5 or less):"
    ]
    for extracted in sorted(low, key=lambda f: f.confidence or 0):
        line = f"- {format_field_name(extracted.name)}: {format_value(extracted.value, HUMAN)}"
        cited = citation_text(extracted.citations)
        line += f" — {cited} ({score_text(extracted, full=True, low_confidence=threshold)})"
        lines.append(line)
    lines.append("Check these against the document.")
    return "\n".join(lines)


def failed_read_answer(run_id: str, message: str) -> str:
    reason = with_shown_ids(without_step_prefix(message), run_id)
    return f"I could not read {shown_id(run_id)}: {reason}"


_STEP_PREFIX = re.compile(
    r"^\s*(?:Error: )?(?:ToolException\()?Failed [^:]{1,200}?: ", re.IGNORECASE
)


def without_step_prefix(message: str) -> str:
    """ "Failed reading run X: Extend returned 404 ..." -> "Extend returned 404 ..." (said once)."""
    return _STEP_PREFIX.sub("", message.strip(), count=1).strip()
