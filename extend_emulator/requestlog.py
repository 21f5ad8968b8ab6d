"""The log of API requests the emulator answered, for tests to assert on.

Each entry is ``{method, path, query, headers, body, status, requestId}``;
header names are lower-cased and the credential in ``Authorization`` is
replaced by ``***`` (``"Bearer ***"``) so a log can be printed or shared.
"""

from __future__ import annotations

import copy
import threading
from typing import Any

REDACTED_HEADERS = ("authorization", "x-api-key", "cookie")


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    """Lower-cased headers with credentials masked (the auth scheme is kept)."""
    out: dict[str, str] = {}
    for name, value in headers.items():
        key = name.lower()
        if key in REDACTED_HEADERS:
            scheme, _, secret = value.partition(" ")
            value = f"{scheme} ***" if secret else "***"
        out[key] = value
    return out


class RequestLog:
    """A thread-safe list of recorded requests."""

    def __init__(self) -> None:
        self._entries: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def record(self, entry: dict[str, Any]) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[dict[str, Any]]:
        with self._lock:
            return copy.deepcopy(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
