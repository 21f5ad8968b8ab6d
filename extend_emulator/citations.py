"""Citations: one stored form, two wire forms.

The store keeps citations as 2024-12-23 does (``page`` an int, optional
``pageWidth``/``pageHeight``) plus an optional ``fileId``. 2026-02-09 nests the
page as ``{number, width?, height?}`` and keeps ``fileId``. These helpers walk an
extraction output (``{value, metadata: {field: {citations: [...]}}}``) and rewrite
every citation in it, leaving everything else untouched (copied, never shared).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

Citation = dict[str, Any]


def to_legacy(citation: Citation) -> Citation:
    """Stored -> 2024-12-23: the same, without the 2026-only ``fileId``."""
    return {k: v for k, v in citation.items() if k != "fileId"}


def to_current(citation: Citation) -> Citation:
    """Stored -> 2026-02-09: ``page`` becomes ``{number, width?, height?}``."""
    out: Citation = {}
    page: dict[str, Any] = {"number": citation.get("page")}
    if citation.get("pageWidth") is not None:
        page["width"] = citation["pageWidth"]
    if citation.get("pageHeight") is not None:
        page["height"] = citation["pageHeight"]
    out["page"] = page
    for key, value in citation.items():
        if key not in ("page", "pageWidth", "pageHeight"):
            out[key] = value
    return out


def from_any(citation: Citation) -> Citation:
    """Either wire form -> stored form (a legacy citation is already stored form)."""
    page = citation.get("page")
    if not isinstance(page, dict):
        return dict(citation)
    out: Citation = {"page": page.get("number")}
    if page.get("width") is not None:
        out["pageWidth"] = page["width"]
    if page.get("height") is not None:
        out["pageHeight"] = page["height"]
    for key, value in citation.items():
        if key != "page":
            out[key] = value
    return out


def map_output(output: Any, convert: Callable[[Citation], Citation]) -> Any:
    """A deep copy of ``output`` with ``convert`` applied to each field's citations."""
    result = copy.deepcopy(output)
    if not isinstance(result, dict):
        return result
    metadata = result.get("metadata")
    if not isinstance(metadata, dict):
        return result
    for entry in metadata.values():
        if isinstance(entry, dict) and isinstance(entry.get("citations"), list):
            entry["citations"] = [
                convert(c) if isinstance(c, dict) else c for c in entry["citations"]
            ]
    return result
