"""``find_runs`` and reference resolution over HTTP against the emulator (with 500 generated
runs where scale matters): every resolution rule, the search's bounds, the compact table."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from extend_emulator import EmulatorServer
from extend_emulator.samples import SAMPLES_DIR
from tests.conftest import EMULATOR_KEY, no_sleep
from tools.client.clients import ExtendClient
from tools.faces.find_runs import MAX_LINES
from tools.faces.run_reference import dashboard_run_id
from tools.faces.run_tools import RunTools
from tools.faces.tool_errors import ToolError


@pytest.fixture(scope="module")
def big() -> Iterator[EmulatorServer]:
    """500 generated runs beside the 14 samples; read-only tests share it."""
    with EmulatorServer(api_key=EMULATOR_KEY, generate=500) as server:
        yield server


@pytest.fixture(params=["2024-12-23", "2026-02-09"])
def tools(big: EmulatorServer, request: pytest.FixtureRequest) -> Iterator[RunTools]:
    with ExtendClient(
        EMULATOR_KEY, base_url=big.url, api_version=request.param, sleep=no_sleep
    ) as client:
        yield RunTools(client)


def _generated_vendor_runs(big: EmulatorServer, vendor: str) -> list[str]:
    runs = sorted(big.app.generated, key=lambda r: r["updatedAt"], reverse=True)
    return [
        r["id"]
        for r in runs
        if any(
            (s.get("output") or {}).get("value", {}).get("vendor_name") == vendor
            for s in r["steps"]
        )
    ]


def test_full_id_and_every_dashboard_link_form(tools: RunTools, big: EmulatorServer) -> None:
    big.clear_requests()
    forms = [
        "workflow_run_split",
        "https://dashboard.extend.ai/workflows/workflow_run_split",
        "https://dashboard.extend.ai/workflows/workflow_ap/runs/workflow_run_split?tab=output",
        "https://app.extend.ai/workflow-runs/workflow_run_split#fields",
        "https://dashboard.eu1.extend.ai/workflows/workflow_run_split/",
        "http://dashboard.us2.extend.app/runs?runId=workflow_run_split",
        "<https://dashboard.extend.ai/workflows/workflow_run_split|the split run>",
        "`https://dashboard.extend.ai/workflows/workflow_run_split`",
    ]
    for form in forms:
        found = tools.resolve_run(form)
        assert (found.outcome, found.run_id) == ("run", "workflow_run_split"), form
    assert big.requests == []  # an id or a link costs no request to resolve


@pytest.mark.parametrize(
    ("reference", "wording"),
    [
        ("../x", "file path"),
        ("/etc/passwd", "file path"),
        ("https://example.com/workflow_run_1234", "not to Extend"),
        ("https://dashboard.extend.ai/settings", "names no workflow run"),
        ("workflow_run_12/34", "not a valid run id"),
        ("   ", "empty"),
    ],
)
def test_invalid_references_are_reported_never_replaced(
    tools: RunTools, reference: str, wording: str
) -> None:
    found = tools.resolve_run(reference)
    assert found.outcome == "invalid" and found.run_id is None
    assert wording in found.message and "not a valid run reference" in found.message


def test_a_unique_id_suffix_is_the_run_even_on_the_last_page(
    tools: RunTools, big: EmulatorServer
) -> None:
    big.clear_requests()
    found = tools.resolve_run("1234")  # the seed is the oldest run: past the first 5 pages
    assert (found.outcome, found.run_id) == ("run", "workflow_run_1234")
    assert len([e for e in big.requests if e["path"] == "/workflow_runs"]) == 6


def test_an_id_suffix_two_runs_share_is_a_collision_with_candidates(tmp_path: Path) -> None:
    sample = json.loads((SAMPLES_DIR / "workflow_run_split.json").read_text(encoding="utf-8"))
    for run_id in ("workflow_run_a7781", "workflow_run_b7781"):
        (tmp_path / f"{run_id}.json").write_text(json.dumps({**sample, "id": run_id}))
    with (
        EmulatorServer(api_key=EMULATOR_KEY, fixtures_dir=tmp_path) as emulator,
        ExtendClient(EMULATOR_KEY, base_url=emulator.url) as client,
    ):
        found = RunTools(client).resolve_run("7781")
    assert found.outcome == "ambiguous" and found.total == 2 and found.run_id is None
    assert {m.item.id for m in found.candidates} == {"workflow_run_a7781", "workflow_run_b7781"}
    assert "2 runs match" in found.message and "workflow_run_a7781" in found.message


@pytest.mark.parametrize(
    ("reference", "run_id"),
    [
        ("Bluebird fax", "workflow_run_needs_review"),  # run name / file name and vendor
        ("fax_20240918_0745_bluebird.pdf", "workflow_run_needs_review"),  # a file name
        ("Northwind", "workflow_run_invoice_multipage"),
        ("INV-58213", "workflow_run_reviewed_corrections"),  # an invoice number
        ("BL-44017", "workflow_run_needs_review"),  # only in the extracted fields
        ("Contoso invoice", "workflow_run_injection"),
    ],
)
def test_names_files_vendors_and_invoice_numbers_resolve(
    tools: RunTools, big: EmulatorServer, reference: str, run_id: str
) -> None:
    big.clear_requests()
    found = tools.resolve_run(reference)
    assert (found.outcome, found.run_id) == ("run", run_id), found.message
    lists = [e for e in big.requests if e["path"] == "/workflow_runs"]
    reads = [e for e in big.requests if e["path"] != "/workflow_runs"]
    assert len(lists) == 1 and len(reads) <= 50  # one page plus the bounded field reads


def test_a_vendor_with_many_runs_asks_with_five_candidates(
    tools: RunTools, big: EmulatorServer
) -> None:
    found = tools.resolve_run("Pinnacle")
    assert found.outcome == "ambiguous" and found.run_id is None
    assert len(found.candidates) == 5 and found.total >= 5
    lines = found.message.splitlines()
    assert lines[0] == (
        f'{found.total} runs match "Pinnacle" among the 100 most recent runs; '
        "which one do you mean?"
    )
    assert len(lines) == 6 + (found.total > 5)
    assert all(" · " in line and "Pinnacle" in line for line in lines[1:6])


def test_no_match_says_so_and_what_was_searched(tools: RunTools) -> None:
    found = tools.resolve_run("Wayne Enterprises")
    assert found.outcome == "none"
    assert found.message.startswith('No run matches "Wayne Enterprises".')
    assert "names and file names of the 500 most recent runs" in found.message
    assert "extracted fields" in found.message


def test_find_by_status_is_a_compact_table_with_the_count(tools: RunTools) -> None:
    found = tools.find_runs(status="needs review")
    lines = found.text.splitlines()
    assert lines[0].startswith(f"{len(found.matches)} runs match status NEEDS_REVIEW")
    assert len(found.matches) > MAX_LINES
    assert len([line for line in lines if line.startswith("- ")]) == MAX_LINES
    assert (
        lines[MAX_LINES + 1]
        == f"and {len(found.matches) - MAX_LINES} more (narrow the search to see them)."
    )
    assert all(m.item.status == "NEEDS_REVIEW" for m in found.matches)
    assert "Looked at" in lines[-1]
    assert "LOW CONFIDENCE" not in found.text and "page 1" not in found.text  # no summaries


def test_in_progress_failed_and_windows(tools: RunTools) -> None:
    running = tools.find_runs(status="IN_PROGRESS")
    assert {m.item.status for m in running.matches} <= {"PENDING", "PROCESSING", "CANCELLING"}
    assert "workflow_run_processing" in {m.item.id for m in running.matches}
    recent = tools.find_runs(created_after="2024-09-18", created_before="2024-09-21")
    assert {m.item.id for m in recent.matches} == {
        "workflow_run_needs_review",
        "workflow_run_failed",
        "workflow_run_processing",
        "workflow_run_injection",
    }
    failed = tools.find_runs(status="FAILED", workflow="AP Invoice")
    assert failed.matches and all(m.item.status == "FAILED" for m in failed.matches)


def test_vendor_search_reads_fields_of_recent_runs_only(
    tools: RunTools, big: EmulatorServer
) -> None:
    expected = _generated_vendor_runs(big, "Cobalt Cloud Services")
    found = tools.find_runs(text="Cobalt Cloud Services")
    ids = [m.item.id for m in found.matches]
    assert ids and set(ids) <= set(expected)
    assert "read the extracted fields of the 50 most recent" in found.text


def test_tags_and_metadata_are_filtered_over_the_runs_read(tools: RunTools) -> None:
    tagged = tools.find_runs(tag="accounts-payable")  # Extend's usage tags count as tags
    assert {m.item.id for m in tagged.matches} >= {
        "workflow_run_failed",
        "workflow_run_invoice_multipage",
    }
    assert "metadata and tags are only known for those" in tagged.text
    keyed = tools.find_runs(metadata_key="vendor_id", metadata_value="V-2210")
    assert [m.item.id for m in keyed.matches] == ["workflow_run_processing"]


@pytest.mark.parametrize(
    ("arguments", "wording"),
    [
        ({"status": "bogus"}, "status must be one of"),
        ({"created_after": "last tuesday"}, "created_after must be a date"),
        ({"metadata_value": "x"}, "metadata_value needs metadata_key"),
        ({"max_pages": 0}, "max_pages must be a whole number"),
    ],
)
def test_bad_find_arguments_are_clear_errors(
    tools: RunTools, arguments: dict[str, Any], wording: str
) -> None:
    with pytest.raises(ToolError, match=wording):
        tools.find_runs(**arguments)


def test_dashboard_run_id_ignores_other_sites() -> None:
    assert dashboard_run_id("https://evil.example/extend.ai/workflow_run_1") is None
    assert dashboard_run_id("https://notextend.ai/workflow_run_1") is None


@pytest.mark.parametrize(
    ("reference", "run_id"),
    [
        ("Acmee invoice", "workflow_run_reviewed_corrections"),  # a letter too many
        ("Blubird fax", "workflow_run_needs_review"),  # a letter missing
        ("Nrothwind", "workflow_run_invoice_multipage"),  # two letters swapped
    ],
)
def test_a_name_one_typo_away_is_offered_never_taken(
    client: ExtendClient, reference: str, run_id: str
) -> None:
    found = RunTools(client).resolve_run(reference)
    assert (found.outcome, found.run_id) == ("none", None)  # a suggestion, not the run
    assert [m.item.id for m in found.candidates] == [run_id]
    assert found.message.startswith(f'No run matches "{reference}". Did you mean this one?')
    assert run_id in found.message


@pytest.mark.parametrize("reference", ["INV-58214", "Acne", "Zeta invoice"])
def test_numbers_short_words_and_strangers_get_no_suggestion(
    client: ExtendClient, reference: str
) -> None:
    """An invoice number one digit off is another invoice; "Acne" is too short to guess."""
    found = RunTools(client).resolve_run(reference)
    assert (found.outcome, found.candidates) == ("none", [])
    assert "Searched the ids, names and file names" in found.message
