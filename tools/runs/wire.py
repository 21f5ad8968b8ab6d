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
    type: str | None = None
    name: str | None = None
    identifier: str | None = None
    start_page: int | None = None
    end_page: int | None = None
    observation: str | None = None


class WireSplitOutput(_Wire):
    splits: list[WireSplit] | None = None


class WireFile(_Wire):
    id: str | None = None
    name: str | None = None
    type: str | None = None


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
    output: dict[str, Any] | None = None
    initial_output: dict[str, Any] | None = None
    reviewed_output: dict[str, Any] | None = None


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
    files: list[WireFile] | None = None
    outputs: list[LegacyProcessorRun] | None = None
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
    """``extractRun`` / ``classifyRun`` / ``splitRun`` inside a step run's result."""

    id: str | None = None
    status: str | None = None
    processor_name: str | None = None
    edited: bool | None = None
    output: dict[str, Any] | None = None
    initial_output: dict[str, Any] | None = None
    reviewed_output: dict[str, Any] | None = None


class CurrentStepResult(_Wire):
    extract_run: CurrentProcessorRun | None = None
    classify_run: CurrentProcessorRun | None = None
    split_run: CurrentProcessorRun | None = None


class CurrentStep(_Wire):
    id: str | None = None
    name: str | None = None
    type: str | None = None


class CurrentStepRun(_Wire):
    id: str | None = None
    status: str | None = None
    step_type: str | None = None
    step: CurrentStep | None = None
    result: CurrentStepResult | None = None


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
    step_runs: list[CurrentStepRun] | None = None
