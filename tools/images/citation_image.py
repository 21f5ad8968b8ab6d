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
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from tools.client.errors import ExtendError
from tools.images.errors import DocumentUnavailableError, UnreadableDocumentError
from tools.images.image_cache import CachedImage, ImageCache
from tools.images.locate import CitedPage, FieldCitations, find_citations
from tools.images.page_render import SLACK, ImageSize, render_page
from tools.text.formatting import QUOTED, format_value
from tools.text.quoting import quote

if TYPE_CHECKING:
    from tools.client.files import FileContent, FileInfo
    from tools.runs.models import Run

_QUOTE_LIMIT = 120
_VALUE_LIMIT = 100


class FileSource(Protocol):
    def get_file(self, file_id: str) -> FileInfo: ...

    def download_file(self, file: str | FileInfo) -> FileContent: ...


class AsyncFileSource(Protocol):
    async def get_file(self, file_id: str) -> FileInfo: ...

    async def download_file(self, file: str | FileInfo) -> FileContent: ...


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


@dataclass
class _Plan:
    run: Run
    chosen: FieldCitations
    value_text: str
    whole_page: bool
    size: ImageSize
    cache: ImageCache | None
    names: dict[str, str | None]


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
    the caller formats it (default: a plain rendering).
    """
    plan = _plan(run, field_name, whole_page, pre_review, citation, size, cache, value_text)
    documents: dict[str, tuple[FileInfo, FileContent]] = {}
    images = []
    for cited in plan.chosen.pages:
        key, hit = _lookup(plan, cited)
        if hit is None:
            if cited.file_id not in documents:
                documents[cited.file_id] = _fetch(files, cited.file_id)
            info, content = documents[cited.file_id]
            hit = _render(plan, cited, info, content, key)
            images.append(_image(plan, cited, hit, cached=False, info=info))
        else:
            images.append(_image(plan, cited, hit, cached=True, info=None))
    return _result(plan, tuple(images))


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

    plan = _plan(run, field_name, whole_page, pre_review, citation, size, cache, value_text)
    documents: dict[str, tuple[FileInfo, FileContent]] = {}
    images = []
    for cited in plan.chosen.pages:
        key, hit = _lookup(plan, cited)
        if hit is None:
            if cited.file_id not in documents:
                documents[cited.file_id] = await _afetch(files, cited.file_id)
            info, content = documents[cited.file_id]
            hit = await asyncio.to_thread(_render, plan, cited, info, content, key)
            images.append(_image(plan, cited, hit, cached=False, info=info))
        else:
            images.append(_image(plan, cited, hit, cached=True, info=None))
    return _result(plan, tuple(images))


def _plan(
    run: Run,
    field_name: str,
    whole_page: bool,
    pre_review: bool,
    citation: int | None,
    size: ImageSize,
    cache: ImageCache | None,
    value_text: str | None,
) -> _Plan:
    chosen = find_citations(
        run, field_name, pre_review=pre_review, index=citation, need_boxes=not whole_page
    )
    shown = value_text if value_text is not None else format_value(chosen.value, QUOTED)
    shown = shown if len(shown) <= _VALUE_LIMIT else shown[: _VALUE_LIMIT - 3] + "..."
    names = {f.id: f.name for f in run.files if f.id}
    return _Plan(run, chosen, shown, whole_page, size, cache, names)


def _lookup(plan: _Plan, cited: CitedPage) -> tuple[str, CachedImage | None]:
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


def _fetch(files: FileSource, file_id: str) -> tuple[FileInfo, FileContent]:
    try:
        info = files.get_file(file_id)
        return info, files.download_file(info)
    except ExtendError as error:
        raise _unavailable(file_id, error) from None


async def _afetch(files: AsyncFileSource, file_id: str) -> tuple[FileInfo, FileContent]:
    try:
        info = await files.get_file(file_id)
        return info, await files.download_file(info)
    except ExtendError as error:
        raise _unavailable(file_id, error) from None


def _unavailable(file_id: str, error: ExtendError) -> DocumentUnavailableError:
    problem = DocumentUnavailableError(
        f"The document (file {file_id}) could not be fetched: {error}"
    )
    problem.__cause__ = error
    return problem


def _render(
    plan: _Plan, cited: CitedPage, info: FileInfo, content: FileContent, key: str
) -> CachedImage:
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


def _image(
    plan: _Plan, cited: CitedPage, hit: CachedImage, *, cached: bool, info: FileInfo | None
) -> CitationImage:
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
        alt_text=_alt_text(plan, cited, name),
        origin=hit.origin,
        scale=hit.scale,
        cached=cached,
    )


def _alt_text(plan: _Plan, cited: CitedPage, name: str | None) -> str:
    what = "the value before review" if plan.chosen.pre_review else "value"
    where = f"page {cited.page}" + (f" of {name}" if name else "")
    view = "whole page" if plan.whole_page else "cited region"
    quoted = "; ".join(quote(t, limit=_QUOTE_LIMIT) for t in cited.reference_texts)
    read = f", read from {quoted}" if quoted else ""
    return f"{plan.chosen.field} ({what} {plan.value_text}): {view}, {where}{read}, highlighted."


def _result(plan: _Plan, images: tuple[CitationImage, ...]) -> CitationImages:
    chosen = plan.chosen
    pages = _where(images)
    label = "before review" if chosen.pre_review else "value"
    text = f"{chosen.field} ({label} {plan.value_text}) is highlighted on {pages}."
    if chosen.edited and not chosen.pre_review:
        text += (
            f" A reviewer changed it from {format_value(chosen.initial_value, QUOTED)};"
            " ask for the citation before review to see where that was read."
        )
    return CitationImages(
        run_id=plan.run.id,
        field=chosen.field,
        value_text=plan.value_text,
        pre_review=chosen.pre_review,
        whole_page=plan.whole_page,
        images=images,
        text=text,
    )


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
