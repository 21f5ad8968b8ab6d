"""``get_file``/``download_file``: both versions, expired links fetched again once, same caps."""

from __future__ import annotations

import logging

import pytest

from extend_emulator import EmulatorServer
from tests.conftest import EMULATOR_KEY, no_sleep
from tools.client.clients import AsyncExtendClient, ExtendClient
from tools.client.errors import (
    NotFoundError,
    PermissionDeniedError,
    ResponseTooLargeError,
    ValidationError,
)
from tools.client.files import FileInfo


def _paths(emulator: EmulatorServer) -> list[tuple[str, int]]:
    return [(e["path"], e["status"]) for e in emulator.app.log.entries()]


@pytest.mark.parametrize("version", ["2024-12-23", "2026-02-09"])
def test_get_file_reads_name_type_pages_and_sizes(emulator: EmulatorServer, version: str) -> None:
    with ExtendClient(EMULATOR_KEY, base_url=emulator.url, api_version=version) as client:
        info = client.get_file("file_nw_inv_2024_0831")
    assert info.id == "file_nw_inv_2024_0831" and info.type == "PDF"
    assert info.name == "Northwind_Traders_INV-2024-0831.pdf"
    assert info.page_count == 3 and info.page_size(2) == (595.28, 841.89)
    assert info.page_size(4) is None and not info.is_image
    assert info.presigned_url and info.presigned_url not in repr(info)


def test_download_uses_the_link_without_the_api_key(
    emulator: EmulatorServer, client: ExtendClient
) -> None:
    content = client.download_file("file_1234")
    assert content.content.startswith(b"%PDF") and content.media_type == "application/pdf"
    assert content.file.name == "example_file_name.pdf"
    assert "%PDF" not in repr(content)
    download = [e for e in emulator.app.log.entries() if e["path"].startswith("/_files/")]
    assert len(download) == 1 and "authorization" not in download[0]["headers"]
    assert "x-extend-api-version" not in download[0]["headers"]


def test_an_expired_link_is_fetched_again_once(
    emulator: EmulatorServer, client: ExtendClient
) -> None:
    emulator.app.files.url_ttl_s = -1
    stale = client.get_file("file_1234")
    emulator.app.files.url_ttl_s = 900
    emulator.app.log.clear()
    content = client.download_file(stale)
    assert content.content.startswith(b"%PDF")
    assert content.file.presigned_url != stale.presigned_url
    assert _paths(emulator) == [
        ("/_files/file_1234/content", 403),
        ("/files/file_1234", 200),
        ("/_files/file_1234/content", 200),
    ]


def test_a_link_refused_twice_is_a_clear_error(
    emulator: EmulatorServer, client: ExtendClient
) -> None:
    emulator.app.files.url_ttl_s = -1
    with pytest.raises(PermissionDeniedError) as caught:
        client.download_file("file_1234")
    assert "refused twice" in str(caught.value) and "fresh" in str(caught.value)
    assert "signature" not in str(caught.value) and "http" not in str(caught.value)
    downloads = [p for p in _paths(emulator) if p[0].startswith("/_files/")]
    assert downloads == [("/_files/file_1234/content", 403)] * 2


def test_download_is_retried_like_any_call(emulator: EmulatorServer, client: ExtendClient) -> None:
    emulator.app.faults.add_from_dict(
        {"kind": "error", "status": 502, "count": 2, "path_contains": "/_files/"}
    )
    assert client.download_file("file_1234").content.startswith(b"%PDF")
    downloads = [p[1] for p in _paths(emulator) if p[0].startswith("/_files/")]
    assert downloads == [502, 502, 200]


def test_download_respects_the_size_cap(emulator: EmulatorServer) -> None:
    with (
        ExtendClient(
            EMULATOR_KEY, base_url=emulator.url, max_response_bytes=4000, sleep=no_sleep
        ) as client,
        pytest.raises(ResponseTooLargeError) as caught,
    ):
        client.download_file("file_1234")
    assert "4,000 bytes" in str(caught.value)


def test_missing_file_and_bad_ids(emulator: EmulatorServer, client: ExtendClient) -> None:
    with pytest.raises(NotFoundError) as caught:
        client.get_file("file_does_not_exist")
    assert "file_does_not_exist" in str(caught.value)
    emulator.app.log.clear()
    for bad in ("", "  ", "../workflow_runs/x", "file 1", "x" * 300):
        with pytest.raises(ValidationError):
            client.get_file(bad)
    assert emulator.app.log.entries() == []


def test_signed_links_stay_out_of_the_http_log(
    client: ExtendClient, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="httpx"):
        info = client.get_file("file_1234")
        client.download_file(info)
    assert info.presigned_url is not None
    signature = info.presigned_url.split("signature=")[1]
    assert "/_files/file_1234/content" in caplog.text
    assert signature not in caplog.text


async def test_async_client_downloads_and_refreshes(emulator: EmulatorServer) -> None:
    async def instant(_seconds: float) -> None:
        return None

    async with AsyncExtendClient(
        EMULATOR_KEY, base_url=emulator.url, api_version="2026-02-09", sleep=instant
    ) as client:
        emulator.app.files.url_ttl_s = -1
        stale = await client.get_file("file_receipt_scan_0921")
        emulator.app.files.url_ttl_s = 900
        content = await client.download_file(stale)
    assert isinstance(content.file, FileInfo) and content.file.is_image
    assert content.content[:3] == b"\xff\xd8\xff"
    downloads = [p[1] for p in _paths(emulator) if p[0].startswith("/_files/")]
    assert downloads == [403, 200]
