"""``extend-agent runs cite RUN FIELD -o crop.png``: the cited region of the page, as a PNG.

Registered on the ``runs`` group by ``cli.runs``. ``--page`` writes the whole
page with the box drawn instead; a field cited on several pages writes one file
per page (``crop.png``, ``crop-2.png``, ...). Prints each path written and one
line saying what is highlighted: the value and file name quoted, mentions
neutralized (``agent.safety``), so document text can neither drive the terminal nor
ping anyone when the line is pasted on. ``save_images`` writes the images the agent
drew while answering ``ask "where is the total on the page?"``.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from agent.safety import neutralize_mentions
from cli.friendly_errors import friendly_errors
from tools.client.validation import validate_run_id
from tools.text.quoting import terminal_safe

if TYPE_CHECKING:
    from tools.faces.show_citation import ShownImage


def default_output(run_id: str, field: str, whole_page: bool) -> Path:
    """``<run>-<field>[-page].png`` in the current directory, safe as a file name."""
    stem = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{run_id}-{field}").strip("._") or "citation"
    return Path(f"{stem}{'-page' if whole_page else ''}.png")


def save_images(images: Sequence[ShownImage], directory: Path) -> list[Path]:
    """Write images the agent drew (``AgentReply.images``) as ``<run>-<field>-p<page>.png``.

    Returns the paths written; an image whose name repeats gets ``-2``, ``-3``...
    """
    directory.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for image in images:
        stem = default_output(image.run_id, f"{image.field}-p{image.page}", False).stem
        path = directory / f"{stem}.png"
        number = 2
        while path in written:
            path = directory / f"{stem}-{number}.png"
            number += 1
        path.write_bytes(image.png)
        written.append(path)
    return written


def register(runs: typer.Typer) -> None:
    @runs.command("cite")
    def cite(
        run_id: Annotated[str, typer.Argument(help="The run id, e.g. workflow_run_1234.")],
        field: Annotated[
            str,
            typer.Argument(help="The field, e.g. amount, or a nested path line_items[0].amount."),
        ],
        output: Annotated[
            Path | None,
            typer.Option("-o", "--output", help="PNG to write (default: <run>-<field>.png)."),
        ] = None,
        page: Annotated[
            bool, typer.Option("--page", help="The whole page as a thumbnail, box drawn.")
        ] = False,
        before_review: Annotated[
            bool,
            typer.Option(
                "--before-review", help="Where the value before a reviewer's change was read."
            ),
        ] = False,
        citation: Annotated[
            int | None, typer.Option("--citation", min=1, help="Only this citation (1, 2, ...).")
        ] = None,
        no_cache: Annotated[
            bool, typer.Option("--no-cache", help="Render again even if drawn before.")
        ] = False,
    ) -> None:
        """Write an image of where FIELD was read on the document, highlighted."""
        from agent.extend_connection import open_extend
        from agent.settings import AgentSettings
        from tools.images.citation_image import citation_image
        from tools.images.errors import CitationImageError
        from tools.images.image_cache import ImageCache

        with friendly_errors():
            validate_run_id(run_id)
            settings = AgentSettings()
            cache = None if no_cache else ImageCache(settings.ensure_data_dir() / "citation-images")
            with open_extend(settings) as extend:
                run = extend.client.get_run(run_id)
                try:  # the value is written (quoted, cut) as every citation line writes it
                    images = citation_image(
                        run,
                        field,
                        extend.client,
                        whole_page=page,
                        pre_review=before_review,
                        citation=citation,
                        cache=cache,
                    )
                except CitationImageError as error:
                    print(f"error: {terminal_safe(str(error))}", file=sys.stderr)
                    raise typer.Exit(2) from None
            target = output or default_output(run_id, field, page)
            for path in images.save(target):
                print(path)
        print(neutralize_mentions(images.text), file=sys.stderr)
