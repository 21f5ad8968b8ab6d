"""The ``find_runs`` tool: arguments checked into a ``SearchQuery``, the answer as a compact table.

The answer is a short table (at most ``MAX_LINES`` runs, then "and N more"),
never summaries: one line per run with its id, file, status, date, (when the
run was read) vendor and, for a failed run, the first sentence of its failure
message, followed by how far the search looked (pages listed, runs whose fields
were read), so "none found" is never a claim about runs not seen. Lists do not
carry failure messages, so the failed runs shown are read (cached, like the
search's reads). File names, run names, vendors and messages are quoted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from tools.client.errors import ExtendError
from tools.client.run_listing import MAX_LIST_PAGES, RUN_STATUSES
from tools.faces.run_cache import read_runs
from tools.faces.run_search import (
    DEFAULT_FIELD_SCAN,
    DEFAULT_PAGES,
    IN_PROGRESS,
    PAGE_SIZE,
    RunCache,
    RunMatch,
    SearchQuery,
    SearchResult,
    parse_when,
    search_runs,
)
from tools.faces.tool_errors import ToolError
from tools.text.quoting import quote

if TYPE_CHECKING:
    from tools.client.clients import ExtendClient
    from tools.faces.run_reference import Resolution
    from tools.runs.models import Run

__all__ = [
    "MAX_FAILURE_TEXT",
    "MAX_LINES",
    "FindOutput",
    "build_query",
    "describe_query",
    "failure_text",
    "find_runs",
    "run_line",
]

MAX_LINES = 10
MAX_FIELD_SCAN = 200
MAX_FAILURE_TEXT = 100
"""A failed run's line quotes this much of its failure message's first sentence."""
_FIRST_SENTENCE = re.compile(r"(?<=[.!?])\s+")
_STATUS_WORDS = {
    "needs review": "NEEDS_REVIEW",
    "review": "NEEDS_REVIEW",
    "in review": "NEEDS_REVIEW",
    "in progress": IN_PROGRESS,
    "running": IN_PROGRESS,
    "still processing": IN_PROGRESS,
    "need review": "NEEDS_REVIEW",
    "done": "PROCESSED",
    "complete": "PROCESSED",
    "completed": "PROCESSED",
    "succeeded": "PROCESSED",
    "failed": "FAILED",
    "rejected": "REJECTED",
    "cancelled": "CANCELLED",
    "canceled": "CANCELLED",
}


@dataclass
class FindOutput:
    """``find_runs``' answer: the table for the model and the matches for renderers."""

    text: str
    matches: list[RunMatch] = field(default_factory=list)
    result: SearchResult | None = None
    resolution: Resolution | None = None
    """For a ``reference``: which run it names (or candidates, none, invalid)."""
    run: Run | None = None
    """For a ``reference`` naming one run: that run, read in full."""


def build_query(
    *,
    status: str | None = None,
    workflow: str | None = None,
    file_name: str | None = None,
    text: str | None = None,
    metadata_key: str | None = None,
    metadata_value: str | None = None,
    tag: str | None = None,
    created_after: str | None = None,
    created_before: str | None = None,
    updated_after: str | None = None,
    updated_before: str | None = None,
    max_pages: int | None = None,
    field_scan: int | None = None,
) -> SearchQuery:
    """The tool's arguments as a ``SearchQuery``; raises ``ToolError`` saying what to fix."""
    if metadata_value is not None and metadata_key is None:
        raise ToolError("metadata_value needs metadata_key: say which key should have it.")
    return SearchQuery(
        status=_status(status),
        workflow=_text("workflow", workflow),
        file_name=_text("file_name", file_name),
        text=_text("text", text),
        metadata_key=_text("metadata_key", metadata_key),
        metadata_value=_text("metadata_value", metadata_value),
        tag=_text("tag", tag),
        created_after=_when("created_after", created_after),
        created_before=_when("created_before", created_before),
        updated_after=_when("updated_after", updated_after),
        updated_before=_when("updated_before", updated_before),
        max_pages=_bounded("max_pages", max_pages, DEFAULT_PAGES, MAX_LIST_PAGES),
        field_scan=_bounded("field_scan", field_scan, DEFAULT_FIELD_SCAN, MAX_FIELD_SCAN, low=0),
    )


def find_runs(client: ExtendClient, cache: RunCache, query: SearchQuery) -> FindOutput:
    """Search, then the table; errors reach the caller as ``ToolError``."""
    try:
        result = search_runs(client, query, cache)
    except ExtendError as error:
        raise ToolError(error.message, cause=error) from None
    if query.field_scan:
        _read_failed(client, cache, result.matches[:MAX_LINES])
    return FindOutput(text=_answer(result, query), matches=result.matches, result=result)


def run_line(match: RunMatch) -> str:
    """``workflow_run_x · "file.pdf" · NEEDS_REVIEW · 2024-09-18 · vendor "Bluebird"``.

    A failed run's line ends with why, when known: ``· failure "The file could not be read."``.
    """
    item = match.item
    parts = [item.id]
    if item.file_names:
        extra = f" (+{len(item.file_names) - 1})" if len(item.file_names) > 1 else ""
        parts.append(quote(item.file_names[0], limit=60) + extra)
    parts.append(item.status)
    when = item.created_at or item.updated_at
    if when:
        parts.append(when[:10])
    if match.vendor:
        parts.append("vendor " + quote(match.vendor, limit=40))
    elif item.name and item.name not in {n.rsplit(".", 1)[0] for n in item.file_names}:
        parts.append("name " + quote(item.name, limit=40))  # unless it only repeats the file
    failure = failure_text(match)
    if failure:
        parts.append("failure " + quote(failure, limit=MAX_FAILURE_TEXT))
    return " · ".join(parts)


def failure_text(match: RunMatch) -> str | None:
    """The first sentence of a failed run's failure message (else its reason code), if known."""
    if match.item.status != "FAILED":
        return None
    run = match.run
    said = (run.failure_message or run.failure_reason) if run is not None else None
    if not said:
        said = match.item.raw.get("failureMessage") or match.item.raw.get("failureReason")
    if not isinstance(said, str) or not said.strip():
        return None
    return _FIRST_SENTENCE.split(said.strip(), maxsplit=1)[0]


def _read_failed(client: ExtendClient, cache: RunCache, shown: list[RunMatch]) -> None:
    """Read the failed runs shown that were not read, for their failure message."""
    unread = [m for m in shown if m.item.status == "FAILED" and failure_text(m) is None]
    if not unread:
        return
    read, _failures = read_runs(client, [m.item for m in unread], cache)
    for match in unread:
        match.run = read.get(match.item.id, match.run)


def describe_query(query: SearchQuery) -> str:
    """The filters in words: ``status NEEDS_REVIEW, text "bluebird"``."""
    parts = []
    if query.status:
        parts.append(
            "status in progress" if query.status == IN_PROGRESS else f"status {query.status}"
        )
    for label, value in (
        ("workflow", query.workflow),
        ("file name containing", query.file_name),
        ("text", query.text),
        ("tag", query.tag),
    ):
        if value:
            parts.append(f"{label} {quote(value, limit=60)}")
    if query.metadata_key:
        value = "" if query.metadata_value is None else f"={quote(query.metadata_value)}"
        parts.append(f"metadata {quote(query.metadata_key)}{value}")
    for label, when in (
        ("created after", query.created_after),
        ("created before", query.created_before),
        ("updated after", query.updated_after),
        ("updated before", query.updated_before),
    ):
        if when is not None:
            parts.append(f"{label} {when:%Y-%m-%d %H:%M} UTC")
    return ", ".join(parts) or "no filter"


def _answer(result: SearchResult, query: SearchQuery) -> str:
    count = len(result.matches)
    head = f"{count} {'run matches' if count == 1 else 'runs match'} {describe_query(query)}"
    lines = [head + (":" if count else ".")]
    lines.extend(f"- {run_line(m)}" for m in result.matches[:MAX_LINES])
    if count > MAX_LINES:
        lines.append(f"and {count - MAX_LINES} more (narrow the search to see them).")
    lines.append(_how_far(result, query))
    return "\n".join(lines)


def _how_far(result: SearchResult, query: SearchQuery) -> str:
    looked = f"Looked at {result.listed} run{'s' if result.listed != 1 else ''}"
    looked += f" ({result.pages} page{'s' if result.pages != 1 else ''} of up to {PAGE_SIZE})"
    if result.more_pages:
        looked += "; more runs exist beyond those (raise max_pages or add filters)"
    if query.words or query.needs_run_reads:
        what = "metadata and fields" if query.needs_run_reads else "extracted fields"
        looked += f"; read the {what} of the {result.runs_read} most recent"
        if query.needs_run_reads and result.listed > result.runs_read:
            looked += " (metadata and tags are only known for those)"
        elif result.listed > result.runs_read:
            looked += " (older runs matched on id, name and file name only)"
    if result.read_failures:
        looked += f"; {result.read_failures} of those could not be read"
    return looked + "."


def _status(value: str | None) -> str | None:
    text = _text("status", value)
    if text is None:
        return None
    words = " ".join(text.casefold().replace("_", " ").split())
    if words in _STATUS_WORDS:
        return _STATUS_WORDS[words]
    upper = words.upper().replace(" ", "_")
    if upper in RUN_STATUSES or upper == IN_PROGRESS:
        return upper
    raise ToolError(
        f"status must be one of {', '.join(RUN_STATUSES)} or IN_PROGRESS; got "
        f"{quote(text, limit=40)}. For runs in several states, search once per status."
    )


def _text(name: str, value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ToolError(f"{name} must be text.")
    value = value.strip()
    if not value:
        return None
    if len(value) > 200:
        raise ToolError(f"{name} is {len(value)} characters; at most 200.")
    return value


def _when(name: str, value: str | None) -> datetime | None:
    text = _text(name, value)
    if text is None:
        return None
    when = parse_when(text)
    if when is None:
        raise ToolError(f"{name} must be a date like 2024-09-18 or 2024-09-18T07:45:00Z.")
    return when


def _bounded(name: str, value: int | None, default: int, high: int, low: int = 1) -> int:
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ToolError(f"{name} must be a whole number from {low} to {high}.")
    return value
