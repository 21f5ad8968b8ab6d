"""What a Slack HTTP request must be before Bolt sees it: small, quick, well-formed.

``read_body`` reads the body with a size cap and a deadline: a declared
``Content-Length`` over ``MAX_BODY_BYTES`` is refused (413) before anything is
read, a body that grows past it while streaming is refused as soon as it does,
and a body not complete within ``BODY_READ_SECONDS`` gets 408. ``body_problem``
refuses what Bolt would crash on (a 500 with a traceback) with a 400: a body that
is not UTF-8, JSON that does not parse or is not an object (an array), a form
whose ``payload=`` is not a JSON object, and a request timestamp that is not a
number. The signature itself is checked by Bolt.

``quiet_signature_failures`` keeps Bolt from logging the body of a request whose
signature does not verify (anyone on the network can send one, of any size).
"""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any
from urllib.parse import parse_qsl

from starlette.requests import ClientDisconnect, Request

MAX_BODY_BYTES = 1024 * 1024  # Slack's payloads are far smaller
BODY_READ_SECONDS = 10.0
TIMESTAMP_HEADER = "x-slack-request-timestamp"


class RequestRefused(Exception):
    """The request is refused with ``status``; ``reason`` is a short plain-text answer."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


async def read_body(
    request: Request,
    *,
    max_bytes: int = MAX_BODY_BYTES,
    deadline_seconds: float = BODY_READ_SECONDS,
) -> bytes:
    """The whole body, or ``RequestRefused`` (400, 408 or 413) without reading more."""
    declared = request.headers.get("content-length")
    if declared is not None:
        if not declared.strip().isdigit():
            raise RequestRefused(400, "Content-Length is not a number.")
        if int(declared) > max_bytes:
            raise RequestRefused(413, f"The body is larger than {max_bytes} bytes.")
    body = bytearray()
    try:
        async with asyncio.timeout(deadline_seconds):
            async for chunk in request.stream():
                body += chunk
                if len(body) > max_bytes:
                    raise RequestRefused(413, f"The body is larger than {max_bytes} bytes.")
    except TimeoutError:
        raise RequestRefused(408, "The body took too long to arrive.") from None
    except ClientDisconnect:
        raise RequestRefused(400, "The client went away before sending the body.") from None
    return bytes(body)


def body_problem(body: bytes, headers: Any) -> str | None:
    """Why Bolt could not read this request (it would fail with a 500), or None."""
    timestamp = str(headers.get(TIMESTAMP_HEADER) or "0").strip()
    if not timestamp.isdigit():
        return "The request timestamp is not a number."
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return "The body is not UTF-8 text."
    if not text:
        return None
    content_type = str(headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type == "application/json" or text.lstrip().startswith(("{", "[")):
        return _not_an_object(text, "The JSON body")
    if "payload" in text:  # a form whose payload is JSON (buttons, dialogs)
        payload = dict(parse_qsl(text, keep_blank_values=True)).get("payload")
        if payload is not None:
            return _not_an_object(payload, "The form's payload")
    return None


def _not_an_object(text: str, what: str) -> str | None:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError):
        return f"{what} is not valid JSON."
    return None if isinstance(value, dict) else f"{what} is not a JSON object."


class _NoBodies(logging.Filter):
    """Rewrites Bolt's "Invalid request signature detected (…, body: …)" without the body."""

    def filter(self, record: logging.LogRecord) -> bool:
        if str(record.msg).startswith("Invalid request signature detected"):
            record.msg, record.args = "Invalid request signature detected (body not logged)", ()
        return True


_FILTER = _NoBodies()
BOLT_VERIFICATION_LOGGER = "slack_bolt.RequestVerification"


def quiet_signature_failures() -> None:
    """Install the filter on Bolt's request verification logger (once per process)."""
    logger = logging.getLogger(BOLT_VERIFICATION_LOGGER)
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
