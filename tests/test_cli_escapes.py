"""Terminal control sequences in run data and server messages never reach the terminal raw.

A run name, metadata, an extracted value, reference text or an error message can
carry ``ESC [2J`` (clear screen), ``ESC ]0;...BEL`` (retitle the window), 8-bit CSI
(``\\x9b``), a carriage return that overwrites a line, or a right-to-left override
that reverses what follows, or invisible characters (a zero-width space, a byte order
mark, a soft hyphen, Unicode tag characters spelling hidden words). ``runs get``,
``runs update`` and the error line show them as visible escapes instead. Slack
mentions in run data (``<!channel>``, ``@here``) are neutralized in the human
output of ``runs get``, ``runs list`` and ``runs update``; ``--json`` keeps them.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app
from extend_emulator import EmulatorServer
from tests.support.hostile_runs import (
    HOSTILE_RUN,
    KEY,
    NOTES,
    PINGS,
    hostile_emulator,
    hostile_run,
    without_neutralized_mentions,
)
from tests.support.hostile_server import Behaviour, HostileServer, extract_output, run_payload

RUN_ID = "workflow_run_1234"
TAG_X = chr(0xE0078)  # the invisible tag "x"
HOSTILE = f"A\x1b[2J\x1b]0;owned\x07\x9b31m\r\u202eB\u200bC\ufeffD\xadE\u2060{TAG_X}F"
RAW_CONTROLS = ("\x1b", "\x07", "\x9b", "\r", "\u202e", "\u200b", "\ufeff", "\xad", "\u2060", TAG_X)

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
    assert "\\u200bC\\ufeffD\\u00adE\\u2060" in result.stdout  # the title, as far as it fits
    assert "\\U000e0078F" in result.stdout  # the tag "x", in the field's value


@pytest.mark.parametrize("flag", ["--json", "--raw"])
def test_runs_get_json_escapes_8_bit_controls_and_bidi(hostile: HostileServer, flag: str) -> None:
    result = runner.invoke(app, ["runs", "get", RUN_ID, flag])
    assert result.exit_code == 0, result.output
    _assert_inert(result.stdout)
    decoded = json.loads(result.stdout)  # still valid JSON, giving the original text back
    assert decoded["name"] == HOSTILE


@pytest.mark.parametrize("flag", [None, "--json", "--raw"])
def test_a_lone_surrogate_is_shown_as_an_escape_not_a_crash(
    hostile: HostileServer, flag: str | None
) -> None:
    """JSON can carry ``\\ud800``; no UTF-8 terminal can print it raw."""
    body = run_payload(RUN_ID, name="A\ud800B", metadata={}, workflow={"id": "w"}, outputs=[])
    hostile.behaviour = Behaviour(body=body)
    result = runner.invoke(app, ["runs", "get", RUN_ID, *([flag] if flag else [])])
    assert result.exit_code == 0, result.output
    assert "\\ud800" in result.stdout and "\ud800" not in result.stdout
    if flag:
        assert json.loads(result.stdout)["name"] == "A\ud800B"


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


MENTIONING_VENDOR = "ACME <!channel> @here"


@pytest.fixture
def mentions(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[EmulatorServer]:
    """A run whose vendor name and notes ping the channel (and every other way to ping)."""
    run = hostile_run(vendor=MENTIONING_VENDOR, file_name="ACME <@U123>.pdf")
    run["name"] = "Pay <!subteam^S1|x> @everyone"
    with hostile_emulator(tmp_path / "fixtures", run) as server:
        monkeypatch.setenv("EXTEND_API_KEY", KEY)
        monkeypatch.setenv("EXTEND_BASE_URL", server.url)
        yield server


def _assert_pings_no_one(text: str) -> None:
    for ping in PINGS:
        assert ping not in text, (ping, text)
    assert "\u200b" not in without_neutralized_mentions(text)  # only inside a defanged mention


def test_runs_get_and_list_neutralize_mentions(mentions: EmulatorServer) -> None:
    shown = runner.invoke(app, ["runs", "get", HOSTILE_RUN])
    assert shown.exit_code == 0, shown.output
    _assert_pings_no_one(shown.stdout)
    assert "Pay <!\u200bsubteam^S1|x> @\u200beveryone" in shown.stdout  # the title, readable
    assert "ACME <@\u200bU123>.pdf" in shown.stdout and "<!\u200bhere>" in shown.stdout
    listed = runner.invoke(app, ["runs", "list", "--text", "ACME"])
    assert listed.exit_code == 0, listed.output
    _assert_pings_no_one(listed.stdout)
    assert 'vendor "ACME <!\u200bchannel> @\u200bhere"' in listed.stdout


def test_runs_update_neutralizes_mentions(mentions: EmulatorServer) -> None:
    result = runner.invoke(
        app, ["runs", "update", HOSTILE_RUN, "--name", "<!channel> x", "--meta", "who=@here"]
    )
    assert result.exit_code == 0, result.output
    _assert_pings_no_one(result.stdout)
    assert "-> <!\u200bchannel> x" in result.stdout and '-> "@\u200bhere"' in result.stdout


def test_json_keeps_the_mentions_exact(mentions: EmulatorServer) -> None:
    got = runner.invoke(app, ["runs", "get", HOSTILE_RUN, "--json"])
    run = json.loads(got.stdout)
    assert run["name"] == "Pay <!subteam^S1|x> @everyone"
    values = {f["name"]: f["value"] for f in run["results"][0]["fields"]}
    assert values["vendor_name"] == MENTIONING_VENDOR and values["notes"] == NOTES
    listed = runner.invoke(app, ["runs", "list", "--text", "ACME", "--json"])
    (found,) = [r for r in json.loads(listed.stdout)["runs"] if r["id"] == HOSTILE_RUN]
    assert "<@U123>" in json.dumps(found, ensure_ascii=False)
