"""What a run search asks for: ``SearchQuery``, and the word and date parsing it is built from.

Free text is compared as words (``normalize_words``: case and separators dropped),
and words that name nearly every run ("invoice", "pdf") are left out when the text
has others. Dates arrive as ISO text and become aware UTC datetimes (``parse_when``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime

__all__ = [
    "DEFAULT_FIELD_SCAN",
    "DEFAULT_PAGES",
    "GENERIC_WORDS",
    "IN_PROGRESS",
    "SearchQuery",
    "normalize_words",
    "parse_when",
]

DEFAULT_FIELD_SCAN = 50
DEFAULT_PAGES = 5
IN_PROGRESS = "IN_PROGRESS"
"""A status filter meaning PENDING, PROCESSING or CANCELLING (applied by us)."""
_SEPARATORS = re.compile(r"[\s_\-./,:;#()\[\]'\"]+")
GENERIC_WORDS = frozenset(
    {"the", "a", "an", "of", "on", "from", "for", "run", "runs", "invoice", "invoices",
     "document", "documents", "doc", "file", "pdf", "one", "workflow", "order", "orders",
     "bill", "bills", "statement"}
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
    fuzzy: bool = False
    """Words of 5+ letters also match a word one typo away ("Acmee", "Blubird")."""

    @property
    def needs_run_reads(self) -> bool:
        return bool(self.metadata_key or self.tag)

    @property
    def words(self) -> list[str]:
        words = normalize_words(self.text or "")
        specific = [w for w in words if w not in GENERIC_WORDS]
        return specific or words
