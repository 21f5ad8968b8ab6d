"""Pydantic models of the JSON Extend sends, one set per API version.

These mirror the wire format (camelCase aliases) and ignore any field they do
not know: Extend adds fields often, and a new one must never break a parse (the
run's exact JSON stays on ``Run.raw``). Extraction outputs, the bulk of a run,
are read by ``tools.runs.normalize`` directly and type-checked once by ``Run``.
Update bodies are built and checked in ``tools.client.validation`` (only the parts
given are sent, so "no change" is never sent as ``null``).
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", alias_generator=to_camel, populate_by_name=True)


class WireInsight(_Wire):
    type: str | None = None
    content: str | None = None


class WireClassifyOutput(_Wire):
    type: str | None = None
    confidence: float | None = None
    insights: list[WireInsight] | None = None


class WireSplit(_Wire):
    id: str | None = None
    type: str | None = None
    name: str | None = None
    identifier: str | None = None
    start_page: int | None = None
    end_page: int | None = None
    observation: str | None = None
    classification_id: str | None = None
    file_id: str | None = None


class WireSplitOutput(_Wire):
    splits: list[WireSplit] | None = None


class WireFile(_Wire):
    id: str | None = None
    name: str | None = None
    type: str | None = None
    parent_file_id: str | None = None
    presigned_url: str | None = None


class WireUsage(_Wire):
    """2026-02-09 ``RunUsage`` (``credits``, ``totalCredits``); 2024-12-23 ``{credits}``."""

    credits: float | None = None
    total_credits: float | None = None


class WireRef(_Wire):
    """An extractor / classifier / splitter a processor run names."""

    id: str | None = None
    name: str | None = None


class WireRule(_Wire):
    name: str | None = None
    valid: bool | None = None
    valid_array: list[bool] | None = None
    failure_reason: str | None = None
    error: str | None = None


class WireBlock(_Wire):
    id: str | None = None
    name: str | None = None
    valid: bool | None = None
    error: str | None = None
    reasoning: str | None = None


class WireBranch(_Wire):
    id: str | None = None
    name: str | None = None
    matched: bool | None = None
    reasoning: str | None = None
    error: str | None = None


class WireExternalResponse(_Wire):
    status: int | None = None
    data: Any = None


class WireStepOutcome(_Wire):
    """A non-processor step's result: rule validation (``rules``, ``allPassed``;
    2024-12-23 says ``valid``), validation (``valid``, ``blocks``), external data
    validation (``response``) or router (``matchedBranch``, ``branches``)."""

    rules: list[WireRule] | None = None
    all_passed: bool | None = None
    valid: bool | None = None
    blocks: list[WireBlock] | None = None
    response: WireExternalResponse | None = None
    matched_branch: WireRef | None = None
    branches: list[WireBranch] | None = None


class WireMergedExtractor(_Wire):
    id: str | None = None
    version_id: str | None = None
    name: str | None = None
    processor_id: str | None = None
    processor_version_id: str | None = None
    processor_name: str | None = None


# --- 2024-12-23 ----------------------------------------------------------------


class LegacyWorkflow(_Wire):
    id: str | None = None
    version: str | int | None = None
    name: str | None = None


class LegacyProcessorRun(_Wire):
    """``document_processor_run``: ``type`` is EXTRACT, CLASSIFY or SPLITTER."""

    id: str | None = None
    type: str | None = None
    processor_id: str | None = None
    processor_name: str | None = None
    status: str | None = None
    edited: bool | None = None
    reviewed: bool | None = None
    failure_reason: str | None = None
    failure_message: str | None = None
    edits: dict[str, Any] | None = None
    usage: WireUsage | None = None
    merged_processors: list[WireMergedExtractor] | None = None
    output: Any = None
    initial_output: Any = None
    reviewed_output: Any = None


class LegacyStepDefinition(_Wire):
    id: str | None = None
    name: str | None = None
    type: str | None = None


class LegacyStepRun(_Wire):
    """2024-12-23 ``stepRuns[]``: a validation or routing step with its ``output`` inline."""

    id: str | None = None
    status: str | None = None
    output: Any = None
    step: LegacyStepDefinition | None = None


class LegacyWorkflowRun(_Wire):
    id: str
    name: str | None = None
    status: str | None = None
    url: str | None = None
    batch_id: str | None = None
    metadata: dict[str, Any] | None = None
    initial_run_at: str | None = None
    reviewed_by: str | None = None
    reviewed_at: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    failure_reason: str | None = None
    failure_message: str | None = None
    reviewed: bool | None = None
    rejection_note: str | None = None
    files: list[WireFile] | None = None
    outputs: list[LegacyProcessorRun] | None = None
    step_runs: list[LegacyStepRun] | None = None
    workflow: LegacyWorkflow | None = None


class LegacyEnvelope(_Wire):
    success: bool | None = None
    workflow_run: LegacyWorkflowRun


# --- 2026-02-09 ----------------------------------------------------------------


class CurrentWorkflow(_Wire):
    id: str | None = None
    name: str | None = None


class CurrentWorkflowVersion(_Wire):
    id: str | None = None
    version: str | int | None = None
    name: str | None = None


class CurrentProcessorRun(_Wire):
    """``extractRun`` / ``classifyRun`` / ``splitRun`` / ``parseRun`` in a step run's result."""

    id: str | None = None
    status: str | None = None
    processor_name: str | None = None
    edited: bool | None = None
    reviewed: bool | None = None
    failure_reason: str | None = None
    failure_message: str | None = None
    edits: dict[str, Any] | None = None
    usage: WireUsage | None = None
    extractor: WireRef | None = None
    classifier: WireRef | None = None
    splitter: WireRef | None = None
    file: WireFile | None = None
    files: list[WireFile] | None = None
    output: Any = None
    initial_output: Any = None
    reviewed_output: Any = None


class CurrentStepResult(WireStepOutcome):
    """Processor results (``extractRun``... , ``mergedExtractors``) or a step's own outcome."""

    extract_run: CurrentProcessorRun | None = None
    classify_run: CurrentProcessorRun | None = None
    split_run: CurrentProcessorRun | None = None
    parse_run: CurrentProcessorRun | None = None
    merged_extractors: list[WireMergedExtractor] | None = None


class CurrentStep(_Wire):
    id: str | None = None
    name: str | None = None
    type: str | None = None


class CurrentStepRun(_Wire):
    id: str | None = None
    status: str | None = None
    step_type: str | None = None
    step: CurrentStep | None = None
    files: list[WireFile] | None = None
    result: Any = None  # a processor's result is read as ``CurrentStepResult``; others vary


class CurrentWorkflowRun(_Wire):
    id: str
    name: str | None = None
    status: str | None = None
    dashboard_url: str | None = None
    batch_id: str | None = None
    metadata: dict[str, Any] | None = None
    files: list[WireFile] | None = None
    workflow: CurrentWorkflow | None = None
    workflow_version: CurrentWorkflowVersion | None = None
    reviewed: bool | None = None
    reviewed_by_user: str | None = None
    reviewed_at: str | None = None
    initial_run_at: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    failure_reason: str | None = None
    failure_message: str | None = None
    rejection_note: str | None = None
    usage: WireUsage | None = None
    step_runs: list[CurrentStepRun] | None = None
