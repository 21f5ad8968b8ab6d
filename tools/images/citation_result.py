"""What ``citation_image`` gives back: the PNGs, and the words saying what they show.

Each ``CitationImage`` carries an alt text (field, value, page, file and the quoted
reference text); ``CitationImages`` adds one line for the reply, naming the pages
highlighted and, when a reviewer changed the value, what it was before.
Reference text is the document's, untrusted: it appears quoted, cut short.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from tools.text.formatting import QUOTED, format_value
from tools.text.quoting import quote

if TYPE_CHECKING:
    from tools.images.locate import CitedPage, FieldCitations

__all__ = ["CitationImage", "CitationImages", "alt_text", "summary_text"]

_QUOTE_LIMIT = 120


@dataclass(frozen=True)
class CitationImage:
    """One PNG: the cited boxes of one page, with where it sits on the page."""

    png: bytes = field(repr=False)
    width: int
    height: int
    file_id: str
    file_name: str | None
    page: int
    page_count: int
    reference_texts: tuple[str, ...]
    alt_text: str
    origin: tuple[float, float]  # the image's top-left corner, in page points
    scale: float  # pixels per page point
    cached: bool

    @property
    def filename(self) -> str:
        """A name for an upload: ``citation-<file>-p<page>.png``."""
        return f"citation-{self.file_id}-p{self.page}.png"


@dataclass(frozen=True)
class CitationImages:
    """The images for one field, and one line of text saying what they show."""

    run_id: str
    field: str
    value_text: str
    pre_review: bool
    whole_page: bool
    images: tuple[CitationImage, ...]
    text: str

    def save(self, path: str | Path) -> list[Path]:
        """Write the images: ``path`` for the first, ``<stem>-2<suffix>`` and on for the rest."""
        target = Path(path)
        written = []
        for number, image in enumerate(self.images, start=1):
            out = (
                target
                if number == 1
                else target.with_name(f"{target.stem}-{number}{target.suffix}")
            )
            out.write_bytes(image.png)
            written.append(out)
        return written


def alt_text(
    chosen: FieldCitations,
    value_text: str,
    cited: CitedPage,
    name: str | None,
    *,
    whole_page: bool,
) -> str:
    """What one image shows, for people who cannot see it (and for models)."""
    what = "the value before review" if chosen.pre_review else "value"
    where = f"page {cited.page}" + (f" of {name}" if name else "")
    view = "whole page" if whole_page else "cited region"
    quoted = "; ".join(quote(t, limit=_QUOTE_LIMIT) for t in cited.reference_texts)
    read = f", read from {quoted}" if quoted else ""
    return f"{chosen.field} ({what} {value_text}): {view}, {where}{read}, highlighted."


def summary_text(chosen: FieldCitations, value_text: str, images: tuple[CitationImage, ...]) -> str:
    """One line for the reply: the pages highlighted, and any reviewer's change."""
    pages = _where(images)
    label = "before review" if chosen.pre_review else "value"
    text = f"{chosen.field} ({label} {value_text}) is highlighted on {pages}."
    if chosen.edited and not chosen.pre_review:
        text += (
            f" A reviewer changed it from {format_value(chosen.initial_value, QUOTED)};"
            " ask for the citation before review to see where that was read."
        )
    return text


def _where(images: tuple[CitationImage, ...]) -> str:
    """``page 1 of a.pdf``, ``pages 1 and 2 of a.pdf``, ``pages 1, 2 and 4 of a.pdf``."""
    by_file: dict[str, list[int]] = {}
    for image in images:
        by_file.setdefault(image.file_name or image.file_id, []).append(image.page)
    parts = []
    for name, numbers in by_file.items():
        listed = [str(n) for n in numbers]
        if len(listed) == 1:
            parts.append(f"page {listed[0]} of {name}")
        else:
            parts.append(f"pages {', '.join(listed[:-1])} and {listed[-1]} of {name}")
    return "; ".join(parts)
