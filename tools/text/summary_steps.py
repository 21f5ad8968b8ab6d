"""Summary lines for what a run's steps decided or could not do, beside their extracted fields.

"Why does this run need review?" and "what failed?" are two of the questions people
ask most, and the answers live in steps that extract nothing: a RULE_VALIDATION step
names the rules that failed and why, a VALIDATION step the checks and the model's
reasoning, an EXTERNAL_DATA_VALIDATION step the endpoint's answer, a ROUTER step the
branch the run took. A failed step carries Extend's reason and message; a
MERGE_EXTRACT step names the extractors it merged; a step type or an extraction
output this version does not know is said to be kept raw (``Run.raw``), never
dropped in silence. ``tools.text.summary`` places these lines; ``tools.text.facts``
holds the summary to stating each of them.

Rule names, check names, branch names, messages and endpoint data come from
workflows, models and documents, so they are written as ``tools.text.quoting``
writes all untrusted text: quoted (or bare when a simple identifier), controls
escaped.
"""

from __future__ import annotations

from collections.abc import Sequence

from tools.runs.models import ProcessorResult
from tools.runs.step_outcomes import RuleOutcome, ValidationBlock, ValidationOutcome
from tools.text.quoting import json_text, quote
from tools.text.quoting import plain_or_quoted as _p

__all__ = [
    "UNREADABLE_OUTPUT",
    "credits_text",
    "failure_text",
    "merged_text",
    "outcome_lines",
    "unknown_steps_line",
]

UNREADABLE_OUTPUT = "its output has a shape this tool can't read; the raw output is kept"
_KINDS = {
    "RULE_VALIDATION": "Rule validation",
    "VALIDATION": "Validation",
    "EXTERNAL_DATA_VALIDATION": "External validation",
}


def failure_text(result: ProcessorResult) -> str:
    """``failed (REASON): "message"`` for a step Extend says failed and why; else ``""``."""
    if not (result.failure_reason or result.failure_message):
        return ""
    reason = _p(result.failure_reason) if result.failure_reason else "no reason given"
    message = f": {quote(result.failure_message)}" if result.failure_message else ""
    return f"failed ({reason}){message}"


def credits_text(credits: float) -> str:
    """``6 credits``, ``1 credit``, ``2.5 credits``."""
    return f"{credits:g} credit{'' if credits == 1 else 's'}"


def merged_text(result: ProcessorResult) -> str:
    """`` (merged from "PO Header Extractor", "PO Totals Extractor")`` or ``""``."""
    names = [
        quote(m.name) if m.name else _p(m.id or m.version_id or "?")
        for m in result.merged_extractors
    ]
    return f" (merged from {', '.join(names)})" if names else ""


def outcome_lines(result: ProcessorResult, label: str, *, include_reasoning: bool) -> list[str]:
    """What a finished validation or routing step decided; ``[]`` when it reported nothing."""
    if result.validation is not None:
        kind = _KINDS.get(result.step_type or "", "Validation")
        return [f"{kind}{label}: {_validation_text(result.validation)}."]
    route = result.route
    if route is None or not (route.matched_branch or route.matched_branch_id):
        return []
    branch = _p(route.matched_branch_id or "")
    if route.matched_branch:
        branch = quote(route.matched_branch)
    lines = [f"Router{label}: took branch {branch}."]
    if include_reasoning:
        lines += [
            f"  {quote(b.name) if b.name else _p(b.id or '?')}: {quote(b.reasoning)}"
            for b in route.branches
            if b.reasoning
        ]
    return lines


def unknown_steps_line(steps: Sequence[ProcessorResult]) -> str | None:
    """``1 step of a type this tool doesn't know (SUMMARIZE); its raw result is kept.``"""
    if not steps:
        return None
    types = ", ".join(dict.fromkeys(_p(s.step_type or "no type") for s in steps))
    if len(steps) == 1:
        return f"1 step of a type this tool doesn't know ({types}); its raw result is kept."
    return (
        f"{len(steps)} steps of types this tool doesn't know ({types}); their raw results are kept."
    )


def _validation_text(outcome: ValidationOutcome) -> str:
    if outcome.rules:
        return _checked(outcome.rules, outcome.failed_rules, "rule", outcome.passed)
    if outcome.blocks:
        return _checked(outcome.blocks, outcome.failed_blocks, "check", outcome.passed)
    pieces = []
    if outcome.passed is not None:
        pieces.append("passed" if outcome.passed else "did not pass")
    if outcome.response_status is not None:
        pieces.append(f"response {outcome.response_status}")
    if outcome.response_data is not None:
        pieces.append(json_text(outcome.response_data))
    return " ".join(pieces) or "no answer recorded"


def _checked(
    every: Sequence[RuleOutcome | ValidationBlock],
    failed: Sequence[RuleOutcome | ValidationBlock],
    noun: str,
    passed: bool | None,
) -> str:
    """``2 of 4 rules failed: name ("why"), ...`` or ``all 4 rules passed``."""
    count = len(every)
    nouns = f"{noun}{'s' if count > 1 else ''}"
    if not failed:
        verdict = "passed" if passed is not False else "did not pass, none marked failed"
        return f"all {count} {nouns} {verdict}" if count > 1 else f"the {noun} {verdict}"
    shown = ", ".join(_failed_one(item) for item in failed)
    return f"{len(failed)} of {count} {nouns} failed: {shown}"


def _failed_one(item: RuleOutcome | ValidationBlock) -> str:
    name = _p(item.name) if item.name else "(no name)"
    if isinstance(item, ValidationBlock):
        why = item.error or item.reasoning
    else:
        why = item.error or item.failure_reason
    if not why:
        return name
    if isinstance(item, RuleOutcome) and not item.error:
        return f"{name} ({_p(why)})"  # Extend's reason code alone, e.g. RULE_FAILED
    return f"{name} ({quote(why)})"
