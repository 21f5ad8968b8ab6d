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
