"""RunTools against the emulator: reads, writes, tags, concurrency and clear errors."""

from __future__ import annotations

import logging
import threading

import pytest

from extend_emulator import EmulatorServer
from tests.conftest import EMULATOR_KEY
from tools.client.clients import ExtendClient
from tools.faces.run_change import RunChange
from tools.faces.run_tools import RunTools
from tools.faces.tool_errors import ToolError

SEED = "workflow_run_1234"


@pytest.fixture
def run_tools(client: ExtendClient) -> RunTools:
    return RunTools(client)


def writes(emulator: EmulatorServer) -> list[dict]:
    return [r for r in emulator.requests if r["method"] == "POST"]


def test_get_run_returns_summary_and_run(run_tools: RunTools) -> None:
    output = run_tools.get_run(SEED)
    assert output.run.id == SEED
    assert "15,735.10 USD | page 1" in output.text
    assert output.change is None
    narrowed = run_tools.get_run(SEED, fields=["invoice number"], include_reasoning=True)
    assert "36995" in narrowed.text and "15,735.10" not in narrowed.text
    assert "reasoning:" in narrowed.text


def test_get_run_on_current_api_version(current_client: ExtendClient) -> None:
    output = RunTools(current_client).get_run("workflow_run_reviewed_corrections")
    assert output.run.api_version == "2026-02-09"
    assert 'before: 1,240.00 USD (page 1 "Subtotal $1,240.00") -> after: 1,420.00 USD' in (
        output.text
    )


def test_low_confidence_threshold_is_configurable(client: ExtendClient) -> None:
    strict = RunTools(client, low_confidence=0.995).get_run(SEED)
    assert "LOW CONFIDENCE" in strict.text
    assert "LOW CONFIDENCE" not in RunTools(client).get_run(SEED).text


def test_rename_reports_before_and_after(run_tools: RunTools, client: ExtendClient) -> None:
    output = run_tools.update_run_metadata(SEED, name="ACME March")
    assert output.change is not None
    assert (output.change.name_before, output.change.name_after) == (None, "ACME March")
    assert output.text == 'Updated run workflow_run_1234.\nname: (none) -> "ACME March"'
    assert output.change.describe() == 'Rename workflow_run_1234 from (none) to "ACME March"'
    assert client.get_run(SEED).name == "ACME March"


def test_metadata_is_merged_and_existing_keys_kept(
    run_tools: RunTools, client: ExtendClient, emulator: EmulatorServer
) -> None:
    output = run_tools.update_run_metadata(SEED, metadata={"vendor": "ACME", "internal_id": "x"})
    assert output.change is not None
    assert output.change.metadata_before == {"internal_id": "id_1234"}
    assert output.change.metadata_after == {"vendor": "ACME", "internal_id": "x"}
    assert client.get_run(SEED).metadata == {"internal_id": "x", "vendor": "ACME"}
    assert 'metadata internal_id: "id_1234" -> "x"' in output.text
    assert writes(emulator)[-1]["body"] == {"metadata": {"vendor": "ACME", "internal_id": "x"}}


def test_only_changed_parts_are_sent(run_tools: RunTools, emulator: EmulatorServer) -> None:
    run_tools.update_run_metadata(SEED, name="ACME March", metadata={"vendor": "ACME"})
    run_tools.update_run_metadata(SEED, name="ACME March", metadata={"vendor": "Acme Corp"})
    assert writes(emulator)[-1]["body"] == {"metadata": {"vendor": "Acme Corp"}}


def test_add_tags_appends_without_duplicates(run_tools: RunTools, client: ExtendClient) -> None:
    first = run_tools.update_run_metadata(SEED, add_tags=["urgent", "q3", "urgent"])
    assert first.change is not None and first.change.tags_added == ["urgent", "q3"]
    second = run_tools.update_run_metadata(SEED, add_tags=["urgent", "late"])
    assert second.change is not None and second.change.tags_added == ["late"]
    assert second.change.describe() == 'On workflow_run_1234: add tag "late"'
    assert client.get_run(SEED).tags == ["urgent", "q3", "late"]
    assert 'Tags: "urgent", "q3", "late".' in run_tools.get_run(SEED).text
    assert 'metadata tags: ["urgent", "q3"] -> ["urgent", "q3", "late"]' in second.text


def test_concurrent_tag_calls_all_land(run_tools: RunTools, client: ExtendClient) -> None:
    labels = [f"label-{n}" for n in range(6)]
    start = threading.Barrier(len(labels))
    failures: list[BaseException] = []

    def tag(label: str) -> None:
        start.wait()
        try:
            run_tools.update_run_metadata(SEED, add_tags=[label])
        except BaseException as exc:  # surfaced by the assertion below
            failures.append(exc)

    threads = [threading.Thread(target=tag, args=(label,)) for label in labels]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(client.get_run(SEED).tags) == sorted(labels)


def test_preview_computes_the_change_without_writing(
    run_tools: RunTools, emulator: EmulatorServer
) -> None:
    change = run_tools.preview_update(
        SEED, name="ACME March", metadata={"vendor": "ACME"}, add_tags=["urgent"]
    )
    assert isinstance(change, RunChange)
    assert change.describe() == (
        'Rename workflow_run_1234 from (none) to "ACME March"; set vendor = "ACME"; '
        'add tag "urgent"'
    )
    assert writes(emulator) == []


def test_a_metadata_key_named_like_an_extracted_field_says_the_field_stays(
    run_tools: RunTools,
) -> None:
    """The seed extracts "amount": setting metadata amount can't correct it, and says so."""
    change = run_tools.preview_update(SEED, metadata={"amount": "15735.10", "cost_center": "CC"})
    assert change.field_keys == ["amount"]
    assert change.describe() == (
        'On workflow_run_1234: set amount = "15735.10" (metadata only: the extracted field of '
        'that name stays as Extend read it); set cost_center = "CC"'
    )


def test_describe_mentions_replaced_values() -> None:
    change = RunChange(
        run_id="workflow_run_9",
        name_before="Old",
        name_after="New",
        metadata_before={"vendor": "Acme"},
        metadata_after={"vendor": "ACME", "count": 3, "tags": ["a", "b"]},
        tags_added=["b"],
    )
    assert change.describe() == (
        'Rename workflow_run_9 from "Old" to "New"; set vendor = "ACME" (was "Acme"); '
        'set count = 3; add tag "b"'
    )


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({"name": "ACME March"}, 'workflow_run_1234 is already named "ACME March"'),
        ({"metadata": {"internal_id": "id_1234"}}, 'already has internal_id = "id_1234"'),
        ({"add_tags": ["urgent"]}, 'workflow_run_1234 is already tagged "urgent"'),
        (
            {"name": "ACME March", "metadata": {"po_number": None}},
            'is already named "ACME March"; it has no metadata key po_number to remove',
        ),
    ],
)
def test_a_call_that_changes_nothing_is_refused(
    run_tools: RunTools, emulator: EmulatorServer, arguments: dict, expected: str
) -> None:
    run_tools.update_run_metadata(SEED, name="ACME March", add_tags=["urgent"])
    before = len(writes(emulator))
    with pytest.raises(ToolError) as caught:
        run_tools.update_run_metadata(SEED, **arguments)
    assert expected in caught.value.message
    assert caught.value.message.startswith("Nothing to change: workflow_run_1234 ")
    assert len(writes(emulator)) == before
    with pytest.raises(ToolError):
        run_tools.preview_update(SEED, **arguments)


def test_removing_a_key_the_run_lacks_is_refused_and_writes_nothing(
    run_tools: RunTools, client: ExtendClient, emulator: EmulatorServer
) -> None:
    before = client.get_run(SEED).metadata
    for call in (run_tools.preview_update, run_tools.update_run_metadata):
        with pytest.raises(ToolError) as caught:
            call(SEED, metadata={"cost_center": None, "po_number": None})
        assert caught.value.message == (
            "workflow_run_1234 has no metadata keys cost_center, po_number; nothing to remove. "
            "No update was sent."
        )
    assert writes(emulator) == []
    assert client.get_run(SEED).metadata == before
    assert "cost_center" not in client.get_run(SEED).metadata


def test_a_removal_of_an_absent_key_is_left_out_of_a_larger_change(
    run_tools: RunTools, client: ExtendClient, emulator: EmulatorServer
) -> None:
    arguments = {"name": "ACME March", "metadata": {"cost_center": None, "vendor": "ACME"}}
    preview = run_tools.preview_update(SEED, **arguments)
    assert preview.absent_removals == ["cost_center"]
    assert preview.metadata_after == {"vendor": "ACME"}
    assert preview.describe() == (
        'Rename workflow_run_1234 from (none) to "ACME March"; set vendor = "ACME"; '
        "leave out cost_center (the run has no such key: nothing to remove)"
    )
    assert "metadata cost_center: (unset), nothing to remove (left out)" in (
        preview.before_after_lines()
    )
    assert writes(emulator) == []

    output = run_tools.update_run_metadata(SEED, **arguments, approved=preview)
    assert writes(emulator)[-1]["body"] == {"name": "ACME March", "metadata": {"vendor": "ACME"}}
    stored = client.get_run(SEED)
    assert stored.name == "ACME March"
    assert stored.metadata == {"internal_id": "id_1234", "vendor": "ACME"}
    assert "nothing to remove" in output.text


def test_removing_a_key_the_run_has_sets_it_to_null(
    run_tools: RunTools, client: ExtendClient
) -> None:
    output = run_tools.update_run_metadata(SEED, metadata={"internal_id": None})
    assert output.change is not None and output.change.absent_removals == []
    assert client.get_run(SEED).metadata == {"internal_id": None}
    with pytest.raises(ToolError) as caught:  # it is null now: a second removal changes nothing
        run_tools.update_run_metadata(SEED, metadata={"internal_id": None})
    assert "already has internal_id = null" in caught.value.message


def test_a_key_added_after_the_preview_voids_the_approval(
    run_tools: RunTools, client: ExtendClient
) -> None:
    arguments = {"name": "ACME March", "metadata": {"cost_center": None}}
    preview = run_tools.preview_update(SEED, **arguments)
    client.update_run(SEED, metadata={"cost_center": "CC-9"})
    with pytest.raises(ToolError, match="changed after the change was approved"):
        run_tools.update_run_metadata(SEED, **arguments, approved=preview)
    stored = client.get_run(SEED)
    assert (stored.name, stored.metadata["cost_center"]) == (None, "CC-9")


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ({}, "Nothing to update: give a new name, metadata to set, or tags to add or remove."),
        ({"name": "  "}, "The run name cannot be empty"),
        ({"metadata": {"": "x"}}, "Metadata keys cannot be empty"),
        ({"metadata": "vendor=ACME"}, "Metadata must be a JSON object"),
        ({"add_tags": "urgent"}, "add_tags must be a list of labels"),
        ({"add_tags": [""]}, "Each tag must be non-empty text"),
        ({"add_tags": ["ok\r\x1b[2K"]}, "contains control characters (U+000D"),
        ({"metadata": {"extend:usage_tags": "x"}}, "reserved by Extend"),
    ],
)
def test_bad_arguments_are_refused_before_any_request(
    run_tools: RunTools, emulator: EmulatorServer, arguments: dict, expected: str
) -> None:
    with pytest.raises(ToolError) as caught:
        run_tools.update_run_metadata(SEED, **arguments)
    assert expected in caught.value.message
    assert emulator.requests == []


def test_invalid_run_id_sends_nothing(run_tools: RunTools, emulator: EmulatorServer) -> None:
    for call in (run_tools.get_run, run_tools.update_run_metadata):
        with pytest.raises(ToolError) as caught:
            call("workflow run 1234")
        assert "'workflow run 1234' is not a valid run id" in caught.value.message
    assert emulator.requests == []


def test_unknown_run_names_the_id_and_writes_nothing(
    run_tools: RunTools, emulator: EmulatorServer
) -> None:
    with pytest.raises(ToolError) as caught:
        run_tools.update_run_metadata("workflow_run_missing", name="x")
    message = caught.value.message
    assert message.startswith("Failed reading run workflow_run_missing: Extend returned 404")
    assert "Check the run id" in message
    assert writes(emulator) == []


def test_tags_that_are_not_a_list_are_not_overwritten(
    run_tools: RunTools, emulator: EmulatorServer
) -> None:
    run_tools.update_run_metadata(SEED, metadata={"tags": "urgent"})
    with pytest.raises(ToolError) as caught:
        run_tools.update_run_metadata(SEED, add_tags=["late"])
    assert "'tags' metadata value that is not a list" in caught.value.message
    assert len(writes(emulator)) == 1


def test_server_errors_after_retries_become_a_clear_tool_error(
    run_tools: RunTools, emulator: EmulatorServer
) -> None:
    emulator.faults.add("error", status=503, method="POST")
    with pytest.raises(ToolError) as caught:
        run_tools.update_run_metadata(SEED, name="ACME March")
    message = caught.value.message
    assert message.startswith("Failed updating run workflow_run_1234: Extend returned 503")
    assert EMULATOR_KEY not in message and "Traceback" not in message
    posts = writes(emulator)
    assert len(posts) == 1 + run_tools.client.config.max_retries
    assert all(p["status"] == 503 for p in posts)
    emulator.faults.clear()
    assert run_tools.get_run(SEED).run.name is None  # nothing was written


def test_server_errors_on_read_become_a_tool_error(
    run_tools: RunTools, emulator: EmulatorServer
) -> None:
    emulator.faults.add("error", status=500)
    with pytest.raises(ToolError) as caught:
        run_tools.get_run(SEED)
    assert caught.value.message.startswith("Failed reading run workflow_run_1234: Extend returned")
    assert EMULATOR_KEY not in caught.value.message


def test_describe_cannot_be_spoofed_by_control_characters() -> None:
    spoof = "ok\r\x1b[2K\x9bApproved: nothing to see\nRename other_run"
    change = RunChange(
        run_id="workflow_run_9",
        name_before=spoof,
        name_after="New",
        metadata_before={},
        metadata_after={f"key{spoof}": spoof, "plain": "ok"},
        tags_added=[spoof],
    )
    for text in (change.describe(), *change.before_after_lines()):
        assert not any(ord(c) < 0x20 or 0x7F <= ord(c) <= 0x9F for c in text), repr(text)
    described = change.describe()
    assert '"ok\\r\\u001b[2K\\u009bApproved: nothing to see\\nRename other_run"' in described
    assert 'set plain = "ok"' in described
    assert len(change.before_after_lines()) == 3


def test_a_bug_while_summarizing_is_a_tool_error_and_logged(
    run_tools: RunTools, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken_summary(*args: object, **kwargs: object) -> str:
        raise KeyError("bug in the summary")

    monkeypatch.setattr("tools.faces.run_tools.summarize_run", broken_summary)
    with caplog.at_level(logging.ERROR), pytest.raises(ToolError) as caught:
        run_tools.get_run(SEED)
    assert caught.value.message.startswith(
        "Failed summarizing run workflow_run_1234: an unexpected error occurred"
    )
    assert "bug in the summary" not in caught.value.message
    logged = [r for r in caplog.records if r.exc_info]
    assert logged and "summarizing run workflow_run_1234" in logged[0].getMessage()
