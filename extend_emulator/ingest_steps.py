"""Read a run's steps, as either API version sends them, into the stored form.

The stored step (see ``ingest.py``) keeps a processor step's outputs with
2024-12-23 citations, and a non-processor step's (validation, routing, or a type
this emulator does not know) ``result`` in the 2026-02-09 shape, verbatim, so a
fixture of a step type added after this code was written is served back as sent.
"""

from __future__ import annotations

import copy
from typing import Any

from extend_emulator import citations
from extend_emulator.set_keys import copy_set_keys

Step = dict[str, Any]

_STEP_TYPES_FROM_LEGACY = {"SPLITTER": "SPLIT"}
_PROCESSOR_TYPES = ("EXTRACT", "MERGE_EXTRACT", "CONDITIONAL_EXTRACT", "CLASSIFY", "SPLIT")
_PROCESSOR_REFS = ("extractor", "classifier", "splitter")
_OUTPUT_KEYS = ("initialOutput", "reviewedOutput", "output")
_LEGACY_OUTPUT_KEPT = (  # of a 2024-12-23 output, kept when set
    "processorId",
    "processorVersionId",
    "processorName",
    "status",
    "reviewed",
    "edits",
    "failureReason",
    "failureMessage",
)
_PROCESSOR_RUN_KEPT = (  # of a 2026-02-09 processor run, kept when set
    "reviewed",
    "failureReason",
    "failureMessage",
    "createdAt",
    "updatedAt",
    "edits",
    "usage",
    "config",
)


def steps_from_legacy(run: dict[str, Any]) -> list[Step]:
    """2024-12-23 ``outputs[]`` (processors) then ``stepRuns[]`` (the other steps)."""
    steps = [_from_legacy_output(o) for o in run.get("outputs") or [] if isinstance(o, dict)]
    for step_run in run.get("stepRuns") or []:
        if not isinstance(step_run, dict):
            continue
        definition = step_run.get("step") or {}
        step_type = definition.get("type") or step_run.get("stepType")
        if step_type in (*_PROCESSOR_TYPES, "PARSE"):
            continue  # its output is already in outputs[]
        steps.append(
            {
                "type": step_type or "UNKNOWN",
                "stepRunId": step_run.get("id"),
                "stepId": definition.get("id"),
                "stepName": definition.get("name"),
                "status": step_run.get("status"),
                "result": _result_from_legacy(step_type, step_run.get("output")),
            }
        )
    return steps


def _from_legacy_output(output: dict[str, Any]) -> Step:
    merged = output.get("mergedProcessors") or []
    step_type = output.get("type")
    step_type = _STEP_TYPES_FROM_LEGACY.get(str(step_type), step_type)
    if step_type == "EXTRACT" and merged:
        step_type = "MERGE_EXTRACT"
    step: Step = {
        "type": step_type,
        "runId": output.get("id"),
        "edited": bool(output.get("edited")),
    }
    copy_set_keys(step, output, _LEGACY_OUTPUT_KEPT)
    if merged:
        step["mergedExtractors"] = [
            {"id": m.get("processorId"), "versionId": m.get("processorVersionId"),
             "name": m.get("processorName")}
            for m in merged if isinstance(m, dict)
        ]  # fmt: skip
    if isinstance(output.get("usage"), dict):
        step["usage"] = {"credits": output["usage"].get("credits")}
    for key in _OUTPUT_KEYS:
        step[key] = citations.map_output(output.get(key), citations.from_any)
    return step


def _result_from_legacy(step_type: str | None, output: Any) -> Any:
    """2024-12-23's inline step output -> the 2026-02-09 result the store keeps."""
    if not isinstance(output, dict):
        return copy.deepcopy(output)
    if step_type == "RULE_VALIDATION":
        return {"rules": copy.deepcopy(output.get("rules") or []), "allPassed": output.get("valid")}
    if step_type == "EXTERNAL_DATA_VALIDATION":
        return {"response": {"status": 200, "data": copy.deepcopy(output)}}
    return copy.deepcopy(output)


def step_from_current(step_run: dict[str, Any]) -> Step:
    """One 2026-02-09 ``stepRuns[]`` entry -> the stored step."""
    definition = step_run.get("step") or {}
    step_type = step_run.get("stepType") or definition.get("type")
    step: Step = {
        "type": step_type,
        "stepRunId": step_run.get("id"),
        "stepId": definition.get("id"),
        "stepName": definition.get("name"),
        "status": step_run.get("status"),
        "runId": None,
    }
    if isinstance(step_run.get("files"), list):
        step["fileIds"] = [f.get("id") for f in step_run["files"] if isinstance(f, dict)]
    result = step_run.get("result")
    if step_type not in (*_PROCESSOR_TYPES, "PARSE"):
        step["result"] = copy.deepcopy(result)
        return step
    result = result if isinstance(result, dict) else {}
    if isinstance(result.get("mergedExtractors"), list):
        step["mergedExtractors"] = copy.deepcopy(result["mergedExtractors"])
    body = next((v for v in result.values() if isinstance(v, dict)), None)
    if body is not None:
        _read_processor_run(step, body)
    return step


def _read_processor_run(step: Step, body: dict[str, Any]) -> None:
    step["runId"] = body.get("id")
    step["edited"] = bool(body.get("edited"))
    copy_set_keys(step, body, _PROCESSOR_RUN_KEPT)
    ref = next((body[k] for k in _PROCESSOR_REFS if isinstance(body.get(k), dict)), None)
    if ref is not None:
        step["processorId"] = ref.get("id")
        step["processorName"] = ref.get("name")
    for key in _OUTPUT_KEYS:
        step[key] = citations.map_output(body.get(key), citations.from_any)
