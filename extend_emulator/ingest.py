"""Build the emulator's stored (canonical) run from any shape a run arrives in.

Samples are written in the canonical form; fixtures (``--fixtures DIR``) may be
a 2024-12-23 envelope, a bare 2024-12-23 run, a 2026-02-09 run or canonical.

The canonical run is one flat JSON object:

- the run's fields under their wire names, as a superset of both versions:
  ``id, name, status, metadata, batchId, initialRunAt, reviewedBy`` (user id),
  ``reviewedByUser`` (email), ``reviewed, reviewedAt, startTime, endTime,
  createdAt, updatedAt, failureReason, failureMessage, files[]``;
- ``workflow: {id, name, version, versionId}``;
- ``steps[]``: ``{type: PARSE|EXTRACT|CLASSIFY|SPLIT, runId`` (the legacy
  ``dpr_`` id / the 2026 result id), ``stepRunId, stepId, stepName, status,
  edited, initialOutput, reviewedOutput, output}``; outputs are stored verbatim
  with 2024-12-23 citations (``page`` int, ``pageWidth``/``pageHeight``) plus an
  optional ``fileId``.
"""

from __future__ import annotations

import copy
from typing import Any

from extend_emulator import citations

Run = dict[str, Any]

_RUN_DEFAULTS: dict[str, Any] = {
    "name": None,
    "status": "PROCESSED",
    "metadata": {},
    "batchId": None,
    "reviewed": False,
    "reviewedBy": None,
    "reviewedByUser": None,
    "reviewedAt": None,
    "initialRunAt": None,
    "startTime": None,
    "endTime": None,
    "createdAt": None,
    "updatedAt": None,
    "failureReason": None,
    "failureMessage": None,
    "files": [],
    "steps": [],
}
_RUN_ORDER = (
    "id", "name", "status", "metadata", "batchId", "workflow", "files", "initialRunAt",
    "startTime", "endTime", "createdAt", "updatedAt", "reviewed", "reviewedBy",
    "reviewedByUser", "reviewedAt", "failureReason", "failureMessage", "steps",
)  # fmt: skip
_STEP_ORDER = (
    "type", "runId", "stepRunId", "stepId", "stepName", "status", "edited",
    "processorId", "processorName", "initialOutput", "reviewedOutput", "output",
)  # fmt: skip
_COPIED_FIELDS = tuple(k for k in _RUN_DEFAULTS if k not in ("files", "steps", "reviewed"))
_STEP_TYPES_FROM_LEGACY = {"SPLITTER": "SPLIT"}


def to_canonical(document: Any) -> Run:
    """Detect the shape of ``document`` and return the canonical run; ValueError if none fits."""
    if not isinstance(document, dict):
        raise ValueError("a run must be a JSON object")
    if isinstance(document.get("workflowRun"), dict):
        return from_legacy(document["workflowRun"])
    if "steps" in document:
        return normalize(document)
    if "stepRuns" in document or "workflowVersion" in document or "dashboardUrl" in document:
        return from_current(document)
    return from_legacy(document)


def normalize(run: Run) -> Run:
    """Fill defaults and derived fields of a canonical run (a deep copy)."""
    run_id = run.get("id")
    if not isinstance(run_id, str) or not run_id:
        raise ValueError("a run needs a non-empty string 'id'")
    out: Run = copy.deepcopy(run)
    for key, default in _RUN_DEFAULTS.items():
        out.setdefault(key, copy.deepcopy(default))
    if out["reviewedAt"] or out["reviewedBy"] or out["reviewedByUser"]:
        out["reviewed"] = True
    out["createdAt"] = out["createdAt"] or out["initialRunAt"] or out["startTime"]
    out["updatedAt"] = out["updatedAt"] or out["endTime"] or out["createdAt"]
    workflow = out.setdefault("workflow", {})
    workflow.setdefault("id", None)
    workflow.setdefault("name", None)
    workflow.setdefault("version", None)
    if not workflow.get("versionId") and workflow.get("id"):
        workflow["versionId"] = f"workflow_version_{workflow['id']}_{workflow.get('version')}"
    for index, step in enumerate(out["steps"]):
        _normalize_step(step, index)
    out["steps"] = [_ordered(step, _STEP_ORDER) for step in out["steps"]]
    return _ordered(out, _RUN_ORDER)


def _ordered(record: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    """``record`` with its known keys first, in ``order``, then any others as they were."""
    head = {k: record[k] for k in order if k in record}
    return {**head, **{k: v for k, v in record.items() if k not in head}}


def _normalize_step(step: dict[str, Any], index: int) -> None:
    step_type = step.get("type") or "EXTRACT"
    step["type"] = step_type
    run_id = step.get("runId")
    suffix = run_id or f"{step_type.lower()}_{index}"
    step.setdefault("runId", None)
    step.setdefault("stepRunId", f"step_run_{suffix}")
    step.setdefault("stepId", f"step_{step_type.lower()}_{index}")
    step.setdefault("stepName", step_type.title())
    step.setdefault("status", "PROCESSED" if step.get("output") is not None else None)
    step.setdefault("edited", False)
    for key in ("initialOutput", "reviewedOutput", "output"):
        step.setdefault(key, None)


def from_legacy(run: Run) -> Run:
    """A 2024-12-23 ``workflowRun`` -> canonical."""
    out: Run = {k: copy.deepcopy(run[k]) for k in _COPIED_FIELDS if k in run}
    out["id"] = run.get("id")
    out["files"] = [_file(f) for f in run.get("files") or []]
    workflow = run.get("workflow") or {}
    out["workflow"] = {
        "id": workflow.get("id"),
        "name": workflow.get("name"),
        "version": workflow.get("version"),
    }
    steps = []
    for output in run.get("outputs") or []:
        step: dict[str, Any] = {
            "type": _STEP_TYPES_FROM_LEGACY.get(output.get("type"), output.get("type")),
            "runId": output.get("id"),
            "edited": bool(output.get("edited")),
        }
        for key in ("processorId", "processorName", "processorVersion", "status"):
            if output.get(key) is not None:
                step[key] = output[key]
        for key in ("initialOutput", "reviewedOutput", "output"):
            step[key] = citations.map_output(output.get(key), citations.from_any)
        steps.append(step)
    out["steps"] = steps
    return normalize(out)


def from_current(run: Run) -> Run:
    """A 2026-02-09 run -> canonical."""
    out: Run = {k: copy.deepcopy(run[k]) for k in _COPIED_FIELDS if k in run}
    out["id"] = run.get("id")
    out["reviewed"] = bool(run.get("reviewed"))
    out["files"] = [_file(f) for f in run.get("files") or []]
    workflow = run.get("workflow") or {}
    version = run.get("workflowVersion") or {}
    out["workflow"] = {
        "id": workflow.get("id"),
        "name": workflow.get("name"),
        "version": version.get("version"),
        "versionId": version.get("id"),
    }
    out["steps"] = [_step_from_current(s) for s in run.get("stepRuns") or []]
    return normalize(out)


def _step_from_current(step_run: dict[str, Any]) -> dict[str, Any]:
    definition = step_run.get("step") or {}
    step: dict[str, Any] = {
        "type": step_run.get("stepType") or definition.get("type"),
        "stepRunId": step_run.get("id"),
        "stepId": definition.get("id"),
        "stepName": definition.get("name"),
        "status": step_run.get("status"),
        "runId": None,
    }
    result = step_run.get("result") or {}
    body = next((v for v in result.values() if isinstance(v, dict)), None)
    if body is not None:
        step["runId"] = body.get("id")
        step["edited"] = bool(body.get("edited"))
        for key in ("initialOutput", "reviewedOutput", "output"):
            step[key] = citations.map_output(body.get(key), citations.from_any)
    return step


def _file(file: Any) -> dict[str, Any]:
    if not isinstance(file, dict):
        return {"id": None, "name": str(file)}
    return {k: copy.deepcopy(v) for k, v in file.items() if k != "object"}
