"""Checks on run ids and update bodies, done before any request is sent.

A bad id or oversized metadata should cost the caller a clear message, not a
round trip, a 400 from Extend, or (worse) a half-understood write.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any

from tools.client.errors import InvalidMetadataError, InvalidRunIdError, ValidationError

MAX_RUN_ID_LENGTH = 200
MAX_NAME_LENGTH = 200
MAX_METADATA_DEPTH = 20
USAGE_TAGS_KEY = "extend:usage_tags"
RUN_ID_PATTERN = re.compile(r"[A-Za-z0-9_\-]+")
"""The characters of a run id (``fullmatch`` for a whole id, ``finditer`` to find ids in text)."""
# Control characters (C0, DEL, C1) and bidi overrides can rewrite what a person sees
# when a change is shown for approval, so names and keys may contain none of them;
# text values may keep line breaks and tabs.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def validate_run_id(run_id: object) -> str:
    """Return the id unchanged if it can be a run id; raise ``InvalidRunIdError`` otherwise."""
    if not isinstance(run_id, str) or not run_id:
        raise InvalidRunIdError(
            "A run id is required, e.g. workflow_run_1234 (it starts with workflow_run_)."
        )
    if len(run_id) > MAX_RUN_ID_LENGTH:
        raise InvalidRunIdError(
            f"That run id is {len(run_id)} characters long; run ids are at most "
            f"{MAX_RUN_ID_LENGTH}. Copy the id (workflow_run_...) from Extend again."
        )
    if not RUN_ID_PATTERN.fullmatch(run_id):
        shown = run_id if len(run_id) <= 60 else run_id[:57] + "..."
        raise InvalidRunIdError(
            f"{shown!r} is not a valid run id: ids contain only letters, digits, '_' and '-' "
            "(no spaces or slashes), e.g. workflow_run_1234."
        )
    return run_id


def validate_name(name: object) -> str:
    if not isinstance(name, str):
        raise ValidationError(f"The run name must be text, not {type(name).__name__}.")
    if not name.strip():
        raise ValidationError("The run name cannot be empty; give the new name to set.")
    if len(name) > MAX_NAME_LENGTH:
        raise ValidationError(
            f"The run name is {len(name)} characters; the limit is {MAX_NAME_LENGTH}."
        )
    if _CONTROL.search(name):
        raise ValidationError(
            "The run name contains control characters (line breaks, tabs, escapes); "
            "use plain text on one line."
        )
    return name


def validate_metadata(metadata: object, *, max_bytes: int) -> dict[str, Any]:
    """Check metadata is a JSON object of JSON values within ``max_bytes`` once serialized."""
    if not isinstance(metadata, Mapping):
        raise InvalidMetadataError(
            'Metadata must be a JSON object of key/value pairs, e.g. {"vendor": "ACME"}, '
            f"not {type(metadata).__name__}."
        )
    if not metadata:
        raise InvalidMetadataError("Metadata is empty; give at least one key to set.")
    copy: dict[str, Any] = _json_copy(metadata, "metadata", 0)
    tags = copy.get(USAGE_TAGS_KEY)
    if tags is not None and not (isinstance(tags, list) and all(isinstance(t, str) for t in tags)):
        raise InvalidMetadataError(
            f"{USAGE_TAGS_KEY!r} is reserved by Extend for usage tags and must be a list of "
            "strings."
        )
    size = len(json.dumps(copy, ensure_ascii=False, separators=(",", ":")).encode())
    if size > max_bytes:
        raise InvalidMetadataError(
            f"Metadata is {size:,} bytes once serialized; the limit is {max_bytes:,}. "
            "Send fewer or shorter values."
        )
    return copy


def _json_copy(value: object, where: str, depth: int) -> Any:
    """A plain-JSON copy of ``value`` (dicts, lists, scalars), or a clear error saying where."""
    if depth > MAX_METADATA_DEPTH:
        raise InvalidMetadataError(
            f"Metadata nests deeper than {MAX_METADATA_DEPTH} levels at {where}."
        )
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        if _CONTROL_IN_TEXT.search(value):
            raise InvalidMetadataError(
                f"{where} contains control characters; only plain text, line breaks and tabs "
                "are allowed."
            )
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidMetadataError(f"{where} is {value}, which JSON cannot carry.")
        return value
    if isinstance(value, Mapping):
        copy = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise InvalidMetadataError(
                    f"Metadata keys must be strings; {where} has key {key!r}."
                )
            if depth == 0 and not key.strip():
                raise InvalidMetadataError("Metadata keys cannot be empty.")
            if _CONTROL.search(key):
                raise InvalidMetadataError(
                    f"The metadata key {key!r} in {where} contains control characters."
                )
            copy[key] = _json_copy(item, f"{where}.{key}", depth + 1)
        return copy
    if isinstance(value, list | tuple):
        return [
            _json_copy(item, f"{where}[{index}]", depth + 1) for index, item in enumerate(value)
        ]
    raise InvalidMetadataError(
        f"{where} is a {type(value).__name__}; metadata values must be JSON "
        "(text, numbers, true/false, null, lists or objects)."
    )


def build_update_body(
    name: str | None, metadata: Mapping[str, Any] | None, *, max_bytes: int
) -> dict[str, Any]:
    """The POST body with only the parts given; raises if nothing would change."""
    body: dict[str, Any] = {}
    if name is not None:
        body["name"] = validate_name(name)
    if metadata is not None:
        body["metadata"] = validate_metadata(metadata, max_bytes=max_bytes)
    if not body:
        raise ValidationError("Nothing to update: give a new name, metadata, or both.")
    return body
