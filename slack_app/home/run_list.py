"""Listing runs by status through Extend's ``GET /workflow_runs``, newest first.

``ExtendClient`` has no list method yet, so this reads the endpoint with the
client's own configuration (base URL, key, API version, workspace) and parses
both versions' list shapes: 2024-12-23 ``{"workflowRuns": [...]}`` with
``workflowName``; 2026-02-09 ``{"data": [...]}`` with ``workflow{}`` and
``dashboardUrl``. Items are summaries (no outputs). Errors become
``RunListError`` with a message fit to show a person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import httpx

from tools.client.config import ClientConfig
from tools.client.core import ClientCore

LIST_TIMEOUT_SECONDS = 10.0


class RunListError(Exception):
    """The runs could not be listed; the message says why, without secrets."""


@dataclass(frozen=True)
class RunListItem:
    id: str
    status: str
    name: str | None = None
    workflow_name: str | None = None
    file_names: list[str] = field(default_factory=list)
    updated_at: str | None = None
    dashboard_url: str | None = None


def list_runs(
    config: ClientConfig,
    *,
    status: str,
    limit: int = 10,
    transport: httpx.BaseTransport | None = None,
) -> list[RunListItem]:
    """Up to ``limit`` runs with ``status``, most recently updated first."""
    params: dict[str, str | int] = {
        "status": status,
        "sortBy": "updatedAt",
        "sortDir": "desc",
        "maxPageSize": max(1, min(limit, 100)),
    }
    kwargs = ClientCore(config).client_kwargs()
    kwargs["timeout"] = min(config.timeout, LIST_TIMEOUT_SECONDS)
    try:
        with httpx.Client(transport=transport, **kwargs) as http:
            response = http.get("/workflow_runs", params=params)
    except httpx.HTTPError as exc:
        raise RunListError(f"Extend did not answer ({type(exc).__name__}).") from None
    if response.status_code != 200:
        raise RunListError(f"Extend answered the run list with HTTP {response.status_code}.")
    try:
        body = response.json()
    except ValueError:
        raise RunListError("Extend's run list was not JSON.") from None
    items = _items(body)
    return [item for item in (_item(raw) for raw in items) if item is not None][:limit]


def _items(body: Any) -> list[Any]:
    if isinstance(body, dict):
        for key in ("data", "workflowRuns"):
            if isinstance(body.get(key), list):
                return list(body[key])
    raise RunListError("Extend's run list had an unexpected shape.")


def _item(raw: Any) -> RunListItem | None:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        return None
    workflow: dict[str, Any] = raw["workflow"] if isinstance(raw.get("workflow"), dict) else {}
    files = [f.get("name") for f in raw.get("files") or [] if isinstance(f, dict)]
    return RunListItem(
        id=raw["id"],
        status=str(raw.get("status") or "UNKNOWN"),
        name=_text(raw.get("name")),
        workflow_name=_text(workflow.get("name") or raw.get("workflowName")),
        file_names=[n for n in files if isinstance(n, str) and n],
        updated_at=_text(raw.get("updatedAt")),
        dashboard_url=_text(raw.get("dashboardUrl") or raw.get("url")),
    )


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) and value else None
