"""Extend's webhook signature: HMAC-SHA256 (hex) over ``v0:{timestamp}:{raw body}``.

Extend sends the timestamp (Unix seconds) in ``x-extend-request-timestamp`` and
the signature in ``x-extend-request-signature``. A delivery is accepted only
when both are present, the timestamp is within ``TOLERANCE_SECONDS`` of now
(either way, so a captured request cannot be replayed later), and the
signature matches, compared in constant time so its bytes cannot be guessed
one at a time from response times.
"""

from __future__ import annotations

import hashlib
import hmac

TIMESTAMP_HEADER = "x-extend-request-timestamp"
SIGNATURE_HEADER = "x-extend-request-signature"
TOLERANCE_SECONDS = 300.0
VERSION_PREFIX = "v0"


class SignatureError(ValueError):
    """The delivery is not provably from Extend; the message says which check failed."""


def sign(secret: str, timestamp: str, body: bytes) -> str:
    """The hex signature Extend sends for ``body`` sent at ``timestamp``."""
    base = f"{VERSION_PREFIX}:{timestamp}:".encode() + body
    return hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()


def verify(
    secret: str,
    *,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    now: float,
    tolerance: float = TOLERANCE_SECONDS,
) -> None:
    """Return if ``body`` is signed with ``secret`` and fresh; raise ``SignatureError`` if not."""
    if not secret:
        raise SignatureError("no webhook signing secret is configured")
    if not timestamp or not signature:
        raise SignatureError(f"missing {TIMESTAMP_HEADER} or {SIGNATURE_HEADER} header")
    try:
        sent_at = int(timestamp.strip())
    except ValueError:
        raise SignatureError(f"{TIMESTAMP_HEADER} is not a Unix timestamp") from None
    if abs(now - sent_at) > tolerance:
        raise SignatureError(f"the timestamp is more than {tolerance:.0f} s from now")
    expected = sign(secret, timestamp.strip(), body)
    given = signature.strip()
    if given.startswith(f"{VERSION_PREFIX}="):  # tolerate a Slack-style "v0=" prefix
        given = given[len(VERSION_PREFIX) + 1 :]
    if not hmac.compare_digest(expected.encode(), given.lower().encode()):
        raise SignatureError("the signature does not match the body")
