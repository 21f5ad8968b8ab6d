"""``runs get`` on a huge run: refused past the response cap, otherwise shown cut with notes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from cli import app
from cli.render import MAX_SHOWN_FIELDS
from tests.support.hostile_server import Behaviour, HostileServer
from tests.test_summary_cap import _huge_run

runner = CliRunner()


@pytest.fixture
def big_run_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[HostileServer]:
    with HostileServer(Behaviour(body=_huge_run(fields=1_200, blob=300_000))) as server:
        monkeypatch.setenv("EXTEND_API_KEY", "sk_test_big_run_key")
        monkeypatch.setenv("EXTEND_BASE_URL", server.url)
        yield server


def test_runs_get_cuts_long_values_and_long_tables(big_run_server: HostileServer) -> None:
    result = runner.invoke(app, ["runs", "get", "workflow_run_1234"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert "299,000 more characters; --json shows all" in result.stdout
    assert f"{1_200 - MAX_SHOWN_FIELDS:,} more fields not shown; --json shows all." in result.stdout
    assert "field_00499" in result.stdout and "field_00500" not in result.stdout


def test_runs_get_refuses_a_run_past_the_response_cap(big_run_server: HostileServer) -> None:
    result = runner.invoke(
        app, ["runs", "get", "workflow_run_1234"], env={"EXTEND_MAX_RESPONSE_BYTES": "100000"}
    )
    assert result.exit_code == 2
    assert "the limit is 100,000 bytes (EXTEND_MAX_RESPONSE_BYTES)" in result.stderr
    assert "Traceback" not in result.output
