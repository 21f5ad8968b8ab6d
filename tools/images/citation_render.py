"""Rendering one field's cited pages through the image cache: the steps both entry points share.

``plan_citations`` picks the citations to draw (``locate.find_citations``) and the
value text to show; each cited page is looked up in the ``ImageCache``
(``lookup_cached``) and, when missing, drawn from the fetched document
(``render_cited_page``, via ``page_render``, which holds ``PDFIUM_LOCK``);
``citation_image_of`` and ``citation_images_of`` wrap the results for the caller.
``citation_image`` and ``acitation_image`` only differ in how they fetch and wait.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from tools.images.citation_result import (
    SHOWN_VALUE_LIMIT,
    CitationImage,
    CitationImages,
    alt_text,
    cut_between_quotations,
    shown_value,
    summary_text,
)
from tools.images.errors import UnreadableDocumentError
from tools.images.image_cache import CachedImage, ImageCache
from tools.images.locate import CitedPage, FieldCitations, find_citations
from tools.images.page_render import ImageSize, render_page
from tools.text.quoting import terminal_safe

if TYPE_CHECKING:
    from tools.client.files import FileContent, FileInfo
    from tools.runs.models import Run

__all__ = [
    "CitationPlan",
    "citation_image_of",
    "citation_images_of",
    "lookup_cached",
    "plan_citations",
    "render_cited_page",
]


@dataclass
class CitationPlan:
    """What one ``citation_image`` call draws, and how: settled before anything is fetched."""

    run: Run
    chosen: FieldCitations
    value_text: str
    whole_page: bool
    size: ImageSize
    cache: ImageCache | None
    names: dict[str, str | None]


def plan_citations(
    run: Run,
    field_name: str,
    whole_page: bool,
    pre_review: bool,
    citation: int | None,
    size: ImageSize,
    cache: ImageCache | None,
    value_text: str | None,
) -> CitationPlan:
    """The citations of ``field_name`` to draw; ``CitationImageError`` if there are none.

    ``value_text`` is the value as the caller already wrote it (quoted, cut): any
    control or invisible character left in it is escaped (``terminal_safe``, a no-op
    on quoted text) and it is cut again, between quotations, only if it is longer
    than ``SHOWN_VALUE_LIMIT``. Without it the value is written by ``shown_value``:
    raw text cut, then quoted.
    """
    chosen = find_citations(
        run, field_name, pre_review=pre_review, index=citation, need_boxes=not whole_page
    )
    if value_text is None:
        shown = shown_value(chosen.value)
    else:
        shown = cut_between_quotations(terminal_safe(value_text), SHOWN_VALUE_LIMIT)
    names = {f.id: f.name for f in run.files if f.id}
    return CitationPlan(run, chosen, shown, whole_page, size, cache, names)


def lookup_cached(plan: CitationPlan, cited: CitedPage) -> tuple[str, CachedImage | None]:
    """The cache key for ``cited`` and the image stored under it, if any."""
    key = ImageCache.key(
        cited.file_id,
        cited.page,
        cited.polygons,
        whole_page=plan.whole_page,
        size_name=plan.size.name,
        page_size=_page_size(cited),
    )
    return key, plan.cache.get(key) if plan.cache is not None else None


def _page_size(cited: CitedPage) -> tuple[float, float] | None:
    if cited.page_width and cited.page_height:
        return (cited.page_width, cited.page_height)
    return None


def render_cited_page(
    plan: CitationPlan, cited: CitedPage, info: FileInfo, content: FileContent, key: str
) -> CachedImage:
    """Draw ``cited`` on its page of the document and keep it in the cache under ``key``."""
    data = content.content
    is_image = data[:4] != b"%PDF" and (
        info.is_image or data[:3] == b"\xff\xd8\xff" or data[:8] == b"\x89PNG\r\n\x1a\n"
    )
    if not is_image and (info.type or "PDF").upper() not in ("PDF", "DOCX"):
        raise UnreadableDocumentError(
            f"File {cited.file_id} is a {info.type} file, not a PDF or an image: "
            "it has no pages to draw the citation on."
        )
    page = render_page(
        data,
        is_image,
        cited,
        whole_page=plan.whole_page,
        size=plan.size,
        page_size=info.page_size(cited.page),
    )
    rendered = CachedImage(
        page.png, page.width, page.height, page.origin, page.scale, page.page_count
    )
    if plan.cache is not None:
        plan.cache.put(key, rendered)
    return rendered


def citation_image_of(
    plan: CitationPlan,
    cited: CitedPage,
    hit: CachedImage,
    *,
    cached: bool,
    info: FileInfo | None,
) -> CitationImage:
    """The rendered (or cached) page as a ``CitationImage``, named and described."""
    name = plan.names.get(cited.file_id) or (info.name if info is not None else None)
    return CitationImage(
        png=hit.png,
        width=hit.width,
        height=hit.height,
        file_id=cited.file_id,
        file_name=name,
        page=cited.page,
        page_count=hit.page_count,
        reference_texts=cited.reference_texts,
        alt_text=alt_text(plan.chosen, plan.value_text, cited, name, whole_page=plan.whole_page),
        origin=hit.origin,
        scale=hit.scale,
        cached=cached,
    )


def citation_images_of(plan: CitationPlan, images: tuple[CitationImage, ...]) -> CitationImages:
    """All the field's images, with the line of text saying what they show."""
    chosen = plan.chosen
    return CitationImages(
        run_id=plan.run.id,
        field=chosen.field,
        value_text=plan.value_text,
        pre_review=chosen.pre_review,
        whole_page=plan.whole_page,
        images=images,
        text=summary_text(chosen, plan.value_text, images),
    )
