"""``/_emulator/*``: control endpoints for tests and benchmarks in other processes.

No auth, not recorded in the request log, never faulted:
``GET /_emulator/health``, ``GET|DELETE /_emulator/requests``,
``POST /_emulator/reset``, ``GET|POST|DELETE /_emulator/faults`` (POST takes one
fault object or a list, with the keys of ``FaultSet.add``). Webhook targets,
deliveries and run status changes are in ``webhook_admin.py``.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from extend_emulator import render
from extend_emulator.replies import ApiError, Reply, json_reply
from extend_emulator.webhook_admin import handle_webhook_admin

if TYPE_CHECKING:
    from extend_emulator.api import Request
    from extend_emulator.app import EmulatorApp

PREFIX = "/_emulator"


def handle_admin(app: EmulatorApp, request: Request) -> Reply:
    """Answer one admin request; raises ``ApiError`` for unknown routes or bad bodies."""
    route = request.path[len(PREFIX) :].strip("/")
    method = request.method
    webhook_reply = handle_webhook_admin(app, request, route)
    if webhook_reply is not None:
        return webhook_reply
    if route == "health" and method == "GET":
        return json_reply(200, _health(app))
    if route == "requests" and method == "GET":
        return json_reply(200, {"requests": app.log.entries()})
    if route == "requests" and method == "DELETE":
        app.log.clear()
        return json_reply(200, {"cleared": True})
    if route == "reset" and method == "POST":
        app.reset()
        return json_reply(200, {"reset": True, "runs": app.store.count()})
    if route == "faults" and method == "GET":
        return json_reply(200, {"faults": [f.to_dict() for f in app.faults.snapshot()]})
    if route == "faults" and method == "POST":
        added = _add_faults(app, request.body)
        return json_reply(200, {"faults": [f.to_dict() for f in added]})
    if route == "faults" and method == "DELETE":
        app.faults.clear()
        return json_reply(200, {"cleared": True})
    if route in ("health", "requests", "reset", "faults"):
        raise ApiError(405, f"{method} is not supported on {request.path}.")
    raise ApiError(404, f"No such emulator endpoint: {request.path}.")


def _health(app: EmulatorApp) -> dict[str, Any]:
    return {
        "status": "ok",
        "runs": app.store.count(),
        "defaultVersion": app.api.default_version,
        "supportedVersions": list(render.SUPPORTED_VERSIONS),
        "authRequired": app.api.api_key is not None,
        "persistent": app.store.path is not None,
    }


def _add_faults(app: EmulatorApp, raw: bytes) -> list[Any]:
    try:
        specs = json.loads(raw or b"null")
    except ValueError as exc:
        raise ApiError(400, f"The body is not valid JSON: {exc}.") from exc
    specs = specs if isinstance(specs, list) else [specs]
    added = []
    for spec in specs:
        try:
            added.append(app.faults.add_from_dict(spec))
        except (ValueError, TypeError) as exc:
            raise ApiError(400, f"Invalid fault {spec!r}: {exc}.") from exc
    return added
