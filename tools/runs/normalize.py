"""Turn Extend's JSON (either API version) into the normalized ``tools.runs.models.Run``.

``parse_run`` accepts what an endpoint returned: the 2024-12-23 envelope
``{"success", "workflowRun"}``, a bare 2024-12-23 run (``outputs[]``, possibly
with ``stepRuns[]`` beside them, as Extend's object reference shows) or the bare
2026-02-09 run object (``stepRuns[]`` only). It raises ``ValueError`` (pydantic's
``ValidationError`` is one) when the JSON is not a run; the client turns that
into ``InvalidResponseError``.

Every step is kept: processors with their outputs (extraction outputs are read by
``tools.runs.extraction``), validation and routing steps with their decision, a
step still waiting (its result ``null``) as pending, and a step of a type this
code does not know as kind "other" (its JSON stays on ``Run.raw``).
"""

from __future__ import annotations

from typing import Any

from tools.runs.extraction import extract_fields, output_shape
from tools.runs.models import WAITING_STEP_STATUSES, ResultKind, Run
from tools.runs.versions import CURRENT_API_VERSION, LEGACY_API_VERSION
from tools.runs.wire import (
    CurrentProcessorRun,
    CurrentStepResult,
    CurrentStepRun,
    CurrentWorkflowRun,
    LegacyEnvelope,
    LegacyProcessorRun,
    LegacyWorkflowRun,
    WireClassifyOutput,
    WireFile,
    WireMergedExtractor,
    WireProcessorRun,
    WireSplitOutput,
    WireStepOutcome,
    WireUsage,
    WireWorkflowRun,
)

_KINDS: dict[str, ResultKind] = {
    "EXTRACT": "extract",
    "EXTRACTION": "extract",
    "MERGE_EXTRACT": "extract",
    "CONDITIONAL_EXTRACT": "extract",
    "CLASSIFY": "classify",
    "CLASSIFICATION": "classify",
    "SPLITTER": "split",
    "SPLIT": "split",
    "PARSE": "parse",
    "RULE_VALIDATION": "validation",
    "VALIDATION": "validation",
    "EXTERNAL_DATA_VALIDATION": "validation",
    "ROUTER": "router",
}


_PROCESSOR_KINDS = ("extract", "classify", "split", "parse")


def parse_run(payload: Any, api_version: str = LEGACY_API_VERSION) -> Run:
    """Normalize a get/update response body; the shape decides, ``api_version`` breaks ties."""
    if not isinstance(payload, dict):
        raise ValueError(f"expected a JSON object, got {type(payload).__name__}")
    if "workflowRun" in payload:
        envelope = LegacyEnvelope.model_validate(payload)
        return _from_legacy(envelope.workflow_run, payload["workflowRun"])
    if "outputs" in payload:  # 2024-12-23, even when stepRuns[] come with it
        return _from_legacy(LegacyWorkflowRun.model_validate(payload), payload)
    if "stepRuns" in payload or "workflowVersion" in payload or "dashboardUrl" in payload:
        return _from_current(CurrentWorkflowRun.model_validate(payload), payload)
    if api_version == LEGACY_API_VERSION:
        return _from_legacy(LegacyWorkflowRun.model_validate(payload), payload)
    return _from_current(CurrentWorkflowRun.model_validate(payload), payload)


def _from_legacy(run: LegacyWorkflowRun, raw: dict[str, Any]) -> Run:
    results = [_legacy_output(out) for out in run.outputs or []]
    for step_run in run.step_runs or []:
        step_type = step_run.step.type if step_run.step else None
        if _kind(step_type) in _PROCESSOR_KINDS:
            continue  # a processor's output is read from outputs[]
        result = _base(step_type, step_run.id, step_run.status, step_run.output is None)
        result["step_name"] = step_run.step.name if step_run.step else None
        _outcome(result, step_run.output)
        results.append(result)
    workflow = run.workflow
    # An explicit ``reviewed`` wins; otherwise a reviewer or review time means reviewed.
    inferred = bool(run.reviewed_by or run.reviewed_at) or None
    return _run(
        run,
        raw,
        results,
        api_version=LEGACY_API_VERSION,
        workflow={
            "id": workflow.id if workflow else None,
            "name": workflow.name if workflow else None,
            "version": _text(workflow.version) if workflow else None,
        },
        dashboard_url=run.url,
        reviewed=run.reviewed if run.reviewed is not None else inferred,
        reviewed_by=run.reviewed_by,
    )


def _legacy_output(out: LegacyProcessorRun) -> dict[str, Any]:
    step_type = out.type
    if (step_type or "").upper() == "EXTRACT" and out.merged_processors:
        step_type = "MERGE_EXTRACT"
    result = _base(step_type, out.id, out.status, out.output is None)
    result["processor_name"] = out.processor_name
    _processor(result, out, out.merged_processors)
    return result


def _from_current(run: CurrentWorkflowRun, raw: dict[str, Any]) -> Run:
    results = [r for r in (_current_step(step) for step in run.step_runs or []) if r is not None]
    version = run.workflow_version
    usage = run.usage
    return _run(
        run,
        raw,
        results,
        api_version=CURRENT_API_VERSION,
        workflow={
            "id": run.workflow.id if run.workflow else None,
            "name": run.workflow.name if run.workflow else None,
            "version": _text(version.version) if version else None,
        },
        dashboard_url=run.dashboard_url,
        reviewed=run.reviewed,
        reviewed_by=run.reviewed_by_user,
        created_at=run.created_at,
        updated_at=run.updated_at,
        usage_credits=usage.credits if usage else None,
        usage_total_credits=usage.total_credits if usage else None,
    )


def _current_step(step: CurrentStepRun) -> dict[str, Any] | None:
    step_type = step.step_type or (step.step.type if step.step else None)
    step_name = step.step.name if step.step else None
    sub: CurrentStepResult | None = None
    body: CurrentProcessorRun | None = None
    if isinstance(step.result, dict) and _kind(step_type) in _PROCESSOR_KINDS:
        sub = CurrentStepResult.model_validate(step.result)
        body = sub.extract_run or sub.classify_run or sub.split_run or sub.parse_run
    finished_parse = body is not None and body.status != "FAILED" and not body.failure_reason
    if _kind(step_type) == "parse" and finished_parse:
        return None  # a parse that worked has nothing to tell
    result = _base(step_type, body.id if body else step.id, step.status, step.result is None)
    result["step_name"] = step_name
    result["file_ids"] = [f.id for f in step.files or [] if f.id]
    if body is not None:
        ref = body.extractor or body.classifier or body.splitter
        result["processor_name"] = body.processor_name or (ref.name if ref else None) or step_name
        result["status"] = body.status or step.status
        _processor(result, body, sub.merged_extractors if sub else None)
        files = body.files or ([body.file] if body.file else [])
        result["file_ids"] = [f.id for f in files if f.id] or result["file_ids"]
    else:
        _outcome(result, step.result)
    return result


def _base(
    step_type: str | None, result_id: str | None, status: str | None, empty: bool
) -> dict[str, Any]:
    return {
        "kind": _kind(step_type),
        "id": result_id,
        "step_type": step_type,
        "status": status,
        "pending": empty and (status is None or status in WAITING_STEP_STATUSES),
        "fields": [],
    }


def _kind(step_type: str | None) -> ResultKind:
    return _KINDS.get((step_type or "").upper(), "other")


def _processor(
    result: dict[str, Any],
    run: WireProcessorRun,
    merged: list[WireMergedExtractor] | None,
) -> None:
    """Outputs, reviewer changes, failure, usage and merged extractors of a processor run."""
    output, initial, reviewed = run.output, run.initial_output, run.reviewed_output
    final = output if output is not None else (reviewed if reviewed is not None else initial)
    kind = result["kind"]
    result["reviewed"] = run.reviewed
    result["failure_reason"] = run.failure_reason
    result["failure_message"] = run.failure_message
    result["usage_credits"] = _credits(run.usage)
    result["merged_extractors"] = [
        {
            "id": _first(m.id, m.processor_id),
            "version_id": _first(m.version_id, m.processor_version_id),
            "name": _first(m.name, m.processor_name),
        }
        for m in merged or []
    ]
    if kind == "extract":
        result["output_shape"] = output_shape(final)
        result["fields"] = extract_fields(final, initial, run.edits)
    elif kind == "classify" and isinstance(final, dict):
        out = WireClassifyOutput.model_validate(final)
        initial_type = (
            WireClassifyOutput.model_validate(initial).type if isinstance(initial, dict) else None
        )
        result["classification"] = {
            "type": out.type,
            "confidence": out.confidence,
            "reasoning": [i.content for i in out.insights or [] if i.content],
            "initial_type": initial_type if initial_type not in (None, out.type) else None,
        }
    elif kind == "split" and isinstance(final, dict):
        out_split = WireSplitOutput.model_validate(final)
        result["splits"] = [s.model_dump() for s in out_split.splits or []]
    any_field_edited = any(f["edited"] for f in result["fields"])
    result["edited"] = bool(run.edited) if run.edited is not None else any_field_edited


def _outcome(result: dict[str, Any], data: Any) -> None:
    """A validation or routing step's decision; 2024-12-23 says ``valid`` for ``allPassed``.

    2024-12-23 writes an external check's answer inline (the endpoint's JSON),
    2026-02-09 as ``response: {status, data}``. A result that fits no known shape
    marks the step's ``output_shape`` "unknown" (the JSON stays on ``Run.raw``).
    """
    if result["kind"] not in ("router", "validation") or data is None:
        return
    external = result["step_type"] == "EXTERNAL_DATA_VALIDATION"
    if external and not (isinstance(data, dict) and isinstance(data.get("response"), dict)):
        result["validation"] = {"response_data": data}
        return
    try:
        out = WireStepOutcome.model_validate(data)
    except ValueError:
        result["output_shape"] = "unknown"
        return
    if result["kind"] == "router":
        matched = out.matched_branch
        result["route"] = {
            "matched_branch": matched.name if matched else None,
            "matched_branch_id": matched.id if matched else None,
            "branches": [b.model_dump() for b in out.branches or []],
        }
    elif result["kind"] == "validation":
        response = out.response
        result["validation"] = {
            "passed": out.all_passed if out.all_passed is not None else out.valid,
            "rules": [r.model_dump() for r in out.rules or []],
            "blocks": [b.model_dump() for b in out.blocks or []],
            "response_status": response.status if response else None,
            "response_data": response.data if response else None,
        }


def _first(current: str | None, legacy: str | None) -> str | None:
    """The 2026-02-09 spelling when present (even empty), else the 2024-12-23 one."""
    return current if current is not None else legacy


def _credits(usage: WireUsage | None) -> float | None:
    return usage.credits if usage is not None else None


def _run(
    run: WireWorkflowRun, raw: dict[str, Any], results: list[dict[str, Any]], **own: Any
) -> Run:
    """The fields both versions spell alike, plus each version's ``own``, validated at once.

    One validation of the whole normalized tree (far cheaper than a model per citation).
    """
    return Run.model_validate(
        {
            "id": run.id,
            "name": run.name,
            "status": run.status or "UNKNOWN",
            "metadata": run.metadata or {},
            "files": _files(run.files),
            "reviewed_at": run.reviewed_at,
            "initial_run_at": run.initial_run_at,
            "start_time": run.start_time,
            "end_time": run.end_time,
            "failure_reason": run.failure_reason,
            "failure_message": run.failure_message,
            "rejection_note": run.rejection_note,
            "batch_id": run.batch_id,
            "results": results,
            "raw": raw,
            **own,
        }
    )


def _files(files: list[WireFile] | None) -> list[dict[str, Any]]:
    return [f.model_dump() for f in files or []]


def _text(value: str | int | None) -> str | None:
    return None if value is None else str(value)
