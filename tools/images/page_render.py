"""Draw one page's cited boxes: a crop with context, or the whole page as a thumbnail.

PDF pages are rasterized by pypdfium2, only the cropped region (a crop of a
letter page costs a few milliseconds); image documents (``IMG``) are cut and
scaled by Pillow. Citation polygons are PDF points from the page's top-left
corner, measured against the page size the citation states; they are converted
to the document's real page size (and, for images, to pixels) before drawing.
Each polygon gets a translucent fill and an outline just outside it, so the
cited text stays readable. The result is a PNG, palette-reduced to stay small.

pdfium is not thread-safe, not even across documents, and pypdfium2 closes what is
left open from finalizers in whatever thread collects it. So every pdfium call here
holds ``PDFIUM_LOCK`` and closes its page, bitmap and document before letting go;
anything else in the process that uses pypdfium2 must take the same lock.
"""

from __future__ import annotations

import io
import threading
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from tools.images.errors import CitationBoxError, UnreadableDocumentError
from tools.images.locate import CitedPage, Point

if TYPE_CHECKING:
    from PIL import Image as PILImage

FILL = (255, 214, 0, 80)
OUTLINE = (230, 60, 0, 255)
MAX_CROP_SCALE = 4.0  # pixels per point in a crop (288 dpi): small print becomes legible
_PAD_X, _PAD_Y = 54.0, 22.0  # points of context around the cited boxes, at least
PDFIUM_LOCK = threading.RLock()
"""Held around every pypdfium2 call in the process (Slack and MCP render from worker threads)."""


@dataclass(frozen=True)
class ImageSize:
    """The largest image a destination wants, in pixels."""

    name: str
    max_width: int
    max_height: int


SLACK = ImageSize("slack", 960, 720)
MCP = ImageSize("mcp", 1024, 768)


@dataclass(frozen=True)
class RenderedPage:
    """A PNG and how it maps to the page: pixel = (point - origin) * scale."""

    png: bytes
    width: int
    height: int
    origin: Point  # top-left of the image, in the citation's points
    scale: float  # pixels per citation point
    page_count: int


def render_page(
    document: bytes,
    is_image: bool,
    cited: CitedPage,
    *,
    whole_page: bool,
    size: ImageSize,
    page_size: tuple[float, float] | None = None,
) -> RenderedPage:
    """Render ``cited`` from ``document``; ``page_size`` is Extend's size for the page, if any."""
    if is_image:
        return _render_image(document, cited, whole_page, size, page_size)
    return _render_pdf(document, cited, whole_page, size, page_size)


def _render_pdf(
    document: bytes,
    cited: CitedPage,
    whole_page: bool,
    size: ImageSize,
    page_size: tuple[float, float] | None,
) -> RenderedPage:
    import pypdfium2 as pdfium  # type: ignore[import-untyped]

    with PDFIUM_LOCK:
        try:
            pdf = pdfium.PdfDocument(document)
        except pdfium.PdfiumError as exc:
            raise UnreadableDocumentError(
                f"The document of file {cited.file_id} could not be read as a PDF ({exc}); "
                "it may be damaged. Open it in the Extend dashboard instead."
            ) from None
        try:
            page_count = len(pdf)
            if cited.page > page_count:
                raise CitationBoxError(
                    f"The citation is on page {cited.page}, but file {cited.file_id} has "
                    f"{page_count} page(s)."
                )
            page = pdf[cited.page - 1]
            try:
                real_w, real_h = page.get_size()
                stated_w, stated_h = _stated_size(cited, page_size, (real_w, real_h))
                cited = _in_points(cited, (stated_w, stated_h))
                to_real = (real_w / stated_w, real_h / stated_h)
                region = _region(cited, (stated_w, stated_h), whole_page)
                scale = _scale(region, size, whole_page, MAX_CROP_SCALE)
                left, top, right, bottom = (
                    region[0] * to_real[0],
                    region[1] * to_real[1],
                    region[2] * to_real[0],
                    region[3] * to_real[1],
                )
                bitmap = page.render(
                    scale=scale / to_real[0],
                    crop=(left, real_h - bottom, real_w - right, top),
                    may_draw_forms=False,
                )
                try:
                    picture = bitmap.to_pil().convert("RGB")
                finally:
                    bitmap.close()
            finally:
                page.close()
        finally:
            pdf.close()
    return _finish(picture, cited, region, scale, page_count)


def _render_image(
    document: bytes,
    cited: CitedPage,
    whole_page: bool,
    size: ImageSize,
    page_size: tuple[float, float] | None,
) -> RenderedPage:
    from PIL import Image, UnidentifiedImageError

    try:
        picture = Image.open(io.BytesIO(document))
        picture.load()
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise UnreadableDocumentError(
            f"The image of file {cited.file_id} could not be read ({type(exc).__name__}); "
            "it may be damaged. Open it in the Extend dashboard instead."
        ) from None
    if cited.page != 1:
        raise CitationBoxError(f"The citation is on page {cited.page}, but an image has 1 page.")
    dpi = picture.info.get("dpi")
    native = (
        (picture.width * 72 / float(dpi[0]), picture.height * 72 / float(dpi[1]))
        if isinstance(dpi, tuple) and len(dpi) == 2 and min(float(dpi[0]), float(dpi[1])) > 0
        else (float(picture.width), float(picture.height))
    )
    stated_w, stated_h = _stated_size(cited, page_size, native)
    cited = _in_points(cited, (stated_w, stated_h))
    per_point = (picture.width / stated_w, picture.height / stated_h)
    region = _region(cited, (stated_w, stated_h), whole_page)
    scale = _scale(region, size, whole_page, min(MAX_CROP_SCALE, per_point[0] * 1.5))
    box = (
        round(region[0] * per_point[0]),
        round(region[1] * per_point[1]),
        round(region[2] * per_point[0]),
        round(region[3] * per_point[1]),
    )
    target = (
        max(1, round((region[2] - region[0]) * scale)),
        max(1, round((region[3] - region[1]) * scale)),
    )
    scaled = picture.convert("RGB").resize(target, Image.Resampling.BILINEAR, box=box)
    return _finish(scaled, cited, region, scale, 1)


def _stated_size(
    cited: CitedPage, page_size: tuple[float, float] | None, fallback: tuple[float, float]
) -> tuple[float, float]:
    """The page size the citation's points refer to: its own, Extend's file pages, the document."""
    if cited.page_width and cited.page_height and cited.page_width > 0 and cited.page_height > 0:
        return (cited.page_width, cited.page_height)
    if page_size is not None and page_size[0] > 0 and page_size[1] > 0:
        return page_size
    return fallback


def _in_points(cited: CitedPage, page: tuple[float, float]) -> CitedPage:
    """``cited`` with page-fraction polygons turned into points of ``page``."""
    if not cited.normalized:
        return cited
    width, height = page
    polygons = tuple(tuple((x * width, y * height) for x, y in p) for p in cited.polygons)
    return replace(cited, polygons=polygons, normalized=False)


def _region(
    cited: CitedPage, page: tuple[float, float], whole_page: bool
) -> tuple[float, float, float, float]:
    """The part of the page to show, in points: the boxes with context, or all of it."""
    width, height = page
    if whole_page or not cited.polygons:
        return (0.0, 0.0, width, height)
    xs = [x for polygon in cited.polygons for x, _ in polygon]
    ys = [y for polygon in cited.polygons for _, y in polygon]
    if min(xs) >= width or min(ys) >= height:
        raise CitationBoxError(
            f"The cited box on page {cited.page} lies outside the page "
            f"({width:.0f} x {height:.0f} points)."
        )
    pad_x = max(_PAD_X, (max(xs) - min(xs)) * 0.15)
    pad_y = max(_PAD_Y, (max(ys) - min(ys)) * 0.6)
    return (
        max(0.0, min(xs) - pad_x),
        max(0.0, min(ys) - pad_y),
        min(width, max(xs) + pad_x),
        min(height, max(ys) + pad_y),
    )


def _scale(
    region: tuple[float, float, float, float], size: ImageSize, whole_page: bool, most: float
) -> float:
    width, height = region[2] - region[0], region[3] - region[1]
    fit = min(size.max_width / width, size.max_height / height) * (1 - 1e-9)  # never a pixel over
    return fit if whole_page else min(fit, most)


def _finish(
    picture: PILImage.Image,
    cited: CitedPage,
    region: tuple[float, float, float, float],
    scale: float,
    page_count: int,
) -> RenderedPage:
    from PIL import Image, ImageDraw

    overlay = Image.new("RGBA", picture.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    line = max(2, round(scale * 0.6))
    for polygon in cited.polygons:
        points = [((x - region[0]) * scale, (y - region[1]) * scale) for x, y in polygon]
        draw.polygon(points, fill=FILL)
        draw.polygon(_grown(points, line + 1), outline=OUTLINE, width=line)
    picture = Image.alpha_composite(picture.convert("RGBA"), overlay).convert("RGB")
    small = picture.convert("P", palette=Image.Palette.ADAPTIVE, colors=64)
    buffer = io.BytesIO()
    small.save(buffer, "PNG", optimize=False, compress_level=7)
    return RenderedPage(
        buffer.getvalue(),
        picture.width,
        picture.height,
        (region[0], region[1]),
        scale,
        page_count,
    )


def _grown(points: list[Point], by: float) -> list[Point]:
    """``points`` moved ``by`` pixels away from their centre (an outline just outside the box)."""
    cx = sum(x for x, _ in points) / len(points)
    cy = sum(y for _, y in points) / len(points)
    return [(x + (by if x > cx else -by), y + (by if y > cy else -by)) for x, y in points]
