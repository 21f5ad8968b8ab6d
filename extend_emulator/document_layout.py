"""Where each piece of text goes on a sample document, derived from the runs' citations.

The emulator's documents are generated, not stored: every citation of every
run names a file, a page, a box (PDF points from the top-left corner) and the
text read there, so printing each citation's ``referenceText`` inside its box
gives a document the citations truly point into. Citations nest (a table row
holds its cells, a table holds its rows): a box is printed only where no smaller
cited box sits inside it; the text of a container that is not in its children
(a table's header, a row's position number) goes into the gaps between them.

Everything here is pure and ordered, so the same runs always give the same
layout (and the same bytes downstream).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LETTER = (612.0, 792.0)
_STEP_OUTPUTS = ("output", "reviewedOutput", "initialOutput")
_TOLERANCE = 1.0  # points a child may stick out of its container
_MIN_GAP = 4.0  # smallest gap (points) a container's leftover text is printed into
_GAP_FONT = 10.0  # largest font (points) for that leftover text


@dataclass(frozen=True)
class Box:
    """An axis-aligned box in points, top-left origin."""

    left: float
    top: float
    right: float
    bottom: float

    @property
    def width(self) -> float:
        return self.right - self.left

    @property
    def height(self) -> float:
        return self.bottom - self.top

    def contains(self, other: Box) -> bool:
        return (
            other.left >= self.left - _TOLERANCE
            and other.top >= self.top - _TOLERANCE
            and other.right <= self.right + _TOLERANCE
            and other.bottom <= self.bottom + _TOLERANCE
        )

    def overlaps(self, other: Box) -> bool:
        return (
            min(self.right, other.right) - max(self.left, other.left) > _TOLERANCE
            and min(self.bottom, other.bottom) - max(self.top, other.top) > _TOLERANCE
        )

    def key(self) -> tuple[float, float, float, float]:
        return (
            round(self.left, 1),
            round(self.top, 1),
            round(self.right, 1),
            round(self.bottom, 1),
        )


@dataclass(frozen=True)
class TextItem:
    """One run of text printed to fill ``box`` (it never leaves the box)."""

    box: Box
    text: str
    max_size: float | None = None  # points; set for text filling a gap, not a cited box


@dataclass
class PageLayout:
    number: int
    width: float
    height: float
    items: list[TextItem] = field(default_factory=list)


@dataclass
class FileLayout:
    """What one file looks like: its pages and, for each, the text printed where."""

    file_id: str
    name: str
    type: str | None
    pages: list[PageLayout]
    damaged: bool = False


@dataclass
class _Cited:
    page: int
    box: Box
    text: str
    children: list[_Cited] = field(default_factory=list)


def layouts_for_runs(runs: list[dict[str, Any]]) -> dict[str, FileLayout]:
    """A layout for every file the (canonical) runs name, keyed by file id, in run order."""
    names: dict[str, tuple[str, str | None]] = {}
    cited: dict[str, list[_Cited]] = {}
    sizes: dict[str, dict[int, tuple[float, float]]] = {}
    last_page: dict[str, int] = {}
    damaged: set[str] = set()
    found: list[tuple[str, dict[str, Any]]] = []
    for run in runs:
        files = [f for f in run.get("files") or [] if isinstance(f, dict) and f.get("id")]
        for file in files:
            names.setdefault(
                str(file["id"]), (str(file.get("name") or file["id"]), file.get("type"))
            )
            if (
                run.get("status") == "FAILED"
                and run.get("failureReason") == "FAILED_TO_PROCESS_FILE"
            ):
                damaged.add(str(file["id"]))
        default_file = str(files[0]["id"]) if files else None
        for step in run.get("steps") or []:
            for key in _STEP_OUTPUTS:
                output = step.get(key)
                for citation in _citations(output):
                    file_id = citation.get("fileId") or default_file
                    if isinstance(file_id, str) and file_id in names:
                        found.append((file_id, citation))
                for split in _splits(output):
                    end = split.get("endPage")
                    if isinstance(end, int) and default_file is not None:
                        last_page[default_file] = max(last_page.get(default_file, 1), end)
    for file_id, citation in found:
        page = citation.get("page")
        if isinstance(page, int) and page >= 1:
            last_page[file_id] = max(last_page.get(file_id, 1), page)
            _note_size(citation, file_id, page, sizes)
    for file_id, citation in found:
        _collect(citation, file_id, cited, sizes)
    layouts = {}
    for file_id, (name, file_type) in names.items():
        entries = cited.get(file_id, [])
        count = last_page.get(file_id, 1)
        pages = []
        for number in range(1, count + 1):
            width, height = sizes.get(file_id, {}).get(
                number, _nearest_size(sizes.get(file_id), number)
            )
            page = PageLayout(number, width, height)
            page.items = _place([c for c in entries if c.page == number])
            pages.append(page)
        layouts[file_id] = FileLayout(file_id, name, file_type, pages, file_id in damaged)
    return layouts


def _citations(output: Any) -> list[dict[str, Any]]:
    if not isinstance(output, dict):
        return []
    if not isinstance(output.get("metadata"), dict):
        return _references(output)
    found: list[dict[str, Any]] = []
    for entry in output["metadata"].values():
        if isinstance(entry, dict) and isinstance(entry.get("citations"), list):
            found.extend(c for c in entry["citations"] if isinstance(c, dict))
    return found


def _references(output: dict[str, Any]) -> list[dict[str, Any]]:
    """Legacy fields-array references (boxes as page fractions), as citations of the value."""
    found: list[dict[str, Any]] = []
    for entry in output.values():
        if not isinstance(entry, dict) or not isinstance(entry.get("references"), list):
            continue
        text = _value_text(entry.get("value"))
        for ref in entry["references"]:
            if not isinstance(ref, dict):
                continue
            for box in ref.get("boundingBoxes") or []:
                if not isinstance(box, dict):
                    continue
                top, left = box.get("top"), box.get("left")
                bottom, right = box.get("bottom"), box.get("right")
                polygon = [
                    {"x": left, "y": top},
                    {"x": right, "y": top},
                    {"x": right, "y": bottom},
                    {"x": left, "y": bottom},
                ]
                found.append({"page": ref.get("page"), "polygon": polygon, "referenceText": text})
    return found


def _value_text(value: Any) -> str | None:
    if isinstance(value, dict) and isinstance(value.get("amount"), int | float):
        return f"{value['amount']:,.2f} {value.get('iso_4217_currency_code') or ''}".strip()
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    return None


def _splits(output: Any) -> list[dict[str, Any]]:
    if not isinstance(output, dict) or not isinstance(output.get("splits"), list):
        return []
    return [s for s in output["splits"] if isinstance(s, dict)]


def _note_size(
    citation: dict[str, Any],
    file_id: str,
    page: int,
    sizes: dict[str, dict[int, tuple[float, float]]],
) -> None:
    width, height = citation.get("pageWidth"), citation.get("pageHeight")
    if (
        isinstance(width, int | float)
        and isinstance(height, int | float)
        and width > 0
        and height > 0
    ):
        sizes.setdefault(file_id, {}).setdefault(page, (float(width), float(height)))


def _collect(
    citation: dict[str, Any],
    file_id: str,
    cited: dict[str, list[_Cited]],
    sizes: dict[str, dict[int, tuple[float, float]]],
) -> None:
    page = citation.get("page")
    if not isinstance(page, int) or page < 1:
        return
    box = polygon_box(citation.get("polygon"))
    text = citation.get("referenceText")
    if box is None or not isinstance(text, str) or not text.strip():
        return
    if box.right <= 1 and box.bottom <= 1:  # page fractions (legacy bounding boxes)
        width, height = sizes.get(file_id, {}).get(page, _nearest_size(sizes.get(file_id), page))
        box = Box(box.left * width, box.top * height, box.right * width, box.bottom * height)
    if box.width < 0.5 or box.height < 0.5:
        return
    entries = cited.setdefault(file_id, [])
    if any(c.page == page and c.box.key() == box.key() for c in entries):
        return  # the same box again (initial, reviewed and final output): first text wins
    entries.append(_Cited(page, box, text))


def polygon_box(polygon: Any) -> Box | None:
    """The bounding box of a citation polygon, or None when it is not one or has no area."""
    if not isinstance(polygon, list):
        return None
    xs, ys = [], []
    for point in polygon:
        if not isinstance(point, dict):
            return None
        x, y = point.get("x"), point.get("y")
        if not isinstance(x, int | float) or not isinstance(y, int | float):
            return None
        xs.append(float(x))
        ys.append(float(y))
    if len(xs) < 2:
        return None
    box = Box(min(xs), min(ys), max(xs), max(ys))
    return box if box.width > 0 and box.height > 0 else None


def _nearest_size(known: dict[int, tuple[float, float]] | None, number: int) -> tuple[float, float]:
    if not known:
        return LETTER
    nearest = min(known, key=lambda page: (abs(page - number), page))
    return known[nearest]


def _place(entries: list[_Cited]) -> list[TextItem]:
    """Nest the page's citations by containment and lay out the tree's text."""
    roots: list[_Cited] = []
    for entry in sorted(entries, key=lambda c: -(c.box.width * c.box.height)):
        parent = _deepest_container(roots, entry.box)
        siblings = parent.children if parent is not None else roots
        if any(s.box.overlaps(entry.box) for s in siblings):
            continue  # crosses a box already placed: it cannot be printed exactly, skip it
        siblings.append(entry)
    items: list[TextItem] = []
    for root in _reading_order(roots):
        _emit(root, items)
    return items


def _deepest_container(nodes: list[_Cited], box: Box) -> _Cited | None:
    for node in nodes:
        if node.box.contains(box):
            return _deepest_container(node.children, box) or node
    return None


def _emit(node: _Cited, items: list[TextItem]) -> None:
    if not node.children:
        items.append(TextItem(node.box, node.text))
        return
    children = _reading_order(node.children)
    row = _one_row(children)
    cursor = 0
    previous_end = node.box.left if row else node.box.top
    all_found = True
    for child in children:
        index = node.text.find(child.text, cursor)
        if index < 0:
            all_found = False
        else:
            _emit_gap(node, node.text[cursor:index], previous_end, row, child, items)
            cursor = index + len(child.text)
        _emit(child, items)
        previous_end = child.box.right if row else child.box.bottom
    if all_found:
        _emit_gap(node, node.text[cursor:], previous_end, row, None, items)


def _emit_gap(
    node: _Cited, text: str, start: float, row: bool, before: _Cited | None, items: list[TextItem]
) -> None:
    text = text.strip()
    if not text:
        return
    box = node.box
    if row:
        end = before.box.left if before is not None else box.right
        gap = Box(start, box.top, end, box.bottom)
    else:
        end = before.box.top if before is not None else box.bottom
        gap = Box(box.left, start, box.right, end)
    if gap.width >= _MIN_GAP and gap.height >= _MIN_GAP:
        items.append(TextItem(gap, text, max_size=_GAP_FONT))


def _one_row(nodes: list[_Cited]) -> bool:
    """True when every box shares a horizontal band with every other (cells of one row)."""
    return all(
        min(a.box.bottom, b.box.bottom) > max(a.box.top, b.box.top)
        for i, a in enumerate(nodes)
        for b in nodes[i + 1 :]
    )


def _reading_order(nodes: list[_Cited]) -> list[_Cited]:
    if _one_row(nodes):
        return sorted(nodes, key=lambda n: n.box.left)
    return sorted(nodes, key=lambda n: (n.box.top, n.box.left))
