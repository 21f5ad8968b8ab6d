"""One page of ``GET /workflow_runs``, either API version, as normalized ``RunListItem``s.

Listing returns summaries, not runs: no outputs, and (in both versions) no
metadata. 2024-12-23 answers ``{"success", "workflowRuns": [...], "nextPageToken"}``
with flat ``workflowId``/``workflowName``; 2026-02-09 answers ``{"object": "list",
"data": [...], "nextPageToken"}`` whose items (the SDK's ``WorkflowRunSummary``)
nest ``workflow{}`` and ``workflowVersion{}``, carry ``dashboardUrl`` and have no
``name``. ``parse_run_page`` reads either; unknown fields are ignored, an unknown
status is kept as text, and the exact JSON of each item stays on ``raw``.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from tools.runs.models import IN_PROGRESS_STATUSES, FileRef, WorkflowRef
from tools.runs.wire import WireFile, WireRef, WireWorkflowVersion, _Wire

__all__ = ["RunListItem", "RunPage", "parse_run_page"]


class RunListItem(BaseModel):
    """A run as a list shows it: who, what, when; no extracted fields.

    ``name`` is None in 2026-02-09 lists (they do not carry it); ``metadata`` is None
    when the list item does not carry metadata (Extend's lists do not), as opposed to
    ``{}``, a run with none.
    """

    model_config = ConfigDict(extra="ignore")

    id: str
    name: str | None = None
    status: str = "UNKNOWN"
    workflow: WorkflowRef = Field(default_factory=WorkflowRef)
    files: list[FileRef] = Field(default_factory=list)
    created_at: str | None = None
    updated_at: str | None = None
    dashboard_url: str | None = None
    reviewed: bool | None = None
    reviewed_by: str | None = None
    batch_id: str | None = None
    metadata: dict[str, Any] | None = None
    api_version: str = ""
    raw: dict[str, Any] = Field(default_factory=dict, repr=False)

    @property
    def file_names(self) -> list[str]:
        return [f.name for f in self.files if f.name]

    @property
    def in_progress(self) -> bool:
        return self.status in IN_PROGRESS_STATUSES

    @property
    def when(self) -> str | None:
        """The most telling timestamp: last update, else creation."""
        return self.updated_at or self.created_at


class RunPage(BaseModel):
    """One page of a list: its items and the token of the next page (None on the last)."""

    items: list[RunListItem] = Field(default_factory=list)
    next_page_token: str | None = None


class _WireListItem(_Wire):
    id: str
    name: str | None = None
    status: str | None = None
    url: str | None = None
    dashboard_url: str | None = None
    workflow_id: str | None = None
    workflow_name: str | None = None
    workflow: WireRef | None = None
    workflow_version: WireWorkflowVersion | None = None
    batch_id: str | None = None
    reviewed: bool | None = None
    reviewed_by: str | None = None
    reviewed_by_user: str | None = None
    reviewed_at: str | None = None
    created_at: str | None = None
    updated_at: str | None = None
    metadata: dict[str, Any] | None = None
    files: list[WireFile] | None = None


def parse_run_page(payload: Any, api_version: str) -> RunPage:
    """Normalize a list response body; raises ``ValueError`` when it is not a list of runs."""
    if not isinstance(payload, dict):
        raise ValueError(f"expected a JSON object, got {type(payload).__name__}")
    items = payload.get("data") if "data" in payload else payload.get("workflowRuns")
    if not isinstance(items, list):
        raise ValueError("the answer has neither data[] nor workflowRuns[]")
    token = payload.get("nextPageToken")
    if token is not None and not isinstance(token, str):
        raise ValueError("nextPageToken is not text")
    return RunPage(
        items=[_item(raw, api_version) for raw in items],
        next_page_token=token or None,
    )


def _item(raw: Any, api_version: str) -> RunListItem:
    if not isinstance(raw, dict):
        raise ValueError(f"a list item is {type(raw).__name__}, not a run")
    wire = _WireListItem.model_validate(raw)
    workflow = wire.workflow
    version = wire.workflow_version
    reviewer = wire.reviewed_by_user or wire.reviewed_by
    reviewed = wire.reviewed
    if reviewed is None and (reviewer or wire.reviewed_at or "reviewedByUser" in raw):
        reviewed = bool(reviewer or wire.reviewed_at)  # the reviewer fields, given, say it
    return RunListItem(
        id=wire.id,
        name=wire.name,
        status=wire.status or "UNKNOWN",
        workflow=WorkflowRef(
            id=workflow.id if workflow and workflow.id else wire.workflow_id,
            name=workflow.name if workflow and workflow.name else wire.workflow_name,
            version=None if version is None or version.version is None else str(version.version),
        ),
        files=[FileRef(id=f.id, name=f.name, type=f.type) for f in wire.files or []],
        created_at=wire.created_at,
        updated_at=wire.updated_at,
        dashboard_url=wire.dashboard_url or wire.url,
        reviewed=reviewed,
        reviewed_by=reviewer,
        batch_id=wire.batch_id,
        metadata=wire.metadata,
        api_version=api_version,
        raw=raw,
    )
