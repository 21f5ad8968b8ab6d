"""``extend-agent ask`` behaves like a CLI: exit status, one line per problem, exact ``--yes``.

Each failure a person can hit from a terminal is run for real (the built-in
emulator, or a client pointed at a local emulator with a wrong key or at a closed
port): a run that can't be read (404, 401, network) or a change that isn't
applied (declined, no terminal, refused under ``--yes``) exits ``EXIT_NOT_DONE``
and says why once. The new request forms (several keys, removing a tag or a
key, undo) are applied by ``--yes`` exactly as said, and read back from Extend.
"""

from __future__ import annotations

import json
import socket

import pytest
from typer.testing import CliRunner, Result

from agent.extend_connection import BASE_URL_IGNORED
from cli import app
from cli.ask import EXIT_NOT_DONE
from extend_emulator import EmulatorServer

SEED = "workflow_run_1234"
MULTI = "workflow_run_invoice_multipage"


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, *args: str, input: str | None = None) -> Result:
    return runner.invoke(app, list(args), input=input, catch_exceptions=False)


def stored(runner: CliRunner, run_id: str = SEED) -> dict[str, object]:
    result = run(runner, "runs", "get", run_id, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_run_that_does_not_exist_exits_non_zero_saying_why_once(runner: CliRunner) -> None:
    result = run(runner, "ask", "summarize workflow_run_nope")

    assert result.exit_code == EXIT_NOT_DONE, result.output
    assert "I could not read workflow_run_nope: Extend returned 404" in result.stdout
    assert "Failed reading run" not in result.stdout  # the step is said once, not twice


def test_a_wrong_key_exits_non_zero(
    runner: CliRunner, emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXTEND_API_KEY", "not-the-right-key")
    monkeypatch.setenv("EXTEND_BASE_URL", emulator.url)

    result = run(runner, "ask", f"summarize {SEED}")

    assert result.exit_code == EXIT_NOT_DONE, result.output
    assert "401" in result.stdout and "not-the-right-key" not in result.output


def test_no_network_exits_non_zero_and_says_retrying_once(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXTEND_API_KEY", "some-key")
    monkeypatch.setenv("EXTEND_BASE_URL", f"http://127.0.0.1:{closed_port()}")
    monkeypatch.setenv("EXTEND_MAX_RETRIES", "2")

    result = run(runner, "ask", f"summarize {SEED}")

    assert result.exit_code == EXIT_NOT_DONE, result.output
    assert "Could not reach Extend" in result.stdout
    assert result.stderr.count("retrying") == 1, result.stderr


def test_a_very_long_id_is_shortened_when_echoed(runner: CliRunner) -> None:
    long_id = "workflow_run_" + "x" * 400

    result = run(runner, "ask", f"summarize {long_id}")

    assert result.exit_code == EXIT_NOT_DONE, result.output
    assert long_id not in result.output
    assert "(413 characters)" in result.stdout and len(result.stdout) < 400


def test_base_url_without_a_key_says_it_is_ignored(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("EXTEND_BASE_URL", "https://api.extend.ai")

    result = run(runner, "ask", f"what's the status of {SEED}?")

    assert result.exit_code == 0, result.output
    assert BASE_URL_IGNORED in result.stderr
    assert "PROCESSED" in result.stdout


def test_a_comparison_of_runs_that_all_exist_exits_zero(runner: CliRunner) -> None:
    result = run(runner, "ask", "compare the totals of the Acme and Bluebird invoices")

    assert result.exit_code == 0, result.output
    assert "$1,420.00" in result.stdout and "$3,958.40" in result.stdout


def test_a_change_to_a_missing_run_is_not_proposed_and_exits_non_zero(runner: CliRunner) -> None:
    result = run(runner, "ask", "rename workflow_run_nope to Foo", "--yes")

    assert result.exit_code == EXIT_NOT_DONE, result.output
    assert "Proposed change" not in result.stdout  # its preview already knew it would fail
    assert "not found" in result.stdout


def test_removing_a_tag_the_run_lacks_writes_nothing_and_exits_non_zero(
    runner: CliRunner,
) -> None:
    before = stored(runner)

    result = run(runner, "ask", f"remove the urgent tag from {SEED}", "--yes")

    assert result.exit_code == EXIT_NOT_DONE, result.output
    assert "not tagged" in result.stdout
    assert stored(runner) == before


def test_removing_a_key_the_run_lacks_writes_nothing_and_exits_non_zero(
    runner: CliRunner,
) -> None:
    before = stored(runner)

    result = run(runner, "ask", f"remove the cost_center key from {SEED}", "--yes")

    assert result.exit_code == EXIT_NOT_DONE, result.output
    assert result.stdout.strip() == f"{SEED} has no metadata key cost_center; nothing to remove."
    metadata = stored(runner)["metadata"]
    assert isinstance(metadata, dict) and "cost_center" not in metadata
    assert stored(runner) == before


def test_a_tag_the_run_already_has_is_nothing_to_change_and_exits_non_zero(
    runner: CliRunner,
) -> None:
    assert run(runner, "ask", f"tag {SEED} urgent", "--yes").exit_code == 0
    before = stored(runner)

    result = run(runner, "ask", f"tag {SEED} urgent", "--yes")

    assert result.exit_code == EXIT_NOT_DONE, result.output
    assert result.stdout.strip() == f"Nothing to change: {SEED} is already tagged “urgent”."
    assert stored(runner) == before


def test_yes_applies_several_keys_in_one_request(runner: CliRunner) -> None:
    result = run(runner, "ask", f"set po_number to 4411 and cost_center to CC-9 on {SEED}", "--yes")

    assert result.exit_code == 0, result.output
    assert "Applying it (--yes)." in result.stdout
    metadata = stored(runner)["metadata"]
    assert metadata == {"internal_id": "id_1234", "po_number": "4411", "cost_center": "CC-9"}


def test_yes_removes_a_tag_and_sets_a_removed_key_to_null(runner: CliRunner) -> None:
    assert run(runner, "ask", f"tag {SEED} urgent and q3", "--yes").exit_code == 0

    removed = run(runner, "ask", "remove the urgent tag", "--yes")
    cleared = run(runner, "ask", "remove the internal_id key", "--yes")

    assert removed.exit_code == 0 and cleared.exit_code == 0, removed.output + cleared.output
    assert "null" in cleared.stdout and "cannot delete" in cleared.stdout
    assert stored(runner)["metadata"] == {"internal_id": None, "tags": ["q3"]}


@pytest.mark.parametrize("undo", ["undo that", "rename it back", "put the old name back"])
def test_yes_undoes_the_last_change_from_its_recorded_before_values(
    runner: CliRunner, undo: str
) -> None:
    original = stored(runner, MULTI)["name"]
    assert run(runner, "ask", f"rename {MULTI} to Temp name", "--yes").exit_code == 0

    result = run(runner, "ask", undo, "--yes")

    assert result.exit_code == 0, result.output
    assert "Applying it (--yes)." in result.stdout
    assert stored(runner, MULTI)["name"] == original


def test_undo_with_nothing_to_undo_writes_nothing(runner: CliRunner) -> None:
    before = stored(runner)

    result = run(runner, "ask", "undo that", "--yes")

    assert result.exit_code == EXIT_NOT_DONE, result.output
    assert "nothing to undo" in result.stdout.lower()
    assert stored(runner) == before


def test_an_unclear_request_asks_instead_of_writing(runner: CliRunner) -> None:
    before = stored(runner)

    result = run(runner, "ask", f"set po_number to 4411 and cost_center on {SEED}", "--yes")

    assert "what to set cost_center to" in result.stdout
    assert "Proposed change" not in result.stdout
    assert stored(runner) == before


def test_chat_takes_yes_like_ask(runner: CliRunner) -> None:
    result = run(
        runner,
        "chat",
        "--yes",
        input=f"set vendor=ACME on {SEED}\nrename it to PWNED and tag it x\nexit\n",
    )

    assert result.exit_code == 0, result.output
    assert result.stdout.count("Applying it (--yes).") == 2
    assert stored(runner)["metadata"] == {"internal_id": "id_1234", "vendor": "ACME", "tags": ["x"]}
    assert stored(runner)["name"] == "PWNED"


ACME = "workflow_run_reviewed_corrections"
BLUEBIRD = "workflow_run_needs_review"


@pytest.mark.parametrize(
    ("question", "run_id", "expected"),
    [
        ("rename the Acme invoice to Acme September", ACME, {"name": "Acme September"}),
        ("rename the Northwind invoice to NW", MULTI, {"name": "NW"}),
        ("rename Northwind_Traders_INV-2024-0831.pdf to NW", MULTI, {"name": "NW"}),
        ("tag the Bluebird fax urgent", BLUEBIRD, {"tags": ["urgent"]}),
        ("set cost_center to CC-9 on the Acme invoice", ACME, {"cost_center": "CC-9"}),
        ("rename 1234 to ACME March", SEED, {"name": "ACME March"}),
        ("rename run 1234 to ACME March", SEED, {"name": "ACME March"}),
        ("rename INV-2024-0831 to Northwind August", MULTI, {"name": "Northwind August"}),
    ],
)
def test_yes_applies_a_change_on_a_run_named_by_vendor_file_or_number(
    runner: CliRunner, question: str, run_id: str, expected: dict[str, object]
) -> None:
    before = stored(runner, run_id)

    result = run(runner, "ask", question, "--yes")

    assert result.exit_code == 0, result.output
    assert "Applying it (--yes)." in result.stdout
    after = stored(runner, run_id)  # read back from the emulator
    name = expected.pop("name", before["name"])
    metadata = before["metadata"]
    assert isinstance(metadata, dict)
    assert after["name"] == name
    assert after["metadata"] == {**metadata, **expected}


def test_a_follow_up_by_reference_changes_that_run(runner: CliRunner) -> None:
    assert run(runner, "ask", "rename the Acme invoice to Acme September", "--yes").exit_code == 0

    result = run(runner, "ask", "tag the Bluebird fax urgent", "--yes")

    assert result.exit_code == 0, result.output
    bluebird, acme = stored(runner, BLUEBIRD)["metadata"], stored(runner, ACME)["metadata"]
    assert isinstance(bluebird, dict) and isinstance(acme, dict)
    assert bluebird["tags"] == ["urgent"] and "tags" not in acme


@pytest.mark.parametrize(
    "question",
    ["what's the total on the Acme invoice?", "summarize the Bluebird fax", "what is run 1234?"],
)
def test_a_read_question_naming_a_run_by_vendor_writes_nothing_with_yes(
    runner: CliRunner, question: str
) -> None:
    before = {run_id: stored(runner, run_id) for run_id in (ACME, BLUEBIRD, SEED)}

    result = run(runner, "ask", question, "--yes")

    assert "Applying it" not in result.stdout and "Proposed change" not in result.stdout
    assert {run_id: stored(runner, run_id) for run_id in before} == before


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("what's the total on the Zeta Corp invoice?", "No run matches"),  # not found
        ("what's the total on the INV invoice?", "which one do you mean?"),  # several
        ("rename the Zeta Corp invoice to X", "Nothing was changed"),
        ("compare the totals of the Acme and Zeta invoices", "not every run was found"),
    ],
)
def test_a_run_named_by_a_reference_that_is_not_one_run_exits_non_zero(
    runner: CliRunner, question: str, said: str
) -> None:
    result = run(runner, "ask", question, "--yes")

    assert result.exit_code == EXIT_NOT_DONE, result.output
    assert said in result.stdout


@pytest.mark.parametrize(
    "question",
    [
        f"set extend:usage_tags to foo on {SEED}",  # a key Extend reserves: refused
        "rename it",  # no new name: not one complete change
        "rename 1234",
        f"delete {SEED}",
    ],
)
def test_a_change_asked_for_and_not_applied_exits_non_zero(
    runner: CliRunner, question: str
) -> None:
    before = stored(runner)

    result = run(runner, "ask", question, "--yes")

    assert result.exit_code == EXIT_NOT_DONE, result.output
    assert "Applying it" not in result.stdout
    assert stored(runner) == before


def test_a_change_by_reference_without_a_terminal_is_not_applied_and_exits_non_zero(
    runner: CliRunner,
) -> None:
    result = run(runner, "ask", "rename 1234 to ACME March")

    assert result.exit_code == EXIT_NOT_DONE, result.output
    assert "no terminal" in result.stderr
    assert stored(runner)["name"] is None


def test_chat_yes_applies_a_change_on_a_run_named_by_vendor(runner: CliRunner) -> None:
    result = run(runner, "chat", "--yes", input="rename the Acme invoice to Acme September\nexit\n")

    assert result.exit_code == 0, result.output
    assert "Applying it (--yes)." in result.stdout
    assert stored(runner, ACME)["name"] == "Acme September"


def test_yes_applies_a_follow_up_about_a_run_named_by_vendor(runner: CliRunner) -> None:
    """ "tag it ..." after a question about "the Bluebird fax": the run it resolved to."""
    assert run(runner, "ask", "what's the total on the Bluebird fax?").exit_code == 0

    result = run(runner, "ask", "tag it needs-followup", "--yes")

    assert result.exit_code == 0, result.output
    assert "Applying it (--yes)." in result.stdout
    metadata = stored(runner, BLUEBIRD)["metadata"]
    assert isinstance(metadata, dict) and metadata["tags"] == ["needs-followup"]


def test_yes_applies_a_change_on_the_run_picked_from_those_offered(runner: CliRunner) -> None:
    """A typo offers the run; "yes, that one" --yes renames exactly it, as first asked."""
    offered = run(runner, "ask", "rename the Nortwind invoice to NW Sept", "--yes")
    assert offered.exit_code == EXIT_NOT_DONE and "Did you mean this one?" in offered.stdout
    assert stored(runner, MULTI)["name"] == "Northwind Traders INV-2024-0831"

    picked = run(runner, "ask", "yes, that one", "--yes")

    assert picked.exit_code == 0, picked.output
    assert picked.stdout.count("Applying it (--yes).") == 1
    assert stored(runner, MULTI)["name"] == "NW Sept"


def test_a_pick_that_proposes_a_change_not_applied_exits_non_zero(runner: CliRunner) -> None:
    run(runner, "ask", "rename the INV invoice to Globex Sept")  # three runs offered

    picked = run(runner, "ask", "the first one")  # no terminal: not applied

    assert picked.exit_code == EXIT_NOT_DONE, picked.output
    assert "Proposed change: Rename workflow_run_processing" in picked.stdout
    read = run(runner, "ask", "the second one")  # nothing offered any more: not a pick
    assert "Proposed change" not in read.stdout


def test_yes_applies_a_correction_of_the_change_just_made(runner: CliRunner) -> None:
    first = run(runner, "ask", f"set the cost center to CC-12 on {SEED}", "--yes")
    assert first.exit_code == 0, first.output

    corrected = run(runner, "ask", "actually make that CC-13", "--yes")

    assert corrected.exit_code == 0, corrected.output
    assert corrected.stdout.count("Applying it (--yes).") == 1
    assert stored(runner)["metadata"]["cost_center"] == "CC-13"
