"""One emulator instance without the sockets: store, faults, request log and routing.

``EmulatorApp.handle`` turns a parsed ``Request`` into a ``Reply``: admin
requests go straight to ``admin.py``; API requests first meet the fault set
(which may delay, fail, garble or drop them), then ``FileRoutes`` (file reads
and signed downloads) or ``ExtendApi``; every API
request is recorded with the status it got (0 for a dropped connection).
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from extend_emulator import render
from extend_emulator.admin import PREFIX as ADMIN_PREFIX
from extend_emulator.admin import handle_admin
from extend_emulator.api import ExtendApi, Request
from extend_emulator.faults import Fault, FaultSet
from extend_emulator.files import FileRoutes
from extend_emulator.generate import DEFAULT_SEED, generate_runs
from extend_emulator.replies import ApiError, Reply, error_reply
from extend_emulator.requestlog import RequestLog, redact_headers
from extend_emulator.samples import load_fixtures, load_samples
from extend_emulator.store import RunStore
from extend_emulator.webhooks import WebhookSender, WebhookTarget


class EmulatorApp:
    """The state and request handling of one emulator."""

    def __init__(
        self,
        *,
        data_dir: str | Path | None = None,
        fixtures_dir: str | Path | None = None,
        api_key: str | None = None,
        default_version: str = render.LEGACY_VERSION,
        reset: bool = False,
        webhooks: WebhookTarget | None = None,
        generate: int = 0,
        seed: int = DEFAULT_SEED,
    ) -> None:
        self.fixtures_dir = fixtures_dir
        self.generated = generate_runs(generate, seed) if generate else []
        self.store = RunStore(data_dir, self._initial_runs, reset=reset)
        self.api = ExtendApi(self.store, api_key, default_version)
        self.faults = FaultSet()
        self.log = RequestLog()
        self.files = FileRoutes(self.store.all)
        self.webhooks = WebhookSender(webhooks)

    def _initial_runs(self) -> list[dict[str, Any]]:
        runs = {run["id"]: run for run in self.generated}
        runs.update({run["id"]: run for run in load_samples()})
        if self.fixtures_dir is not None:
            runs.update({run["id"]: run for run in load_fixtures(self.fixtures_dir)})
        return list(runs.values())

    def reset(self) -> None:
        """Restore the initial runs; clear faults and the request log."""
        self.store.reset()
        self.faults.clear()
        self.log.clear()

    def handle(self, request: Request) -> Reply:
        """The reply to ``request`` (may sleep first when a latency fault applies)."""
        if request.path == ADMIN_PREFIX or request.path.startswith(ADMIN_PREFIX + "/"):
            return self._guard(request, lambda: handle_admin(self, request))
        decision = self.faults.decide(request.method, request.path)
        if decision.delay_s:
            time.sleep(decision.delay_s)
        if decision.fault is not None:
            reply = self._fault_reply(decision.fault, request)
        else:
            reply = self._guard(request, lambda: self._route(request))
        reply.headers.setdefault("x-request-id", request.request_id)
        self.log.record(
            {
                "method": request.method,
                "path": request.path,
                "query": {k: v[0] if len(v) == 1 else v for k, v in request.query.items()},
                "headers": redact_headers(request.headers),
                "body": _parsed_body(request.body),
                "status": 0 if reply.drop else reply.status,
                "requestId": request.request_id,
            }
        )
        return reply

    def _route(self, request: Request) -> Reply:
        """Files (``files.py``) and signed downloads first, then the workflow-run API."""
        if self.files.is_download(request.path) and request.method == "GET":
            return self.files.download(request.path, request.query)
        file_id = self.files.file_id_of(request.path)
        if file_id is not None and request.method == "GET":
            self.api.authenticate(request)
            host = request.headers.get("host", "127.0.0.1")
            return self.files.get(file_id, self.api.version_of(request), host)
        return self.api.handle(request)

    def _guard(self, request: Request, route: Callable[[], Reply]) -> Reply:
        try:
            reply: Reply = route()
        except ApiError as error:
            reply = error_reply(error, request.request_id)
        reply.headers.setdefault("x-request-id", request.request_id)
        return reply

    def _fault_reply(self, fault: Fault, request: Request) -> Reply:
        if fault.kind == "drop":
            return Reply(0, drop=True)
        if fault.kind == "malformed":
            return _malformed(fault, self._version_or_default(request))
        status = 429 if fault.kind == "rate_limit" else (fault.status or 500)
        headers = {}
        retry_after = fault.retry_after_header()
        if retry_after is not None:
            headers["Retry-After"] = retry_after
        message = (
            "Rate limit exceeded (injected by the emulator); retry after the Retry-After delay."
            if status == 429
            else f"Injected failure (HTTP {status}) from the emulator's fault settings."
        )
        return error_reply(ApiError(status, message, headers=headers), request.request_id)

    def _version_or_default(self, request: Request) -> str:
        try:
            return self.api.version_of(request)
        except ApiError:
            return self.api.default_version


def _malformed(fault: Fault, version: str) -> Reply:
    if version == render.LEGACY_VERSION:
        payload: dict[str, Any] = {"success": True, "workflowRun": {"id": 5, "outputs": "nope"}}
    else:
        payload = {"object": "workflow_run", "id": 5, "stepRuns": "nope"}
    body = json.dumps(payload).encode()
    if fault.status is None:
        return Reply(200, body[: len(body) // 2], {"Content-Type": "application/json"})
    return Reply(fault.status, body, {"Content-Type": "application/json"})


def _parsed_body(raw: bytes) -> Any:
    if not raw:
        return None
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
