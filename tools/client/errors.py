"""Every error the Extend client raises, in one tree, each saying what to do next.

    ExtendError
    ├── ValidationError          bad input caught before any request was sent
    │   ├── InvalidRunIdError
    │   └── InvalidMetadataError
    ├── APIError                 Extend answered with an error status
    │   ├── BadRequestError          400
    │   ├── AuthenticationError      401
    │   ├── PaymentRequiredError     402
    │   ├── PermissionDeniedError    403
    │   ├── NotFoundError            404
    │   ├── UnprocessableError       422
    │   ├── RateLimitError           429 (retried)
    │   └── ServerError              5xx (retried)
    ├── TransportError           no usable answer came back (retried)
    │   ├── APIConnectionError
    │   └── APITimeoutError          (not retried once the call's deadline is spent)
    └── InvalidResponseError     an answer came back but is not what Extend documents
        └── ResponseTooLargeError    larger than the configured cap; reading stopped

Messages never contain the API key: text a server supplies (its message, code,
request id) passes through ``redact`` and is cut to a few hundred characters
before it reaches a message. ``retryable`` tells callers (and the retry loop)
whether trying again may help.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from typing import Any

MAX_SERVER_TEXT = 300
"""Characters of a server-supplied message kept in an error message."""
_BEARER = re.compile(r"(?i)\b(bearer|token|api[_-]?key)([\s:=\"']+)[A-Za-z0-9._~+/=\-]{8,}")


class ExtendError(Exception):
    """Base of every error raised by ``tools.client.clients``."""

    retryable: bool = False

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationError(ExtendError, ValueError):
    """The arguments were wrong; nothing was sent to Extend."""


class InvalidRunIdError(ValidationError):
    pass


class InvalidMetadataError(ValidationError):
    pass


class APIError(ExtendError):
    """Extend answered with an error status; ``code``/``request_id`` come from its body.

    A status without a class of its own (408, 409, ...) is raised as ``APIError``.
    """

    status_code: int = 0
    hint: str = "Check the request and try again."

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        body: Any = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        if status_code is not None:
            self.status_code = status_code
        self.code = code
        self.request_id = request_id
        self.body = body
        self.retry_after = retry_after

    def __str__(self) -> str:
        ref = f" (request id {self.request_id})" if self.request_id else ""
        return f"{self.message}{ref}"


class BadRequestError(APIError):
    status_code = 400
    hint = "Extend rejected the request as malformed; fix the arguments and try again."


class AuthenticationError(APIError):
    status_code = 401
    hint = "Check EXTEND_API_KEY: it is missing, mistyped or revoked."


class PaymentRequiredError(APIError):
    status_code = 402
    hint = "The Extend organisation is out of credits or its plan does not allow this."


class PermissionDeniedError(APIError):
    status_code = 403
    hint = "The API key may not access this run; check EXTEND_WORKSPACE_ID and the key's workspace."


class NotFoundError(APIError):
    status_code = 404
    hint = "Check the run id (it looks like workflow_run_...) and the workspace."


class UnprocessableError(APIError):
    status_code = 422
    hint = "Extend understood the request but cannot apply it; check the values sent."


class RateLimitError(APIError):
    status_code = 429
    retryable = True
    hint = "Extend's rate limit was hit; wait a few seconds and try again."


class ServerError(APIError):
    status_code = 500
    retryable = True
    hint = "Extend had a server error; try again shortly."


class TransportError(ExtendError):
    """No usable answer came back from Extend."""

    retryable = True


class APIConnectionError(TransportError):
    """The connection failed or broke before a full answer arrived."""


class APITimeoutError(TransportError):
    """Extend did not answer within the timeout."""


class InvalidResponseError(ExtendError):
    """Extend (or whatever answered at the base URL) sent something that is not a run."""


class ResponseTooLargeError(InvalidResponseError):
    """The answer was larger than ``max_response_bytes``; the client stopped reading it."""


_BY_STATUS: dict[int, type[APIError]] = {
    cls.status_code: cls
    for cls in (
        BadRequestError,
        AuthenticationError,
        PaymentRequiredError,
        PermissionDeniedError,
        NotFoundError,
        UnprocessableError,
        RateLimitError,
    )
}
"""The classes raised for one exact status (each names its own ``status_code``)."""


def error_for_status(
    status_code: int,
    body: Any,
    *,
    request_id: str | None = None,
    retry_after: float | None = None,
    what: str = "request",
    secrets: Sequence[str | None] = (),
) -> APIError:
    """Build the exception for an error response, using Extend's ``{code, message}`` body.

    The body's text is the server's, so ``secrets`` (the API key) and anything shaped
    like a bearer token are removed from it, and it is cut to ``MAX_SERVER_TEXT``.
    """
    cls = _BY_STATUS.get(status_code)
    if cls is None:
        cls = ServerError if status_code >= 500 else APIError
    code = message = None
    if isinstance(body, dict):
        code = body.get("code") if isinstance(body.get("code"), str) else None
        message = body.get("message") if isinstance(body.get("message"), str) else None
        request_id = request_id or (
            body.get("requestId") if isinstance(body.get("requestId"), str) else None
        )
    code, message, request_id = (
        server_text(part, secrets, limit=limit) if part is not None else None
        for part, limit in ((code, 80), (message, MAX_SERVER_TEXT), (request_id, 120))
    )
    detail = f": {message.rstrip('. ')}" if message else ""
    text = f"Extend returned {status_code}{f' {code}' if code else ''} for the {what}{detail}."
    hint = cls.hint
    if retry_after is not None and is_retryable_status(status_code):
        hint = f"Extend asks to wait {describe_wait(retry_after)} before trying again."
    error = cls(
        f"{text} {hint}",
        status_code=status_code,
        code=code,
        request_id=request_id,
        body=body,
        retry_after=retry_after,
    )
    error.retryable = is_retryable_status(status_code)
    return error


def is_retryable_status(status_code: int) -> bool:
    """408, 429 and every 5xx may pass if tried again (429 and 5xx say so; 408 is a timeout)."""
    return status_code in (408, 429) or status_code >= 500


def redact(text: str, secrets: Sequence[str | None] = ()) -> str:
    """``text`` without any of ``secrets`` (4+ characters) or bearer/token/key-shaped values."""
    for secret in secrets:
        if secret and len(secret) >= 4:
            text = text.replace(secret, "***")
    return _BEARER.sub(lambda m: f"{m.group(1)}{m.group(2)}***", text)


def server_text(
    text: str, secrets: Sequence[str | None] = (), *, limit: int = MAX_SERVER_TEXT
) -> str:
    """Server-supplied ``text`` fit for an error message: redacted, then cut to ``limit``."""
    text = redact(text, secrets)
    if len(text) > limit:
        text = f"{text[:limit]}... ({len(text):,} characters, cut)"
    return text


def describe_wait(seconds: float) -> str:
    """``3 s``, ``5 minutes (until 2026-12-02 05:10 UTC)``, ``2 days (until ...)``."""
    if seconds < 1:
        return "under a second"
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 2 * 3600:
        amount = f"{seconds / 60:.0f} minutes"
    elif seconds < 2 * 86400:
        amount = f"{seconds / 3600:.1f} hours"
    else:
        amount = f"{seconds / 86400:,.0f} days"
    until = time.strftime("%Y-%m-%d %H:%M", time.gmtime(time.time() + seconds))
    return f"{amount} (until {until} UTC)"
