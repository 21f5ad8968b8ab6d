"""Which run "it" means after a search, through the agent with the offline model over the
emulator: the one run a search listed, none of several (the model asks and writes nothing),
and a run resolved several turns earlier, after its full artifact was trimmed from history.

Also questions about runs in several states ("which runs failed or need review?"), which
must list the runs of every state they name."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from langchain_core.messages import ToolMessage

from agent.offline.chat_model import OfflineChatModel
from agent.session import AgentSession
from agent.testing import agent_session
from extend_emulator import EmulatorServer
from tests.conftest import EMULATOR_KEY, no_sleep
from tools.client.clients import ExtendClient
from tools.faces.tool_names import FIND_RUNS

ACME = "workflow_run_reviewed_corrections"  # "the Acme invoice": Acme Industrial Supply Co.


@pytest.fixture
def session(emulator: EmulatorServer, tmp_path: Path) -> Iterator[AgentSession]:
    with (
        ExtendClient(EMULATOR_KEY, base_url=emulator.url, sleep=no_sleep) as client,
        agent_session(client, OfflineChatModel(), tmp_path / "conversations.sqlite3") as agent,
    ):
        yield agent


def _posts(emulator: EmulatorServer) -> list[dict[str, object]]:
    return [e for e in emulator.requests if e["method"] == "POST"]


def _find_results(session: AgentSession, thread: str) -> list[ToolMessage]:
    state = session._agent.get_state({"configurable": {"thread_id": thread}})
    messages = state.values.get("messages") or []
    return [m for m in messages if isinstance(m, ToolMessage) and m.name == FIND_RUNS]


def test_it_after_a_search_listing_one_run_is_that_run(session: AgentSession) -> None:
    acme = session.ask("t", "summarize the Acme invoice")
    assert [run.id for run in acme.runs] == [ACME]
    review = session.ask("t", "which runs need review?")
    assert review.text.startswith("1 run matches status NEEDS_REVIEW:")
    reply = session.ask("t", "tag it urgent")
    assert reply.pending is not None
    assert reply.pending.run_id == "workflow_run_needs_review"  # not the Acme run named before
    assert reply.pending.add_tags == ["urgent"]


def test_it_after_a_search_listing_several_runs_asks_and_writes_nothing(
    session: AgentSession, emulator: EmulatorServer
) -> None:
    acme = session.ask("t", "summarize the Acme invoice")
    assert [run.id for run in acme.runs] == [ACME]
    running = session.ask("t", "which runs are still processing?")
    assert "workflow_run_processing" in running.text
    assert "workflow_run_merge_conditional" in running.text
    emulator.clear_requests()
    reply = session.ask("t", "tag it urgent")
    assert reply.pending is None
    assert not reply.change_tried and not reply.change_written
    assert reply.text.startswith("Which run should I"), reply.text
    assert ACME not in reply.text
    assert _posts(emulator) == []


def test_it_names_the_run_resolved_three_turns_earlier_after_its_artifact_is_trimmed(
    session: AgentSession, emulator: EmulatorServer
) -> None:
    acme = session.ask("t", "summarize the Acme invoice")
    assert [run.id for run in acme.runs] == [ACME]
    session.ask("t", "hello")
    session.ask("t", "what can you do?")
    (resolved,) = _find_results(session, "t")
    artifact = resolved.artifact
    assert isinstance(artifact, dict)
    assert "run" not in artifact  # the full run was trimmed from the older turn...
    assert artifact["resolution"] == {"run_id": ACME}  # ...its focus kept
    emulator.clear_requests()
    reply = session.ask("t", "tag it urgent")
    assert reply.pending is not None
    assert reply.pending.run_id == ACME
    assert _posts(emulator) == []  # proposed, not written


@pytest.mark.parametrize(
    ("question", "statuses", "runs"),
    [
        (
            "which runs failed or need review?",
            ["FAILED", "NEEDS_REVIEW"],
            ["workflow_run_failed", "workflow_run_needs_review"],
        ),
        (
            "what's still processing or failed?",
            ["in progress", "FAILED"],
            ["workflow_run_processing", "workflow_run_merge_conditional", "workflow_run_failed"],
        ),
    ],
)
def test_a_question_naming_several_states_lists_the_runs_of_each(
    session: AgentSession, question: str, statuses: list[str], runs: list[str]
) -> None:
    reply = session.ask("t", question)
    for status in statuses:
        assert f"status {status}:" in reply.text, reply.text
    for run_id in runs:
        assert run_id in reply.text, reply.text
    assert "workflow_run_1234" not in reply.text  # PROCESSED: in neither state
    then = session.ask("t", "tag it urgent")  # several runs listed: "it" names none
    assert then.pending is None
