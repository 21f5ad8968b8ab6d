"""Searching runs the way people name them: filters Extend applies, then ours, then free text.

``search_runs`` lists runs (Extend filters status, workflow id and file name
server-side), then applies on each listed item what Extend cannot: a workflow
by name, "in progress", a created/updated window, and free text matched against
the id, the name and the file names. For the most recent ``field_scan`` runs it
also reads each run (``field_reads``, at most ``READ_WORKERS`` at a time, cached
per run version) to match free text against extracted values (vendor names,
invoice numbers) and to filter on metadata or tags, which lists do not carry.

Everything is bounded: at most ``max_pages`` list pages and ``field_scan`` run
reads, and ``SearchResult`` says how far the search looked, so an answer never
claims "no such run" about runs it did not see. ``stop_early`` ends the listing
at the first page with a match (reference resolution: one page plus the reads).
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from tools.client.errors import ExtendError
from tools.faces.tool_errors import errors_as_tool_errors

if TYPE_CHECKING:
    from tools.client.clients import ExtendClient
    from tools.runs.listing import RunListItem
    from tools.runs.models import Run

__all__ = [
    "DEFAULT_FIELD_SCAN",
    "IN_PROGRESS",
    "RunCache",
    "RunMatch",
    "SearchQuery",
    "SearchResult",
    "normalize_words",
    "parse_when",
    "search_runs",
]

DEFAULT_FIELD_SCAN = 50
DEFAULT_PAGES = 5
PAGE_SIZE = 100
READ_WORKERS = 4
CACHE_SIZE = 1000
IN_PROGRESS = "IN_PROGRESS"
"""A status filter meaning PENDING, PROCESSING or CANCELLING (applied by us)."""
_IN_PROGRESS_STATUSES = frozenset({"PENDING", "PROCESSING", "CANCELLING"})
_SEPARATORS = re.compile(r"[\s_\-./,:;#()\[\]'\"]+")
GENERIC_WORDS = frozenset(
    {"the", "a", "an", "of", "on", "from", "for", "run", "runs", "invoice", "invoices",
     "document", "documents", "doc", "file", "pdf", "one", "workflow"}
)  # fmt: skip


def normalize_words(text: str) -> list[str]:
    """Lower-case words, separators (``_-./#`` ...) dropped: ``ACME_INV-58213.pdf`` -> 4 words."""
    return [w for w in _SEPARATORS.split(text.casefold()) if w]


def parse_when(text: str) -> datetime | None:
    """An ISO date or date-time as an aware UTC datetime; None when it is neither."""
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        return None
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


@dataclass(frozen=True)
class SearchQuery:
    """What to look for; every part is optional and all given parts must match."""

    status: str | None = None
    workflow: str | None = None
    file_name: str | None = None
    text: str | None = None
    metadata_key: str | None = None
    metadata_value: str | None = None
    tag: str | None = None
    created_after: datetime | None = None
    created_before: datetime | None = None
    updated_after: datetime | None = None
    updated_before: datetime | None = None
    max_pages: int = DEFAULT_PAGES
    field_scan: int = DEFAULT_FIELD_SCAN

    @property
    def needs_run_reads(self) -> bool:
        return bool(self.metadata_key or self.tag)

    @property
    def words(self) -> list[str]:
        words = normalize_words(self.text or "")
        specific = [w for w in words if w not in GENERIC_WORDS]
        return specific or words


@dataclass
class RunMatch:
    """A run that matched, where the text matched it, and the run itself when it was read."""

    item: RunListItem
    where: list[str] = field(default_factory=list)
    exact: bool = False
    run: Run | None = None

    @property
    def vendor(self) -> str | None:
        if self.run is None:
            return None
        for name in ("vendor_name", "vendor", "merchant_name", "supplier_name"):
            found = self.run.field(name)
            if found is not None and isinstance(found.value, str) and found.value.strip():
                return found.value
        return None


@dataclass
class SearchResult:
    matches: list[RunMatch]
    listed: int
    pages: int
    more_pages: bool
    runs_read: int
    read_failures: int = 0


class RunCache:
    """Runs read during searches, by (id, updatedAt): a run that changed is read again."""

    def __init__(self, size: int = CACHE_SIZE) -> None:
        self._runs: OrderedDict[tuple[str, str | None], Run] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def get(self, item: RunListItem) -> Run | None:
        with self._lock:
            run = self._runs.get((item.id, item.updated_at))
            if run is not None:
                self._runs.move_to_end((item.id, item.updated_at))
            return run

    def put(self, item: RunListItem, run: Run) -> None:
        with self._lock:
            self._runs[(item.id, item.updated_at)] = run
            while len(self._runs) > self._size:
                self._runs.popitem(last=False)


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
        page_matches = [m for m in (_cheap_match(item, query) for item in page_items) if m]
        budget = max(query.field_scan - start, 0)
        if budget and (query.words or query.needs_run_reads):
            window = page_items[:budget]
            read, failed = _read_runs(client, window, cache)
            reads += len(read) + failed
            failures += failed
            page_matches = _deep_matches(window, read, page_matches, query)
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


def _cheap_match(item: RunListItem, query: SearchQuery) -> RunMatch | None:
    """The item against everything a list item carries; None when it fails a filter."""
    if query.status == IN_PROGRESS and item.status not in _IN_PROGRESS_STATUSES:
        return None
    if query.workflow and not query.workflow.startswith("workflow_"):
        names = normalize_words(f"{item.workflow.name or ''} {item.workflow.id or ''}")
        if not all(any(w in n for n in names) for w in normalize_words(query.workflow)):
            return None
    if not _in_window(item.created_at, query.created_after, query.created_before):
        return None
    if not _in_window(item.updated_at, query.updated_after, query.updated_before):
        return None
    match = RunMatch(item)
    if query.words:
        text = " ".join(normalize_words(query.text or ""))
        places = {"id": item.id, "name": item.name or "", "file": " ".join(item.file_names)}
        for where, value in places.items():
            hay = " ".join(normalize_words(value))
            if all(w in hay for w in query.words):
                match.where.append(where)
                stems = [" ".join(normalize_words(n.rsplit(".", 1)[0])) for n in item.file_names]
                match.exact = match.exact or text == hay or text in stems
    return match


def _deep_matches(
    window: list[RunListItem],
    read: dict[str, Run],
    cheap: list[RunMatch],
    query: SearchQuery,
) -> list[RunMatch]:
    by_id = {m.item.id: m for m in cheap}
    kept: list[RunMatch] = []
    for item in window:
        match = by_id.pop(item.id, None)
        run = read.get(item.id)
        if match is None:
            continue
        match.run = run
        if query.needs_run_reads and (run is None or not _metadata_matches(run, query)):
            continue
        if query.words and run is not None:
            values = [" ".join(normalize_words(v)) for v in _field_texts(run)]
            text = " ".join(query.words)
            if any(all(w in v for w in query.words) for v in values):
                match.where.append("fields")
                match.exact = match.exact or text in values
        if query.words and not match.where:
            continue
        kept.append(match)
    if not query.needs_run_reads:  # beyond the read window only id/name/file can match
        kept.extend(m for m in by_id.values() if m.where or not query.words)
    return kept


def _metadata_matches(run: Run, query: SearchQuery) -> bool:
    if query.tag:
        wanted = query.tag.casefold()
        labels = [*run.tags, *_usage_tags(run)]
        if not any(label.casefold() == wanted for label in labels):
            return False
    if query.metadata_key:
        keys = {k.casefold(): k for k in run.metadata}
        key = keys.get(query.metadata_key.casefold())
        if key is None:
            return False
        if query.metadata_value is not None:
            value = run.metadata[key]
            if str(value).casefold() != query.metadata_value.casefold():
                return False
    return True


def _usage_tags(run: Run) -> list[str]:
    tags = run.metadata.get("extend:usage_tags")
    return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []


def _field_texts(run: Run) -> list[str]:
    texts: list[str] = []
    for found in run.fields:
        _collect(found.value, texts)
    return texts


def _collect(value: Any, into: list[str]) -> None:
    if isinstance(value, str):
        into.append(value)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        into.append(f"{value:g}" if isinstance(value, float) else str(value))
    elif isinstance(value, dict):
        for inner in value.values():
            _collect(inner, into)
    elif isinstance(value, list):
        for inner in value[:50]:
            _collect(inner, into)


def _read_runs(
    client: ExtendClient, items: list[RunListItem], cache: RunCache
) -> tuple[dict[str, Run], int]:
    """The runs of ``items`` (cached ones not read again) and how many reads failed."""
    found: dict[str, Run] = {}
    missing: list[RunListItem] = []
    for item in items:
        cached = cache.get(item)
        if cached is not None:
            found[item.id] = cached
        else:
            missing.append(item)

    def read(item: RunListItem) -> tuple[RunListItem, Run | None]:
        try:
            return item, client.get_run(item.id)
        except ExtendError:
            return item, None

    failures = 0
    if missing:
        with ThreadPoolExecutor(max_workers=min(READ_WORKERS, len(missing))) as pool:
            for item, run in pool.map(read, missing):
                if run is None:
                    failures += 1
                    continue
                cache.put(item, run)
                found[item.id] = run
    return found, failures


def _in_window(stamp: str | None, after: datetime | None, before: datetime | None) -> bool:
    if after is None and before is None:
        return True
    when = parse_when(stamp) if stamp else None
    if when is None:
        return False
    return (after is None or when >= after) and (before is None or when < before)


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
