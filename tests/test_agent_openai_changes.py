"""With a real model (``ChatOpenAI`` over HTTP to the scripted server): the same writes and undo.

What a model is told (the system prompt, the update tool's schema and description)
must guide it to the behaviour the offline model has: short answers, one precise
change per proposal, tags removed with ``remove_tags``, a removed key set to null
(said in the proposal), and an undo built from the before-values the last change
reported. The tool-call sequences are scripted; every write goes through the
approval gate and is read back from the emulator.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel

from agent.model_choice import choose_model
from agent.session import AgentReply, AgentSession
from agent.settings import AgentSettings
from agent.testing import agent_session
from extend_emulator import EmulatorServer
from tests.support.agent_helpers import writes
from tests.support.openai_server import ScriptedOpenAI, text, tool_call
from tools.client.clients import ExtendClient

SEED = "workflow_run_1234"
MULTI = "workflow_run_invoice_multipage"


@pytest.fixture
def openai_server() -> Iterator[ScriptedOpenAI]:
    with ScriptedOpenAI(model="gpt-4.1-mini") as server:
        yield server


@pytest.fixture
def session(
    openai_server: ScriptedOpenAI, client: ExtendClient, tmp_path: Path
) -> Iterator[AgentSession]:
    settings = AgentSettings(
        OPENAI_API_KEY="sk-test-not-real", OPENAI_BASE_URL=openai_server.base_url
    )
    model: BaseChatModel = choose_model(settings)[0]
    with agent_session(client, model, tmp_path / "c.sqlite3") as made:
        yield made


def approved(session: AgentSession, message: str) -> tuple[AgentReply, AgentReply]:
    """Ask, check a change is waiting, approve it: (the proposal, the answer after)."""
    proposal = session.ask("t", message)
    assert proposal.pending is not None, proposal.text
    return proposal, session.decide("t", True, change_id=proposal.pending.change_id)


def tool_results_sent(body: dict[str, Any]) -> list[str]:
    return [str(m.get("content")) for m in body["messages"] if m.get("role") == "tool"]


def test_the_model_is_told_how_to_answer_remove_and_undo(
    openai_server: ScriptedOpenAI, session: AgentSession
) -> None:
    openai_server.add(text("Which run do you mean?"))

    session.ask("t", "what currency is it in?")

    body = openai_server.requests[0]
    system = body["messages"][0]["content"]
    for guidance in ("not with a summary", "remove_tags", "null", "undo", "0.01", "convert"):
        assert guidance in system, guidance
    update = next(t for t in body["tools"] if t["function"]["name"] == "update_run_metadata")
    assert "remove_tags" in update["function"]["parameters"]["properties"]
    assert "cannot delete a key" in update["function"]["description"]


def test_remove_a_tag_then_undo_from_the_reported_before_values(
    openai_server: ScriptedOpenAI, session: AgentSession, client: ExtendClient
) -> None:
    openai_server.add(
        tool_call("update_run_metadata", {"run_id": SEED, "add_tags": ["urgent", "q3"]}),
        text("Tagged urgent and q3."),
        tool_call("update_run_metadata", {"run_id": SEED, "remove_tags": ["urgent"]}),
        text("Removed the urgent tag."),
        tool_call("update_run_metadata", {"run_id": SEED, "add_tags": ["urgent"]}),
        text("Put the urgent tag back."),
    )

    approved(session, f"tag {SEED} urgent and q3")
    proposal, _ = approved(session, "remove the urgent tag")
    assert proposal.pending is not None
    assert 'remove tag "urgent"' in proposal.pending.description
    assert client.get_run(SEED).tags == ["q3"]

    approved(session, "undo that")

    # the model was given the last change's before -> after, from which it built the undo
    sent = tool_results_sent(openai_server.requests[4])
    assert any('metadata tags: ["urgent", "q3"] -> ["q3"]' in result for result in sent), sent
    assert client.get_run(SEED).tags == ["q3", "urgent"]


def test_removing_a_key_sets_it_to_null_and_says_so(
    openai_server: ScriptedOpenAI, session: AgentSession, client: ExtendClient
) -> None:
    openai_server.add(
        tool_call("update_run_metadata", {"run_id": SEED, "metadata": {"internal_id": None}}),
        text("internal_id is now null: Extend keeps the key."),
    )

    proposal, after = approved(session, f"remove the internal_id key from {SEED}")

    assert proposal.pending is not None
    assert "null" in proposal.pending.description
    assert "cannot delete a metadata key" in proposal.pending.description
    assert after.change_written
    assert client.get_run(SEED).metadata == {"internal_id": None}


def test_a_change_known_to_fail_is_never_shown(
    openai_server: ScriptedOpenAI, session: AgentSession, emulator: EmulatorServer
) -> None:
    openai_server.add(
        tool_call("update_run_metadata", {"run_id": "workflow_run_nope", "name": "Foo"}),
        text("There is no run workflow_run_nope, so I changed nothing."),
    )

    reply = session.ask("t", "rename workflow_run_nope to Foo")

    assert reply.pending is None
    assert reply.change_tried and not reply.change_written
    assert writes(emulator) == []
    sent = tool_results_sent(openai_server.requests[1])
    assert any("Not proposed to the user" in r and "not found" in r for r in sent), sent


def test_several_keys_go_in_one_proposal(
    openai_server: ScriptedOpenAI, session: AgentSession, client: ExtendClient
) -> None:
    openai_server.add(
        tool_call(
            "update_run_metadata",
            {"run_id": MULTI, "metadata": {"po_number": "4411", "cost_center": "CC-9"}},
        ),
        text("Set po_number and cost_center."),
    )

    approved(session, f"set po_number to 4411 and cost_center to CC-9 on {MULTI}")

    metadata = client.get_run(MULTI).metadata
    assert (metadata["po_number"], metadata["cost_center"]) == ("4411", "CC-9")
