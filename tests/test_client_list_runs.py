"""``list_runs``/``iter_runs`` over HTTP against the emulator: both versions, filters, paging,
validation before sending, retries and the error tree, sync and async; and ``--generate``."""

from __future__ import annotations

import pytest

from extend_emulator import EmulatorServer
from extend_emulator.generate import generate_runs
from tests.conftest import EMULATOR_KEY, no_sleep
from tools.client.clients import AsyncExtendClient, ExtendClient
from tools.client.errors import BadRequestError, RateLimitError, ServerError, ValidationError
from tools.client.run_listing import MAX_LIST_PAGES
from tools.runs.listing import parse_run_page

VERSIONS = ("2024-12-23", "2026-02-09")


def _list_requests(emulator: EmulatorServer) -> list[dict[str, object]]:
    return [e for e in emulator.requests if e["path"] == "/workflow_runs"]


@pytest.mark.parametrize("version", VERSIONS)
def test_a_page_is_normalized_in_both_versions(emulator: EmulatorServer, version: str) -> None:
    with ExtendClient(EMULATOR_KEY, base_url=emulator.url, api_version=version) as client:
        page = client.list_runs(status="NEEDS_REVIEW")
    assert [item.id for item in page.items] == ["workflow_run_needs_review"]
    item = page.items[0]
    assert item.status == "NEEDS_REVIEW" and item.workflow.id == "workflow_ap_invoices"
    assert item.workflow.name == "AP Invoice Extraction"
    assert item.file_names == ["fax_20240918_0745_bluebird.pdf"]
    assert item.created_at == "2024-09-18T07:45:12.003Z" and item.reviewed is False
    assert item.metadata is None and page.next_page_token is None
    if version == "2026-02-09":
        assert item.name is None  # 2026-02-09 lists carry no name
        assert item.dashboard_url == "https://dashboard.extend.ai/workflows/" + item.id
    else:
        assert item.name == "Bluebird Logistics fax 2024-09-18"


def test_filters_and_sort_are_sent_as_extend_names_them(
    emulator: EmulatorServer, client: ExtendClient
) -> None:
    page = client.list_runs(
        status="processed",
        workflow_id="workflow_ap_invoices",
        file_name_contains="ACME",
        sort_by="created",
        sort_dir="ASC",
        max_page_size=5,
    )
    assert [item.id for item in page.items] == ["workflow_run_reviewed_corrections"]
    query = _list_requests(emulator)[-1]["query"]
    assert query == {
        "status": "PROCESSED",
        "workflowId": "workflow_ap_invoices",
        "fileNameContains": "ACME",
        "sortBy": "createdAt",
        "sortDir": "asc",
        "maxPageSize": "5",
    }


@pytest.mark.parametrize("version", VERSIONS)
def test_paging_past_the_first_page_and_the_hard_cap(version: str) -> None:
    with (
        EmulatorServer(api_key=EMULATOR_KEY, generate=40) as emulator,
        ExtendClient(EMULATOR_KEY, base_url=emulator.url, api_version=version) as client,
    ):
        first = client.list_runs(max_page_size=20)
        second = client.list_runs(max_page_size=20, page_token=first.next_page_token)
        assert first.next_page_token and len(first.items) == len(second.items) == 20
        assert not {i.id for i in first.items} & {i.id for i in second.items}
        everything = [i.id for i in client.iter_runs(max_page_size=20, max_pages=10)]
        assert len(everything) == len(set(everything)) == 54  # 40 generated + 14 samples
        emulator.clear_requests()
        capped = list(client.iter_runs(max_page_size=5, max_pages=2))
        assert len(capped) == 10 and len(_list_requests(emulator)) == 2
        emulator.clear_requests()
        list(client.iter_runs(max_page_size=1, max_pages=10_000))
        assert len(_list_requests(emulator)) == MAX_LIST_PAGES


@pytest.mark.parametrize(
    ("arguments", "wording"),
    [
        ({"status": "DONE"}, "status must be one of"),
        ({"sort_by": "name"}, "sort_by must be createdAt or updatedAt"),
        ({"sort_dir": "up"}, "sort_dir must be asc or desc"),
        ({"max_page_size": 0}, "max_page_size must be a whole number from 1 to 1000"),
        ({"max_page_size": True}, "max_page_size"),
        ({"workflow_id": "  "}, "workflow_id must not be empty"),
        ({"file_name_contains": "a\x1b[2Jb"}, "control characters"),
        ({"page_token": "has space"}, "page_token is not a page token"),
    ],
)
def test_bad_filters_fail_before_any_request(
    emulator: EmulatorServer, client: ExtendClient, arguments: dict[str, object], wording: str
) -> None:
    with pytest.raises(ValidationError, match=wording):
        client.list_runs(**arguments)  # type: ignore[arg-type]
    assert _list_requests(emulator) == []


def test_a_token_from_other_filters_is_a_bad_request(client: ExtendClient) -> None:
    token = client.list_runs(max_page_size=2).next_page_token
    with pytest.raises(BadRequestError, match="different filters"):
        client.list_runs(max_page_size=2, status="FAILED", page_token=token)


def test_rate_limits_and_server_errors_are_retried_like_reads(
    emulator: EmulatorServer, client: ExtendClient
) -> None:
    emulator.faults.add("rate_limit", count=1, retry_after=0, path_contains="/workflow_runs")
    emulator.faults.add("error", status=503, count=1, path_contains="/workflow_runs")
    assert client.list_runs(max_page_size=3).items
    assert [e["status"] for e in _list_requests(emulator)] == [429, 503, 200]
    emulator.faults.add("error", status=500, count=10, path_contains="/workflow_runs")
    with pytest.raises(ServerError):
        client.list_runs()
    emulator.faults.clear()
    with ExtendClient(
        EMULATOR_KEY, base_url=emulator.url, max_retries=0, sleep=no_sleep
    ) as impatient:
        emulator.faults.add("rate_limit", count=1, retry_after=1, path_contains="/workflow_runs")
        with pytest.raises(RateLimitError):
            impatient.list_runs()


async def test_async_list_and_iterate(emulator: EmulatorServer) -> None:
    async with AsyncExtendClient(
        EMULATOR_KEY, base_url=emulator.url, api_version="2026-02-09"
    ) as client:
        page = await client.list_runs(max_page_size=4, sort_by="createdAt", sort_dir="asc")
        assert page.items[0].id == "workflow_run_1234" and page.next_page_token
        ids = [item.id async for item in client.iter_runs(max_page_size=4, max_pages=2)]
        assert len(ids) == 8
        with pytest.raises(ValidationError):
            await client.list_runs(status="nope")


def test_an_answer_that_is_not_a_list_is_invalid() -> None:
    with pytest.raises(ValueError, match="neither data"):
        parse_run_page({"success": True, "workflowRun": {"id": "x"}}, "2024-12-23")
    page = parse_run_page(
        {"data": [{"id": "workflow_run_a", "status": "BRAND_NEW", "extra": 1}], "object": "list"},
        "2026-02-09",
    )
    assert page.items[0].status == "BRAND_NEW"  # an unknown status stays text


def test_generated_runs_are_seeded_realistic_and_listed() -> None:
    runs = generate_runs(200, seed=3)
    assert runs == generate_runs(200, seed=3) and runs != generate_runs(200, seed=4)
    assert len({run["id"] for run in runs}) == 200
    statuses = {run["status"] for run in runs}
    assert {"PROCESSED", "NEEDS_REVIEW", "FAILED", "PROCESSING"} <= statuses
    assert any(run["metadata"].get("tags") for run in runs)
    assert all(run["createdAt"] < "2024-09-01" for run in runs)  # the samples stay newest
    with (
        EmulatorServer(api_key=EMULATOR_KEY, generate=200, seed=3) as emulator,
        ExtendClient(EMULATOR_KEY, base_url=emulator.url) as client,
    ):
        listed = list(client.iter_runs(max_page_size=100, max_pages=5))
        assert len(listed) == 214
        processed = next(r for r in runs if r["status"] == "PROCESSED")
        run = client.get_run(processed["id"])
        vendor = run.field("vendor_name")
        invoice = run.field("invoice_number")
        assert vendor is not None and invoice is not None and vendor.citations
        assert str(invoice.value).split("-")[0].isupper()
        assert client.get_run("workflow_run_1234").field("amount") is not None
