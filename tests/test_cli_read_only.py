"""Read-only mode from the terminal: ``extend-agent ask`` refuses a change, still answers reads."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cli import app

SEED = "workflow_run_1234"


def test_ask_refuses_a_write_in_read_only_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    monkeypatch.setenv("EXTEND_AGENT_READ_ONLY", "1")
    refused = runner.invoke(app, ["ask", "--yes", f"tag {SEED} urgent"], catch_exceptions=False)
    read = runner.invoke(app, ["ask", f"What is the total on {SEED}?"], catch_exceptions=False)
    monkeypatch.delenv("EXTEND_AGENT_READ_ONLY")
    stored = runner.invoke(app, ["runs", "get", SEED, "--json"], catch_exceptions=False)
    assert "read-only mode (EXTEND_AGENT_READ_ONLY=1)" in refused.stdout
    assert "Proposed change" not in refused.stdout
    assert "$15,735.10" in read.stdout
    assert '"urgent"' not in stored.stdout


def test_a_bad_read_only_value_is_one_clear_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXTEND_AGENT_READ_ONLY", "maybe")
    result = CliRunner().invoke(app, ["mcp"], catch_exceptions=False)
    assert result.exit_code != 0
    assert "EXTEND_AGENT_READ_ONLY must be 1 (read-only) or 0" in result.stderr
    assert "Traceback" not in result.output
