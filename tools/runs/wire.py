"""Pydantic models of the JSON Extend sends, one set per API version.

These mirror the wire format (camelCase aliases) and ignore any field they do
not know: Extend adds fields often, and a new one must never break a parse (the
run's exact JSON stays on ``Run.raw``). Extraction outputs, the bulk of a run,
are read by ``tools.runs.normalize`` directly and type-checked once by ``Run``.
Update bodies are built and checked in ``tools.client.validation`` (only the parts
given are sent, so "no change" is never sent as ``null``).

What both versions say alike is declared once (``WireProcessorRun``,
``WireWorkflowRun``) and each version's model adds its own spellings; a record
whose wire shape is its normalized model's reuses that model's fields.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel

from tools.runs.models import FileRef, SplitPart
from tools.runs.step_outcomes import MergedExtractor, RouterBranch, RuleOutcome, ValidationBlock


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", alias_generator=to_camel, populate_by_name=True)


# Records whose wire shape is the normalized one: the normalized model, read with
# camelCase names (the fields are listed once, on the normalized side).


class WireSplit(_Wire, SplitPart):
    pass


class WireFile(_Wire, FileRef):
    pass


class WireRule(_Wire, RuleOutcome):
    pass


class WireBlock(_Wire, ValidationBlock):
    pass


class WireBranch(_Wire, RouterBranch):
    pass


class WireMergedExtractor(_Wire, MergedExtractor):
    """2026-02-09 ``mergedExtractors[]``; 2024-12-23 ``mergedProcessors[]`` says ``processor*``."""

    processor_id: str | None = None
    processor_version_id: str | None = None
    processor_name: str | None = None


class WireInsight(_Wire):
    type: str | None = None
    content: str | None = None


class WireClassifyOutput(_Wire):
    type: str | None = None
    confidence: float | None = None
    insights: list[WireInsight] | None = None


class WireSplitOutput(_Wire):
    splits: list[WireSplit] | None = None


class WireUsage(_Wire):
    """2026-02-09 ``RunUsage`` (``credits``, ``totalCredits``); 2024-12-23 ``{credits}``."""

    credits: float | None = None
    total_credits: float | None = None


class WireRef(_Wire):
    """An extractor / classifier / splitter a processor run names; a 2026-02-09 ``workflow``."""

    id: str | None = None
    name: str | None = None


class WireStep(WireRef):
    """The step a step run ran (2024-12-23 and 2026-02-09 ``stepRuns[].step``)."""

    type: str | None = None


class WireWorkflowVersion(WireRef):
    """2024-12-23 ``workflow`` (it carries the version); 2026-02-09 ``workflowVersion``."""

    version: str | int | None = None


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


class WireProcessorRun(_Wire):
    """What a processor run says in both versions: outputs, reviewer changes, failure, usage."""

    id: str | None = None
    status: str | None = None
    processor_name: str | None = None
    edited: bool | None = None
    reviewed: bool | None = None
    failure_reason: str | None = None
    failure_message: str | None = None
    edits: dict[str, Any] | None = None
    usage: WireUsage | None = None
    output: Any = None
    initial_output: Any = None
    reviewed_output: Any = None


class WireWorkflowRun(_Wire):
    """What a workflow run says in both versions (each adds its own spellings below)."""

    id: str
    name: str | None = None
    status: str | None = None
    batch_id: str | None = None
    metadata: dict[str, Any] | None = None
    files: list[WireFile] | None = None
    reviewed: bool | None = None
    reviewed_at: str | None = None
    initial_run_at: str | None = None
    start_time: str | None = None
    end_time: str | None = None
    failure_reason: str | None = None
    failure_message: str | None = None
    rejection_note: str | None = None


# --- 2024-12-23 ----------------------------------------------------------------


class LegacyProcessorRun(WireProcessorRun):
    """``document_processor_run``: ``type`` is EXTRACT, CLASSIFY or SPLITTER."""

    type: str | None = None
    processor_id: str | None = None
    merged_processors: list[WireMergedExtractor] | None = None


class LegacyStepRun(_Wire):
    """2024-12-23 ``stepRuns[]``: a validation or routing step with its ``output`` inline."""

    id: str | None = None
    status: str | None = None
    output: Any = None
    step: WireStep | None = None


class LegacyWorkflowRun(WireWorkflowRun):
    url: str | None = None
    reviewed_by: str | None = None
    outputs: list[LegacyProcessorRun] | None = None
    step_runs: list[LegacyStepRun] | None = None
    workflow: WireWorkflowVersion | None = None


class LegacyEnvelope(_Wire):
    success: bool | None = None
    workflow_run: LegacyWorkflowRun


# --- 2026-02-09 ----------------------------------------------------------------


class CurrentProcessorRun(WireProcessorRun):
    """``extractRun`` / ``classifyRun`` / ``splitRun`` / ``parseRun`` in a step run's result."""

    extractor: WireRef | None = None
    classifier: WireRef | None = None
    splitter: WireRef | None = None
    file: WireFile | None = None
    files: list[WireFile] | None = None


class CurrentStepResult(WireStepOutcome):
    """Processor results (``extractRun``... , ``mergedExtractors``) or a step's own outcome."""

    extract_run: CurrentProcessorRun | None = None
    classify_run: CurrentProcessorRun | None = None
    split_run: CurrentProcessorRun | None = None
    parse_run: CurrentProcessorRun | None = None
    merged_extractors: list[WireMergedExtractor] | None = None


class CurrentStepRun(_Wire):
    id: str | None = None
    status: str | None = None
    step_type: str | None = None
    step: WireStep | None = None
    files: list[WireFile] | None = None
    result: Any = None  # a processor's result is read as ``CurrentStepResult``; others vary


class CurrentWorkflowRun(WireWorkflowRun):
    dashboard_url: str | None = None
    workflow: WireRef | None = None
    workflow_version: WireWorkflowVersion | None = None
    reviewed_by_user: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    usage: WireUsage | None = None
    step_runs: list[CurrentStepRun] | None = None
