"""``GET /workflow_runs``: the filters checked before sending, and one page fetched, sync and async.

The same request path as the run calls (``tools.client.exchange``): one deadline
per call covering every attempt and wait, the response size cap while the body streams,
the same retries (429/408/5xx, dropped connections, timeouts) and the same error
tree. Filters are checked first (a bad status, sort or page size costs a clear
``ValidationError``, not a round trip). ``ExtendClient.list_runs``/``iter_runs`` and
their async twins call these; iterating stops after ``max_pages`` pages, never
more than ``MAX_LIST_PAGES``, so a loop over a large workspace stays bounded.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

import httpx

from tools.client.body import decode_json
from tools.client.core import ClientCore, logger
from tools.client.errors import (
    InvalidResponseError,
    ValidationError,
    server_text,
)
from tools.client.exchange import BuildRequest, aexchange, exchange

if TYPE_CHECKING:
    from tools.runs.listing import RunPage

__all__ = [
    "DEFAULT_LIST_PAGES",
    "MAX_LIST_PAGES",
    "MAX_PAGE_SIZE",
    "RUN_STATUSES",
    "SORT_DIRECTIONS",
    "SORT_FIELDS",
    "ListFilterOptions",
    "ListFilters",
    "afetch_page",
    "check_page_token",
    "fetch_page",
    "page_limit",
]

RUN_STATUSES = (
    "PENDING",
    "PROCESSING",
    "NEEDS_REVIEW",
    "REJECTED",
    "PROCESSED",
    "FAILED",
    "CANCELLED",
    "CANCELLING",
)
SORT_FIELDS = ("createdAt", "updatedAt")
SORT_DIRECTIONS = ("asc", "desc")
MAX_PAGE_SIZE = 1000
DEFAULT_LIST_PAGES = 5
MAX_LIST_PAGES = 50
"""The hard cap on pages one iteration reads, whatever ``max_pages`` asks."""
_MAX_FILTER_LENGTH = 200
_SORT_ALIASES = {"created": "createdAt", "updated": "updatedAt", "created_at": "createdAt"}
_SORT_ALIASES["updated_at"] = "updatedAt"


class ListFilterOptions(TypedDict, total=False):
    """The filters ``list_runs``/``iter_runs`` take, as Extend names them (snake case)."""

    status: str | None
    workflow_id: str | None
    batch_id: str | None
    file_name_contains: str | None
    sort_by: str | None
    sort_dir: str | None
    max_page_size: int | None


@dataclass(frozen=True)
class ListFilters:
    """Validated list filters; ``params()`` is the query string Extend expects."""

    status: str | None = None
    workflow_id: str | None = None
    batch_id: str | None = None
    file_name_contains: str | None = None
    sort_by: str | None = None
    sort_dir: str | None = None
    max_page_size: int | None = None

    @classmethod
    def checked(
        cls,
        *,
        status: str | None = None,
        workflow_id: str | None = None,
        batch_id: str | None = None,
        file_name_contains: str | None = None,
        sort_by: str | None = None,
        sort_dir: str | None = None,
        max_page_size: int | None = None,
    ) -> ListFilters:
        """The filters, normalized (status upper case, ``created`` -> ``createdAt``) or refused."""
        if status is not None:
            status = _text("status", status).upper().replace(" ", "_")
            if status not in RUN_STATUSES:
                raise ValidationError(
                    f"status must be one of {', '.join(RUN_STATUSES)}; got {status[:40]!r}."
                )
        if sort_by is not None:
            sort_by = _SORT_ALIASES.get(_text("sort_by", sort_by), sort_by)
            if sort_by not in SORT_FIELDS:
                raise ValidationError(
                    f"sort_by must be createdAt or updatedAt; got {sort_by[:40]!r}."
                )
        if sort_dir is not None:
            sort_dir = _text("sort_dir", sort_dir).lower()
            if sort_dir not in SORT_DIRECTIONS:
                raise ValidationError(f"sort_dir must be asc or desc; got {sort_dir[:40]!r}.")
        if max_page_size is not None and (
            isinstance(max_page_size, bool)
            or not isinstance(max_page_size, int)
            or not 1 <= max_page_size <= MAX_PAGE_SIZE
        ):
            raise ValidationError(
                f"max_page_size must be a whole number from 1 to {MAX_PAGE_SIZE}."
            )
        return cls(
            status=status,
            workflow_id=None if workflow_id is None else _text("workflow_id", workflow_id),
            batch_id=None if batch_id is None else _text("batch_id", batch_id),
            file_name_contains=(
                None
                if file_name_contains is None
                else _text("file_name_contains", file_name_contains)
            ),
            sort_by=sort_by,
            sort_dir=sort_dir,
            max_page_size=max_page_size,
        )

    def params(self, page_token: str | None = None) -> dict[str, str]:
        pairs: dict[str, Any] = {
            "status": self.status,
            "workflowId": self.workflow_id,
            "batchId": self.batch_id,
            "fileNameContains": self.file_name_contains,
            "sortBy": self.sort_by,
            "sortDir": self.sort_dir,
            "maxPageSize": self.max_page_size,
            "nextPageToken": page_token,
        }
        return {k: str(v) for k, v in pairs.items() if v is not None}


def page_limit(max_pages: int | None) -> int:
    """Pages an iteration may read: ``max_pages`` (default ``DEFAULT_LIST_PAGES``), capped."""
    if max_pages is None:
        return DEFAULT_LIST_PAGES
    if isinstance(max_pages, bool) or not isinstance(max_pages, int) or max_pages < 1:
        raise ValidationError(f"max_pages must be a whole number from 1 to {MAX_LIST_PAGES}.")
    return min(max_pages, MAX_LIST_PAGES)


def check_page_token(token: str | None) -> str | None:
    if token is None:
        return None
    token = _text("page_token", token)
    if len(token) > 4096 or any(ord(c) < 33 or ord(c) > 126 for c in token):
        raise ValidationError("page_token is not a page token; pass nextPageToken from a list.")
    return token


def _optional_text(name: str, value: object) -> str | None:
    return None if value is None else _text(name, value)


def _text(name: str, value: object) -> str:
    if not isinstance(value, str):
        raise ValidationError(f"{name} must be text, not {type(value).__name__}.")
    value = value.strip()
    if not value:
        raise ValidationError(f"{name} must not be empty; leave it out for no filter.")
    if len(value) > _MAX_FILTER_LENGTH:
        raise ValidationError(f"{name} is {len(value)} characters; at most {_MAX_FILTER_LENGTH}.")
    if any(ord(c) < 32 or 0x7F <= ord(c) <= 0x9F for c in value):
        raise ValidationError(f"{name} contains control characters; use plain text.")
    return value


WHAT = "list of runs"


def _parse(core: ClientCore, response: httpx.Response, data: bytes) -> RunPage:
    core.raise_for_status(response, data, WHAT)
    payload = decode_json(data, WHAT, response.status_code)
    from tools.runs.listing import parse_run_page

    try:
        return parse_run_page(payload, core.config.api_version)
    except Exception as exc:  # any parse failure is an invalid answer, never a crash
        logger.debug("Could not parse the answer to the %s", WHAT, exc_info=True)
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InvalidResponseError(
            f"Extend's answer to the {WHAT} is not a list of runs "
            f"({server_text(first_line, (core.config.api_key,), limit=200)}). "
            "Check EXTEND_API_VERSION matches the API at EXTEND_BASE_URL."
        ) from None


def fetch_page(
    http: httpx.Client,
    core: ClientCore,
    sleep: Callable[[float], None],
    params: dict[str, str],
    timeout: float | None,
) -> RunPage:
    build = _list_request(http, params)
    return exchange(http, core, sleep, build, lambda r, d: _parse(core, r, d), WHAT, timeout)


async def afetch_page(
    http: httpx.AsyncClient,
    core: ClientCore,
    sleep: Callable[[float], Awaitable[None]],
    params: dict[str, str],
    timeout: float | None,
) -> RunPage:
    build = _list_request(http, params)
    return await aexchange(http, core, sleep, build, lambda r, d: _parse(core, r, d), WHAT, timeout)


def _list_request(http: httpx.Client | httpx.AsyncClient, params: dict[str, str]) -> BuildRequest:
    """``GET /workflow_runs`` with ``params``, built afresh for each attempt."""
    return lambda timeout: http.build_request(
        "GET", "/workflow_runs", params=params, timeout=timeout
    )
