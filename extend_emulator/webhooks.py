"""Webhooks from the emulator: signed workflow run events sent to a configured URL, with retries.

Configure a target with ``--webhook-url`` / ``--webhook-secret`` (or
``EXTEND_EMULATOR_WEBHOOK_URL`` / ``EXTEND_EMULATOR_WEBHOOK_SECRET``, or
``POST /_emulator/webhooks``); then ``POST /_emulator/runs/{id}/status`` with
``{"status": "NEEDS_REVIEW" | "FAILED" | "PROCESSED" | "REJECTED" | "CANCELLED"}``
(optionally ``failureReason``, ``failureMessage`` and ``validationRules``) moves
the run and delivers the event, as Extend does:

- body ``{"eventId", "eventType": "workflow_run.<...>", "payload": <run>}``, the
  run in the webhook's API version (2026-02-09 unless configured otherwise);
- headers ``x-extend-request-timestamp`` (Unix seconds) and
  ``x-extend-request-signature``: HMAC-SHA256 hex of ``v0:{timestamp}:{body}``;
- an event larger than ``inlineLimitBytes`` is sent as ``payload: {"data": <URL>}``,
  a signed download URL served by the emulator for an hour;
- a delivery answered with a non-2xx status or not answered is retried
  (``maxAttempts``, exponential backoff from ``retryDelaySeconds``), re-signed
  with a fresh timestamp each time. Attempts are listed at
  ``GET /_emulator/webhooks/deliveries``.

Written independently of ``slack_app.webhooks`` (standard library only), so the
two check each other.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field, replace
from typing import Any

EVENT_TYPES = {
    "NEEDS_REVIEW": "workflow_run.needs_review",
    "FAILED": "workflow_run.failed",
    "PROCESSED": "workflow_run.completed",
    "REJECTED": "workflow_run.rejected",
    "CANCELLED": "workflow_run.cancelled",
}
DEFAULT_API_VERSION = "2026-02-09"
DOWNLOAD_TTL_SECONDS = 3600
MAX_LOGGED_ATTEMPTS = 1000


@dataclass(frozen=True)
class WebhookTarget:
    """Where and how events are delivered; ``url`` None means webhooks are off."""

    url: str | None = None
    secret: str = field(default="", repr=False)
    api_version: str = DEFAULT_API_VERSION
    max_attempts: int = 4
    retry_delay_seconds: float = 1.0
    timeout_seconds: float = 10.0
    inline_limit_bytes: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "url": self.url,
            "secretSet": bool(self.secret),
            "apiVersion": self.api_version,
            "maxAttempts": self.max_attempts,
            "retryDelaySeconds": self.retry_delay_seconds,
            "timeoutSeconds": self.timeout_seconds,
            "inlineLimitBytes": self.inline_limit_bytes,
        }

    def updated(self, spec: dict[str, Any]) -> WebhookTarget:
        """A copy with the keys of ``spec`` applied; ``ValueError`` names a bad one."""
        known = {
            "url": ("url", str),
            "secret": ("secret", str),
            "apiVersion": ("api_version", str),
            "maxAttempts": ("max_attempts", int),
            "retryDelaySeconds": ("retry_delay_seconds", float),
            "timeoutSeconds": ("timeout_seconds", float),
            "inlineLimitBytes": ("inline_limit_bytes", int),
        }
        unknown = sorted(set(spec) - set(known))
        if unknown:
            raise ValueError(f"unknown key(s) {', '.join(unknown)}; use {', '.join(known)}")
        changes: dict[str, Any] = {}
        for key, value in spec.items():
            name, kind = known[key]
            if value is None and key in ("url", "inlineLimitBytes"):
                changes[name] = None
                continue
            if kind is float and isinstance(value, int) and not isinstance(value, bool):
                value = float(value)
            if not isinstance(value, kind) or isinstance(value, bool):
                raise ValueError(f"{key} must be a {kind.__name__}")
            changes[name] = value
        target = replace(self, **changes)
        if target.url is not None and not target.url.startswith(("http://", "https://")):
            raise ValueError("url must start with http:// or https://")
        if target.api_version not in ("2024-12-23", "2026-02-09"):
            raise ValueError("apiVersion must be 2024-12-23 or 2026-02-09")
        if not 1 <= target.max_attempts <= 20 or target.retry_delay_seconds < 0:
            raise ValueError("maxAttempts must be 1-20 and retryDelaySeconds >= 0")
        if target.url is not None and not target.secret:
            raise ValueError("a secret is required to sign deliveries")
        return target

    @classmethod
    def from_env(cls, url: str | None = None, secret: str | None = None) -> WebhookTarget:
        url = url or os.environ.get("EXTEND_EMULATOR_WEBHOOK_URL") or None
        secret = secret or os.environ.get("EXTEND_EMULATOR_WEBHOOK_SECRET") or ""
        if url is None:
            return cls(secret=secret)
        return cls().updated({"url": url, "secret": secret})


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """Extend's signature: HMAC-SHA256 hex over ``v0:{timestamp}:{body}``."""
    message = b"v0:" + timestamp.encode() + b":" + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class WebhookSender:
    """Holds the target, sends events on background threads, and remembers every attempt."""

    def __init__(self, target: WebhookTarget | None = None) -> None:
        self._lock = threading.Lock()
        self._target = target or WebhookTarget()
        self._attempts: list[dict[str, Any]] = []
        self._downloads: dict[str, tuple[float, bytes]] = {}
        self._threads: list[threading.Thread] = []

    @property
    def target(self) -> WebhookTarget:
        with self._lock:
            return self._target

    def configure(self, spec: dict[str, Any]) -> WebhookTarget:
        with self._lock:
            self._target = self._target.updated(spec)
            return self._target

    def clear(self) -> None:
        with self._lock:
            self._target = WebhookTarget()
            self._attempts.clear()
            self._downloads.clear()

    def attempts(self) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(a) for a in self._attempts]

    def send(self, event_type: str, payload: dict[str, Any], base_url: str) -> dict[str, Any]:
        """Queue the event for delivery; returns ``{eventId, eventType, delivered: "queued"}``."""
        target = self.target
        event_id = f"evt_{secrets.token_hex(12)}"
        event = {"eventId": event_id, "eventType": event_type, "payload": payload}
        body = json.dumps(event, separators=(",", ":")).encode()
        if target.inline_limit_bytes is not None and len(body) > target.inline_limit_bytes:
            url = self._store_download(body, base_url)
            event = {"eventId": event_id, "eventType": event_type, "payload": {"data": url}}
            body = json.dumps(event, separators=(",", ":")).encode()
        if target.url is None:
            return {"eventId": event_id, "eventType": event_type, "delivery": "off"}
        thread = threading.Thread(
            target=self._deliver, args=(target, event_id, body), daemon=True, name=event_id
        )
        with self._lock:
            self._threads = [t for t in self._threads if t.is_alive()] + [thread]
        thread.start()
        return {"eventId": event_id, "eventType": event_type, "delivery": "queued"}

    def download(self, token: str, signature: str) -> bytes | None:
        """A stored large event, if the URL's signature is right and it has not expired."""
        with self._lock:
            found = self._downloads.get(token)
            secret = self._target.secret
        if found is None:
            return None
        expires, body = found
        expected = sign(secret, str(int(expires)), token.encode())
        if time.time() > expires or not hmac.compare_digest(expected, signature):
            return None
        return body

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait for deliveries in progress (tests and shutdown)."""
        deadline = time.monotonic() + timeout
        with self._lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def _store_download(self, body: bytes, base_url: str) -> str:
        token = secrets.token_urlsafe(16)
        expires = time.time() + DOWNLOAD_TTL_SECONDS
        with self._lock:
            now = time.time()
            self._downloads = {k: v for k, v in self._downloads.items() if v[0] > now}
            self._downloads[token] = (expires, body)
            signature = sign(self._target.secret, str(int(expires)), token.encode())
        return f"{base_url}/_emulator/webhooks/payloads/{token}?signature={signature}"

    def _deliver(self, target: WebhookTarget, event_id: str, body: bytes) -> None:
        assert target.url is not None
        for attempt in range(1, target.max_attempts + 1):
            timestamp = str(int(time.time()))
            request = urllib.request.Request(
                target.url,
                data=body,
                method="POST",
                headers={
                    "Content-Type": "application/json",
                    "User-Agent": "extend-emulator-webhooks",
                    "x-extend-request-timestamp": timestamp,
                    "x-extend-request-signature": sign(target.secret, timestamp, body),
                },
            )
            status, error = 0, None
            try:
                with urllib.request.urlopen(request, timeout=target.timeout_seconds) as response:
                    status = response.status
            except urllib.error.HTTPError as exc:
                status = exc.code
            except (urllib.error.URLError, OSError) as exc:
                error = type(exc).__name__
            self._record(event_id, attempt, status, error)
            if 200 <= status < 300:
                return
            if attempt < target.max_attempts:
                time.sleep(target.retry_delay_seconds * 2 ** (attempt - 1))

    def _record(self, event_id: str, attempt: int, status: int, error: str | None) -> None:
        with self._lock:
            self._attempts.append(
                {"eventId": event_id, "attempt": attempt, "status": status, "error": error}
            )
            del self._attempts[:-MAX_LOGGED_ATTEMPTS]
