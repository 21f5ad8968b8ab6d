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

Non-processor steps, 2026-02-09's step results and files are rendered by
``render_steps``. 2026-02-09 run reads have no ``name`` (update still takes one)
and no ``createdAt``/``updatedAt``; its list items nest ``workflow{}`` and
``workflowVersion{}`` and carry ``dashboardUrl``, ``usage`` and ``rejectionNote``,
as the ``extend-ai`` SDK's ``WorkflowRun`` and ``WorkflowRunSummary`` have them.
"""

from __future__ import annotations

import copy
from typing import Any

from extend_emulator.render_steps import (
    current_step_runs,
    file_summary,
    legacy_outputs,
    legacy_step_runs,
)
from extend_emulator.set_keys import copy_set_keys

LEGACY_VERSION = "2024-12-23"
CURRENT_VERSION = "2026-02-09"
SUPPORTED_VERSIONS = (LEGACY_VERSION, CURRENT_VERSION)

Run = dict[str, Any]

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
    """The ``workflowRun`` object of 2024-12-23 (the seed's shape).

    Keys the seed lacks (``reviewed``, ``rejectionNote``, ``stepRuns``) appear only
    when the run needs them, so the seed renders exactly Extend's reference.
    """
    out: dict[str, Any] = {"object": "workflow_run", "id": run["id"]}
    if run.get("name") is not None:
        out["name"] = run["name"]
    out["status"] = run["status"]
    out["metadata"] = copy.deepcopy(run.get("metadata") or {})
    copy_set_keys(out, run, _LEGACY_OPTIONAL[1:])
    for key in ("initialRunAt", "reviewedBy", "reviewedAt", "startTime", "endTime"):
        out[key] = run.get(key)
    if not run.get("reviewed") and (run.get("reviewedBy") or run.get("reviewedAt")):
        out["reviewed"] = False  # said only when the reviewer fields alone would mislead
    if run.get("rejectionNote") is not None:
        out["rejectionNote"] = run["rejectionNote"]
    out["files"] = [_file(f) for f in run.get("files") or []]
    out["outputs"] = legacy_outputs(run)
    step_runs = legacy_step_runs(run)
    if step_runs:
        out["stepRuns"] = step_runs
    workflow = run.get("workflow") or {}
    out["workflow"] = {
        "object": "workflow",
        "id": workflow.get("id"),
        "version": workflow.get("version"),
        "name": workflow.get("name"),
    }
    return out


# --- 2026-02-09 ----------------------------------------------------------------


def current_run(run: Run) -> dict[str, Any]:
    """The bare 2026-02-09 run object (the SDK's ``WorkflowRun``: no ``name``)."""
    out: dict[str, Any] = {
        "object": "workflow_run",
        "id": run["id"],
        **_workflow_refs(run),
        "dashboardUrl": dashboard_url(run["id"]),
        "status": run["status"],
        "metadata": copy.deepcopy(run.get("metadata") or {}),
        "batchId": run.get("batchId"),
        "files": [file_summary(run, f) for f in run.get("files") or []],
        "failureReason": run.get("failureReason"),
        "failureMessage": run.get("failureMessage"),
        "initialRunAt": run.get("initialRunAt"),
        "reviewedByUser": _reviewer(run),
        "reviewed": bool(run.get("reviewed")),
        "rejectionNote": run.get("rejectionNote"),
        "reviewedAt": run.get("reviewedAt"),
        "startTime": run.get("startTime"),
        "endTime": run.get("endTime"),
        "stepRuns": current_step_runs(run),
    }
    if run.get("usage") is not None:
        out["usage"] = copy.deepcopy(run["usage"])
    return out


def _workflow_refs(run: Run) -> dict[str, Any]:
    """``workflow{}`` and ``workflowVersion{}`` as the SDK's summaries have them."""
    workflow = run.get("workflow") or {}
    created = workflow.get("createdAt") or run.get("createdAt")
    version: dict[str, Any] = {
        "object": "workflow_version",
        "id": workflow.get("versionId"),
        "version": None if workflow.get("version") is None else str(workflow["version"]),
    }
    if workflow.get("versionName") is not None:
        version["name"] = workflow["versionName"]
    version["createdAt"] = created
    return {
        "workflow": {
            "object": "workflow",
            "id": workflow.get("id"),
            "name": workflow.get("name"),
            "createdAt": created,
            "updatedAt": workflow.get("updatedAt") or created,
        },
        "workflowVersion": version,
    }


# --- lists ----------------------------------------------------------------------


def summary(run: Run, version: str) -> dict[str, Any]:
    """A list entry: the run without outputs."""
    if version == CURRENT_VERSION:
        return _current_summary(run)
    workflow = run.get("workflow") or {}
    return {
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
        "rejectionNote": run.get("rejectionNote"),
        "initialRunAt": run.get("initialRunAt"),
        "startTime": run.get("startTime"),
        "endTime": run.get("endTime"),
        "createdAt": run.get("createdAt"),
        "updatedAt": run.get("updatedAt"),
        "files": [_file(f) for f in run.get("files") or []],
    }


def _current_summary(run: Run) -> dict[str, Any]:
    """The SDK's ``WorkflowRunSummary``: no ``name``, no ``reviewed``, usage without breakdown."""
    out: dict[str, Any] = {
        "object": "workflow_run",
        "id": run["id"],
        "status": run["status"],
        **_workflow_refs(run),
        "dashboardUrl": dashboard_url(run["id"]),
        "reviewedByUser": _reviewer(run),
        "reviewedAt": run.get("reviewedAt"),
        "initialRunAt": run.get("initialRunAt"),
        "startTime": run.get("startTime"),
        "endTime": run.get("endTime"),
        "batchId": run.get("batchId"),
        "rejectionNote": run.get("rejectionNote"),
        "files": [file_summary(run, f) for f in run.get("files") or []],
        "createdAt": run.get("createdAt"),
        "updatedAt": run.get("updatedAt"),
    }
    usage = run.get("usage")
    if isinstance(usage, dict):
        out["usage"] = {k: usage[k] for k in ("credits", "totalCredits") if k in usage}
    return out


def _reviewer(run: Run) -> str | None:
    """2026-02-09 names the reviewer by email; fall back to the user id we know."""
    return run.get("reviewedByUser") or run.get("reviewedBy")


def _file(file: dict[str, Any]) -> dict[str, Any]:
    return {"object": "file", **{k: copy.deepcopy(v) for k, v in file.items() if k != "object"}}
