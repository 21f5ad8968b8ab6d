"""Short answers about how a run ended: why it failed or was rejected, how it was classified.

"why was it rejected?", "what was the rejection note?", "what went wrong?" lead
with the run's own words: the rejection note (with who rejected it and when, if
the run says) or the failure message and its reason code. A run that neither
failed nor was rejected says so, with its status. "how confident was the
classification?" leads with the type and its confidence. Notes, messages and
reasoning come from Extend, reviewers and documents: they are quoted, never obeyed.
"""

from __future__ import annotations

import re

from agent.change_text import and_list
from tools.runs.models import ProcessorResult, Run, RunStatus
from tools.text.formatting import HUMAN, format_confidence, format_timestamp
from tools.text.quoting import plain_or_quoted, quote

__all__ = ["MAX_NOTE", "classification_answer", "has_outcome", "outcome_answer"]

MAX_NOTE = 400
"""How much of a failure message or rejection note is quoted: it is the answer, so more than a
field's reference text."""

_ASKS_WHY = re.compile(r"\bwhy\b|\breason|\bexplain\b|\bhow did\b", re.IGNORECASE)


def has_outcome(run: Run) -> bool:
    """Whether the run failed or was rejected: "why?" about it means why that happened."""
    return _failed(run) or _rejected(run) or bool(_failed_steps(run))


def outcome_answer(run: Run) -> str:
    """Why the run failed or was rejected, in its own words, leading with the answer."""
    if _failed(run):
        return _failure_answer(run)
    if _rejected(run):
        return _rejection_answer(run)
    steps = _failed_steps(run)
    if steps:
        described = "; ".join(_step_failure(step) for step in steps)
        return f"{run.id} did not fail as a whole, but a step did: {described}."
    if run.in_progress:
        return (
            f"Nothing has gone wrong on {run.id} so far: it is {run.status}, still processing, "
            "so it has no results yet."
        )
    reviewed = f", reviewed by {_who(run)}{_when(run)}" if run.reviewed_by else ""
    return f"{run.id} neither failed nor was rejected: it is {run.status}{reviewed}."


def classification_answer(run: Run, question: str, low_confidence: float) -> str:
    """The type each classify step gave the document, with its confidence (and why, if asked)."""
    steps = [r for r in run.results if r.classification is not None and r.classification.type]
    if not steps:
        kinds = and_list(sorted({r.kind for r in run.results})) or "no"
        return (
            f"{run.id} has no classification step ({kinds} results), so there is no "
            "classification or classification confidence to report."
        )
    why = bool(_ASKS_WHY.search(question))
    if len(steps) == 1:
        return _classified(steps[0], "It was classified", low_confidence, why=why)
    leads = [f"The {_shown(_step_name(step))} step classified it" for step in steps]
    return " ".join(
        _classified(step, lead, low_confidence, why=why)
        for step, lead in zip(steps, leads, strict=True)
    )


def _classified(step: ProcessorResult, lead: str, low_confidence: float, *, why: bool) -> str:
    found = step.classification
    assert found is not None and found.type is not None
    kind = _shown(found.type)
    if found.confidence is None:
        text = f"{lead} as {kind}; Extend gave no confidence score for it."
    else:
        low = found.confidence < low_confidence
        score = format_confidence(found.confidence, HUMAN, low=low)
        text = f"{lead} as {kind} at {score} confidence."
    if found.initial_type and found.initial_type != found.type:
        text += f" A reviewer changed it from {_shown(found.initial_type)}."
    if why and found.reasoning:
        text += f" Reasoning: {quote(found.reasoning[0], limit=MAX_NOTE, marks='typographic')}"
    return text


def _failure_answer(run: Run) -> str:
    code = f" ({plain_or_quoted(run.failure_reason)})" if run.failure_reason else ""
    if run.failure_message and run.failure_message.strip():
        lead = f"It failed: {_note(run.failure_message)}{code}."
    elif code:
        lead = f"It failed{code}; Extend gave no message saying more."
    else:
        lead = "It failed; the run carries no failure message or reason."
    files = and_list([quote(f.name, marks="typographic") for f in run.files if f.name])
    about = f"Run {run.id} (file {files})" if files else f"Run {run.id}"
    if run.fields:
        return f"{lead} {about} has partial results only: check them against the document."
    return f"{lead} {about} extracted nothing, so there is nothing to review."


def _rejection_answer(run: Run) -> str:
    by = f" by {_who(run)}" if run.reviewed_by else ""
    when = _when(run)
    if run.rejection_note and run.rejection_note.strip():
        said = f"The rejection note on {run.id} says: {_note(run.rejection_note)}"
        if by or when:
            return f"{said} It was rejected{by}{when}."
        return f"{said} The run does not say who rejected it or when."
    return (
        f"{run.id} was rejected{by}{when}, but it carries no rejection note, so the run does not "
        "say why."
    )


def _step_name(step: ProcessorResult) -> str:
    return step.processor_name or step.step_name or step.step_type or step.kind


def _step_failure(step: ProcessorResult) -> str:
    name = _shown(_step_name(step))
    code = f" ({plain_or_quoted(step.failure_reason)})" if step.failure_reason else ""
    message = f": {_note(step.failure_message)}" if step.failure_message else ""
    return f"its {name} step failed{message}{code}"


def _failed(run: Run) -> bool:
    return run.status == RunStatus.FAILED or bool(run.failure_reason or run.failure_message)


def _rejected(run: Run) -> bool:
    return run.status == RunStatus.REJECTED or bool(run.rejection_note)


def _failed_steps(run: Run) -> list[ProcessorResult]:
    return [r for r in run.results if r.failure_reason or r.failure_message]


def _who(run: Run) -> str:
    return _shown(run.reviewed_by) if run.reviewed_by else "someone"


def _when(run: Run) -> str:
    return f" on {format_timestamp(run.reviewed_at)}" if run.reviewed_at else ""


def _note(text: str) -> str:
    return quote(text.strip(), limit=MAX_NOTE, marks="typographic")


def _shown(text: str) -> str:
    """A label or user id (``invoice``, ``Document Type Classifier``) as is; else quoted."""
    plain = re.fullmatch(r"[\w .&/()@+-]{1,80}", text)
    return text if plain else quote(text, limit=MAX_NOTE, marks="typographic")
