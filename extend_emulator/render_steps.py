"""Render a stored run's steps as either API version sends them.

2024-12-23 puts processor results in ``outputs[]`` (``document_processor_run``:
EXTRACT, CLASSIFY or SPLITTER; a merge or conditional extraction is an EXTRACT
output, a merge naming its ``mergedProcessors``) and the other steps (rule
validation, validation, external data validation, routing) in ``stepRuns[]``
with their ``output`` inline. 2026-02-09 lists every step run in ``stepRuns[]``
with a typed ``result`` (``extractRun``, ``classifyRun``, ``splitRun``,
``parseRun``, or the step's own result object), ``null`` while the step waits.

The 2026-02-09 shapes follow the ``extend-ai`` SDK's types field for field
(``tests/test_emulator_conformance.py`` holds every sample to them); required
fields the stored run does not carry (a config, timestamps, a dashboard link)
are derived from what it does carry, the same way every time.
"""

from __future__ import annotations

import copy
from typing import Any

from extend_emulator import citations
from extend_emulator.set_keys import copy_set_keys

Run = dict[str, Any]
Step = dict[str, Any]

EXTRACT_TYPES = ("EXTRACT", "MERGE_EXTRACT", "CONDITIONAL_EXTRACT")
PROCESSOR_TYPES = (*EXTRACT_TYPES, "CLASSIFY", "SPLIT")
LEGACY_OUTPUT_TYPES = {**dict.fromkeys(EXTRACT_TYPES, "EXTRACT"), "CLASSIFY": "CLASSIFY"}
LEGACY_OUTPUT_TYPES["SPLIT"] = "SPLITTER"
_PROCESSOR_STATUSES = ("PENDING", "PROCESSING", "PROCESSED", "FAILED", "CANCELLED")
_RUN_OBJECTS = {"CLASSIFY": "classify_run", "SPLIT": "split_run"}
_RUN_KEYS = {"CLASSIFY": "classifyRun", "SPLIT": "splitRun"}
_PROCESSOR_REFS = {"CLASSIFY": "classifier", "SPLIT": "splitter"}
_DASHBOARD = "https://dashboard.extend.ai"


# --- 2024-12-23 ----------------------------------------------------------------


def legacy_outputs(run: Run) -> list[dict[str, Any]]:
    """``outputs[]``: every processor step that produced an output or failed."""
    return [
        _legacy_output(step)
        for step in run.get("steps") or []
        if step.get("type") in LEGACY_OUTPUT_TYPES
        and step.get("runId")
        and (step.get("output") is not None or step.get("failureReason") is not None)
    ]


def legacy_step_runs(run: Run) -> list[dict[str, Any]]:
    """``stepRuns[]`` of 2024-12-23: the steps that are not processors (validation, routing)."""
    return [
        {
            "object": "workflow_step_run",
            "id": step.get("stepRunId"),
            "status": step.get("status"),
            "output": legacy_step_output(step),
            "step": _step_definition(step),
        }
        for step in run.get("steps") or []
        if step.get("type") not in (*PROCESSOR_TYPES, "PARSE")
    ]


def legacy_step_output(step: Step) -> Any:
    """A non-processor step's result as 2024-12-23 writes it inline."""
    result = copy.deepcopy(step.get("result"))
    if not isinstance(result, dict):
        return result
    if step.get("type") == "RULE_VALIDATION":
        return {"valid": result.get("allPassed"), "rules": result.get("rules") or []}
    if step.get("type") == "EXTERNAL_DATA_VALIDATION":
        return (result.get("response") or {}).get("data")
    return result


def _legacy_output(step: Step) -> dict[str, Any]:
    out: dict[str, Any] = {
        "object": "document_processor_run",
        "id": step["runId"],
        "edited": bool(step.get("edited")),
        "type": LEGACY_OUTPUT_TYPES[step["type"]],
    }
    copy_set_keys(
        out, step, ("processorId", "processorVersionId", "processorName", "reviewed", "edits")
    )
    if step.get("status") not in (None, "PROCESSED"):  # the seed's outputs carry no status
        out["status"] = step["status"]
    copy_set_keys(out, step, ("failureReason", "failureMessage"))
    if step.get("mergedExtractors"):
        out["mergedProcessors"] = [
            {"processorId": m.get("id"), "processorVersionId": m.get("versionId"),
             "processorName": m.get("name")}
            for m in step["mergedExtractors"]
        ]  # fmt: skip
    if isinstance(step.get("usage"), dict):
        out["usage"] = {"credits": step["usage"].get("credits")}
    for key in ("initialOutput", "reviewedOutput", "output"):
        out[key] = citations.map_output(step.get(key), citations.to_legacy)
    return out


# --- 2026-02-09 ----------------------------------------------------------------


def current_step_runs(run: Run) -> list[dict[str, Any]]:
    return [_step_run(run, step) for step in run.get("steps") or []]


def _step_run(run: Run, step: Step) -> dict[str, Any]:
    step_type = step.get("type") or "UNKNOWN"
    return {
        "object": "workflow_step_run",
        "id": step.get("stepRunId"),
        "workflowRunId": run["id"],
        "status": step.get("status") or "PENDING",
        "files": [file_summary(run, f) for f in step_files(run, step)],
        "stepType": step_type,
        "step": _step_definition(step),
        "result": _step_result(run, step, step_type),
    }


def _step_definition(step: Step) -> dict[str, Any]:
    return {
        "object": "workflow_step",
        "id": step.get("stepId"),
        "name": step.get("stepName"),
        "type": step.get("type") or "UNKNOWN",
    }


def _step_result(run: Run, step: Step, step_type: str) -> dict[str, Any] | None:
    if step_type not in (*PROCESSOR_TYPES, "PARSE"):
        return copy.deepcopy(step.get("result"))  # validation, routing, unknown: stored as sent
    if not step.get("runId"):
        return None
    if step_type != "PARSE" and step.get("output") is None and not step.get("failureReason"):
        return None  # still running: no result yet, as 2024-12-23 lists no output
    if step_type == "PARSE":
        return {"parseRun": _parse_run(run, step)}
    if step_type in EXTRACT_TYPES:
        result: dict[str, Any] = {"extractRun": _processor_run(run, step, "extract_run")}
        if step_type == "MERGE_EXTRACT":
            result = {"mergedExtractors": copy.deepcopy(step.get("mergedExtractors") or []),
                      **result}  # fmt: skip
        return result
    return {_RUN_KEYS[step_type]: _processor_run(run, step, _RUN_OBJECTS[step_type])}


def _parse_run(run: Run, step: Step) -> dict[str, Any]:
    files = step_files(run, step)
    body: dict[str, Any] = {
        "object": "parse_run",
        "id": step["runId"],
        "file": file_summary(run, files[0] if files else {"id": None, "name": None}),
        "status": _processor_status(step.get("status")),
        "config": copy.deepcopy(step.get("config") or {}),
    }
    copy_set_keys(body, step, ("failureReason", "failureMessage"))
    return body


def _processor_run(run: Run, step: Step, obj: str) -> dict[str, Any]:
    step_type = step["type"]
    body: dict[str, Any] = {
        "object": obj,
        "id": step["runId"],
        "status": _processor_status(step.get("status")),
    }
    for key in ("output", "initialOutput", "reviewedOutput"):
        body[key] = citations.map_output(step.get(key), citations.to_current)
    copy_set_keys(body, step, ("failureReason", "failureMessage"))
    body["reviewed"] = bool(step.get("reviewed", step.get("reviewedOutput") is not None))
    body["edited"] = bool(step.get("edited"))
    if obj == "extract_run" and step.get("edits") is not None:
        body["edits"] = copy.deepcopy(step["edits"])
    body["config"] = copy.deepcopy(step.get("config")) or _derived_config(step_type, step)
    created = step.get("createdAt") or run.get("createdAt")
    if step.get("processorId"):
        ref = _PROCESSOR_REFS.get(step_type, "extractor")
        body[ref] = {
            "object": ref,
            "id": step["processorId"],
            "name": step.get("processorName") or step["processorId"],
            "createdAt": created,
            "updatedAt": created,
        }
    files = step_files(run, step)
    body["file"] = file_summary(run, files[0]) if len(files) == 1 else None
    if obj == "extract_run" and len(files) > 1:
        body["files"] = [file_summary(run, f) for f in files]
    kind = obj.removesuffix("_run")
    body["dashboardUrl"] = f"{_DASHBOARD}/{kind}_runs/{step['runId']}"
    if step.get("usage") is not None:
        body["usage"] = copy.deepcopy(step["usage"])
    body["createdAt"] = created
    body["updatedAt"] = step.get("updatedAt") or run.get("updatedAt")
    return body


def _derived_config(step_type: str, step: Step) -> dict[str, Any]:
    """The smallest config the SDK accepts, read off the output when the run stored none."""
    output = step.get("output") or step.get("initialOutput") or {}
    if step_type == "CLASSIFY":
        kinds = [output.get("type")] if output.get("type") else []
        return {"classifications": [{"id": k, "type": k, "description": k} for k in kinds]}
    if step_type == "SPLIT":
        seen: dict[str, dict[str, str]] = {}
        for split in output.get("splits") or []:
            cid = split.get("classificationId") or split.get("type")
            seen.setdefault(cid, {"id": cid, "type": split.get("type"), "description": cid})
        return {"splitClassifications": list(seen.values())}
    if is_fields_array(output):
        fields = [
            {"id": v.get("id") or k, "name": k, "type": v.get("type") or "string", "description": k}
            for k, v in output.items()
        ]
        return {"fields": fields}
    return {}


def is_fields_array(output: Any) -> bool:
    """A legacy "fields-array" extraction output: ``{field: {id, type, value, references}}``."""
    return (
        isinstance(output, dict)
        and bool(output)
        and not ("value" in output and "metadata" in output)
        and all(isinstance(v, dict) and "references" in v for v in output.values())
    )


def _processor_status(status: Any) -> str:
    return status if status in _PROCESSOR_STATUSES else "PROCESSING"


# --- files ---------------------------------------------------------------------


def step_files(run: Run, step: Step) -> list[dict[str, Any]]:
    """The run's files this step worked on (all of them unless the step names some)."""
    files = [f for f in run.get("files") or [] if isinstance(f, dict)]
    wanted = step.get("fileIds")
    if not isinstance(wanted, list):
        return files
    return [f for f in files if f.get("id") in wanted]


def file_summary(run: Run, file: dict[str, Any]) -> dict[str, Any]:
    """A ``FileSummary`` of 2026-02-09 (no ``presignedUrl``: that is ``GET /files``' job)."""
    out: dict[str, Any] = {"object": "file", "id": file.get("id"), "name": file.get("name")}
    copy_set_keys(out, file, ("type", "parentFileId"))
    out["metadata"] = copy.deepcopy(file.get("metadata") or {})
    out["createdAt"] = file.get("createdAt") or run.get("createdAt")
    out["updatedAt"] = file.get("updatedAt") or run.get("createdAt")
    return out
