"""A run's files: what ``GET /files/{id}`` says about one, and the bytes behind its link.

Extend describes a file (both API versions; 2024-12-23 wraps it as
``{"success", "file"}``) by name, type (``PDF``, ``IMG``, ...), page count, page
sizes in points (``contents.pages[]``) and a ``presignedUrl`` valid for about 15
minutes. There is no page-image endpoint: whoever wants to show a page downloads
the file and renders it. The link is a credential, so it is kept out of reprs,
messages and logs (httpx's request log line is redacted while a download runs),
and the download never carries the API key: the link's host may be anyone's.

The I/O lives in ``file_transfer``; this module is the pure part: the models,
parsing, id validation and the download request.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import BaseModel, ConfigDict, Field
from pydantic import ValidationError as PydanticValidationError

from tools.client.errors import InvalidResponseError, ValidationError

_FILE_ID = re.compile(r"^[A-Za-z0-9_\-.:]{1,200}$")
_API_HEADERS = ("authorization", "x-extend-api-version", "x-extend-workspace-id")
_SIGNED_QUERY_KEYS = ("signature", "x-amz-signature", "x-goog-signature", "sig", "token")


class _View(BaseModel):
    model_config = ConfigDict(extra="ignore", populate_by_name=True)


class FilePage(_View):
    """One page: its number and size in PDF points (sizes are absent for some file types)."""

    number: int = Field(alias="pageNumber")
    width: float | None = Field(default=None, alias="pageWidth")
    height: float | None = Field(default=None, alias="pageHeight")


class FileInfo(_View):
    """What Extend says about a file; ``presigned_url`` is a short-lived credential."""

    id: str
    name: str | None = None
    type: str | None = None
    presigned_url: str | None = Field(default=None, alias="presignedUrl", repr=False)
    page_count: int | None = None
    pages: list[FilePage] = Field(default_factory=list)
    parent_file_id: str | None = Field(default=None, alias="parentFileId")

    def page_size(self, number: int) -> tuple[float, float] | None:
        """``(width, height)`` in points of page ``number`` (1-based), if Extend gave it."""
        for page in self.pages:
            if page.number == number and page.width and page.height:
                return (page.width, page.height)
        return None

    @property
    def is_image(self) -> bool:
        return (self.type or "").upper() == "IMG"


@dataclass(frozen=True)
class FileContent:
    """A downloaded file: its bytes (never shown in a repr), media type and description."""

    file: FileInfo
    content: bytes = field(repr=False)
    media_type: str | None = None

    @property
    def size(self) -> int:
        return len(self.content)


def validate_file_id(file_id: object) -> str:
    """The id, stripped; ``ValidationError`` (nothing sent) when it cannot be a file id."""
    if not isinstance(file_id, str) or not file_id.strip():
        raise ValidationError("A file id is needed (it looks like file_...).")
    file_id = file_id.strip()
    if not _FILE_ID.match(file_id):
        shown = file_id[:60] + ("..." if len(file_id) > 60 else "")
        raise ValidationError(
            f"{shown!r} is not a file id: use the id from the run's files (like file_1234), "
            "letters, digits, '_', '-', '.' and ':' only."
        )
    return file_id


def parse_file(payload: Any, file_id: str, what: str) -> FileInfo:
    """``FileInfo`` from either version's answer; ``InvalidResponseError`` if it is not a file."""
    body = payload.get("file") if isinstance(payload, dict) and "file" in payload else payload
    if not isinstance(body, dict):
        raise InvalidResponseError(
            f"Extend's answer to the {what} is not a file object. "
            "Check EXTEND_BASE_URL points at the Extend API."
        )
    data = dict(body)
    contents = data.get("contents")
    pages = contents.get("pages") if isinstance(contents, dict) else None
    pages = pages if isinstance(pages, list) else []
    data["pages"] = [
        p for p in pages if isinstance(p, dict) and isinstance(p.get("pageNumber"), int)
    ]
    metadata = data.get("metadata")
    count = metadata.get("pageCount") if isinstance(metadata, dict) else None
    data["page_count"] = int(count) if isinstance(count, int | float) and count >= 0 else None
    try:
        info = FileInfo.model_validate(data)
    except PydanticValidationError as exc:
        first = str(exc).splitlines()[0]
        raise InvalidResponseError(
            f"Extend's answer to the {what} is not a file object ({first})."
        ) from None
    if info.id != file_id:
        raise InvalidResponseError(
            f"Asked for file {file_id} but Extend answered with another file."
        )
    if info.page_count is None and info.pages:
        info.page_count = max(p.number for p in info.pages)
    return info


def download_request(
    http: httpx.Client | httpx.AsyncClient, url: str, timeout: float
) -> httpx.Request:
    """A GET of the presigned ``url`` without the API key or Extend headers."""
    request = http.build_request("GET", url, timeout=timeout)
    for name in _API_HEADERS:
        request.headers.pop(name, None)
    request.headers["Accept"] = "*/*"
    return request


def check_download_url(url: str | None, file_id: str) -> str:
    """The link, if it is an absolute http(s) URL; else ``InvalidResponseError``."""
    if not url or not url.startswith(("https://", "http://")):
        raise InvalidResponseError(
            f"Extend gave no usable download link for file {file_id}; "
            "try again, or check the file in the Extend dashboard."
        )
    return url


class _RedactSignedUrls(logging.Filter):
    """Drops the query (the signature) from URLs in httpx's request log lines."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple) and record.args:
            record.args = tuple(_redacted(arg) for arg in record.args)
        return True


def _redacted(value: object) -> object:
    if isinstance(value, httpx.URL) and value.query:
        query = value.query.decode(errors="replace").lower()
        if any(f"{key}=" in query for key in _SIGNED_QUERY_KEYS) or "expires=" in query:
            return value.copy_with(query=b"redacted")
    return value


_FILTER = _RedactSignedUrls()


def redact_download_logs() -> None:
    """Install (once) the filter that keeps presigned links out of httpx's log."""
    logger = logging.getLogger("httpx")
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)


def refused_message(file_id: str) -> str:
    return (
        f"The download link for file {file_id} was refused twice (403), even after "
        "asking Extend for a fresh one. The file may have been deleted or the key may not "
        "read it; check the file in the Extend dashboard."
    )
