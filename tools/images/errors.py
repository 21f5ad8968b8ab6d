"""Why a citation could not be shown, as a message a person or a model can act on.

    CitationImageError
    ├── NoCitationError          the run, field or citation to show is not there
    ├── CitationBoxError         the citation has no usable box (missing or degenerate polygon)
    ├── DocumentUnavailableError the file could not be fetched (its Extend error is ``cause``)
    └── UnreadableDocumentError  the file came, but is not a PDF or image this can render

None of them carries document bytes or the file's download link.
"""

from __future__ import annotations


class CitationImageError(Exception):
    """Base of every error ``citation_image`` raises; ``str()`` is the whole message."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NoCitationError(CitationImageError):
    pass


class CitationBoxError(CitationImageError):
    pass


class DocumentUnavailableError(CitationImageError):
    pass


class UnreadableDocumentError(CitationImageError):
    pass
