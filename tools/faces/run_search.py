"""Searching runs the way people name them: filters Extend applies, then ours, then free text.

``search_runs`` lists runs (Extend filters status, workflow id and file name
server-side), then applies on each listed item what Extend cannot: a workflow
by name, "in progress", a created/updated window, and free text matched against
the id, the name and the file names. For the most recent ``field_scan`` runs it
also reads each run (``read_runs``, at most ``READ_WORKERS`` at a time, cached
per run version) to match free text against extracted values (vendor names,
invoice numbers) and to filter on metadata or tags, which lists do not carry.

Everything is bounded: at most ``max_pages`` list pages and ``field_scan`` run
reads, and ``SearchResult`` says how far the search looked, so an answer never
claims "no such run" about runs it did not see. ``stop_early`` ends the listing
at the first page with a match (reference resolution: one page plus the reads).

This module is the scan; the query is ``run_query``, the reads and their cache
``run_cache``, the matching ``run_matching`` (their public names are re-exported here).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from tools.faces.run_cache import CACHE_SIZE, READ_WORKERS, RunCache, read_runs
from tools.faces.run_matching import RunMatch, cheap_match, deep_matches
from tools.faces.run_query import (
    DEFAULT_FIELD_SCAN,
    DEFAULT_PAGES,
    GENERIC_WORDS,
    IN_PROGRESS,
    SearchQuery,
    normalize_words,
    parse_when,
)
from tools.faces.tool_errors import errors_as_tool_errors

if TYPE_CHECKING:
    from tools.client.clients import ExtendClient
    from tools.runs.listing import RunListItem

__all__ = [
    "CACHE_SIZE",
    "DEFAULT_FIELD_SCAN",
    "DEFAULT_PAGES",
    "GENERIC_WORDS",
    "IN_PROGRESS",
    "PAGE_SIZE",
    "READ_WORKERS",
    "RunCache",
    "RunMatch",
    "SearchQuery",
    "SearchResult",
    "normalize_words",
    "parse_when",
    "search_runs",
]

PAGE_SIZE = 100


@dataclass
class SearchResult:
    matches: list[RunMatch]
    listed: int
    pages: int
    more_pages: bool
    runs_read: int
    read_failures: int = 0


def search_runs(
    client: ExtendClient,
    query: SearchQuery,
    cache: RunCache,
    *,
    stop_early: bool = False,
) -> SearchResult:
    """Runs matching ``query``, newest first, within the bounds ``query`` sets."""
    listed: list[RunListItem] = []
    matches: list[RunMatch] = []
    pages = 0
    more = False
    reads = failures = 0
    for page_items, has_more in _pages(client, query):
        pages += 1
        more = has_more
        start = len(listed)
        listed.extend(page_items)
        page_matches = [m for m in (cheap_match(item, query) for item in page_items) if m]
        budget = max(query.field_scan - start, 0)
        if budget and (query.words or query.needs_run_reads):
            window = page_items[:budget]
            read, failed = read_runs(client, window, cache)
            reads += len(read) + failed
            failures += failed
            page_matches = deep_matches(window, read, page_matches, query)
        elif query.needs_run_reads:
            page_matches = []  # metadata is unknown beyond the reads: say how far we looked
        elif query.words:
            page_matches = [m for m in page_matches if m.where]
        matches.extend(page_matches)
        if _past_window(page_items, query) or (stop_early and matches):
            break
    return SearchResult(matches, len(listed), pages, more, reads, failures)


def _pages(client: ExtendClient, query: SearchQuery) -> Iterator[tuple[list[RunListItem], bool]]:
    status = query.status if query.status and query.status != IN_PROGRESS else None
    workflow_id = (
        query.workflow if query.workflow and query.workflow.startswith("workflow_") else None
    )
    sort_by = "createdAt" if (query.created_after or query.created_before) else "updatedAt"
    token: str | None = None
    for _ in range(max(query.max_pages, 1)):
        with errors_as_tool_errors("listing runs"):
            page = client.list_runs(
                status=status,
                workflow_id=workflow_id,
                file_name_contains=query.file_name,
                sort_by=sort_by,
                sort_dir="desc",
                max_page_size=PAGE_SIZE,
                page_token=token,
            )
        token = page.next_page_token
        yield page.items, token is not None
        if token is None:
            return


def _past_window(items: list[RunListItem], query: SearchQuery) -> bool:
    """Sorted newest first: once the last item is older than the window, later pages are too."""
    if not items:
        return False
    if query.created_after is not None:
        last = parse_when(items[-1].created_at or "")
        return last is not None and last < query.created_after
    if query.updated_after is not None:
        last = parse_when(items[-1].updated_at or "")
        return last is not None and last < query.updated_after
    return False
