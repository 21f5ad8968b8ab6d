"""Validating and applying ``POST /workflow_runs/{id}`` bodies, as Extend documents them.

``name`` replaces the name; ``metadata`` is merged into the existing metadata
at the top level, incoming keys winning; a key left out of the body leaves that
part alone. The emulator is stricter than it needs to be about bad bodies (any
unknown key, a null name) so that a client sending something sloppy finds out
here rather than in production; a rejected body changes nothing.
"""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from typing import Any

from extend_emulator.replies import ApiError

ALLOWED_KEYS = ("name", "metadata")
USAGE_TAGS_KEY = "extend:usage_tags"


def now_iso() -> str:
    """The current UTC time the way Extend writes timestamps: ``2024-09-03T08:14:22.120Z``."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def parse_update_body(raw: bytes) -> dict[str, Any]:
    """The validated body of an update; raises a 400 ``ApiError`` saying what is wrong."""
    if not raw.strip():
        raise ApiError(400, "The request body must be a JSON object with 'name' and/or 'metadata'.")
    try:
        body = json.loads(raw)
    except (ValueError, UnicodeDecodeError) as exc:
        raise ApiError(400, f"The request body is not valid JSON: {exc}.") from exc
    if not isinstance(body, dict):
        raise ApiError(400, "The request body must be a JSON object with 'name' and/or 'metadata'.")
    unknown = sorted(set(body) - set(ALLOWED_KEYS))
    if unknown:
        raise ApiError(
            400,
            f"Unknown field(s) in the request body: {', '.join(unknown)}. "
            "Only 'name' and 'metadata' can be updated.",
        )
    if "name" in body:
        name = body["name"]
        if not isinstance(name, str) or not name.strip():
            raise ApiError(400, "'name' must be a non-empty string; leave it out to keep the name.")
    if "metadata" in body:
        metadata = body["metadata"]
        if not isinstance(metadata, dict):
            raise ApiError(400, "'metadata' must be a JSON object of key/value pairs.")
        if USAGE_TAGS_KEY in metadata:
            tags = metadata[USAGE_TAGS_KEY]
            if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
                raise ApiError(400, f"'metadata.{USAGE_TAGS_KEY}' must be a list of strings.")
    return body


def apply_update(run: dict[str, Any], body: dict[str, Any], now: str) -> dict[str, Any]:
    """``run`` after the (already validated) update ``body``; ``updatedAt`` becomes ``now``."""
    updated = copy.deepcopy(run)
    if "name" in body:
        updated["name"] = body["name"]
    if "metadata" in body:
        merged = dict(updated.get("metadata") or {})
        merged.update(copy.deepcopy(body["metadata"]))
        updated["metadata"] = merged
    updated["updatedAt"] = now
    return updated
