"""The agent graph with a scripted model: tool loop, approval gate, honest rejection.

Real tools on the emulator over HTTP and a real SQLite checkpointer; only the chat
model is scripted, so these tests pin down what the graph does around any model.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from langchain_core.messages import SystemMessage, ToolMessage

from agent.change_text import describe_write
from agent.decision_words import read_decision
from agent.offline.chat_model import OfflineChatModel
from agent.session import AgentSession
from agent.testing import (
    ScriptedChatModel,
    agent_session,
    call,
    calls,
    echo_last_tool_result,
    say,
)
from extend_emulator import EmulatorServer
from tests.support.agent_helpers import writes
from tools.client.clients import ExtendClient

SEED = "workflow_run_1234"


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "conversations.sqlite3"


@pytest.fixture
def model() -> ScriptedChatModel:
    return ScriptedChatModel()


@pytest.fixture
def session(
    client: ExtendClient, model: ScriptedChatModel, db_path: Path
) -> Iterator[AgentSession]:
    with agent_session(client, model, db_path) as opened:
        yield opened


def test_read_is_tool_call_then_answer(session: AgentSession, model: ScriptedChatModel) -> None:
    model.add(call("get_run", run_id=SEED), echo_last_tool_result())

    reply = session.ask("t", "What is the total on workflow_run_1234?")

    assert model.calls_made == 2
    assert [run.id for run in reply.runs] == [SEED]
    assert reply.pending is None
    # the answer step saw the tool's summary, with value, page and reference text
    assert reply.text.startswith("[success] ")
    assert "15,735.10 USD" in reply.text and "TOTAL  $15,735.1" in reply.text
    first_call = model.requests[0]
    assert isinstance(first_call[0], SystemMessage)
    assert "untrusted" in first_call[0].content
    assert {tool["function"]["name"] for tool in model.bound_tools} == {
        "get_run",
        "update_run_metadata",
        "find_runs",
        "show_citation",
    }


def test_tool_error_goes_back_to_the_model(session: AgentSession, model: ScriptedChatModel) -> None:
    model.add(call("get_run", run_id="workflow_run_does_not_exist"), echo_last_tool_result())

    reply = session.ask("t", "summarize workflow_run_does_not_exist")

    assert reply.text.startswith("[error] ")
    assert "workflow_run_does_not_exist" in reply.text
    assert reply.runs == []


def test_write_waits_for_approval_then_lands(
    session: AgentSession, model: ScriptedChatModel, emulator: EmulatorServer, client: ExtendClient
) -> None:
    model.add(
        call("update_run_metadata", run_id=SEED, name="ACME March", add_tags=["urgent"]),
        echo_last_tool_result(),
    )

    reply = session.ask("t", "rename workflow_run_1234 to ACME March and tag it urgent")

    assert reply.pending is not None
    assert reply.pending.run_id == SEED
    assert reply.pending.name == "ACME March"
    assert reply.pending.add_tags == ["urgent"]
    assert "ACME March" in reply.pending.description and "urgent" in reply.pending.description
    assert writes(emulator) == []  # nothing written while waiting
    assert client.get_run(SEED).name is None
    assert session.pending("t") == reply.pending
    assert model.calls_made == 1

    done = session.decide("t", approve=True)

    assert done.pending is None
    assert len(writes(emulator, SEED)) == 1
    run = client.get_run(SEED)
    assert run.name == "ACME March" and run.tags == ["urgent"]
    assert done.text.startswith("[success] Updated run workflow_run_1234.")
    assert [r.name for r in done.runs] == ["ACME March"]
    assert model.calls_made == 2  # an approved write: call, then answer
    assert session.pending("t") is None


@pytest.mark.parametrize(
    "meanwhile",
    [{"name": "Renamed by Maria"}, {"metadata": {"tags": ["urgent", "held"]}}],
    ids=["renamed", "tagged"],
)
def test_a_run_changed_between_the_preview_and_the_yes_is_not_written(
    session: AgentSession,
    model: ScriptedChatModel,
    emulator: EmulatorServer,
    client: ExtendClient,
    meanwhile: dict[str, object],
) -> None:
    """The person approved "no name -> ACME March, tags + urgent"; someone else changed the
    run before their yes: the write the yes resumes does nothing they weren't shown."""
    model.add(
        call("update_run_metadata", run_id=SEED, name="ACME March", add_tags=["urgent"]),
        echo_last_tool_result(),
    )
    reply = session.ask("t", "rename workflow_run_1234 to ACME March and tag it urgent")
    assert reply.pending is not None and reply.pending.change is not None
    client.update_run(SEED, **meanwhile)  # type: ignore[arg-type]
    changed = client.get_run(SEED)

    done = session.decide("t", approve=True)

    assert len(writes(emulator, SEED)) == 1  # only the other person's write
    after = client.get_run(SEED)
    assert (after.name, after.tags) == (changed.name, changed.tags)
    assert done.text.startswith("[error] ") and "changed after the change was approved" in done.text
    assert not done.change_written


def test_rejected_write_writes_nothing_and_model_is_told(
    session: AgentSession, model: ScriptedChatModel, emulator: EmulatorServer, client: ExtendClient
) -> None:
    model.add(call("update_run_metadata", run_id=SEED, name="Nope"), echo_last_tool_result())
    session.ask("t", "rename workflow_run_1234 to Nope")

    reply = session.decide("t", approve=False)

    assert writes(emulator) == []
    assert client.get_run(SEED).name is None
    assert reply.pending is None
    assert reply.text.startswith("[error] ")
    assert "declined" in reply.text and "nothing was written" in reply.text


def test_offline_model_reports_a_rejection_honestly(
    client: ExtendClient, emulator: EmulatorServer, db_path: Path
) -> None:
    with agent_session(client, OfflineChatModel(), db_path) as session:
        proposal = session.ask("t", "rename workflow_run_1234 to ACME March")
        assert proposal.pending is not None
        reply = session.decide("t", approve=False)

    assert "did not change workflow_run_1234" in reply.text
    assert "nothing was written" in reply.text
    assert writes(emulator) == []


def test_yes_and_no_replies_decide_a_pending_change(
    session: AgentSession, model: ScriptedChatModel, emulator: EmulatorServer
) -> None:
    model.add(call("update_run_metadata", run_id=SEED, metadata={"vendor": "ACME"}), say("Done."))
    session.ask("t", "set vendor=ACME on workflow_run_1234")

    reminder = session.ask("t", "what is the total?")
    assert reminder.not_asked and reminder.pending is not None
    assert "waiting for your approval" in reminder.text
    assert model.calls_made == 1  # the question was held back, not sent to the model

    reply = session.ask("t", "yes please")
    assert reply.text == "Done."
    assert len(writes(emulator, SEED)) == 1


def test_only_one_write_per_turn_is_applied(
    session: AgentSession, model: ScriptedChatModel, emulator: EmulatorServer, client: ExtendClient
) -> None:
    model.add(
        calls(
            ("update_run_metadata", {"run_id": SEED, "name": "First"}),
            ("update_run_metadata", {"run_id": "workflow_run_failed", "name": "Second"}),
        ),
        say("ok"),
    )
    reply = session.ask("t", "rename workflow_run_1234 to First")
    assert reply.pending is not None and reply.pending.name == "First"

    session.decide("t", approve=True)

    assert client.get_run(SEED).name == "First"
    assert client.get_run("workflow_run_failed").name != "Second"
    assert len(writes(emulator)) == 1
    answer_input = model.requests[-1]
    results = [m for m in answer_input if isinstance(m, ToolMessage)]
    assert sorted(m.status for m in results) == ["error", "success"]
    refused = next(m for m in results if m.status == "error")
    assert "only one change" in str(refused.content)


def test_decide_without_a_pending_change(session: AgentSession) -> None:
    reply = session.decide("nothing-here", approve=True)
    assert reply.pending is None and "no change waiting" in reply.text


def test_pending_description_falls_back_when_the_preview_fails(
    session: AgentSession, model: ScriptedChatModel, emulator: EmulatorServer
) -> None:
    model.add(call("update_run_metadata", run_id=SEED, name="X"))
    emulator.faults.add("error", status=500, count=10, method="GET")  # Extend unreadable
    reply = session.ask("t", f"rename {SEED} to X")

    assert reply.pending is not None
    assert reply.pending.description.startswith(describe_write({"run_id": SEED, "name": "X"}))
    assert "note:" in reply.pending.description


def test_a_change_to_a_run_that_does_not_exist_is_never_shown(
    session: AgentSession, model: ScriptedChatModel, emulator: EmulatorServer
) -> None:
    model.add(
        call("update_run_metadata", run_id="workflow_run_missing_one", name="X"),
        echo_last_tool_result(),
    )
    reply = session.ask("t", "rename workflow_run_missing_one to X")

    assert reply.pending is None  # its preview already knew it would fail (404)
    assert "not found" in reply.text and "Not proposed to the user" in reply.text
    assert reply.change_tried and not reply.change_written


def test_threads_are_separate_conversations_and_safe_in_parallel(
    client: ExtendClient, db_path: Path
) -> None:
    # each thread's own total (as digits: the offline model words amounts for people)
    questions = {
        f"thread-{i}": (run_id, expected)
        for i, (run_id, expected) in enumerate(
            [
                (SEED, "15,735.10"),
                ("workflow_run_injection", "845.20"),
                ("workflow_run_reviewed_corrections", "1,420.00"),
                ("workflow_run_needs_review", "3,958.40"),
            ]
            * 2
        )
    }
    with agent_session(client, OfflineChatModel(), db_path) as session:
        with ThreadPoolExecutor(max_workers=4) as pool:
            replies = dict(
                zip(
                    questions,
                    pool.map(
                        lambda item: session.ask(item[0], f"what is the total on {item[1][0]}?"),
                        questions.items(),
                    ),
                    strict=True,
                )
            )
        for thread_id, (run_id, expected) in questions.items():
            assert expected in replies[thread_id].text, thread_id
            assert run_id in replies[thread_id].text
            follow_up = session.ask(thread_id, "and the invoice number?")
            assert run_id in follow_up.text


@pytest.mark.parametrize(
    ("text", "decision"),
    [
        ("yes", True),
        ("Yes please!", True),
        ("go ahead", True),
        ("do it", True),
        ("👍", True),
        ("no", False),
        ("No thanks", False),
        ("cancel", False),
        ("don't", False),
        ("what is the total?", None),
        ("yes, and also rename the other run to something else", None),
        ("", None),
    ],
)
def test_read_decision(text: str, decision: bool | None) -> None:
    assert read_decision(text) is decision
