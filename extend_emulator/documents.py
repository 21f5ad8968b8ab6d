"""The bytes of the emulator's sample documents: PDFs (reportlab) and scanned images (Pillow).

``document_layout`` says which text goes in which box; this module prints it.
Each text run fills its box: the font is sized to the box height and squeezed
horizontally (never stretched) to the box width, so a PDF text extractor asked
for the text inside a citation's polygon gets that citation's reference text.
An ``IMG`` file becomes a grey, slightly noisy JPEG at ``SCAN_DPI`` (one page), a
spreadsheet or other non-page type a text file of its cited values; a
file of a run that failed with ``FAILED_TO_PROCESS_FILE`` is served damaged (a
PDF cut short), as Extend would have received it.

Output is deterministic: reportlab's invariant mode, a seeded noise pattern,
and one bundled font (Bitstream Vera, shipped with reportlab) everywhere.
"""

from __future__ import annotations

import io
import random
import textwrap
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from extend_emulator.document_layout import FileLayout, PageLayout, TextItem

SCAN_DPI = 150
FONT_NAME = "Vera"
_MIN_SQUEEZE = 0.5  # narrowest horizontal scale before text wraps onto more lines
_MAX_LINE_FONT = 12.0  # points, for text wrapped onto several lines


@dataclass(frozen=True)
class Document:
    """One generated file: its bytes, media type and page sizes in points."""

    file_id: str
    name: str
    type: str
    media_type: str
    content: bytes
    page_sizes: tuple[tuple[float, float], ...]


def build_document(layout: FileLayout) -> Document:
    """Print ``layout`` as its file type asks (``IMG`` -> JPEG, anything else -> PDF)."""
    sizes = tuple((page.width, page.height) for page in layout.pages)
    kind = (layout.type or "PDF").upper()
    if kind == "IMG":
        content = _scan(layout.pages[0])
        return Document(layout.file_id, layout.name, "IMG", "image/jpeg", content, sizes[:1])
    if kind != "PDF":  # a spreadsheet, text, ...: its cited texts, one a line; no pages
        lines = [item.text for page in layout.pages for item in page.items]
        content = "".join(f"{line}\n" for line in lines).encode()
        return Document(layout.file_id, layout.name, kind, "text/plain", content, ())
    content = _pdf(layout)
    if layout.damaged:
        content = content[: len(content) // 3]
    return Document(layout.file_id, layout.name, "PDF", "application/pdf", content, sizes)


@dataclass(frozen=True)
class _Line:
    text: str
    left: float
    baseline: float  # points from the top of the page
    size: float
    squeeze: float  # horizontal scale, <= 1


def _font_path() -> Path:
    import reportlab  # type: ignore[import-untyped]

    return Path(reportlab.__file__).parent / "fonts" / "Vera.ttf"


@cache
def _register_font() -> None:
    from reportlab.pdfbase import pdfmetrics  # type: ignore[import-untyped]
    from reportlab.pdfbase.ttfonts import TTFont  # type: ignore[import-untyped]

    pdfmetrics.registerFont(TTFont(FONT_NAME, str(_font_path())))


def _width(text: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth  # type: ignore[import-untyped]

    _register_font()
    return float(stringWidth(text, FONT_NAME, size))


def _lines(item: TextItem) -> list[_Line]:
    """Fit ``item.text`` into its box: one squeezed line, or wrapped lines when the box is tall."""
    box, text = item.box, item.text.replace("\r", " ").replace("\n", " ").strip()
    for count in range(1, 9):
        line_height = box.height / count
        size = line_height * 0.72 if count == 1 else min(line_height * 0.72, _MAX_LINE_FONT)
        if item.max_size is not None:
            size = min(size, item.max_size)
        rows = [text] if count == 1 else _wrap(text, box.width, size, count)
        if rows is None:
            continue
        widths = [_width(row, size) for row in rows]
        squeeze = min(1.0, box.width / max(widths)) if max(widths) > 0 else 1.0
        if squeeze >= _MIN_SQUEEZE or count == 8:
            return [
                _Line(
                    row,
                    box.left,
                    box.top + line_height * (i + 1) - (line_height - size) / 2 - size * 0.22,
                    size,
                    squeeze,
                )
                for i, row in enumerate(rows)
            ]
    return []


def _wrap(text: str, width: float, size: float, count: int) -> list[str] | None:
    """Split ``text`` at spaces into at most ``count`` lines of about ``width`` points."""
    average = max(_width(text, size) / max(len(text), 1), 0.1)
    rows = textwrap.wrap(text, max(1, int(width / average)), break_long_words=False)
    return rows if 0 < len(rows) <= count else None


def _pdf(layout: FileLayout) -> bytes:
    from reportlab.pdfgen.canvas import Canvas  # type: ignore[import-untyped]

    _register_font()
    buffer = io.BytesIO()
    canvas = Canvas(buffer, invariant=1, pageCompression=1)
    canvas.setTitle(layout.name)
    canvas.setCreator("extend-emulator")
    total = len(layout.pages)
    for page in layout.pages:
        canvas.setPageSize((page.width, page.height))
        for item in page.items:
            for line in _lines(item):
                text = canvas.beginText()
                text.setFont(FONT_NAME, line.size)
                text.setHorizScale(line.squeeze * 100)
                text.setTextOrigin(line.left, page.height - line.baseline)
                text.textOut(line.text)
                canvas.drawText(text)
        if not any(item.box.bottom > page.height - 26 for item in page.items):
            canvas.setFont(FONT_NAME, 7)
            canvas.setFillGray(0.45)
            canvas.drawCentredString(page.width / 2, 14, f"Page {page.number} of {total}")
            canvas.setFillGray(0)
        canvas.showPage()
    canvas.save()
    return buffer.getvalue()


def _scan(page: PageLayout) -> bytes:
    from PIL import Image, ImageDraw, ImageFilter, ImageFont

    scale = SCAN_DPI / 72
    size = (round(page.width * scale), round(page.height * scale))
    sheet = Image.new("L", size, 244)
    for item in page.items:
        for line in _lines(item):
            font = ImageFont.truetype(str(_font_path()), max(1, round(line.size * scale)))
            left, top, right, bottom = (int(v) for v in font.getbbox(line.text, anchor="ls"))
            glyphs = Image.new("L", (max(1, right - left), max(1, bottom - top)), 0)
            ImageDraw.Draw(glyphs).text((-left, -top), line.text, fill=255, font=font, anchor="ls")
            width = max(1, round(glyphs.width * line.squeeze))
            glyphs = glyphs.resize((width, glyphs.height), Image.Resampling.LANCZOS)
            origin = (round(line.left * scale), round(line.baseline * scale) + top)
            sheet.paste(40, origin, glyphs)
    sheet = sheet.filter(ImageFilter.GaussianBlur(0.7))
    noise = Image.frombytes("L", size, random.Random(page.number).randbytes(size[0] * size[1]))
    sheet = Image.blend(sheet, noise, 0.06)
    buffer = io.BytesIO()
    sheet.save(buffer, "JPEG", quality=72, dpi=(SCAN_DPI, SCAN_DPI), optimize=True)
    return buffer.getvalue()
