"""``/_emulator/webhooks*`` and ``/_emulator/runs/{id}/status``: drive webhooks from tests.

- ``GET|POST|DELETE /_emulator/webhooks``: the target (``url``, ``secret``,
  ``apiVersion``, ``maxAttempts``, ``retryDelaySeconds``, ``timeoutSeconds``,
  ``inlineLimitBytes``); the secret is never echoed;
- ``GET /_emulator/webhooks/deliveries``: every delivery attempt and its status;
- ``GET /_emulator/webhooks/payloads/{token}?signature=...``: a large event's
  signed download URL;
- ``POST /_emulator/runs/{id}/status`` ``{"status", "failureReason"?,
  "failureMessage"?, "validationRules"?: [{"name", "valid", "failureReason"?,
  "error"?}]}``: move the run and deliver its event (see ``webhooks.py``).
"""

from __future__ import annotations

import copy
import json
import secrets
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from extend_emulator import render
from extend_emulator.replies import ApiError, Reply, json_reply
from extend_emulator.updates import now_iso
from extend_emulator.webhooks import EVENT_TYPES

if TYPE_CHECKING:
    from extend_emulator.api import Request
    from extend_emulator.app import EmulatorApp

Run = dict[str, Any]
STATUS_KEYS = ("status", "failureReason", "failureMessage", "validationRules")
DEFAULT_FAILURE = ("PROCESSING_ERROR", "The run failed (moved to FAILED by the emulator).")


def handle_webhook_admin(app: EmulatorApp, request: Request, route: str) -> Reply | None:
    """The reply for a webhook admin route, or None when ``route`` is not one."""
    method = request.method
    sender = app.webhooks
    if route == "webhooks":
        if method == "GET":
            return json_reply(200, sender.target.to_dict())
        if method == "POST":
            try:
                target = sender.configure(_object(request.body, "the webhook target"))
            except ValueError as exc:
                raise ApiError(400, f"Invalid webhook target: {exc}.") from exc
            return json_reply(200, target.to_dict())
        if method == "DELETE":
            sender.clear()
            return json_reply(200, {"cleared": True})
        raise ApiError(405, f"{method} is not supported on {request.path}.")
    if route == "webhooks/deliveries" and method == "GET":
        return json_reply(200, {"deliveries": sender.attempts()})
    if route.startswith("webhooks/payloads/") and method == "GET":
        token = route.removeprefix("webhooks/payloads/")
        signature = (request.query.get("signature") or [""])[-1]
        body = sender.download(token, signature)
        if body is None:
            raise ApiError(404, "This payload URL is unknown, expired or not signed correctly.")
        return Reply(200, body, {"Content-Type": "application/json"})
    parts = route.split("/")
    if len(parts) == 3 and parts[0] == "runs" and parts[2] == "status":
        if method != "POST":
            raise ApiError(405, f"{method} is not supported on {request.path}; use POST.")
        return _move_run(app, request, unquote(parts[1]))
    return None


def _move_run(app: EmulatorApp, request: Request, run_id: str) -> Reply:
    spec = _object(request.body, "the status change")
    unknown = sorted(set(spec) - set(STATUS_KEYS))
    if unknown:
        raise ApiError(400, f"Unknown key(s) {', '.join(unknown)}; use {', '.join(STATUS_KEYS)}.")
    status = spec.get("status")
    if status not in EVENT_TYPES:
        raise ApiError(400, f"status must be one of {', '.join(EVENT_TYPES)}; got {status!r}.")
    rules = _rules(spec.get("validationRules"))
    for key in ("failureReason", "failureMessage"):
        if spec.get(key) is not None and not isinstance(spec[key], str):
            raise ApiError(400, f"{key} must be a string.")

    def move(run: Run) -> Run:
        moved = copy.deepcopy(run)
        moved["status"] = status
        moved["updatedAt"] = now_iso()
        if status == "FAILED":
            moved["failureReason"] = spec.get("failureReason") or DEFAULT_FAILURE[0]
            moved["failureMessage"] = spec.get("failureMessage") or DEFAULT_FAILURE[1]
        else:
            moved["failureReason"] = spec.get("failureReason")
            moved["failureMessage"] = spec.get("failureMessage")
        if rules is not None:
            steps = [s for s in moved.get("steps") or [] if s.get("type") != "RULE_VALIDATION"]
            steps.append(_validation_step(rules))
            moved["steps"] = steps
        return moved

    run = app.store.modify(run_id, move)
    if run is None:
        raise ApiError(404, f"Workflow run {run_id!r} was not found.")
    target = app.webhooks.target
    payload = (
        render.legacy_run(run)
        if target.api_version == render.LEGACY_VERSION
        else render.current_run(run)
    )
    host = request.headers.get("host") or "127.0.0.1"
    sent = app.webhooks.send(EVENT_TYPES[status], payload, f"http://{host}")
    return json_reply(200, {**sent, "runId": run_id, "status": status})


def _rules(value: Any) -> list[dict[str, Any]] | None:
    if value is None:
        return None
    ok = isinstance(value, list) and all(
        isinstance(r, dict) and isinstance(r.get("name"), str) and isinstance(r.get("valid"), bool)
        for r in value
    )
    if not ok:
        raise ApiError(400, "validationRules must be a list of {name: string, valid: bool, ...}.")
    return [copy.deepcopy(r) for r in value]


def _validation_step(rules: list[dict[str, Any]]) -> dict[str, Any]:
    for rule in rules:
        if not rule["valid"]:
            rule.setdefault("failureReason", "RULE_FAILED")
    return {
        "type": "RULE_VALIDATION",
        "runId": f"rule_validation_run_{secrets.token_hex(6)}",
        "stepRunId": f"workflow_step_run_{secrets.token_hex(6)}",
        "stepId": "step_rule_validation",
        "stepName": "Validation rules",
        "status": "PROCESSED",
        "result": {"rules": rules, "allPassed": all(r["valid"] for r in rules)},
    }


def _object(raw: bytes, what: str) -> dict[str, Any]:
    try:
        value = json.loads(raw or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"The body is not valid JSON: {exc}.") from exc
    if not isinstance(value, dict):
        raise ApiError(400, f"The body must be a JSON object describing {what}.")
    return value
