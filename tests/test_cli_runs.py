"""``extend-agent runs get|update`` with no keys: the built-in emulator, persistent state."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from cli import app

runner = CliRunner()


def test_get_prints_fields_pages_and_reference_text() -> None:
    result = runner.invoke(app, ["runs", "get", "workflow_run_1234"])
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "15,735.10 USD" in out and "36995" in out
    assert "TOTAL  $15,735.1" in out and "Invoice #36995" in out
    assert "99.2%" in out
    assert "built-in Extend emulator" in result.stderr


def test_get_json_is_the_normalized_run() -> None:
    result = runner.invoke(app, ["runs", "get", "workflow_run_1234", "--json"])
    assert result.exit_code == 0, result.output
    run = json.loads(result.stdout)
    amount = run["results"][0]["fields"][0]
    assert amount["name"] == "amount"
    assert amount["citations"][0]["reference_text"] == "TOTAL  $15,735.1"


def test_get_raw_is_what_extend_sent() -> None:
    result = runner.invoke(app, ["runs", "get", "workflow_run_1234", "--raw"])
    assert json.loads(result.stdout)["outputs"][0]["id"] == "dpr_1234"


def test_update_persists_across_invocations() -> None:
    result = runner.invoke(
        app,
        [
            "runs",
            "update",
            "workflow_run_1234",
            "--name",
            "ACME March",
            "--meta",
            "vendor=ACME",
            "--meta",
            "amount_due:=15735.1",
        ],
    )
    assert result.exit_code == 0, result.output
    assert "name: (none) -> ACME March" in result.stdout
    assert 'metadata vendor: (unset) -> "ACME"' in result.stdout
    again = runner.invoke(app, ["runs", "get", "workflow_run_1234", "--json"])
    run = json.loads(again.stdout)
    assert run["name"] == "ACME March"
    assert run["metadata"] == {"internal_id": "id_1234", "vendor": "ACME", "amount_due": 15735.1}


def test_errors_are_one_line_and_exit_non_zero() -> None:
    bad = runner.invoke(app, ["runs", "get", "workflow run/1"])
    assert bad.exit_code == 2
    assert bad.stderr.strip().startswith("error: ") and "Traceback" not in bad.output
    missing = runner.invoke(app, ["runs", "get", "workflow_run_nope"])
    assert missing.exit_code == 2
    assert "workflow_run_nope" in missing.stderr and "Traceback" not in missing.output
    nothing = runner.invoke(app, ["runs", "update", "workflow_run_1234"])
    assert nothing.exit_code == 2 and "Nothing to update" in nothing.stderr
    bad_meta = runner.invoke(app, ["runs", "update", "workflow_run_1234", "--meta", "novalue"])
    assert bad_meta.exit_code != 0 and "key=value" in bad_meta.output


def test_real_key_targets_the_configured_api(monkeypatch, emulator) -> None:
    from tests.conftest import EMULATOR_KEY

    monkeypatch.setenv("EXTEND_API_KEY", EMULATOR_KEY)
    monkeypatch.setenv("EXTEND_BASE_URL", emulator.url)
    monkeypatch.setenv("EXTEND_API_VERSION", "2026-02-09")
    result = runner.invoke(app, ["runs", "get", "workflow_run_1234", "--json"])
    assert result.exit_code == 0, result.output
    assert "emulator" not in result.stderr
    assert emulator.requests[-1]["headers"]["x-extend-api-version"] == "2026-02-09"


def _panel_and_rest(run_id: str) -> tuple[str, str]:
    result = runner.invoke(app, ["runs", "get", run_id])
    assert result.exit_code == 0, result.output
    out = result.stdout
    end = out.index("╯")
    return " ".join(out[:end].replace("│", " ").split()), out[end:]


def test_a_rejected_run_shows_its_note_in_the_panel_and_its_checks() -> None:
    panel, rest = _panel_and_rest("workflow_run_validation")
    assert (
        "Rejected: Total does not match the line items and the vendor is not in the ERP." in panel
    )
    assert rest.count("Extracted fields") == 1  # the checks steps print no empty tables
    assert "Checks Invoice rules: failed (total_matches_line_items, vendor_id_present)" in rest
    assert "Routed by Route by checks: Manual review" in rest


def test_a_failed_run_says_why_in_the_panel_once() -> None:
    panel, rest = _panel_and_rest("workflow_run_failed")
    assert "Failed: FAILED_TO_PROCESS_FILE: The file could not be read" in panel
    assert "Failed" not in rest and "No results" not in rest


def test_failed_and_waiting_steps_are_one_line_not_an_empty_table() -> None:
    _, package = _panel_and_rest("workflow_run_package")
    assert package.count("Extracted fields") == 1
    assert "Failed step Customs Extractor: FAILED_TO_PROCESS_FILE: Page 3" in package
    _, merge = _panel_and_rest("workflow_run_merge_conditional")
    assert merge.count("Extracted fields") == 2
    assert "Waiting step Check PO against contract: no result yet." in merge


def test_extraction_steps_with_no_fields_say_so_once() -> None:
    from rich.console import Console

    from cli.render import render_run
    from tools.runs.models import ProcessorResult, Run

    run = Run(
        id="run_empty",
        status="PROCESSED",
        results=[ProcessorResult(kind="extract"), ProcessorResult(kind="extract")],
    )
    console = Console(record=True, width=100)
    render_run(run, console)
    out = console.export_text()
    assert out.count("No fields extracted.") == 1 and "Extracted fields" not in out
