"""``GET /files/{id}`` in both API versions, and downloads behind expiring signed URLs.

Extend answers a file read with its name, type, page count and page sizes and a
``presignedUrl`` (an S3 link, valid about 15 minutes). Here that link points back
at the emulator: ``/_files/{id}/content?expires=<unix s>&signature=<hex>``, the
signature an HMAC-SHA256 over ``{id}:{expires}`` with a key made at start-up. An
expired or tampered link gets 403 like S3's ``AccessDenied``, so a client must
fetch the file again for a fresh link. Downloads need no API key (the link is the
credential), and go through the same fault set as every API request.

The documents are generated from the runs' citations (``document_layout``,
``documents``): every file a run names gets one, built on first download.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import quote, unquote

from extend_emulator import render
from extend_emulator.document_layout import FileLayout, layouts_for_runs
from extend_emulator.documents import Document, build_document
from extend_emulator.replies import ApiError, Reply, json_reply

DOWNLOAD_PREFIX = "/_files/"
URL_TTL_S = 15 * 60.0
_CREATED_AT = "2024-01-01T00:00:00.000Z"


class FileRoutes:
    """Answers file reads and downloads for the files the emulator's runs name."""

    def __init__(
        self,
        runs: Callable[[], list[dict[str, Any]]],
        *,
        url_ttl_s: float = URL_TTL_S,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._runs = runs
        self.url_ttl_s = url_ttl_s
        self._clock = clock
        self._key = secrets.token_bytes(32)
        self._lock = threading.Lock()
        self._layouts: dict[str, FileLayout] | None = None
        self._documents: dict[str, Document] = {}

    @staticmethod
    def is_download(path: str) -> bool:
        return path.startswith(DOWNLOAD_PREFIX)

    @staticmethod
    def file_id_of(path: str) -> str | None:
        """The id in ``/files/{id}`` or ``/v1/files/{id}``; None for any other path."""
        parts = [p for p in path.split("/") if p]
        if parts[:1] == ["v1"]:
            parts = parts[1:]
        if len(parts) == 2 and parts[0] == "files":
            return unquote(parts[1])
        return None

    def get(self, file_id: str, version: str, host: str) -> Reply:
        """The file object (``{"success", "file"}`` in 2024-12-23, bare in 2026-02-09)."""
        document = self.document(file_id)
        if document is None:
            raise ApiError(404, f"File {file_id!r} was not found.")
        body = self._file_object(document, host)
        if version == render.LEGACY_VERSION:
            return json_reply(200, {"success": True, "file": body})
        return json_reply(200, body)

    def download(self, request_path: str, query: dict[str, list[str]]) -> Reply:
        """The bytes behind a signed link, or 403 when the link is expired or not ours."""
        file_id = unquote(request_path[len(DOWNLOAD_PREFIX) :].removesuffix("/content"))
        expires = (query.get("expires") or [""])[0]
        signature = (query.get("signature") or [""])[0]
        try:
            deadline = float(expires)
        except ValueError:
            return _access_denied("The request is not signed.")
        if not hmac.compare_digest(signature, self._sign(file_id, expires)):
            return _access_denied("The request signature does not match.")
        if deadline < self._clock():
            return _access_denied("Request has expired.")
        document = self.document(file_id)
        if document is None:
            return _access_denied("The file no longer exists.")
        return Reply(200, document.content, {"Content-Type": document.media_type})

    def document(self, file_id: str) -> Document | None:
        """The generated document of ``file_id`` (built once), or None if no run names it."""
        with self._lock:
            if file_id in self._documents:
                return self._documents[file_id]
            layout = self._layout(file_id)
            if layout is None:
                return None
            document = build_document(layout)
            self._documents[file_id] = document
            return document

    def _layout(self, file_id: str) -> FileLayout | None:
        if self._layouts is None or file_id not in self._layouts:
            self._layouts = layouts_for_runs(self._runs())  # a run added since: lay out again
        return self._layouts.get(file_id)

    def _file_object(self, document: Document, host: str) -> dict[str, Any]:
        expires = str(int(self._clock() + self.url_ttl_s))
        url = (
            f"http://{host}{DOWNLOAD_PREFIX}{quote(document.file_id, safe='')}/content"
            f"?expires={expires}&signature={self._sign(document.file_id, expires)}"
        )
        pages = [
            {"pageNumber": number, "pageWidth": width, "pageHeight": height}
            for number, (width, height) in enumerate(document.page_sizes, start=1)
        ]
        metadata: dict[str, Any] = {}
        if document.type == "PDF":
            metadata["pageCount"] = len(pages)
        return {
            "object": "file",
            "id": document.file_id,
            "name": document.name,
            "type": document.type,
            "presignedUrl": url,
            "contents": {"pages": pages},
            "metadata": metadata,
            "createdAt": _CREATED_AT,
            "updatedAt": _CREATED_AT,
        }

    def _sign(self, file_id: str, expires: str) -> str:
        message = f"{file_id}:{expires}".encode()
        return hmac.new(self._key, message, hashlib.sha256).hexdigest()


def _access_denied(message: str) -> Reply:
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>AccessDenied</Code><Message>{message}</Message></Error>"
    ).encode()
    return Reply(403, body, {"Content-Type": "application/xml"})
