"""The emulator's documents and ``GET /files/{id}``: the cited text sits in the cited boxes."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import httpx
import pypdfium2 as pdfium
import pytest
from PIL import Image

from extend_emulator import SAMPLE_RUN_IDS, EmulatorServer
from extend_emulator.samples import load_samples
from tests.conftest import EMULATOR_KEY
from tools.images.page_render import PDFIUM_LOCK

LEGACY, CURRENT = "2024-12-23", "2026-02-09"


@pytest.fixture
def http(emulator: EmulatorServer) -> Iterator[httpx.Client]:
    headers = {"Authorization": f"Bearer {EMULATOR_KEY}"}
    with httpx.Client(base_url=emulator.url, headers=headers) as client:
        yield client


def get_file(http: httpx.Client, file_id: str, version: str) -> dict[str, Any]:
    response = http.get(f"/files/{file_id}", headers={"x-extend-api-version": version})
    assert response.status_code == 200, response.text
    body = response.json()
    if version == LEGACY:
        assert set(body) == {"success", "file"} and body["success"] is True
        return body["file"]
    return body


def sample_citations() -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(run id, file id, citation) for every citation of every sample's outputs."""
    for run in load_samples():
        default_file = run["files"][0]["id"] if run["files"] else None
        for step in run["steps"]:
            for key in ("output", "reviewedOutput", "initialOutput"):
                output = step.get(key)
                if not isinstance(output, dict) or not isinstance(output.get("metadata"), dict):
                    continue
                for entry in output["metadata"].values():
                    for citation in (entry or {}).get("citations") or []:
                        yield run["id"], citation.get("fileId") or default_file, citation


def text_in_box(pdf: pdfium.PdfDocument, citation: dict[str, Any]) -> str:
    page = pdf[citation["page"] - 1]
    _, height = page.get_size()
    xs = [p["x"] for p in citation["polygon"]]
    ys = [p["y"] for p in citation["polygon"]]
    text = page.get_textpage().get_text_bounded(
        min(xs), height - max(ys), max(xs), height - min(ys)
    )
    return " ".join(text.split())


@pytest.mark.parametrize("version", [LEGACY, CURRENT])
def test_file_object_in_both_versions(http: httpx.Client, version: str) -> None:
    file = get_file(http, "file_nw_inv_2024_0831", version)
    assert file["object"] == "file" and file["id"] == "file_nw_inv_2024_0831"
    assert file["name"] == "Northwind_Traders_INV-2024-0831.pdf" and file["type"] == "PDF"
    assert file["metadata"]["pageCount"] == 3
    assert [p["pageNumber"] for p in file["contents"]["pages"]] == [1, 2, 3]
    assert {(p["pageWidth"], p["pageHeight"]) for p in file["contents"]["pages"]} == {
        (595.28, 841.89)
    }
    assert file["presignedUrl"].startswith("http://")


def test_every_sample_citation_text_is_printed_inside_its_polygon(http: httpx.Client) -> None:
    documents: dict[str, pdfium.PdfDocument] = {}
    checked = 0
    # pdfium is not thread-safe: hold the product's lock, and close every document here
    # rather than leave it to a finalizer that may run in another thread.
    with PDFIUM_LOCK:
        try:
            for _run_id, file_id, citation in sample_citations():
                file = get_file(http, file_id, CURRENT)
                if file["type"] != "PDF":
                    continue
                if file_id not in documents:
                    content = httpx.get(file["presignedUrl"]).content
                    documents[file_id] = pdfium.PdfDocument(content)
                pdf = documents[file_id]
                pages = file["contents"]["pages"]
                size = next(p for p in pages if p["pageNumber"] == citation["page"])
                assert pdf[citation["page"] - 1].get_size() == pytest.approx(
                    (
                        citation.get("pageWidth", size["pageWidth"]),
                        citation.get("pageHeight", size["pageHeight"]),
                    ),
                    abs=0.01,
                )
                if "..." in citation["referenceText"]:
                    continue  # the sample abbreviates this text; its boxes' texts are checked
                assert text_in_box(pdf, citation) == " ".join(citation["referenceText"].split())
                checked += 1
        finally:
            for pdf in documents.values():
                pdf.close()
    assert checked >= 50


def test_documents_are_generated_for_every_file_of_every_sample(http: httpx.Client) -> None:
    runs = {run["id"]: run for run in load_samples()}
    assert set(runs) == set(SAMPLE_RUN_IDS)
    for run in runs.values():
        for file in run["files"]:
            body = get_file(http, file["id"], LEGACY)
            assert body["name"] == file["name"]
            assert httpx.get(body["presignedUrl"]).status_code == 200


def test_documents_are_deterministic() -> None:
    contents = []
    for _ in range(2):
        with EmulatorServer(host="127.0.0.1", port=0) as server:
            file = httpx.get(f"{server.url}/files/file_1234").json()["file"]
            contents.append(httpx.get(file["presignedUrl"]).content)
    assert contents[0] == contents[1] and contents[0].startswith(b"%PDF")


def test_image_document_is_a_scan_sized_to_its_page(http: httpx.Client) -> None:
    file = get_file(http, "file_receipt_scan_0921", CURRENT)
    assert file["type"] == "IMG" and file["name"].endswith(".jpg")
    response = httpx.get(file["presignedUrl"])
    assert response.headers["content-type"] == "image/jpeg"
    image = Image.open(io.BytesIO(response.content))
    page = file["contents"]["pages"][0]
    dpi = image.info["dpi"][0]
    assert image.size == (round(page["pageWidth"] * dpi / 72), round(page["pageHeight"] * dpi / 72))


def test_the_failed_runs_file_is_served_damaged(http: httpx.Client) -> None:
    file = get_file(http, "file_scan_0918_corrupt", CURRENT)
    content = httpx.get(file["presignedUrl"]).content
    with PDFIUM_LOCK, pytest.raises(pdfium.PdfiumError):
        pdfium.PdfDocument(content)


def _with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query.update(changes)
    return urlunsplit(parts._replace(query=urlencode(query)))


def test_expired_and_tampered_links_are_refused(
    emulator: EmulatorServer, http: httpx.Client
) -> None:
    url = get_file(http, "file_1234", CURRENT)["presignedUrl"]
    expires = parse_qs(urlsplit(url).query)["expires"][0]
    tampered = _with_query(url, expires=str(int(expires) + 3600))
    response = httpx.get(tampered)
    assert response.status_code == 403 and b"AccessDenied" in response.content
    emulator.app.files.url_ttl_s = -5
    expired = get_file(http, "file_1234", CURRENT)["presignedUrl"]
    response = httpx.get(expired)
    assert response.status_code == 403 and b"expired" in response.content
    assert httpx.get(re.sub(r"\?.*$", "", url)).status_code == 403  # no signature at all


def test_file_reads_need_the_key_and_an_existing_file(emulator: EmulatorServer) -> None:
    response = httpx.get(f"{emulator.url}/files/file_1234")
    assert response.status_code == 401
    response = httpx.get(
        f"{emulator.url}/v1/files/file_nope", headers={"Authorization": f"Bearer {EMULATOR_KEY}"}
    )
    assert response.status_code == 404 and "file_nope" in response.json()["message"]


def test_faults_apply_to_downloads(emulator: EmulatorServer, http: httpx.Client) -> None:
    url = get_file(http, "file_1234", CURRENT)["presignedUrl"]
    emulator.app.faults.add_from_dict(
        {"kind": "error", "status": 503, "count": 1, "path_contains": "/_files/"}
    )
    assert httpx.get(url).status_code == 503
    assert httpx.get(url).status_code == 200
    statuses = [e["status"] for e in emulator.app.log.entries() if e["path"].startswith("/_files/")]
    assert statuses == [503, 200]
