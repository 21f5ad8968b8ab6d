"""The Extend API itself: auth, version negotiation and the three workflow-run routes.

``GET /workflow_runs/{id}``, ``POST /workflow_runs/{id}`` and ``GET /workflow_runs``,
each with or without the ``/v1`` prefix 2024-12-23 base URLs carry. The version
comes from ``x-extend-api-version`` (missing: the server's default; unknown: 400).
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from urllib.parse import unquote

from extend_emulator import listing, render, updates
from extend_emulator.replies import ApiError, Reply, json_reply
from extend_emulator.store import RunStore

VERSION_HEADER = "x-extend-api-version"


@dataclass(frozen=True)
class Request:
    """One parsed HTTP request, as route code sees it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-cased names
    body: bytes
    request_id: str


class ExtendApi:
    """Answers Extend API requests from a ``RunStore``."""

    def __init__(self, store: RunStore, api_key: str | None, default_version: str) -> None:
        if default_version not in render.SUPPORTED_VERSIONS:
            raise ValueError(
                f"default_version must be one of {', '.join(render.SUPPORTED_VERSIONS)}"
            )
        self.store = store
        self.api_key = api_key
        self.default_version = default_version

    def handle(self, request: Request) -> Reply:
        """Route ``request``; raises ``ApiError`` for every error answer."""
        segments = _segments(request.path)
        if segments is None:
            raise ApiError(404, f"No such endpoint: {request.method} {request.path}.")
        self.authenticate(request)
        version = self.version_of(request)
        if len(segments) == 1:
            if request.method != "GET":
                raise _method_not_allowed(request, "GET")
            return self._list(request, version)
        run_id = segments[1]
        if request.method == "GET":
            return self._get(run_id, version)
        if request.method == "POST":
            return self._update(run_id, request.body, version)
        raise _method_not_allowed(request, "GET, POST")

    def version_of(self, request: Request) -> str:
        """The API version the request asks for; 400 if it names one we do not serve."""
        version = request.headers.get(VERSION_HEADER, "").strip()
        if not version:
            return self.default_version
        if version not in render.SUPPORTED_VERSIONS:
            raise ApiError(
                400,
                f"Unsupported API version {version!r} in the {VERSION_HEADER} header; "
                f"supported versions are {' and '.join(render.SUPPORTED_VERSIONS)}.",
            )
        return version

    def authenticate(self, request: Request) -> None:
        if self.api_key is None:
            return
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise ApiError(
                401, "Missing API key: send it as 'Authorization: Bearer <your Extend API key>'."
            )
        if not hmac.compare_digest(token.strip().encode(), self.api_key.encode()):
            raise ApiError(401, "Invalid API key: check the key in your Extend dashboard.")

    def _get(self, run_id: str, version: str) -> Reply:
        run = self.store.get(run_id)
        if run is None:
            raise _not_found(run_id)
        return json_reply(200, render.render_run(run, version))

    def _update(self, run_id: str, raw_body: bytes, version: str) -> Reply:
        body = updates.parse_update_body(raw_body)
        now = updates.now_iso()
        run = self.store.modify(run_id, lambda current: updates.apply_update(current, body, now))
        if run is None:
            raise _not_found(run_id)
        return json_reply(200, render.render_run(run, version))

    def _list(self, request: Request, version: str) -> Reply:
        query = listing.parse_list_query(request.query)
        page, token = listing.select_page(self.store.all(), query)
        return json_reply(200, render.render_list(page, token, version))


def _segments(path: str) -> list[str] | None:
    """``["workflow_runs"]`` or ``["workflow_runs", id]`` for API paths, else None."""
    parts = [p for p in path.split("/") if p]
    if parts[:1] == ["v1"]:
        parts = parts[1:]
    if not parts or parts[0] != "workflow_runs" or len(parts) > 2:
        return None
    if len(parts) == 2:
        parts[1] = unquote(parts[1])
    return parts


def _not_found(run_id: str) -> ApiError:
    return ApiError(404, f"Workflow run {run_id!r} was not found.")


def _method_not_allowed(request: Request, allowed: str) -> ApiError:
    return ApiError(
        405,
        f"{request.method} is not supported on {request.path}; use {allowed}.",
        headers={"Allow": allowed},
    )
