"""The summary states what a run's steps decided or could not do, read over HTTP from the emulator.

Each test fetches sample runs with our client from a real local emulator, in both API
versions where the shape exists, and checks that the text a model reads says it:
a failed step's reason and message, a rejection note, which rules and checks failed
and why, the route taken, the extractors a merge step merged, a reviewer's edit
note, the cells of a spreadsheet citation, which file a citation is in when a run
has several, credits used, and steps or outputs this version cannot read. The fact
rule (``tools.text.facts``) holds every summary to these, so dropping a line is
caught as a missing fact.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from extend_emulator import EmulatorServer
from tests.support.sample_runs import fetch_runs, read_served
from tools.runs.models import Run
from tools.text.facts import Fact, missing_facts, states
from tools.text.summary import summarize_run

KEY = "summary-steps-key"
LEGACY = "2024-12-23"
CURRENT = "2026-02-09"
VERSIONS = (LEGACY, CURRENT)
RUN_IDS = (
    "workflow_run_validation",
    "workflow_run_merge_conditional",
    "workflow_run_package",
    "workflow_run_fields_array",
    "workflow_run_failed",
    "workflow_run_1234",
)


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(host="127.0.0.1", port=0, api_key=KEY) as srv:
        yield srv


@pytest.fixture(scope="module")
def runs(server: EmulatorServer) -> dict[tuple[str, str], Run]:
    return fetch_runs(server, KEY, RUN_IDS, VERSIONS)


def without(text: str, marker: str) -> str:
    """``text`` without its lines containing ``marker`` (what a summary lacking them reads)."""
    kept = [line for line in text.splitlines() if marker not in line]
    assert len(kept) < len(text.splitlines()), f"no line has {marker!r}"
    return "\n".join(kept)


# --- step failures ------------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_a_failed_step_says_why(runs: dict[tuple[str, str], Run], version: str) -> None:
    run = runs[(version, "workflow_run_package")]
    summary = summarize_run(run)
    assert (
        'Extraction "Customs Extractor": failed (FAILED_TO_PROCESS_FILE): '
        '"Page 3 is a low-resolution scan; no text could be read."'
    ) in summary
    assert "no fields" not in summary
    missing = missing_facts(run, without(summary, "Customs Extractor"))
    assert Fact("phrase", "FAILED_TO_PROCESS_FILE") in missing
    assert Fact("text", "Page 3 is a low-resolution scan; no text could be read.") in missing


@pytest.mark.parametrize("version", VERSIONS)
def test_a_failed_run_says_why_and_its_failed_step_stays_visible(
    runs: dict[tuple[str, str], Run], version: str
) -> None:
    summary = summarize_run(runs[(version, "workflow_run_failed")])
    assert 'Failed (FAILED_TO_PROCESS_FILE): "The file could not be read:' in summary
    if version == CURRENT:  # the step carries no reason of its own here: its status says it
        assert 'Step "Parse document" (PARSE): status FAILED.' in summary


def served_body(server: EmulatorServer, run_id: str, new_id: str) -> dict[str, Any]:
    """The 2026-02-09 JSON the emulator serves for ``run_id``, given the id ``new_id``."""
    headers = {"x-extend-api-version": CURRENT, "authorization": f"Bearer {KEY}"}
    body: dict[str, Any] = httpx.get(f"{server.url}/workflow_runs/{run_id}", headers=headers).json()
    body["id"] = new_id
    return body


def test_a_failed_parse_step_states_its_own_reason(server: EmulatorServer, tmp_path: Path) -> None:
    body = served_body(server, "workflow_run_failed", "fx_parse_failed")
    parse = body["stepRuns"][0]["result"]["parseRun"]
    parse["failureReason"] = "CORRUPT_FILE"
    parse["failureMessage"] = "Cross-reference table missing."
    run = read_served(body, KEY, CURRENT, tmp_path)
    summary = summarize_run(run)
    assert (
        'Step "Parse document" (PARSE): failed (CORRUPT_FILE): "Cross-reference table missing."'
    ) in summary
    assert missing_facts(run, summary) == []
    assert missing_facts(run, without(summary, "CORRUPT_FILE")) == [
        Fact("phrase", "CORRUPT_FILE"),
        Fact("text", "Cross-reference table missing."),
    ]


# --- rejection, usage ---------------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_a_rejected_run_states_its_rejection_note(
    runs: dict[tuple[str, str], Run], version: str
) -> None:
    run = runs[(version, "workflow_run_validation")]
    note = "Total does not match the line items and the vendor is not in the ERP."
    summary = summarize_run(run)
    assert f"Rejection note: {json.dumps(note)}." in summary
    assert Fact("text", note) in missing_facts(run, without(summary, "Rejection note"))


def test_credits_are_stated_once_per_run_or_per_step(runs: dict[tuple[str, str], Run]) -> None:
    current = summarize_run(runs[(CURRENT, "workflow_run_validation")])
    assert "Usage: 9 credits." in current  # 2026-02-09 reports the run's usage
    assert 'Extraction "Import Invoice Extractor":' in current  # so steps do not repeat it
    legacy = summarize_run(runs[(LEGACY, "workflow_run_validation")])
    assert "Usage:" not in legacy  # 2024-12-23 reports usage per step only
    assert 'Extraction "Import Invoice Extractor", 6 credits:' in legacy
    fields_array = summarize_run(runs[(LEGACY, "workflow_run_fields_array")])
    assert "edited by reviewer, 6.5 credits:" in fields_array
    # the text's own numbers never state a value
    assert not states("Usage: 9 credits.", Fact("number", 9))
    assert not states("2 of 4 rules failed", Fact("number", 4))
    assert not states("2 of 4 rules failed", Fact("number", 2))


# --- validation and routing ---------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_validation_says_which_rules_and_checks_failed_and_why(
    runs: dict[tuple[str, str], Run], version: str
) -> None:
    run = runs[(version, "workflow_run_validation")]
    summary = summarize_run(run)
    assert (
        'Rule validation "Invoice rules": 2 of 4 rules failed: total_matches_line_items '
        '("total 1250.00 != sum(line_items.amount) 1200.00"), vendor_id_present '
        '("vendor_id is null").'
    ) in summary
    assert "invoice_number_present" not in summary  # rules that passed are not listed
    assert (
        'Validation "Duty check": 1 of 2 checks failed: "Import duty is a separate line" '
        '("Import duty is billed as a line item; policy requires it on a customs invoice.").'
    ) in summary
    assert "Currency is USD" not in summary
    assert '"message": "No vendor named Vandelay Industries"' in summary
    if version == CURRENT:  # the endpoint's status is a 2026-02-09 field
        assert 'External validation "ERP vendor lookup": response 404 {' in summary
    missing = missing_facts(run, without(summary, "Rule validation"))
    assert Fact("phrase", "total_matches_line_items") in missing
    assert Fact("text", "vendor_id is null") in missing
    missing = missing_facts(run, without(summary, "Duty check"))
    assert Fact("phrase", "Import duty is a separate line") in missing


@pytest.mark.parametrize("version", VERSIONS)
def test_the_router_says_which_branch_the_run_took(
    runs: dict[tuple[str, str], Run], version: str
) -> None:
    run = runs[(version, "workflow_run_validation")]
    summary = summarize_run(run)
    assert 'Router "Route by checks": took branch "Manual review".' in summary
    assert "At least one check failed." not in summary  # reasoning only when asked
    reasoned = summarize_run(run, include_reasoning=True)
    assert '  "Manual review": "At least one check failed."' in reasoned
    assert '  "Auto-approve": "Rule validation failed."' in reasoned
    assert Fact("text", "Manual review") in missing_facts(run, without(summary, "Router"))


@pytest.mark.parametrize("version", VERSIONS)
def test_a_waiting_step_stays_pending_not_judged(
    runs: dict[tuple[str, str], Run], version: str
) -> None:
    summary = summarize_run(runs[(version, "workflow_run_merge_conditional")])
    assert (
        'Step "Check PO against contract" (RULE_VALIDATION): status WAITING, no result yet.'
    ) in summary
    assert "rules failed" not in summary and "passed" not in summary


# --- merge extraction, edit notes -----------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_a_merge_step_names_the_extractors_it_merged(
    runs: dict[tuple[str, str], Run], version: str
) -> None:
    run = runs[(version, "workflow_run_merge_conditional")]
    summary = summarize_run(run)
    assert '(merged from "PO Header Extractor", "PO Totals Extractor"):' in summary
    missing = missing_facts(run, summary.replace("merged from", "merged"))
    assert missing == []  # the names still stand; dropping them is caught:
    dropped = summary.replace('"PO Header Extractor", ', "")
    assert missing_facts(run, dropped) == [Fact("text", "PO Header Extractor")]


@pytest.mark.parametrize("version", VERSIONS)
def test_a_reviewer_edit_note_is_stated_with_the_change(
    runs: dict[tuple[str, str], Run], version: str
) -> None:
    run = runs[(version, "workflow_run_fields_array")]
    summary = summarize_run(run)
    assert (
        "- total: before: 8,420.50 USD (page 2) -> after: 8,425.50 USD (changed by reviewer, "
        'note "Smudged digit: the paper copy reads 8,425.50.")'
    ) in summary
    dropped = summary.replace(', note "Smudged digit: the paper copy reads 8,425.50."', "")
    assert missing_facts(run, dropped) == [
        Fact("text", "Smudged digit: the paper copy reads 8,425.50.")
    ]


# --- spreadsheet cells, files of a multi-file run ------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_spreadsheet_citations_name_their_cells(
    runs: dict[tuple[str, str], Run], version: str
) -> None:
    run = runs[(version, "workflow_run_package")]
    summary = summarize_run(run)
    assert 'cells "Manifest!B2:B4" "Containers: 3"' in summary
    assert 'cells "Manifest!E6" "18,250"' in summary
    dropped = summary.replace(' cells "Manifest!E6"', "")
    assert missing_facts(run, dropped) == [Fact("text", "Manifest!E6")]


def test_citations_name_their_file_only_when_a_run_has_several(
    runs: dict[tuple[str, str], Run],
) -> None:
    package = runs[(CURRENT, "workflow_run_package")]  # 2024-12-23 citations carry no fileId
    summary = summarize_run(package)
    assert (
        '- bol_number: "STK-BOL-40417" | page 1 of "Stark_shipment_BOL.pdf" "B/L No. STK-BOL-40417"'
    ) in summary
    assert (
        '- container_count: 3 | page 1 of "Stark_manifest.xlsx" cells "Manifest!B2:B4" '
        '"Containers: 3"'
    ) in summary
    assert missing_facts(package, summary.replace(' of "Stark_manifest.xlsx"', "", 1)) == [
        Fact("text", "Stark_manifest.xlsx")
    ]
    seed = runs[(CURRENT, "workflow_run_1234")]  # one file: its citations carry fileId too
    assert seed.fields[0].citations[0].file_id
    assert " of " not in summarize_run(seed)


# --- what this version cannot read ---------------------------------------------------------


def _unreadable_fixture(server: EmulatorServer) -> dict[str, Any]:
    run = served_body(server, "workflow_run_merge_conditional", "fx_unreadable")
    run["stepRuns"].append(
        {
            "object": "workflow_step_run",
            "id": "step_run_summarize",
            "workflowRunId": "fx_unreadable",
            "status": "PROCESSED",
            "files": [],
            "stepType": "SUMMARIZE",
            "step": {"object": "workflow_step", "id": "s1", "name": "Sum", "type": "SUMMARIZE"},
            "result": {"summaryRun": {"id": "smr_1", "text": "A purchase order."}},
        }
    )
    extract = next(s for s in run["stepRuns"] if s["stepType"] == "CONDITIONAL_EXTRACT")
    extract["result"]["extractRun"]["output"] = {"tables": [{"rows": 3}]}
    return run


def test_unknown_steps_and_output_shapes_are_said_to_be_kept(
    server: EmulatorServer, tmp_path: Path
) -> None:
    run = read_served(_unreadable_fixture(server), KEY, CURRENT, tmp_path)
    summary = summarize_run(run)
    assert (
        "1 step of a type this tool doesn't know (SUMMARIZE); its raw result is kept."
    ) in summary
    assert (
        'Extraction "PO Layout B Extractor", 2 credits: its output has a shape this tool '
        "can't read; the raw output is kept."
    ) in summary
    assert "no fields" not in summary
    assert "- order_total: 2,210.00 USD" in summary  # the rest of the run reads as usual
    assert missing_facts(run, summary) == []
    assert missing_facts(run, without(summary, "doesn't know")) == [Fact("phrase", "SUMMARIZE")]
    narrowed = summarize_run(run, fields=["order_total"])
    assert "SUMMARIZE" not in narrowed  # a narrowed summary shows those fields only
