"""Render a stored (canonical) run as either API version's JSON.

Each sample is stored once; these functions are the only place that knows how
2024-12-23 (``{"success", "workflowRun"}``, ``outputs[]``, flat citations) and
2026-02-09 (bare run, ``stepRuns[]``, nested citation pages) differ. The stored
format is described in ``ingest.py``, which builds it.

2024-12-23 keeps the seed's key set exactly: optional keys the seed lacks
(``name``, ``batchId``, ``failureReason``, ``failureMessage``) appear only when
set, so the seed renders exactly the data of Extend's reference. Its ``outputs``
list only steps that produced an output (no PARSE step, nothing still running);
2026-02-09 lists every step run, with ``result: null`` until a step has an output.
"""

from __future__ import annotations

import copy
from typing import Any

from extend_emulator import citations

LEGACY_VERSION = "2024-12-23"
CURRENT_VERSION = "2026-02-09"
SUPPORTED_VERSIONS = (LEGACY_VERSION, CURRENT_VERSION)

Run = dict[str, Any]

_LEGACY_OUTPUT_TYPES = {"EXTRACT": "EXTRACT", "CLASSIFY": "CLASSIFY", "SPLIT": "SPLITTER"}
_RESULT_KEYS = {
    "PARSE": ("parseRun", "parse_run"),
    "EXTRACT": ("extractRun", "extract_run"),
    "CLASSIFY": ("classifyRun", "classify_run"),
    "SPLIT": ("splitRun", "split_run"),
}
_LEGACY_OPTIONAL = ("name", "batchId", "failureReason", "failureMessage")


def dashboard_url(run_id: str) -> str:
    """The Extend dashboard link of a run, as 2026-02-09 reports it."""
    return f"https://dashboard.extend.ai/workflows/{run_id}"


def render_run(run: Run, version: str) -> dict[str, Any]:
    """The body of a get/update response for ``version``."""
    if version == LEGACY_VERSION:
        return {"success": True, "workflowRun": legacy_run(run)}
    return current_run(run)


def render_list(runs: list[Run], next_page_token: str | None, version: str) -> dict[str, Any]:
    """The body of a list response: summaries only, no outputs."""
    summaries = [summary(run, version) for run in runs]
    if version == LEGACY_VERSION:
        return {"success": True, "workflowRuns": summaries, "nextPageToken": next_page_token}
    return {"object": "list", "data": summaries, "nextPageToken": next_page_token}


# --- 2024-12-23 ----------------------------------------------------------------


def legacy_run(run: Run) -> dict[str, Any]:
    """The ``workflowRun`` object of 2024-12-23 (the seed's shape)."""
    out: dict[str, Any] = {"object": "workflow_run", "id": run["id"]}
    if run.get("name") is not None:
        out["name"] = run["name"]
    out["status"] = run["status"]
    out["metadata"] = copy.deepcopy(run.get("metadata") or {})
    for key in _LEGACY_OPTIONAL[1:]:
        if run.get(key) is not None:
            out[key] = run[key]
    for key in ("initialRunAt", "reviewedBy", "reviewedAt", "startTime", "endTime"):
        out[key] = run.get(key)
    out["files"] = [_file(f) for f in run.get("files") or []]
    out["outputs"] = [
        _legacy_output(step)
        for step in run.get("steps") or []
        if step.get("type") in _LEGACY_OUTPUT_TYPES
        and step.get("runId")
        and step.get("output") is not None
    ]
    workflow = run.get("workflow") or {}
    out["workflow"] = {
        "object": "workflow",
        "id": workflow.get("id"),
        "version": workflow.get("version"),
        "name": workflow.get("name"),
    }
    return out


def _legacy_output(step: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "object": "document_processor_run",
        "id": step["runId"],
        "edited": bool(step.get("edited")),
        "type": _LEGACY_OUTPUT_TYPES[step["type"]],
    }
    for key in ("processorId", "processorName", "processorVersion"):
        if step.get(key) is not None:
            out[key] = step[key]
    for key in ("initialOutput", "reviewedOutput", "output"):
        out[key] = citations.map_output(step.get(key), citations.to_legacy)
    return out


# --- 2026-02-09 ----------------------------------------------------------------


def current_run(run: Run) -> dict[str, Any]:
    """The bare 2026-02-09 run object."""
    workflow = run.get("workflow") or {}
    return {
        "object": "workflow_run",
        "id": run["id"],
        "name": run.get("name"),
        "status": run["status"],
        "metadata": copy.deepcopy(run.get("metadata") or {}),
        "files": [_file(f) for f in run.get("files") or []],
        "workflow": {"object": "workflow", "id": workflow.get("id"), "name": workflow.get("name")},
        "workflowVersion": {
            "object": "workflow_version",
            "id": workflow.get("versionId"),
            "version": workflow.get("version"),
        },
        "dashboardUrl": dashboard_url(run["id"]),
        "batchId": run.get("batchId"),
        "reviewed": bool(run.get("reviewed")),
        "reviewedByUser": _reviewer(run),
        "reviewedAt": run.get("reviewedAt"),
        "initialRunAt": run.get("initialRunAt"),
        "startTime": run.get("startTime"),
        "endTime": run.get("endTime"),
        "createdAt": run.get("createdAt"),
        "updatedAt": run.get("updatedAt"),
        "failureReason": run.get("failureReason"),
        "failureMessage": run.get("failureMessage"),
        "stepRuns": [_step_run(step) for step in run.get("steps") or []],
    }


def _step_run(step: dict[str, Any]) -> dict[str, Any]:
    step_type = step.get("type") or "UNKNOWN"
    return {
        "object": "workflow_step_run",
        "id": step.get("stepRunId"),
        "status": step.get("status"),
        "stepType": step_type,
        "step": {
            "object": "workflow_step",
            "id": step.get("stepId"),
            "name": step.get("stepName"),
            "type": step_type,
        },
        "result": _step_result(step, step_type),
    }


def _step_result(step: dict[str, Any], step_type: str) -> dict[str, Any] | None:
    if not step.get("runId"):
        return None
    if step_type != "PARSE" and step.get("output") is None:
        return None  # still running: no result yet, as 2024-12-23 lists no output
    key, obj = _RESULT_KEYS.get(step_type, ("run", step_type.lower() + "_run"))
    body: dict[str, Any] = {"object": obj, "id": step["runId"], "status": step.get("status")}
    if step_type != "PARSE":
        body["edited"] = bool(step.get("edited"))
        for field in ("output", "initialOutput", "reviewedOutput"):
            body[field] = citations.map_output(step.get(field), citations.to_current)
    return {key: body}


# --- shared -------------------------------------------------------------------


def summary(run: Run, version: str) -> dict[str, Any]:
    """A list entry: the run without outputs."""
    workflow = run.get("workflow") or {}
    out: dict[str, Any] = {"object": "workflow_run"} if version == CURRENT_VERSION else {}
    out.update(
        {
            "id": run["id"],
            "name": run.get("name"),
            "status": run["status"],
            "workflowId": workflow.get("id"),
            "workflowName": workflow.get("name"),
            "workflowVersionId": workflow.get("versionId"),
            "batchId": run.get("batchId"),
            "reviewed": bool(run.get("reviewed")),
            "reviewedByUser": _reviewer(run),
            "reviewedAt": run.get("reviewedAt"),
            "initialRunAt": run.get("initialRunAt"),
            "startTime": run.get("startTime"),
            "endTime": run.get("endTime"),
            "createdAt": run.get("createdAt"),
            "updatedAt": run.get("updatedAt"),
            "files": [_file(f) for f in run.get("files") or []],
        }
    )
    return out


def _reviewer(run: Run) -> str | None:
    """2026-02-09 names the reviewer by email; fall back to the user id we know."""
    return run.get("reviewedByUser") or run.get("reviewedBy")


def _file(file: dict[str, Any]) -> dict[str, Any]:
    return {"object": "file", **{k: copy.deepcopy(v) for k, v in file.items() if k != "object"}}
