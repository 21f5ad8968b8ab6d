"""Why a run needs someone: its low-confidence fields, failed validation rules, failure message.

Read from the normalized ``Run`` (fields and their confidence, the failure
reason and message) and from the run's raw JSON for validation: Extend
reports a ``RULE_VALIDATION`` step as ``result: {rules: [{name, valid,
failureReason?, error?}], allPassed}`` and a ``VALIDATION`` step as
``result: {valid, blocks: [{name, valid, error?, reasoning?}]}``; a rule or
block with ``valid: false`` failed. Unknown shapes are skipped, never fatal.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from tools.runs.models import ExtractedField, Run

VALIDATION_STEP_TYPES = frozenset({"RULE_VALIDATION", "VALIDATION", "EXTERNAL_DATA_VALIDATION"})
MAX_RULES = 20


@dataclass(frozen=True)
class FailedRule:
    """One validation rule (or block) that did not pass, and why, as Extend said."""

    name: str
    why: str | None = None


@dataclass(frozen=True)
class AlertReasons:
    low_confidence: list[ExtractedField] = field(default_factory=list)
    failed_rules: list[FailedRule] = field(default_factory=list)
    failure: str | None = None

    @property
    def any(self) -> bool:
        return bool(self.low_confidence or self.failed_rules or self.failure)


def alert_reasons(run: Run, *, low_confidence: float) -> AlertReasons:
    """Everything in ``run`` that explains why it failed or waits for review."""
    flagged = [f for f in run.fields if f.is_low_confidence(low_confidence)]
    parts = [p for p in (run.failure_reason, run.failure_message) if p]
    return AlertReasons(
        low_confidence=flagged,
        failed_rules=list(_failed_rules(run.raw))[:MAX_RULES],
        failure=" — ".join(parts) if parts else None,
    )


def _failed_rules(raw: dict[str, Any]) -> Iterator[FailedRule]:
    run = _dict(raw.get("workflowRun")) or raw
    steps = [*_dicts(run.get("stepRuns")), *_dicts(run.get("outputs"))]
    for step in steps:
        definition = _dict(step.get("step"))
        step_type = str(step.get("stepType") or step.get("type") or definition.get("type") or "")
        if step_type.upper() not in VALIDATION_STEP_TYPES:
            continue
        result = _dict(step.get("result")) or step
        for holder in (result, result.get("output")):
            if not isinstance(holder, dict):
                continue
            for item in [*_dicts(holder.get("rules")), *_dicts(holder.get("blocks"))]:
                if item.get("valid") is False:
                    yield _rule(item)


def _rule(item: dict[str, Any]) -> FailedRule:
    name = str(item.get("name") or item.get("id") or "unnamed rule")
    details = [str(item[k]) for k in ("error", "reasoning") if item.get(k)]
    reason = item.get("failureReason")
    if not details and reason:
        details.append(_REASON_TEXT.get(str(reason), str(reason)))
    return FailedRule(name=name, why="; ".join(details) or None)


_REASON_TEXT = {
    "RULE_FAILED": "the rule evaluated to false",
    "PARSE_ERROR": "the rule's formula could not be parsed",
    "VALUE_ERROR": "the rule's formula failed on these values",
}


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []
