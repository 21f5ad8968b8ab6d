"""Every run shape real Extend sends, read over HTTP from the emulator in both API versions.

Each shape has a sample run (``extend_emulator/samples``); these tests fetch it with
our client from a real local emulator and check the normalized ``Run`` says what the
JSON says: legacy fields-array outputs, a 2024-12-23 run with ``outputs[]`` and
``stepRuns[]``, merge and conditional extraction, steps still waiting, the missing
2026-02-09 name, an explicit ``reviewed: false``, step failures, rejection notes,
usage, edit notes, spreadsheet cells and multi-file citations, split ids, file
links, validation and routing steps, and shapes nobody has seen yet.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from extend_emulator import EmulatorServer
from tests.support.sample_runs import fetch_runs
from tools.client.clients import ExtendClient
from tools.faces.run_tools import RunTools
from tools.runs.models import ProcessorResult, Run
from tools.runs.normalize import parse_run
from tools.text.summary import summarize_run

KEY = "run-shapes-key"
LEGACY = "2024-12-23"
CURRENT = "2026-02-09"
VERSIONS = (LEGACY, CURRENT)


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    with EmulatorServer(host="127.0.0.1", port=0, api_key=KEY) as srv:
        yield srv


@pytest.fixture(scope="module")
def runs(server: EmulatorServer) -> dict[tuple[str, str], Run]:
    ids = (
        "workflow_run_fields_array",
        "workflow_run_merge_conditional",
        "workflow_run_validation",
        "workflow_run_package",
        "workflow_run_1234",
    )
    return fetch_runs(server, KEY, ids, VERSIONS)


def raw_get(server: EmulatorServer, path: str, version: str) -> Any:
    headers = {"x-extend-api-version": version, "authorization": f"Bearer {KEY}"}
    response = httpx.get(f"{server.url}{path}", headers=headers)
    assert response.status_code == 200, response.text
    return response.json()


def step(run: Run, step_type: str) -> ProcessorResult:
    found = [r for r in run.results if r.step_type == step_type]
    assert len(found) == 1, [r.step_type for r in run.results]
    return found[0]


# --- legacy fields-array extraction output --------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_fields_array_output_yields_every_field(
    runs: dict[tuple[str, str], Run], version: str
) -> None:
    run = runs[(version, "workflow_run_fields_array")]
    extract = step(run, "EXTRACT")
    assert extract.output_shape == "fields_array"
    assert [f.name for f in run.fields] == [
        "invoice_number",
        "invoice_date",
        "vendor_name",
        "total",
    ]
    number = run.field("invoice_number")
    assert number is not None and number.value == "IT-20931" and number.field_type == "string"
    assert number.field_confidence == 0.97 and number.confidence == 0.97
    assert number.reasoning == ["Printed after 'Invoice No.' in the header block."]
    [cited] = number.citations
    assert cited.page == 1
    assert [(p.x, p.y) for p in cited.polygon] == [
        (0.62, 0.06),
        (0.81, 0.06),
        (0.81, 0.09),
        (0.62, 0.09),
    ]
    total = run.field("total")
    assert total is not None and total.edited and extract.edited
    assert total.value == {"amount": 8425.5, "iso_4217_currency_code": "USD"}
    assert total.initial_value == {"amount": 8420.5, "iso_4217_currency_code": "USD"}
    assert total.edit_note == "Smudged digit: the paper copy reads 8,425.50."
    assert total.is_low_confidence(0.8) and [c.page for c in total.initial_citations] == [2]
    assert extract.usage_credits == 6.5 and extract.reviewed is True
    summary = summarize_run(run)
    assert "no fields" not in summary and "8,425.50 USD" in summary and "confidence 58" in summary


# --- a 2024-12-23 run with outputs[] and stepRuns[] -----------------------------------


def test_legacy_run_with_outputs_and_step_runs_is_read_as_legacy(server: EmulatorServer) -> None:
    body = raw_get(server, "/workflow_runs/workflow_run_validation", LEGACY)
    bare = body["workflowRun"]
    assert bare["outputs"] and bare["stepRuns"]  # the emulator sends both, as Extend documents
    for payload in (body, bare):
        run = parse_run(payload, CURRENT)  # the shape decides, not the configured version
        assert run.api_version == LEGACY
        assert run.reviewed_by == "user_4Rt8VbNw" and run.workflow.version == "2"
        assert run.field("invoice_number") is not None
        assert step(run, "RULE_VALIDATION").validation is not None
    # a bare legacy run that also names its workflow version is still legacy
    run = parse_run({**bare, "workflowVersion": {"id": "wv", "version": "2"}}, CURRENT)
    assert run.api_version == LEGACY and run.field("total") is not None


# --- merge and conditional extraction; steps still waiting ----------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_merge_and_conditional_extraction(runs: dict[tuple[str, str], Run], version: str) -> None:
    run = runs[(version, "workflow_run_merge_conditional")]
    merged = step(run, "MERGE_EXTRACT")
    assert merged.kind == "extract"
    assert [(m.id, m.version_id, m.name) for m in merged.merged_extractors] == [
        ("ex_po_header", "exv_po_header_3", "PO Header Extractor"),
        ("ex_po_totals", "exv_po_totals_2", "PO Totals Extractor"),
    ]
    assert merged.field("order_total") is not None
    assert run.field("po_number") is not None and run.field("po_number").value == "PO-55120"  # type: ignore[union-attr]
    conditional = [r for r in run.results if r.field("ship_to") is not None]
    assert len(conditional) == 1 and conditional[0].kind == "extract"
    if version == CURRENT:  # 2024-12-23 cannot tell a conditional extraction from a plain one
        assert conditional[0].step_type == "CONDITIONAL_EXTRACT"
    waiting = step(run, "RULE_VALIDATION")
    assert waiting.pending and waiting.status == "WAITING" and run.pending_steps == [waiting]
    assert "WAITING, no result yet" in summarize_run(run)


def test_invalidated_step_shows_as_pending(runs: dict[tuple[str, str], Run]) -> None:
    run = runs[(CURRENT, "workflow_run_validation")]
    invalidated = step(run, "CLASSIFY")
    assert invalidated.pending and invalidated.status == "INVALIDATED"
    assert "INVALIDATED" in summarize_run(run)


def test_emulator_keys_merge_and_conditional_results_like_extend(server: EmulatorServer) -> None:
    current = raw_get(server, "/workflow_runs/workflow_run_merge_conditional", CURRENT)
    by_type = {s["stepType"]: s for s in current["stepRuns"]}
    assert set(by_type["MERGE_EXTRACT"]["result"]) == {"mergedExtractors", "extractRun"}
    assert set(by_type["CONDITIONAL_EXTRACT"]["result"]) == {"extractRun"}
    assert by_type["RULE_VALIDATION"]["result"] is None
    legacy = raw_get(server, "/workflow_runs/workflow_run_merge_conditional", LEGACY)
    outputs = legacy["workflowRun"]["outputs"]
    assert [o["type"] for o in outputs] == ["EXTRACT", "EXTRACT"]
    assert [p["processorName"] for p in outputs[1]["mergedProcessors"]] == [
        "PO Header Extractor",
        "PO Totals Extractor",
    ]


# --- 2026-02-09 has no name; renames are accepted, not read back -----------------------


def test_current_reads_have_no_name_and_the_summary_does_not_invent_one(
    runs: dict[tuple[str, str], Run],
) -> None:
    current, legacy = (runs[(v, "workflow_run_fields_array")] for v in (CURRENT, LEGACY))
    assert current.name is None and "name" not in current.raw
    assert legacy.name == "Initech IT-20931"
    assert "(no name)" not in summarize_run(current)
    assert 'name "Initech IT-20931"' in summarize_run(legacy)
    seed = runs[(LEGACY, "workflow_run_1234")]
    assert "name (no name)" in summarize_run(seed)  # 2024-12-23 does carry names: none here


def test_rename_on_current_api_says_extend_accepted_it() -> None:
    with (
        EmulatorServer(host="127.0.0.1", port=0, api_key=KEY) as srv,
        ExtendClient(KEY, base_url=srv.url, api_version=CURRENT) as client,
    ):
        output = RunTools(client).update_run_metadata("workflow_run_package", name="Stark March")
        assert 'Extend accepted the new name "Stark March"' in output.text
        assert output.change is not None and output.change.name_after == "Stark March"
        assert srv.get_run_state("workflow_run_package")["name"] == "Stark March"  # type: ignore[index]
    with (
        EmulatorServer(host="127.0.0.1", port=0, api_key=KEY) as srv,
        ExtendClient(KEY, base_url=srv.url, api_version=LEGACY) as client,
    ):
        output = RunTools(client).update_run_metadata("workflow_run_package", name="Stark March")
        assert "accepted" not in output.text and output.run.name == "Stark March"


# --- reviewed: false wins ----------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_explicit_reviewed_false_wins(runs: dict[tuple[str, str], Run], version: str) -> None:
    run = runs[(version, "workflow_run_validation")]
    assert run.reviewed is False and run.reviewed_by and run.reviewed_at
    assert "Not marked reviewed (reviewed: false)" in summarize_run(run)
    assert runs[(version, "workflow_run_fields_array")].reviewed is True


# --- failures, rejection, usage, notes, cells, files -----------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_step_failure_rejection_and_usage(runs: dict[tuple[str, str], Run], version: str) -> None:
    package = runs[(version, "workflow_run_package")]
    [failed] = [r for r in package.results if r.failure_reason]
    assert failed.status == "FAILED" and failed.failure_reason == "FAILED_TO_PROCESS_FILE"
    assert failed.failure_message == "Page 3 is a low-resolution scan; no text could be read."
    assert failed.processor_name == "Customs Extractor" and failed.fields == []
    rejected = runs[(version, "workflow_run_validation")]
    assert rejected.rejection_note == (
        "Total does not match the line items and the vendor is not in the ERP."
    )
    assert step(rejected, "EXTRACT").usage_credits == 6.0
    if version == CURRENT:  # run-level usage is a 2026-02-09 field
        assert (rejected.usage_credits, rejected.usage_total_credits) == (9.0, 9.0)


@pytest.mark.parametrize("version", VERSIONS)
def test_cells_files_and_splits(runs: dict[tuple[str, str], Run], version: str) -> None:
    run = runs[(version, "workflow_run_package")]
    count = run.field("container_count")
    assert count is not None and count.citations[0].cell_range == "Manifest!B2:B4"
    bol = run.field("bol_number")
    assert bol is not None and bol.citations[0].page == 1
    if version == CURRENT:  # 2024-12-23 citations carry no fileId
        assert count.citations[0].file_id == "file_stark_pkg_manifest"
        assert bol.citations[0].file_id == "file_stark_pkg_bol"
    [split] = [r for r in run.results if r.kind == "split"]  # 2024-12-23 calls it SPLITTER
    if version == CURRENT:
        assert split.file_ids == ["file_stark_pkg_bol"]
    splits = split.splits
    assert [(s.id, s.classification_id, s.file_id) for s in splits] == [
        ("split_stark_1", "bill_of_lading", "file_stark_pkg_bol"),
        ("split_stark_2", "customs_declaration", "file_stark_pkg_bol"),
    ]
    manifest = run.files[1]
    assert manifest.parent_file_id == "file_stark_pkg_bol"
    if version == LEGACY:  # a 2026-02-09 FileSummary has no presignedUrl
        assert manifest.presigned_url and "X-Amz-Signature" in manifest.presigned_url
    summary = summarize_run(run)
    assert "X-Amz-Signature" not in summary and "presigned" not in summary.lower()
    assert "X-Amz-Signature" not in repr(run.files)


# --- validation and routing ---------------------------------------------------------------


@pytest.mark.parametrize("version", VERSIONS)
def test_validation_and_routing_steps(runs: dict[tuple[str, str], Run], version: str) -> None:
    run = runs[(version, "workflow_run_validation")]
    rules = step(run, "RULE_VALIDATION").validation
    assert rules is not None and rules.passed is False
    assert [(r.name, r.failure_reason, r.error) for r in rules.failed_rules] == [
        (
            "total_matches_line_items",
            "RULE_FAILED",
            "total 1250.00 != sum(line_items.amount) 1200.00",
        ),
        ("vendor_id_present", "VALUE_ERROR", "vendor_id is null"),
    ]
    assert rules.rules[1].valid_array == [True, True]
    checks = step(run, "VALIDATION").validation
    assert checks is not None and checks.passed is False
    [duty] = checks.failed_blocks
    assert duty.reasoning and duty.reasoning.startswith("Import duty is billed as a line item")
    external = step(run, "EXTERNAL_DATA_VALIDATION").validation
    assert external is not None and external.response_data["vendorFound"] is False
    if version == CURRENT:
        assert external.response_status == 404
    route = step(run, "ROUTER").route
    assert route is not None and route.matched_branch == "Manual review"
    assert [b.name for b in route.branches if b.matched] == ["Manual review"]
    assert route.branches[0].reasoning == "Rule validation failed."


# --- shapes nobody has seen yet ---------------------------------------------------------


def _unknown_shapes_fixture(server: EmulatorServer) -> tuple[dict[str, Any], dict[str, Any]]:
    current = raw_get(server, "/workflow_runs/workflow_run_merge_conditional", CURRENT)
    current["id"] = "fx_unknown_current"
    current["stepRuns"].append(
        {
            "object": "workflow_step_run",
            "id": "step_run_summarize",
            "workflowRunId": "fx_unknown_current",
            "status": "PROCESSED",
            "files": [],
            "stepType": "SUMMARIZE",
            "step": {
                "object": "workflow_step",
                "id": "step_sum",
                "name": "Summarize",
                "type": "SUMMARIZE",
            },
            "result": {"summaryRun": {"id": "smr_1", "text": "A purchase order."}},
        }
    )
    extract = next(s for s in current["stepRuns"] if s["stepType"] == "CONDITIONAL_EXTRACT")
    extract["result"]["extractRun"]["output"] = {"tables": [{"rows": 3}]}
    legacy = raw_get(server, "/workflow_runs/workflow_run_validation", LEGACY)["workflowRun"]
    legacy["id"] = "fx_unknown_legacy"
    legacy["stepRuns"].append(
        {
            "object": "workflow_step_run",
            "id": "step_run_translate",
            "status": "PROCESSED",
            "output": {"language": "de"},
            "step": {
                "object": "workflow_step",
                "id": "step_tr",
                "name": "Translate",
                "type": "TRANSLATE",
            },
        }
    )
    return current, legacy


def test_unknown_step_types_and_output_shapes_are_kept(
    server: EmulatorServer, tmp_path: Path
) -> None:
    current, legacy = _unknown_shapes_fixture(server)
    (tmp_path / "current.json").write_text(json.dumps(current))
    (tmp_path / "legacy.json").write_text(json.dumps({"success": True, "workflowRun": legacy}))
    with EmulatorServer(host="127.0.0.1", port=0, api_key=KEY, fixtures_dir=tmp_path) as srv:
        with ExtendClient(KEY, base_url=srv.url, api_version=CURRENT) as client:
            run = client.get_run("fx_unknown_current")
        with ExtendClient(KEY, base_url=srv.url, api_version=LEGACY) as client:
            old = client.get_run("fx_unknown_legacy")
    [unknown] = run.unknown_steps
    assert unknown.step_type == "SUMMARIZE" and unknown.status == "PROCESSED"
    assert run.raw["stepRuns"][-1]["result"] == {
        "summaryRun": {"id": "smr_1", "text": "A purchase order."}
    }
    odd = step(run, "CONDITIONAL_EXTRACT")
    assert odd.output_shape == "unknown" and odd.fields == []
    assert run.field("order_total") is not None  # the rest of the run is read as usual
    assert "SUMMARIZE" in summarize_run(run)
    [translate] = old.unknown_steps
    assert translate.step_type == "TRANSLATE" and old.raw["stepRuns"][-1]["output"] == {
        "language": "de"
    }
    assert "TRANSLATE" in summarize_run(old)


# --- emulator fidelity ------------------------------------------------------------------


def test_current_list_items_have_the_real_shape(server: EmulatorServer) -> None:
    body = raw_get(server, "/workflow_runs?maxPageSize=100", CURRENT)
    item = next(r for r in body["data"] if r["id"] == "workflow_run_validation")
    assert "name" not in item and "reviewed" not in item
    assert item["workflow"]["id"] == "workflow_import_invoices"
    assert item["workflowVersion"]["version"] == "2"
    assert item["dashboardUrl"].endswith("/workflow_run_validation")
    assert item["usage"] == {"credits": 9.0, "totalCredits": 9.0}
    assert item["rejectionNote"].startswith("Total does not match")
    legacy = raw_get(server, "/workflow_runs?maxPageSize=100", LEGACY)["workflowRuns"]
    assert next(r for r in legacy if r["id"] == "workflow_run_validation")["rejectionNote"]


def test_current_step_runs_carry_their_run_files_and_extract_fields(server: EmulatorServer) -> None:
    run = raw_get(server, "/workflow_runs/workflow_run_package", CURRENT)
    for step_run in run["stepRuns"]:
        assert step_run["workflowRunId"] == "workflow_run_package"
        assert all(f["object"] == "file" for f in step_run["files"])
    extract = run["stepRuns"][2]["result"]["extractRun"]
    assert extract["extractor"]["name"] == "Shipment Extractor"
    assert [f["id"] for f in extract["files"]] == ["file_stark_pkg_bol", "file_stark_pkg_manifest"]
    assert extract["file"] is None and extract["usage"] == {"credits": 4.0}
    for key in ("config", "dashboardUrl", "createdAt", "updatedAt", "reviewed", "edited"):
        assert key in extract
    failed = run["stepRuns"][3]["result"]["extractRun"]
    assert failed["status"] == "FAILED" and failed["failureReason"] == "FAILED_TO_PROCESS_FILE"
    notes = raw_get(server, "/workflow_runs/workflow_run_fields_array", CURRENT)
    edits = notes["stepRuns"][1]["result"]["extractRun"]["edits"]
    assert edits["total"]["notes"] == "Smudged digit: the paper copy reads 8,425.50."


@pytest.mark.parametrize(
    "run_id",
    [
        "workflow_run_fields_array",
        "workflow_run_merge_conditional",
        "workflow_run_validation",
        "workflow_run_package",
    ],
)
def test_fixtures_accept_every_shape_wrapped_or_bare(
    server: EmulatorServer, tmp_path: Path, run_id: str
) -> None:
    envelope = raw_get(server, f"/workflow_runs/{run_id}", LEGACY)
    current = raw_get(server, f"/workflow_runs/{run_id}", CURRENT)
    shapes = {
        "envelope": envelope,
        "bare_legacy": envelope["workflowRun"],
        "current": current,
        "canonical": server.get_run_state(run_id),
    }
    for label, document in shapes.items():
        folder = tmp_path / label
        folder.mkdir()
        (folder / "run.json").write_text(json.dumps(document))
        with EmulatorServer(host="127.0.0.1", port=0, api_key=KEY, fixtures_dir=folder) as srv:
            if label != "current":
                assert raw_get(srv, f"/workflow_runs/{run_id}", LEGACY) == envelope, label
            if label in ("current", "canonical"):
                assert raw_get(srv, f"/workflow_runs/{run_id}", CURRENT) == current, label
            with ExtendClient(KEY, base_url=srv.url, api_version=CURRENT) as client:
                assert [f.name for f in client.get_run(run_id).fields], label
