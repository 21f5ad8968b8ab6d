"""Build the emulator's stored (canonical) run from any shape a run arrives in.

Samples are written in the canonical form; fixtures (``--fixtures DIR``) may be
a 2024-12-23 envelope, a bare 2024-12-23 run, a 2026-02-09 run or canonical.

The canonical run is one flat JSON object:

- the run's fields under their wire names, as a superset of both versions:
  ``id, name, status, metadata, batchId, initialRunAt, reviewedBy`` (user id),
  ``reviewedByUser`` (email), ``reviewed, reviewedAt, startTime, endTime,
  createdAt, updatedAt, failureReason, failureMessage, files[]``;
- ``workflow: {id, name, version, versionId}``;
- ``rejectionNote``, ``usage`` (2026-02-09's ``RunUsage``); ``reviewed`` as given
  (an explicit ``false`` is kept), inferred from the reviewer fields only when absent;
- ``steps[]``: ``{type, runId`` (the legacy ``dpr_`` id / the 2026 result id),
  ``stepRunId, stepId, stepName, status, edited, initialOutput, reviewedOutput,
  output}``; outputs are stored verbatim with 2024-12-23 citations (``page`` int,
  ``pageWidth``/``pageHeight``) plus optional ``fileId`` and ``cellRange``; an
  extraction output may be JSON (``{value, metadata}``) or the legacy fields-array
  (``{field: {id, type, value, confidence, references}}``). Optional per step:
  ``processorId, processorVersionId, processorName, reviewed, edits, usage,
  failureReason, failureMessage, config, mergedExtractors, fileIds``. ``type`` is
  PARSE, EXTRACT, MERGE_EXTRACT, CONDITIONAL_EXTRACT, CLASSIFY, SPLIT, or a step
  that is not a processor (RULE_VALIDATION, VALIDATION, EXTERNAL_DATA_VALIDATION,
  ROUTER, anything newer) whose ``result`` is kept in the 2026-02-09 shape.
"""

from __future__ import annotations

import copy
from typing import Any

from extend_emulator.ingest_steps import step_from_current, steps_from_legacy

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
    "rejectionNote": None,
    "usage": None,
    "files": [],
    "steps": [],
}
_RUN_ORDER = (
    "id", "name", "status", "metadata", "batchId", "workflow", "files", "initialRunAt",
    "startTime", "endTime", "createdAt", "updatedAt", "reviewed", "reviewedBy",
    "reviewedByUser", "reviewedAt", "failureReason", "failureMessage", "rejectionNote",
    "usage", "steps",
)  # fmt: skip
_STEP_ORDER = (
    "type", "runId", "stepRunId", "stepId", "stepName", "status", "edited",
    "processorId", "processorVersionId", "processorName", "mergedExtractors", "reviewed",
    "failureReason", "failureMessage", "initialOutput", "reviewedOutput", "output", "edits",
    "usage", "config", "fileIds", "result",
)  # fmt: skip
_COPIED_FIELDS = tuple(k for k in _RUN_DEFAULTS if k not in ("files", "steps"))
_NOT_RUN_STEPS = ("PARSE", "EXTRACT", "MERGE_EXTRACT", "CONDITIONAL_EXTRACT", "CLASSIFY", "SPLIT")


def to_canonical(document: Any) -> Run:
    """Detect the shape of ``document`` and return the canonical run; ValueError if none fits."""
    if not isinstance(document, dict):
        raise ValueError("a run must be a JSON object")
    if isinstance(document.get("workflowRun"), dict):
        return from_legacy(document["workflowRun"])
    if "steps" in document:
        return normalize(document)
    if "outputs" in document:  # 2024-12-23, even with its stepRuns[] beside the outputs
        return from_legacy(document)
    if "stepRuns" in document or "workflowVersion" in document or "dashboardUrl" in document:
        return from_current(document)
    return from_legacy(document)


def normalize(run: Run) -> Run:
    """Fill defaults and derived fields of a canonical run (a deep copy)."""
    run_id = run.get("id")
    if not isinstance(run_id, str) or not run_id:
        raise ValueError("a run needs a non-empty string 'id'")
    out: Run = copy.deepcopy(run)
    explicit = out.get("reviewed") is not None
    for key, default in _RUN_DEFAULTS.items():
        out.setdefault(key, copy.deepcopy(default))
    if not explicit and (out["reviewedAt"] or out["reviewedBy"] or out["reviewedByUser"]):
        out["reviewed"] = True
    out["reviewed"] = bool(out["reviewed"])
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
    if step_type not in _NOT_RUN_STEPS:
        step.setdefault("result", None)
        return
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
    steps = steps_from_legacy(run)
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
    for key, value in (
        ("createdAt", workflow.get("createdAt")),
        ("updatedAt", workflow.get("updatedAt")),
        ("versionName", version.get("name")),
    ):
        if value is not None:
            out["workflow"][key] = value
    out["steps"] = [step_from_current(s) for s in run.get("stepRuns") or [] if isinstance(s, dict)]
    return normalize(out)


def _file(file: Any) -> dict[str, Any]:
    if not isinstance(file, dict):
        return {"id": None, "name": str(file)}
    return {k: copy.deepcopy(v) for k, v in file.items() if k != "object"}
