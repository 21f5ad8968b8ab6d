"""Writes are checked when proposed, not when applied (issue 8), against the emulator.

A tag with U+202E used to pass the preview (and so a person's approval) and only
fail at write time; a newline or U+2028 in a name or value could forge the lines
of an approval card; a model (or a hasty ``/extend meta``) could wipe Extend's
reserved ``extend:usage_tags``. Each is now refused by ``RunTools.preview_update``
(which every front end shows before asking) with nothing sent to Extend, and a
reserved key is written only when the caller says the person named it, and the
change then says it is a key Extend reserves.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from agent.offline.chat_model import OfflineChatModel
from agent.testing import agent_session
from extend_emulator import EmulatorServer
from tests.support.agent_helpers import writes
from tools.client.clients import ExtendClient
from tools.faces.run_tools import RunTools
from tools.faces.tool_errors import ToolError

RUN = "workflow_run_1234"
USAGE_TAGS = "extend:usage_tags"


@pytest.fixture
def run_tools(client: ExtendClient) -> RunTools:
    return RunTools(client)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"add_tags": ["urgent\u202e"]}, "U+202E"),
        ({"add_tags": ["a\u2066b"]}, "U+2066"),
        ({"add_tags": ["line\u2028break"]}, "U+2028"),
        ({"name": "ACME\u2029March"}, "U+2029"),
        ({"name": "ACME\u200eMarch"}, "U+200E"),
        ({"name": "ACME\nMarch"}, "U+000A"),
        ({"metadata": {"vendor": "ACME\nset approved = true"}}, "U+000A"),
        ({"metadata": {"vendor": "ACME\tCorp"}}, "U+0009"),
        ({"metadata": {"lines": ["ok", "bad\u2028"]}}, "metadata.lines[1]"),
        ({"metadata": {USAGE_TAGS: []}}, "Extend reserves"),
        ({"metadata": {"extend:anything": "x"}}, "Extend reserves"),
    ],
    ids=lambda value: repr(value)[:40],
)
def test_refused_at_preview_and_at_write_with_nothing_sent(
    arguments: dict[str, Any],
    message: str,
    run_tools: RunTools,
    emulator: EmulatorServer,
    client: ExtendClient,
) -> None:
    before = client.get_run(RUN)
    with pytest.raises(ToolError) as previewed:
        run_tools.preview_update(RUN, **arguments)
    with pytest.raises(ToolError) as written:
        run_tools.update_run_metadata(RUN, **arguments)

    assert message in previewed.value.message and message in written.value.message
    assert previewed.value.cause is None  # our refusal, not Extend's
    assert writes(emulator) == []
    after = client.get_run(RUN)
    assert (after.name, after.metadata) == (before.name, before.metadata)


def test_usage_tags_are_written_only_when_named_and_the_change_says_so(
    run_tools: RunTools, client: ExtendClient
) -> None:
    client.update_run(RUN, metadata={USAGE_TAGS: ["billing-q3"]})

    change = run_tools.preview_update(RUN, metadata={USAGE_TAGS: []}, reserved_keys={USAGE_TAGS})
    assert 'extend:usage_tags (a key Extend reserves) = [] (was ["billing-q3"])' in (
        change.describe()
    )
    assert change.reserved_keys == [USAGE_TAGS]

    result = run_tools.update_run_metadata(
        RUN, metadata={USAGE_TAGS: []}, reserved_keys={USAGE_TAGS}
    )
    assert 'metadata extend:usage_tags (a key Extend reserves): ["billing-q3"] -> []' in (
        result.text
    )
    assert client.get_run(RUN).metadata[USAGE_TAGS] == []


def test_naming_one_reserved_key_does_not_allow_another(run_tools: RunTools) -> None:
    with pytest.raises(ToolError, match="extend:other"):
        run_tools.preview_update(
            RUN, metadata={USAGE_TAGS: [], "extend:other": 1}, reserved_keys={USAGE_TAGS}
        )


def test_plain_tags_names_and_values_still_pass(run_tools: RunTools, client: ExtendClient) -> None:
    result = run_tools.update_run_metadata(
        RUN, name="ACME März – Q3", metadata={"vendor": "ACME € GmbH"}, add_tags=["dringend ✅"]
    )
    run = client.get_run(RUN)
    assert run.name == "ACME März – Q3" and run.metadata["vendor"] == "ACME € GmbH"
    assert run.tags == ["dringend ✅"] and result.change is not None


def test_offline_model_explains_instead_of_proposing_a_reserved_key(
    client: ExtendClient, emulator: EmulatorServer, tmp_path: Path
) -> None:
    with agent_session(client, OfflineChatModel(), tmp_path / "c.sqlite3") as session:
        reply = session.ask("t", f"set {USAGE_TAGS}=[] on {RUN}")
    assert reply.pending is None
    assert reply.text.startswith(f"{USAGE_TAGS} is a metadata key Extend reserves")
    assert writes(emulator) == []
