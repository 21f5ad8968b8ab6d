"""What the emulator sends back: a plain ``Reply`` value and Extend's error shape.

Route code returns a ``Reply`` (or raises ``ApiError``) instead of writing to a
socket, so routing, faults and the request log can be tested and reasoned about
without HTTP plumbing; ``handler.py`` is the only place that touches the wire.
Every error body is ``{"code", "message", "retryable", "requestId"}`` like Extend's.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, field
from typing import Any

ERROR_CODES: dict[int, str] = {
    400: "INVALID_REQUEST",
    401: "UNAUTHORIZED",
    402: "PAYMENT_REQUIRED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    408: "REQUEST_TIMEOUT",
    409: "CONFLICT",
    422: "UNPROCESSABLE_ENTITY",
    429: "RATE_LIMIT_EXCEEDED",
    500: "INTERNAL_SERVER_ERROR",
    502: "BAD_GATEWAY",
    503: "SERVICE_UNAVAILABLE",
    504: "GATEWAY_TIMEOUT",
}


def new_request_id() -> str:
    """A fresh id like Extend's ``req_<hex>``, sent as ``x-request-id`` and in error bodies."""
    return f"req_{secrets.token_hex(12)}"


def is_retryable(status: int) -> bool:
    """Extend marks rate limits, timeouts and server errors as worth retrying."""
    return status in (408, 429) or status >= 500


@dataclass
class Reply:
    """One HTTP answer; ``drop=True`` means close the connection without answering."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    drop: bool = False


class ApiError(Exception):
    """Raised by route code; turned into an error ``Reply`` by ``error_reply``."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        code: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code or ERROR_CODES.get(status, "ERROR")
        self.headers = dict(headers or {})


def json_reply(status: int, payload: Any, headers: dict[str, str] | None = None) -> Reply:
    """A JSON ``Reply``; the body is compact UTF-8."""
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return Reply(status, body, {"Content-Type": "application/json", **(headers or {})})


def error_reply(error: ApiError, request_id: str) -> Reply:
    """Extend's error shape for ``error``."""
    payload = {
        "code": error.code,
        "message": error.message,
        "retryable": is_retryable(error.status),
        "requestId": request_id,
    }
    return json_reply(error.status, payload, error.headers)
