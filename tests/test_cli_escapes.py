"""Terminal control sequences in run data and server messages never reach the terminal raw.

A run name, metadata, an extracted value, reference text or an error message can
carry ``ESC [2J`` (clear screen), ``ESC ]0;...BEL`` (retitle the window), 8-bit CSI
(``\\x9b``), a carriage return that overwrites a line, or a right-to-left override
that reverses what follows. ``runs get``, ``runs update`` and the error line show
them as visible escapes instead.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner

from cli import app
from tests.support.hostile_server import Behaviour, HostileServer, extract_output, run_payload

RUN_ID = "workflow_run_1234"
HOSTILE = "A\x1b[2J\x1b]0;owned\x07\x9b31m\r\u202eB"
RAW_CONTROLS = ("\x1b", "\x07", "\x9b", "\r", "\u202e")

runner = CliRunner()


def _hostile_run() -> bytes:
    extract = extract_output(
        {
            "value": {"total": HOSTILE},
            "metadata": {
                "total": {
                    "citations": [{"page": 1, "referenceText": HOSTILE, "polygon": []}],
                    "ocrConfidence": 0.99,
                }
            },
        }
    )
    return run_payload(
        RUN_ID,
        name=HOSTILE,
        metadata={HOSTILE: HOSTILE, "vendor": HOSTILE},
        workflow={"id": "workflow_1", "name": HOSTILE, "version": "1"},
        outputs=[extract],
    )


@pytest.fixture
def hostile(monkeypatch: pytest.MonkeyPatch) -> Iterator[HostileServer]:
    with HostileServer(Behaviour(body=_hostile_run())) as server:
        monkeypatch.setenv("EXTEND_API_KEY", "sk_test_escapes_key")
        monkeypatch.setenv("EXTEND_BASE_URL", server.url)
        monkeypatch.setenv("EXTEND_MAX_RETRIES", "0")
        yield server


def _assert_inert(text: str) -> None:
    for control in RAW_CONTROLS:
        assert control not in text, f"{control!r} reached the terminal"


def test_runs_get_shows_controls_as_escapes(hostile: HostileServer) -> None:
    result = runner.invoke(app, ["runs", "get", RUN_ID])
    assert result.exit_code == 0, result.output
    _assert_inert(result.stdout)
    assert "\\u001b[2J" in result.stdout and "\\u202e" in result.stdout


@pytest.mark.parametrize("flag", ["--json", "--raw"])
def test_runs_get_json_escapes_8_bit_controls_and_bidi(hostile: HostileServer, flag: str) -> None:
    result = runner.invoke(app, ["runs", "get", RUN_ID, flag])
    assert result.exit_code == 0, result.output
    _assert_inert(result.stdout)
    decoded = json.loads(result.stdout)  # still valid JSON, giving the original text back
    assert decoded["name"] == HOSTILE


def test_runs_update_shows_controls_as_escapes(hostile: HostileServer) -> None:
    result = runner.invoke(app, ["runs", "update", RUN_ID, "--name", "Plain", "--meta", "vendor=x"])
    assert result.exit_code == 0, result.output
    _assert_inert(result.stdout)
    assert "name: " in result.stdout and "\\u001b[2J" in result.stdout


def test_error_messages_from_the_server_are_escaped(hostile: HostileServer) -> None:
    message = json.dumps({"code": "BAD\x1b[2J", "message": f"nope {HOSTILE}"}).encode()
    hostile.behaviour = Behaviour(status=400, body=message)
    result = runner.invoke(app, ["runs", "get", RUN_ID])
    assert result.exit_code == 2
    _assert_inert(result.stderr)
    assert "error: Extend returned 400 BAD\\u001b[2J" in result.stderr
