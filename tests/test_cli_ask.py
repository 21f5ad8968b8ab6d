"""``extend-agent ask`` / ``chat`` as a person runs them: no keys, the built-in emulator.

The autouse fixture clears every key and points the data dir at a temp dir, so
each command here starts the emulator with persistent sample data there, exactly
as a new user's first run does.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from typer.testing import CliRunner, Result

from cli import app
from cli.ask import EXIT_NOT_DONE
from extend_emulator import EmulatorServer
from tests.conftest import EMULATOR_KEY
from tests.support.openai_server import Reply, ScriptedOpenAI

MAIN_JOB = "What is the invoice total on workflow_run_1234 and where does it come from?"
SEED = "workflow_run_1234"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, *args: str, input: str | None = None) -> Result:
    return runner.invoke(app, list(args), input=input, catch_exceptions=False)


def stored_run(runner: CliRunner, run_id: str = SEED) -> dict[str, object]:
    result = run(runner, "runs", "get", run_id, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def proposed_changes(stdout: str) -> list[str]:
    """The "Proposed change: ..." lines, without the prefix."""
    prefix = "Proposed change: "
    return [line[len(prefix) :] for line in stdout.splitlines() if line.startswith(prefix)]


def test_main_job_question_answers_with_page_and_reference_text(runner: CliRunner) -> None:
    result = run(runner, "ask", MAIN_JOB)

    assert result.exit_code == 0, result.output
    assert "$15,735.10" in result.stdout
    assert "page 1" in result.stdout
    assert "“TOTAL  $15,735.1”" in result.stdout
    assert "built-in Extend emulator" in result.stderr


def test_follow_up_asks_continue_the_cli_thread(runner: CliRunner) -> None:
    run(runner, "ask", MAIN_JOB)
    result = run(runner, "ask", "and the invoice number?")
    assert result.exit_code == 0, result.output
    assert "36995" in result.stdout and "“Invoice #36995”" in result.stdout

    fresh = run(runner, "ask", "and the invoice number?", "--thread", "another")
    assert "Which run should I look at?" in fresh.stdout


def test_yes_applies_the_change(runner: CliRunner) -> None:
    result = run(runner, "ask", "rename workflow_run_1234 to ACME March", "--yes")

    assert result.exit_code == 0, result.output
    [proposed] = proposed_changes(result.stdout)
    assert (
        proposed.startswith("Rename workflow_run_1234 from (none) to") and "ACME March" in proposed
    )
    assert "Applying it (--yes)." in result.stdout
    assert "Done: workflow_run_1234 is now named “ACME March”." in result.stdout
    assert stored_run(runner)["name"] == "ACME March"


def test_without_a_terminal_the_change_is_declined_and_says_so(runner: CliRunner) -> None:
    result = run(runner, "ask", "tag workflow_run_1234 urgent")

    assert result.exit_code == EXIT_NOT_DONE, result.output
    [proposed] = proposed_changes(result.stdout)
    assert proposed.startswith("On workflow_run_1234: add tag") and "urgent" in proposed
    assert "Not applied: there is no terminal" in result.stderr
    assert "--yes" in result.stderr
    assert "did not change workflow_run_1234" in result.stdout
    assert stored_run(runner)["metadata"] == {"internal_id": "id_1234"}


@pytest.mark.parametrize(("answer", "applied"), [("y\n", True), ("n\n", False), ("\n", False)])
def test_at_a_terminal_it_asks_y_n(
    answer: str, applied: bool, runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("cli.ask.stdin_is_terminal", lambda: True)

    result = run(runner, "ask", "set vendor=ACME on workflow_run_1234", input=answer)

    assert result.exit_code == (0 if applied else EXIT_NOT_DONE), result.output
    assert "Apply this change? [y/N]" in result.stdout
    assert (stored_run(runner)["metadata"].get("vendor") == "ACME") is applied  # type: ignore[union-attr]


def test_chat_conversation_with_confirmation(runner: CliRunner) -> None:
    lines = [
        "What is the total on workflow_run_1234?",
        "and where does it come from?",
        "rename it to ACME March",
        "y",
        "exit",
    ]
    result = run(runner, "chat", "--thread", "chat-test", input="\n".join(lines) + "\n")

    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "offline model" in out and "built-in Extend emulator" in out  # the hint
    assert "chat-test" in out
    assert "$15,735.10" in out and "TOTAL  $15,735.1" in out
    assert "x 430–467" in out
    assert "Change waiting for your approval" in out
    assert "Done: workflow_run_1234 is now named “ACME March”." in out
    assert stored_run(runner)["name"] == "ACME March"


def test_chat_ctrl_d_at_the_confirmation_applies_nothing(runner: CliRunner) -> None:
    result = run(runner, "chat", input="rename workflow_run_1234 to Gone\n")

    assert result.exit_code == 0, result.output
    assert "Not applied." in result.stdout
    assert "did not change workflow_run_1234" in result.stdout
    assert stored_run(runner)["name"] is None


def test_chat_ends_on_ctrl_d(runner: CliRunner) -> None:
    result = run(runner, "chat", input="")
    assert result.exit_code == 0, result.output
    assert "Type exit or press Ctrl-D" in result.stdout


def test_real_extend_settings_are_used_when_a_key_is_set(
    runner: CliRunner, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXTEND_API_KEY", EMULATOR_KEY)
    monkeypatch.setenv("EXTEND_BASE_URL", emulator.url)

    result = run(runner, "ask", MAIN_JOB)

    assert result.exit_code == 0, result.output
    assert "$15,735.10" in result.stdout
    assert "built-in" not in result.output
    assert any(r["path"].endswith(SEED) for r in emulator.requests)


def test_configuration_error_is_one_line(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXTEND_API_KEY", "some-key")
    monkeypatch.setenv("EXTEND_API_VERSION", "1999-01-01")

    result = run(runner, "ask", MAIN_JOB)

    assert result.exit_code == 2
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("error: EXTEND_API_VERSION '1999-01-01' is not supported")
    assert "some-key" not in result.output


@pytest.fixture
def refusing_openai() -> Iterator[ScriptedOpenAI]:
    with ScriptedOpenAI() as server:
        server.add(Reply(error_status=401, error_message="Incorrect API key provided."))
        yield server


def test_model_error_is_one_line_without_the_key(
    runner: CliRunner, refusing_openai: ScriptedOpenAI, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-very-secret-test-key")
    monkeypatch.setenv("OPENAI_BASE_URL", refusing_openai.base_url)

    result = run(runner, "ask", MAIN_JOB)

    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].startswith("error: the model request failed:")
    assert "Incorrect API key provided." in result.stderr
    assert "sk-very-secret-test-key" not in result.output
