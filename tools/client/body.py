"""Reading an answer's body safely: a size cap while streaming, and JSON that cannot blow the stack.

A hostile or broken server can send 50 MB (read whole, then summarized at full
CPU for minutes), advertise a huge ``Content-Length``, or nest arrays 100,000
deep (``json.loads`` raises ``RecursionError``, and anything that walks the value
later could too). ``BodyReader`` stops at ``max_bytes`` with an error giving the
size and the cap, and checks the call's deadline between chunks; ``decode_json``
turns every failure into ``InvalidResponseError`` and refuses values nested
deeper than ``MAX_DEPTH`` before anything recursive sees them.
"""

from __future__ import annotations

import json
from typing import Any

from tools.client.errors import InvalidResponseError, ResponseTooLargeError

MAX_DEPTH = 128
"""Deepest nesting accepted in an answer (real runs nest about 10 levels)."""


class BodyReader:
    """Collects one answer's body chunk by chunk, refusing to go past ``max_bytes``."""

    def __init__(self, headers: Any, max_bytes: int, what: str) -> None:
        self.max_bytes = max_bytes
        self.what = what
        self._chunks: list[bytes] = []
        self._size = 0
        declared = headers.get("content-length")
        if declared and declared.strip().isdigit() and int(declared) > max_bytes:
            raise self._too_large(f"{int(declared):,} bytes (its Content-Length)")

    def add(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size > self.max_bytes:
            raise self._too_large(f"more than {self.max_bytes:,} bytes (stopped reading there)")
        self._chunks.append(chunk)

    @property
    def data(self) -> bytes:
        return b"".join(self._chunks)

    def _too_large(self, size: str) -> ResponseTooLargeError:
        return ResponseTooLargeError(
            f"Extend's answer to the {self.what} is {size}; the limit is "
            f"{self.max_bytes:,} bytes (EXTEND_MAX_RESPONSE_BYTES). Raise the limit if this "
            "run really is that large, or check EXTEND_BASE_URL points at the Extend API."
        )


def decode_json(data: bytes, what: str, status: int) -> Any:
    """The JSON value in ``data``, or ``InvalidResponseError`` (never ``RecursionError``)."""
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):
        raise InvalidResponseError(
            f"Extend's answer to the {what} was not JSON (status {status}). "
            "Check EXTEND_BASE_URL points at the Extend API."
        ) from None
    if nesting_exceeds(value, MAX_DEPTH):
        raise InvalidResponseError(
            f"Extend's answer to the {what} nests deeper than {MAX_DEPTH} levels, which no "
            "workflow run does. Check EXTEND_BASE_URL points at the Extend API."
        )
    return value


def json_or_none(data: bytes) -> Any:
    """An error body's JSON value, or None if it is not (safe) JSON."""
    try:
        value = json.loads(data)
    except (ValueError, RecursionError):
        return None
    return None if nesting_exceeds(value, MAX_DEPTH) else value


def nesting_exceeds(value: Any, limit: int) -> bool:
    """Whether ``value`` nests lists/objects more than ``limit`` deep (iterative, no recursion)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth >= limit:
            return True
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False
