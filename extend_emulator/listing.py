"""``GET /workflow_runs``: query parameters, filtering, sorting and page tokens.

Paging is keyset-based: the opaque ``nextPageToken`` carries the sort key of
the last run on the page plus a fingerprint of the filters and sort, so a page
boundary stays put while runs are added elsewhere and a token replayed with
different filters is rejected (400) instead of silently returning nonsense.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass, replace
from typing import Any

from extend_emulator.replies import ApiError

SORT_FIELDS = ("createdAt", "updatedAt")
SORT_DIRECTIONS = ("asc", "desc")
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 1000

Run = dict[str, Any]


@dataclass(frozen=True)
class ListQuery:
    """A parsed, validated list request."""

    status: str | None = None
    workflow_id: str | None = None
    batch_id: str | None = None
    file_name_contains: str | None = None
    sort_by: str = "updatedAt"
    sort_dir: str = "desc"
    page_size: int = DEFAULT_PAGE_SIZE
    after: tuple[str, str] | None = None

    def fingerprint(self) -> str:
        parts = [self.status, self.workflow_id, self.batch_id, self.file_name_contains]
        raw = json.dumps([*parts, self.sort_by, self.sort_dir])
        return hashlib.sha256(raw.encode()).hexdigest()[:16]


def parse_list_query(params: dict[str, list[str]]) -> ListQuery:
    """Validate the query string; raises a 400 ``ApiError`` naming the bad parameter."""

    def one(name: str) -> str | None:
        values = params.get(name)
        return values[-1] if values else None

    sort_by = one("sortBy") or "updatedAt"
    if sort_by not in SORT_FIELDS:
        raise ApiError(400, f"sortBy must be one of {', '.join(SORT_FIELDS)}; got {sort_by!r}.")
    sort_dir = one("sortDir") or "desc"
    if sort_dir not in SORT_DIRECTIONS:
        raise ApiError(400, f"sortDir must be 'asc' or 'desc'; got {sort_dir!r}.")
    size_text = one("maxPageSize")
    page_size = DEFAULT_PAGE_SIZE
    if size_text is not None:
        try:
            page_size = int(size_text)
        except ValueError:
            page_size = 0
        if not 1 <= page_size <= MAX_PAGE_SIZE:
            raise ApiError(
                400, f"maxPageSize must be an integer from 1 to {MAX_PAGE_SIZE}; got {size_text!r}."
            )
    query = ListQuery(
        status=one("status") or None,
        workflow_id=one("workflowId") or None,
        batch_id=one("batchId") or None,
        file_name_contains=one("fileNameContains") or None,
        sort_by=sort_by,
        sort_dir=sort_dir,
        page_size=page_size,
    )
    token = one("nextPageToken")
    if token:
        query = replace(query, after=_decode_token(token, query))
    return query


def select_page(runs: list[Run], query: ListQuery) -> tuple[list[Run], str | None]:
    """The runs of the requested page and the token of the next one (None on the last page)."""
    matching = sorted((r for r in runs if _matches(r, query)), key=lambda r: _sort_key(r, query))
    if query.sort_dir == "desc":
        matching.reverse()
    if query.after is not None:
        after = query.after
        if query.sort_dir == "desc":
            matching = [r for r in matching if _sort_key(r, query) < after]
        else:
            matching = [r for r in matching if _sort_key(r, query) > after]
    page = matching[: query.page_size]
    more = len(matching) > query.page_size
    return page, (_encode_token(_sort_key(page[-1], query), query) if more and page else None)


def _matches(run: Run, query: ListQuery) -> bool:
    if query.status and run.get("status") != query.status:
        return False
    if query.workflow_id and (run.get("workflow") or {}).get("id") != query.workflow_id:
        return False
    if query.batch_id and run.get("batchId") != query.batch_id:
        return False
    if query.file_name_contains:
        needle = query.file_name_contains.casefold()
        names = [str(f.get("name") or "") for f in run.get("files") or []]
        if not any(needle in name.casefold() for name in names):
            return False
    return True


def _sort_key(run: Run, query: ListQuery) -> tuple[str, str]:
    return (str(run.get(query.sort_by) or ""), str(run["id"]))


def _encode_token(key: tuple[str, str], query: ListQuery) -> str:
    raw = json.dumps({"k": list(key), "f": query.fingerprint()}, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode_token(token: str, query: ListQuery) -> tuple[str, str]:
    invalid = ApiError(400, "nextPageToken is invalid; pass the token from the previous page.")
    try:
        padded = token + "=" * (-len(token) % 4)
        data = json.loads(base64.urlsafe_b64decode(padded.encode()))
        key = data["k"]
        fingerprint = data["f"]
    except (ValueError, binascii.Error, KeyError, TypeError, UnicodeDecodeError) as exc:
        raise invalid from exc
    if not (isinstance(key, list) and len(key) == 2 and all(isinstance(k, str) for k in key)):
        raise invalid
    if fingerprint != query.fingerprint():
        raise ApiError(
            400, "nextPageToken belongs to a list request with different filters or sort order."
        )
    return (key[0], key[1])
