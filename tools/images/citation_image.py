"""``citation_image``: the picture behind "where did the total come from?".

    images = citation_image(run, "amount", client)          # crops, one per cited page
    images = citation_image(run, "amount", client, whole_page=True)   # page thumbnails
    images.images[0].png, images.images[0].alt_text, images.text

Takes a run already fetched and anything with ``get_file``/``download_file``
(``ExtendClient``; ``acitation_image`` takes ``AsyncExtendClient``), so the
tools, Slack and the CLI each call it in a line and decide what to do with the
PNGs (upload, return as image content, write to disk). A field citing several
places gives one image per file page, every box on that page highlighted;
``pre_review=True`` shows where the value before a reviewer's change was read.
Every failure is a ``CitationImageError`` with a message to show as it is.
Reference text is the document's, untrusted: it appears quoted, cut short.

This module is the two entry points; the steps they share are ``citation_render``,
the fetching ``document_fetch`` and the results ``citation_result`` (re-exported here).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tools.images.citation_render import (
    citation_image_of,
    citation_images_of,
    lookup_cached,
    plan_citations,
    render_cited_page,
)
from tools.images.citation_result import CitationImage, CitationImages
from tools.images.document_fetch import (
    AsyncFileSource,
    FileSource,
    afetch_document,
    fetch_document,
)
from tools.images.page_render import SLACK, ImageSize

if TYPE_CHECKING:
    from tools.client.files import FileContent, FileInfo
    from tools.images.image_cache import ImageCache
    from tools.runs.models import Run

__all__ = [
    "AsyncFileSource",
    "CitationImage",
    "CitationImages",
    "FileSource",
    "acitation_image",
    "citation_image",
]


def citation_image(
    run: Run,
    field_name: str,
    files: FileSource,
    *,
    whole_page: bool = False,
    pre_review: bool = False,
    citation: int | None = None,
    size: ImageSize = SLACK,
    cache: ImageCache | None = None,
    value_text: str | None = None,
) -> CitationImages:
    """Render where ``field_name`` of ``run`` was read; ``CitationImageError`` if it cannot be.

    ``citation`` (1-based) picks one citation; ``cache`` (an ``ImageCache``) skips the
    download and the rendering for boxes drawn before; ``value_text`` is the value as
    the caller formats it, already quoted (default: ``citation_result.shown_value``).
    """
    plan = plan_citations(
        run, field_name, whole_page, pre_review, citation, size, cache, value_text
    )
    documents: dict[str, tuple[FileInfo, FileContent]] = {}
    images = []
    for cited in plan.chosen.pages:
        key, hit = lookup_cached(plan, cited)
        if hit is None:
            if cited.file_id not in documents:
                documents[cited.file_id] = fetch_document(files, cited.file_id)
            info, content = documents[cited.file_id]
            hit = render_cited_page(plan, cited, info, content, key)
            images.append(citation_image_of(plan, cited, hit, cached=False, info=info))
        else:
            images.append(citation_image_of(plan, cited, hit, cached=True, info=None))
    return citation_images_of(plan, tuple(images))


async def acitation_image(
    run: Run,
    field_name: str,
    files: AsyncFileSource,
    *,
    whole_page: bool = False,
    pre_review: bool = False,
    citation: int | None = None,
    size: ImageSize = SLACK,
    cache: ImageCache | None = None,
    value_text: str | None = None,
) -> CitationImages:
    """``citation_image`` for asyncio: downloads awaited, rendering in a worker thread."""
    import asyncio

    plan = plan_citations(
        run, field_name, whole_page, pre_review, citation, size, cache, value_text
    )
    documents: dict[str, tuple[FileInfo, FileContent]] = {}
    images = []
    for cited in plan.chosen.pages:
        key, hit = lookup_cached(plan, cited)
        if hit is None:
            if cited.file_id not in documents:
                documents[cited.file_id] = await afetch_document(files, cited.file_id)
            info, content = documents[cited.file_id]
            hit = await asyncio.to_thread(render_cited_page, plan, cited, info, content, key)
            images.append(citation_image_of(plan, cited, hit, cached=False, info=info))
        else:
            images.append(citation_image_of(plan, cited, hit, cached=True, info=None))
    return citation_images_of(plan, tuple(images))
