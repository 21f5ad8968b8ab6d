"""What ``citation_image`` gives back: the PNGs, and the words saying what they show.

Each ``CitationImage`` carries an alt text (field, value, page, file and the quoted
reference text); ``CitationImages`` adds one line for the reply, naming the pages
highlighted and, when a reviewer changed the value, what it was before.
Values, file names and reference text are the document's, untrusted: each appears
quoted (``tools.text.quoting.quote``: one line, controls and invisible characters
escaped, the quotation always closed) and cut short, so none can forge a line, drive
a terminal or pass for the tool's own words.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tools.text.formatting import QUOTED, format_value
from tools.text.quoting import plain_or_quoted, quote

if TYPE_CHECKING:
    from tools.images.locate import CitedPage, FieldCitations

__all__ = [
    "CitationImage",
    "CitationImages",
    "alt_text",
    "cut_between_quotations",
    "shown_value",
    "summary_text",
]

_QUOTE_LIMIT = 120
VALUE_LIMIT = 100
"""Characters of a text value shown (cut before quoting, so the quotation stays closed)."""
SHOWN_VALUE_LIMIT = 160
"""Characters of any value as shown: room for a quoted ``VALUE_LIMIT`` text and its marks."""
_FILE_NAME_LIMIT = 80


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
    where = f"page {cited.page}" + (f" of {_file_label(name)}" if name else "")
    view = "whole page" if whole_page else "cited region"
    quoted = "; ".join(quote(t, limit=_QUOTE_LIMIT) for t in cited.reference_texts)
    read = f", read from {quoted}" if quoted else ""
    field = plain_or_quoted(chosen.field)
    return f"{field} ({what} {value_text}): {view}, {where}{read}, highlighted."


def summary_text(chosen: FieldCitations, value_text: str, images: tuple[CitationImage, ...]) -> str:
    """One line for the reply: the pages highlighted, and any reviewer's change."""
    pages = _where(images)
    label = "before review" if chosen.pre_review else "value"
    text = f"{plain_or_quoted(chosen.field)} ({label} {value_text}) is highlighted on {pages}."
    if chosen.edited and not chosen.pre_review:
        text += (
            f" A reviewer changed it from {shown_value(chosen.initial_value)};"
            " ask for the citation before review to see where that was read."
        )
    return text


def shown_value(value: Any) -> str:
    """A field's value for the reply line: a text quoted, anything else as the summary writes it.

    Text is cut before it is quoted (``quote``'s ``limit``), so the quotation is
    always closed and no escape is split; what is still longer than
    ``SHOWN_VALUE_LIMIT`` (escapes, a long object or list) is cut between quotations
    (``cut_between_quotations``).
    """
    if isinstance(value, str) and value.strip():
        shown = quote(value, limit=VALUE_LIMIT)
    else:
        shown = format_value(value, QUOTED)
    return cut_between_quotations(shown, SHOWN_VALUE_LIMIT)


_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def cut_between_quotations(text: str, limit: int) -> str:
    """``text`` in at most ``limit`` characters, ending ``…``, never inside a JSON quotation.

    A quotation the cut would split is quoted again from its text cut shorter (or,
    when even that does not fit, left out), so no quotation is left open and no
    escape is cut in two.
    """
    if len(text) <= limit:
        return text
    cut = room = max(limit - 1, 0)  # the last character is the "…"
    for quotation in _JSON_STRING.finditer(text):
        if quotation.end() <= room:
            continue
        if quotation.start() < room:  # the cut would split this quotation
            head = text[: quotation.start()]
            last = quotation.end() == len(text)
            shorter = _requoted(quotation.group(), limit - len(head) - (0 if last else 1))
            if shorter:
                return head + shorter + ("" if last else "…")
            cut = quotation.start()
        break
    return text[:cut].rstrip() + "…"


def _requoted(quotation: str, room: int) -> str:
    """A JSON quotation made again from its text cut shorter, in ``room`` characters; or ""."""
    try:
        text = json.loads(quotation)
    except ValueError:
        return ""
    if not isinstance(text, str):
        return ""
    keep = min(room - 2, len(text) - 1)
    while keep >= 1:
        shorter = quote(text, limit=keep)
        if len(shorter) <= room:
            return shorter
        keep -= max(1, (len(shorter) - room) // 12)  # an escape is at most 12 characters
    return ""


def _file_label(name: str) -> str:
    """A file's name as a person reads it: “Invoice 36995.pdf”, on one line, inert."""
    return quote(name, limit=_FILE_NAME_LIMIT, marks="typographic")


def _where(images: tuple[CitationImage, ...]) -> str:
    """``page 1 of “a.pdf”``, ``pages 1 and 2 of “a.pdf”``, ``pages 1, 2 and 4 of “a.pdf”``."""
    by_file: dict[str, tuple[str, list[int]]] = {}
    for image in images:
        name = image.file_name or image.file_id
        by_file.setdefault(image.file_id, (name, []))[1].append(image.page)
    parts = []
    for name, numbers in by_file.values():
        listed = [str(n) for n in numbers]
        where = f"of {_file_label(name)}"
        if len(listed) == 1:
            parts.append(f"page {listed[0]} {where}")
        else:
            parts.append(f"pages {', '.join(listed[:-1])} and {listed[-1]} {where}")
    return "; ".join(parts)
