"""What the steps of a run that are not plain processors decided, in normalized form.

A RULE_VALIDATION, VALIDATION or EXTERNAL_DATA_VALIDATION step answers "why does
this run need review?" and "what failed?"; a ROUTER step says which branch the
run took; a MERGE_EXTRACT step names the extractors it combined. The shapes follow
the ``extend-ai`` SDK's ``RuleValidationResult``, ``ValidationResult``,
``ExternalDataValidationResult``, ``RouterResult`` and ``MergeExtractResult``
(2024-12-23 writes the same things inline in ``stepRuns[].output``).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _View(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class MergedExtractor(_View):
    """One extractor a MERGE_EXTRACT step combined (2024-12-23: ``mergedProcessors``)."""

    id: str | None = None
    version_id: str | None = None
    name: str | None = None


class RuleOutcome(_View):
    """One rule of a RULE_VALIDATION step: passed or not, and why not."""

    name: str | None = None
    valid: bool | None = None
    valid_array: list[bool] | None = None
    failure_reason: str | None = None
    error: str | None = None


class ValidationBlock(_View):
    """One check of a VALIDATION step, with the model's reasoning."""

    id: str | None = None
    name: str | None = None
    valid: bool | None = None
    error: str | None = None
    reasoning: str | None = None


class ValidationOutcome(_View):
    """What a RULE_VALIDATION, VALIDATION or EXTERNAL_DATA_VALIDATION step decided.

    ``passed`` is ``allPassed`` (rules), ``valid`` (validation blocks) or None for an
    external check, whose answer is the endpoint's ``response_status`` and
    ``response_data`` as returned.
    """

    passed: bool | None = None
    rules: list[RuleOutcome] = Field(default_factory=list)
    blocks: list[ValidationBlock] = Field(default_factory=list)
    response_status: int | None = None
    response_data: Any = None

    @property
    def failed_rules(self) -> list[RuleOutcome]:
        return [r for r in self.rules if r.valid is False]

    @property
    def failed_blocks(self) -> list[ValidationBlock]:
        return [b for b in self.blocks if b.valid is False]


class RouterBranch(_View):
    id: str | None = None
    name: str | None = None
    matched: bool | None = None
    reasoning: str | None = None
    error: str | None = None


class RouteOutcome(_View):
    """Which branch a ROUTER step took, and what it said about each branch."""

    matched_branch: str | None = None
    matched_branch_id: str | None = None
    branches: list[RouterBranch] = Field(default_factory=list)
