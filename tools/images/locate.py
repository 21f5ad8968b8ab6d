"""Which boxes to draw for a field: its citations, checked and grouped by file and page.

A field may cite several places (a table that runs over two pages), a nested
path has citations of its own (``line_items[0].amount``), and when a reviewer
changed a value the citation of the value before review is kept apart
(``initial_citations``). A citation needs a page, and for a crop a polygon with
an area; anything less is a ``CitationBoxError`` saying which citation and why.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from tools.images.errors import CitationBoxError, NoCitationError
from tools.runs.models import Citation, ExtractedField, Run

Point = tuple[float, float]
_PATH_STEP = re.compile(r"\.?([^.\[\]]+)|\[(\d+)\]")
_MIN_SIDE = 0.5  # points: a box thinner than this has no area to show


@dataclass(frozen=True)
class CitedPage:
    """The citations of one field on one page of one file."""

    file_id: str
    page: int
    polygons: tuple[tuple[Point, ...], ...]  # in points, top-left origin; empty without boxes
    reference_texts: tuple[str, ...]
    page_width: float | None  # the page size the polygons were measured against, if given
    page_height: float | None
    normalized: bool = False  # polygons are fractions of the page (legacy bounding boxes)


@dataclass(frozen=True)
class FieldCitations:
    """A field's value and the pages its (chosen) citations point at, in citation order."""

    field: str
    value: Any
    pages: tuple[CitedPage, ...]
    pre_review: bool  # the citations shown are those of the value before review
    edited: bool
    initial_value: Any = None


def find_citations(
    run: Run,
    field: str,
    *,
    pre_review: bool = False,
    index: int | None = None,
    need_boxes: bool = True,
) -> FieldCitations:
    """The citations of ``field`` (a name or a nested path) on ``run``, ready to draw.

    ``index`` (1-based) picks one citation; ``pre_review`` picks the citations of
    the value before a reviewer changed it; ``need_boxes=False`` accepts citations
    without a polygon (a whole-page view still shows the page).
    """
    top, path_value, citations, edited = _field_and_citations(run, field, pre_review)
    if not citations:
        raise NoCitationError(_no_citations_message(run, field, pre_review, edited))
    chosen = list(enumerate(citations, start=1))
    if index is not None:
        if not 1 <= index <= len(citations):
            raise NoCitationError(
                f"Field {field!r} has {len(citations)} citation(s); ask for 1 to {len(citations)}."
            )
        chosen = [chosen[index - 1]]
    file_ids = [f.id for f in run.files if f.id]
    default_file = file_ids[0] if len(file_ids) == 1 else None
    groups: dict[tuple[str, int], list[tuple[int, Citation]]] = {}
    for number, citation in chosen:
        if citation.page is None or citation.page < 1:
            raise CitationBoxError(
                f"Citation {number} of {field!r} names no page, so there is nothing to show."
            )
        file_id = citation.file_id or default_file
        if file_id is None and len(file_ids) > 1:
            raise NoCitationError(
                f"Citation {number} of {field!r} does not say which of the run's "
                f"{len(file_ids)} files it is in (API 2024-12-23 citations name no file; "
                "2026-02-09 ones do), so it cannot be shown."
            )
        if file_id is None:
            raise NoCitationError(
                f"Run {run.id} lists no file for citation {number} of {field!r}, "
                "so there is no document to show."
            )
        groups.setdefault((file_id, citation.page), []).append((number, citation))
    pages = tuple(_cited_page(field, key, items, need_boxes) for key, items in groups.items())
    return FieldCitations(
        field=field,
        value=path_value,
        pages=pages,
        pre_review=pre_review and edited,
        edited=edited,
        initial_value=top.initial_value if edited else None,
    )


def _field_and_citations(
    run: Run, field: str, pre_review: bool
) -> tuple[ExtractedField, Any, list[Citation], bool]:
    wanted = field.strip()
    for candidate in run.fields:
        if candidate.name == wanted or candidate.name.lower() == wanted.lower():
            if pre_review and candidate.edited:
                before = candidate.initial_value
                return candidate, before, candidate.initial_citations, True
            return candidate, candidate.value, candidate.citations, candidate.edited
    for candidate in run.fields:
        for part in candidate.parts:
            if part.path == wanted or part.path.lower() == wanted.lower():
                value = _value_at(candidate.value, part.path[len(candidate.name) :])
                return candidate, value, part.citations, candidate.edited
    known = ", ".join(f.name for f in run.fields[:20]) or "none"
    raise NoCitationError(f"Run {run.id} has no field {field!r}; its fields are: {known}.")


def _no_citations_message(run: Run, field: str, pre_review: bool, edited: bool) -> str:
    if pre_review and edited:
        return f"Field {field!r} of run {run.id} has no citation for its value before review."
    return (
        f"Field {field!r} of run {run.id} has no citations: Extend did not say where it was read."
    )


def _value_at(value: Any, path: str) -> Any:
    for match in _PATH_STEP.finditer(path):
        key, position = match.group(1), match.group(2)
        if key is not None and isinstance(value, dict):
            value = value.get(key)
        elif position is not None and isinstance(value, list) and int(position) < len(value):
            value = value[int(position)]
        else:
            return None
    return value


def _cited_page(
    field: str,
    key: tuple[str, int],
    items: list[tuple[int, Citation]],
    need_boxes: bool,
) -> CitedPage:
    polygons = []
    for number, citation in items:
        polygon = tuple((p.x, p.y) for p in citation.polygon)
        if not polygon and citation.cell_range:
            raise CitationBoxError(
                f"Citation {number} of {field!r} points at cells {citation.cell_range} of a "
                "spreadsheet, which has no page to draw a box on."
            )
        problem = polygon_problem(polygon, normalized=is_normalized(polygon))
        if problem is None:
            polygons.append(polygon)
        elif need_boxes:
            raise CitationBoxError(
                f"Citation {number} of {field!r} (page {citation.page}) {problem}, so there is "
                "no region to crop; ask for the whole page instead."
            )
    first = items[0][1]
    return CitedPage(
        file_id=key[0],
        page=key[1],
        polygons=tuple(polygons),
        reference_texts=tuple(c.reference_text for _, c in items if c.reference_text),
        page_width=first.page_width,
        page_height=first.page_height,
        normalized=bool(polygons) and all(is_normalized(p) for p in polygons),
    )


def is_normalized(polygon: tuple[Point, ...]) -> bool:
    """True for a box given as fractions of the page (every coordinate within 0..1).

    Legacy "fields-array" outputs give ``boundingBoxes`` that way; a box in points
    that small would sit in the page's top-left point and show nothing.
    """
    return bool(polygon) and all(0 <= v <= 1 for point in polygon for v in point)


def citation_has_box(citation: Citation) -> bool:
    """Whether ``citation`` marks a region of a page: a page, and a polygon with an area.

    A missing, degenerate (zero-area, too few points) or off-page polygon gives the
    page only: it is never a position to state or a box to draw.
    """
    if citation.page is None or citation.page < 1:
        return False
    polygon = tuple((p.x, p.y) for p in citation.polygon)
    return polygon_problem(polygon, normalized=is_normalized(polygon)) is None


def polygon_problem(polygon: tuple[Point, ...], *, normalized: bool = False) -> str | None:
    """Why ``polygon`` cannot be drawn (``"has no box"``, ...), or None when it can."""
    if not polygon:
        return "has no box"
    if len(polygon) < 3:
        return f"has a box of only {len(polygon)} point(s)"
    xs, ys = [x for x, _ in polygon], [y for _, y in polygon]
    if not all(_finite(v) for v in (*xs, *ys)):
        return "has a box with coordinates that are not numbers"
    least = _MIN_SIDE / 1000 if normalized else _MIN_SIDE
    if max(xs) - min(xs) < least or max(ys) - min(ys) < least:
        return "has a box with no area"
    if min(xs) < 0 or min(ys) < 0:
        return "has a box that starts off the page"
    return None


def _finite(value: float) -> bool:
    return value == value and value not in (float("inf"), float("-inf"))
