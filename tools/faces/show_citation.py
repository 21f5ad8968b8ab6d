"""``show_citation``: where one field of a run was read, as images plus one line of text.

The rendering is ``tools.images.citation_image``; this module is the tool around it:
it reads the run, resolves the field the caller named (exactly, as a nested path
such as ``line_items[0].amount``, else by the package's one field-name matcher, so
``"total"`` finds ``total_amount``), formats the value as every other answer does,
and turns every failure into a ``ToolError`` whose message says what to do.

The faces decide what to do with the PNGs: MCP returns them as image content,
LangChain as the tool's artifact (``image_artifact``), Slack uploads them into the
thread, the CLI writes them to files. The text never contains document bytes or a
download link; reference text appears quoted (it is document content, untrusted).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tools.client.errors import ExtendError
from tools.faces.tool_errors import ToolError, errors_as_tool_errors
from tools.text.field_names import match_fields
from tools.text.formatting import format_value
from tools.text.quoting import quote

if TYPE_CHECKING:
    from tools.client.clients import ExtendClient
    from tools.images.citation_image import CitationImages
    from tools.images.image_cache import ImageCache
    from tools.images.page_render import ImageSize
    from tools.runs.models import Run

__all__ = [
    "CitationOutput",
    "ShownImage",
    "image_artifact",
    "images_in_artifact",
    "resolve_field",
    "show_citation",
    "shown_images",
]

IMAGE_MIME_TYPE = "image/png"
VALUE_QUOTE_LIMIT = 100


@dataclass
class CitationOutput:
    """``show_citation``'s answer: one line for the model, the run, and the rendered images."""

    text: str
    run: Run
    images: CitationImages


def show_citation(
    client: ExtendClient,
    run_id: str,
    field: str,
    *,
    whole_page: bool = False,
    before_review: bool = False,
    size: ImageSize | None = None,
    cache: ImageCache | None = None,
) -> CitationOutput:
    """Render where ``field`` of run ``run_id`` was read; ``ToolError`` when it cannot be."""
    from tools.images.citation_image import citation_image
    from tools.images.errors import CitationImageError
    from tools.images.page_render import SLACK

    if not isinstance(field, str) or not field.strip():
        raise ToolError('field must name one field of the run, e.g. "amount".')
    with errors_as_tool_errors(f"reading run {run_id}"):
        run = client.get_run(run_id)
    name = resolve_field(run, field)
    with errors_as_tool_errors(f"drawing where {name} of run {run_id} was read"):
        try:
            images = citation_image(
                run,
                name,
                client,
                whole_page=bool(whole_page),
                pre_review=bool(before_review),
                size=size or SLACK,
                cache=cache,
                value_text=_value_text(run, name, bool(before_review)),
            )
        except CitationImageError as error:
            cause = error.__cause__ if isinstance(error.__cause__, ExtendError) else None
            raise ToolError(error.message, cause=cause) from None
    return CitationOutput(text=f"Run {run.id}: {images.text}", run=run, images=images)


def resolve_field(run: Run, said: str) -> str:
    """The field or nested path of ``run`` that ``said`` names; ``ToolError`` naming the choices."""
    wanted = said.strip()
    lowered = wanted.lower()
    for extracted in run.fields:
        if extracted.name.lower() == lowered:
            return extracted.name
        for part in extracted.parts:
            if part.path.lower() == lowered:
                return part.path
    found, _ = match_fields(run, [wanted])
    names = ", ".join(f.name for f in run.fields[:20]) or "none"
    if not found:
        raise ToolError(f"Run {run.id} has no field like {wanted!r}; its fields are: {names}.")
    if len(found) > 1:
        listed = ", ".join(f.name for f in found)
        raise ToolError(
            f"{wanted!r} could be any of these fields of run {run.id}: {listed}. "
            "Call show_citation again with one of them."
        )
    return found[0].name


def image_artifact(output: CitationOutput) -> dict[str, Any]:
    """The LangChain artifact of ``show_citation``: the images (base64 PNG) and what they show.

    Plain JSON so a checkpointer can store it; each image is a standard LangChain
    image content block (``type``, ``base64``, ``mime_type``) with its alt text,
    file name, page and size beside it.
    """
    images = output.images
    return {
        "run_id": images.run_id,
        "field": images.field,
        "value": images.value_text,
        "before_review": images.pre_review,
        "whole_page": images.whole_page,
        "text": output.text,
        "images": [
            {
                "type": "image",
                "base64": base64.b64encode(image.png).decode("ascii"),
                "mime_type": IMAGE_MIME_TYPE,
                "alt_text": image.alt_text,
                "filename": image.filename,
                "file_id": image.file_id,
                "page": image.page,
                "width": image.width,
                "height": image.height,
            }
            for image in images.images
        ],
    }


@dataclass(frozen=True)
class ShownImage:
    """One image read back from a ``show_citation`` artifact, ready to upload or write."""

    png: bytes
    alt_text: str
    filename: str
    run_id: str
    field: str
    page: int


def shown_images(output: CitationOutput) -> list[ShownImage]:
    """``output``'s images, ready to upload or write."""
    images = output.images
    return [
        ShownImage(
            image.png, image.alt_text, image.filename, images.run_id, images.field, image.page
        )
        for image in images.images
    ]


def images_in_artifact(artifact: Any) -> list[ShownImage]:
    """The images of a ``show_citation`` artifact (``image_artifact``); [] for anything else."""
    if not isinstance(artifact, dict) or not isinstance(artifact.get("images"), list):
        return []
    shown = []
    for block in artifact["images"]:
        if not isinstance(block, dict) or block.get("mime_type") != IMAGE_MIME_TYPE:
            continue
        try:
            png = base64.b64decode(str(block.get("base64") or ""), validate=True)
        except ValueError:
            continue
        if not png.startswith(b"\x89PNG"):
            continue
        shown.append(
            ShownImage(
                png=png,
                alt_text=str(block.get("alt_text") or ""),
                filename=str(block.get("filename") or "citation.png"),
                run_id=str(artifact.get("run_id") or ""),
                field=str(artifact.get("field") or ""),
                page=block["page"] if isinstance(block.get("page"), int) else 0,
            )
        )
    return shown


def _value_text(run: Run, name: str, before_review: bool) -> str | None:
    extracted = run.field(name)
    if extracted is None:
        return None  # a nested path: citation_image renders the part's value itself
    value = extracted.initial_value if before_review and extracted.edited else extracted.value
    if isinstance(value, str):  # document text: quoted, so it reads as data
        return quote(value, limit=VALUE_QUOTE_LIMIT)
    return format_value(value)
