"""``citation_image``: the crop shows the cited text, the box sits where the polygon says."""

from __future__ import annotations

import copy
import io
from collections.abc import Callable
from typing import Any

import pypdfium2 as pdfium
import pytest
from PIL import Image

from extend_emulator import EmulatorServer
from tests.conftest import EMULATOR_KEY
from tools.client.clients import AsyncExtendClient, ExtendClient
from tools.images.citation_image import CitationImage, acitation_image, citation_image
from tools.images.errors import (
    CitationBoxError,
    DocumentUnavailableError,
    NoCitationError,
    UnreadableDocumentError,
)
from tools.images.image_cache import ImageCache
from tools.images.page_render import MCP, PDFIUM_LOCK
from tools.runs.models import Citation, Run
from tools.runs.normalize import parse_run


def outline_box(image: CitationImage) -> tuple[float, float, float, float]:
    """The drawn outline's extent, mapped back to page points."""
    picture = Image.open(io.BytesIO(image.png)).convert("RGB")
    width, height = picture.size
    pixels = picture.load()
    assert pixels is not None
    hits = [
        (x, y)
        for y in range(height)
        for x in range(width)
        if (p := pixels[x, y])[0] > 170 and p[1] < 130 and p[2] < 90  # type: ignore[index]
    ]
    assert hits, "no highlight outline drawn"
    xs, ys = [x for x, _ in hits], [y for _, y in hits]
    ox, oy = image.origin
    return (
        ox + min(xs) / image.scale,
        oy + min(ys) / image.scale,
        ox + (max(xs) + 1) / image.scale,
        oy + (max(ys) + 1) / image.scale,
    )


def polygon_box(citation: Citation) -> tuple[float, float, float, float]:
    xs = [p.x for p in citation.polygon]
    ys = [p.y for p in citation.polygon]
    return (min(xs), min(ys), max(xs), max(ys))


def assert_box_drawn_at(image: CitationImage, citation: Citation) -> None:
    """The outline hugs the polygon: around it, never more than a few points away."""
    drawn, cited = outline_box(image), polygon_box(citation)
    slack = (max(2, round(image.scale * 0.6)) * 2 + 3) / image.scale + 0.5
    assert drawn[0] <= cited[0] + 0.5 and drawn[1] <= cited[1] + 0.5
    assert drawn[2] >= cited[2] - 0.5 and drawn[3] >= cited[3] - 0.5
    assert cited[0] - drawn[0] <= slack and cited[1] - drawn[1] <= slack
    assert drawn[2] - cited[2] <= slack and drawn[3] - cited[3] <= slack


def ink_inside(image: CitationImage, citation: Citation) -> float:
    """Share of dark (text) pixels inside the cited box in the image."""
    picture = Image.open(io.BytesIO(image.png)).convert("L")
    left, top, right, bottom = polygon_box(citation)
    ox, oy = image.origin
    region = picture.crop(
        (
            round((left - ox) * image.scale),
            round((top - oy) * image.scale),
            round((right - ox) * image.scale),
            round((bottom - oy) * image.scale),
        )
    )
    histogram = region.histogram()
    return sum(histogram[:150]) / max(1, sum(histogram))


@pytest.mark.parametrize("version", ["2024-12-23", "2026-02-09"])
def test_seed_total_crop_shows_the_cited_text_in_the_box(
    emulator: EmulatorServer, version: str, tmp_path: Any
) -> None:
    with ExtendClient(EMULATOR_KEY, base_url=emulator.url, api_version=version) as client:
        run = client.get_run("workflow_run_1234")
        images = citation_image(run, "amount", client, cache=ImageCache(tmp_path))
        document = client.download_file("file_1234").content
    total = run.field("amount")
    assert total is not None
    citation = total.citations[0]
    left, top, right, bottom = polygon_box(citation)
    with PDFIUM_LOCK:  # pdfium is not thread-safe: one caller at a time, closed here
        pdf = pdfium.PdfDocument(document)
        try:
            page = pdf[citation.page - 1]
            _, height = page.get_size()
            text = page.get_textpage().get_text_bounded(left, height - bottom, right, height - top)
        finally:
            pdf.close()  # closes the page and text page too, in this thread
    assert citation.reference_text is not None
    assert text.split() == citation.reference_text.split()  # pdfium folds the double space

    (image,) = images.images
    assert image.page == 1 and image.file_name == "example_file_name.pdf"
    assert_box_drawn_at(image, citation)
    assert ink_inside(image, citation) > 0.03
    assert image.width <= 960 and image.height <= 720 and len(image.png) < 200_000
    assert "amount" in image.alt_text and "page 1" in image.alt_text
    assert "TOTAL  $15,735.1" in image.alt_text
    assert images.text.startswith("amount (value 15,735.10 USD) is highlighted on page 1")


def test_whole_page_thumbnail_draws_the_box_in_place(client: ExtendClient) -> None:
    run = client.get_run("workflow_run_1234")
    images = citation_image(run, "invoice_number", client, whole_page=True, size=MCP)
    (image,) = images.images
    assert image.origin == (0.0, 0.0)
    assert image.height == 768 and abs(image.width - 612 * 768 / 792) <= 1
    field = run.field("invoice_number")
    assert field is not None
    assert_box_drawn_at(image, field.citations[0])


def test_several_citations_on_several_pages(client: ExtendClient) -> None:
    run = client.get_run("workflow_run_invoice_multipage")
    images = citation_image(run, "line_items", client, value_text="4 items")
    field = run.field("line_items")
    assert field is not None and len(field.citations) == 2
    assert [i.page for i in images.images] == [1, 2]
    for image, citation in zip(images.images, field.citations, strict=True):
        assert_box_drawn_at(image, citation)
        assert ink_inside(image, citation) > 0.01
    assert "pages 1 and 2 of “Northwind_Traders_INV-2024-0831.pdf”" in images.text
    second = citation_image(run, "line_items", client, citation=2)
    assert [i.page for i in second.images] == [2]
    part = citation_image(run, "line_items[2].amount", client)
    assert part.images[0].page == 2 and part.value_text == "385.0"
    with pytest.raises(NoCitationError, match="1 to 2"):
        citation_image(run, "line_items", client, citation=3)


def test_pre_review_citation_when_a_reviewer_changed_the_value(client: ExtendClient) -> None:
    run = client.get_run("workflow_run_reviewed_corrections")
    field = run.field("total")
    assert field is not None and field.edited and field.initial_citations
    final = citation_image(run, "total", client)
    before = citation_image(run, "total", client, pre_review=True)
    assert_box_drawn_at(final.images[0], field.citations[0])
    assert_box_drawn_at(before.images[0], field.initial_citations[0])
    assert outline_box(final.images[0])[1] > outline_box(before.images[0])[3]
    assert "A reviewer changed it from 1,240.00 USD" in final.text
    assert before.pre_review and "before review 1,240.00 USD" in before.text
    assert "before review" in before.images[0].alt_text


def test_image_document(client: ExtendClient) -> None:
    run = client.get_run("workflow_run_receipt_scan")
    images = citation_image(run, "total", client)
    (image,) = images.images
    field = run.field("total")
    assert field is not None
    assert image.file_name == "receipt_harbor_hardware_2024-09-21.jpg"
    assert_box_drawn_at(image, field.citations[0])
    assert ink_inside(image, field.citations[0]) > 0.03
    page = citation_image(run, "total", client, whole_page=True).images[0]
    assert page.height <= 720 and len(page.png) < 200_000
    assert_box_drawn_at(page, field.citations[0])


def test_cache_hit_needs_no_download(
    emulator: EmulatorServer, client: ExtendClient, tmp_path: Any
) -> None:
    cache = ImageCache(tmp_path / "cache")
    run = client.get_run("workflow_run_1234")
    first = citation_image(run, "amount", client, cache=cache)
    emulator.app.log.clear()
    again = citation_image(run, "amount", client, cache=cache)
    assert not first.images[0].cached and again.images[0].cached
    assert again.images[0].png == first.images[0].png
    assert again.images[0].origin == first.images[0].origin
    assert emulator.app.log.entries() == []
    page = citation_image(run, "amount", client, cache=cache, whole_page=True)
    assert not page.images[0].cached  # another view is another entry


def _run_with(client: ExtendClient, change: Callable[[dict[str, Any]], None]) -> Run:
    raw = copy.deepcopy(client.get_run("workflow_run_1234").raw)
    change(raw)
    return parse_run({"success": True, "workflowRun": raw})


def _amount_citation(raw: dict[str, Any]) -> dict[str, Any]:
    citation: dict[str, Any] = raw["outputs"][0]["output"]["metadata"]["amount"]["citations"][0]
    return citation


def test_missing_file_is_a_clear_message(client: ExtendClient) -> None:
    def gone(raw: dict[str, Any]) -> None:
        raw["files"] = [{"id": "file_gone", "name": "gone.pdf"}]

    with pytest.raises(DocumentUnavailableError) as caught:
        citation_image(_run_with(client, gone), "amount", client)
    assert "file_gone" in str(caught.value) and "404" in str(caught.value)


@pytest.mark.parametrize(
    ("polygon", "problem"),
    [
        ([], "has no box"),
        ([{"x": 10, "y": 10}, {"x": 50, "y": 10}], "only 2 point"),
        ([{"x": 10, "y": 10}, {"x": 50, "y": 10}, {"x": 50, "y": 10.1}], "no area"),
    ],
)
def test_missing_or_degenerate_polygon(
    client: ExtendClient, polygon: list[dict[str, float]], problem: str
) -> None:
    def bad(raw: dict[str, Any]) -> None:
        _amount_citation(raw)["polygon"] = polygon

    run = _run_with(client, bad)
    with pytest.raises(CitationBoxError) as caught:
        citation_image(run, "amount", client)
    assert problem in str(caught.value) and "whole page" in str(caught.value)
    page = citation_image(run, "amount", client, whole_page=True)  # the page can still be shown
    assert page.images[0].page == 1


def test_page_beyond_the_document(client: ExtendClient) -> None:
    def far(raw: dict[str, Any]) -> None:
        _amount_citation(raw)["page"] = 7

    with pytest.raises(CitationBoxError, match=r"page 7.*has 1 page"):
        citation_image(_run_with(client, far), "amount", client)


def test_unreadable_document(client: ExtendClient) -> None:
    def damaged(raw: dict[str, Any]) -> None:
        raw["files"] = [{"id": "file_scan_0918_corrupt", "name": "scan_0918_corrupt.pdf"}]

    with pytest.raises(UnreadableDocumentError, match="could not be read as a PDF"):
        citation_image(_run_with(client, damaged), "amount", client)


def test_unknown_field_and_field_without_citations(client: ExtendClient) -> None:
    run = client.get_run("workflow_run_1234")
    with pytest.raises(NoCitationError, match="amount, invoice_number"):
        citation_image(run, "vendor", client)

    def uncited(raw: dict[str, Any]) -> None:
        raw["outputs"][0]["output"]["metadata"]["amount"]["citations"] = []
        raw["outputs"][0]["initialOutput"]["metadata"]["amount"]["citations"] = []

    with pytest.raises(NoCitationError, match="no citations"):
        citation_image(_run_with(client, uncited), "amount", client)


async def test_async_client(emulator: EmulatorServer) -> None:
    async with AsyncExtendClient(EMULATOR_KEY, base_url=emulator.url) as client:
        run = await client.get_run("workflow_run_1234")
        images = await acitation_image(run, "amount", client)
    field = run.field("amount")
    assert field is not None
    assert_box_drawn_at(images.images[0], field.citations[0])
