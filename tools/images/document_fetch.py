"""Fetching the document a citation is on, sync or async, with failures as citation errors.

``citation_image`` takes anything with ``get_file``/``download_file`` (``FileSource``:
``ExtendClient``; ``AsyncFileSource``: ``AsyncExtendClient``), so callers and tests
pass what they have. An Extend error becomes a ``DocumentUnavailableError`` whose
message names the file and whose cause is the Extend error.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Protocol

from tools.client.errors import ExtendError
from tools.images.errors import DocumentUnavailableError

if TYPE_CHECKING:
    from tools.client.files import FileContent, FileInfo

__all__ = ["AsyncFileSource", "FileSource", "afetch_document", "fetch_document"]


class FileSource(Protocol):
    def get_file(self, file_id: str) -> FileInfo: ...

    def download_file(self, file: str | FileInfo) -> FileContent: ...


class AsyncFileSource(Protocol):
    async def get_file(self, file_id: str) -> FileInfo: ...

    async def download_file(self, file: str | FileInfo) -> FileContent: ...


def fetch_document(files: FileSource, file_id: str) -> tuple[FileInfo, FileContent]:
    """The file's details and content; ``DocumentUnavailableError`` if Extend refuses either."""
    try:
        info = files.get_file(file_id)
        return info, files.download_file(info)
    except ExtendError as error:
        raise _unavailable(file_id, error) from None


async def afetch_document(files: AsyncFileSource, file_id: str) -> tuple[FileInfo, FileContent]:
    """``fetch_document`` for asyncio."""
    try:
        info = await files.get_file(file_id)
        return info, await files.download_file(info)
    except ExtendError as error:
        raise _unavailable(file_id, error) from None


def _unavailable(file_id: str, error: ExtendError) -> DocumentUnavailableError:
    problem = DocumentUnavailableError(
        f"The document (file {file_id}) could not be fetched: {error}"
    )
    problem.__cause__ = error
    return problem
