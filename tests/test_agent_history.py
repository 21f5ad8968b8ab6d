"""A long conversation stays bounded: recent turns only, few artifacts, one checkpoint a thread.

Real tools on the emulator, a real SQLite file, the offline model: many turns in one
thread must not grow what the model is sent, what the state holds, or how many
checkpoints are stored; follow-ups and a waiting approval keep working.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, ToolMessage
from pydantic import PrivateAttr

from agent.history import bounded_history_updates
from agent.offline.chat_model import OfflineChatModel
from agent.testing import agent_session
from extend_emulator import EmulatorServer
from tests.support.agent_helpers import writes
from tools.client.clients import ExtendClient

SEED = "workflow_run_1234"
MULTI = "workflow_run_invoice_multipage"


class RecordingOfflineModel(OfflineChatModel):
    """The offline model, noting how many messages each call was given."""

    _sizes: list[int] = PrivateAttr(default_factory=list)

    def _generate(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> Any:
        self._sizes.append(len(messages))
        return super()._generate(messages, *args, **kwargs)


def stored_messages(session: Any, thread_id: str) -> list[BaseMessage]:
    state = session._agent.get_state({"configurable": {"thread_id": thread_id}})
    return list(state.values["messages"])


def checkpoint_rows(db: Path, thread_id: str) -> int:
    with sqlite3.connect(db) as conn:
        query = "select count(*) from checkpoints where thread_id = ?"
        return int(conn.execute(query, (thread_id,)).fetchone()[0])


def test_many_turns_keep_the_context_and_the_store_bounded(
    client: ExtendClient, tmp_path: Path
) -> None:
    db = tmp_path / "c.sqlite3"
    model = RecordingOfflineModel()
    with agent_session(client, model, db, max_turns=3) as session:
        for _ in range(8):
            assert "Northwind" in session.ask("t", f"summarize {MULTI}").text
        session.ask("other", f"summarize {SEED}")
        messages = stored_messages(session, "t")
        follow_up = session.ask("t", "and the invoice number?")

    # 3 turns of 4 messages each (question, tool call, tool result, answer)
    assert len(messages) == 12
    assert sum(isinstance(m, HumanMessage) for m in messages) == 3
    assert max(model._sizes) <= 1 + 12  # the system prompt and at most 3 turns
    # structured runs only in the last 2 turns; older results keep their text
    results = [m for m in messages if isinstance(m, ToolMessage)]
    assert [r.artifact is not None for r in results] == [False, True, True]
    assert "Northwind" in str(results[0].content)
    # one checkpoint per thread, whatever the number of turns
    assert checkpoint_rows(db, "t") == 1 and checkpoint_rows(db, "other") == 1
    # the conversation still knows what "it" is
    assert MULTI in follow_up.text and "INV-2024-0831" in follow_up.text


def test_a_waiting_approval_survives_pruning_and_restart(
    client: ExtendClient, emulator: EmulatorServer, tmp_path: Path
) -> None:
    db = tmp_path / "c.sqlite3"
    with agent_session(client, OfflineChatModel(), db, max_turns=2) as session:
        for question in ("what is the total?", "and the invoice number?", "summarize it"):
            session.ask("t", f"{question} {SEED}")
        assert session.ask("t", "rename it to ACME March").pending is not None
    assert checkpoint_rows(db, "t") == 1

    with agent_session(client, OfflineChatModel(), db, max_turns=2) as session:
        pending = session.pending("t")
        assert pending is not None and pending.name == "ACME March"
        done = session.decide("t", approve=True)

    assert done.text == "Done: workflow_run_1234 is now named “ACME March”."
    assert len(writes(emulator, SEED)) == 1


def turn(index: int, *, tool: bool) -> list[BaseMessage]:
    question = HumanMessage(f"question {index}", id=f"h{index}")
    if not tool:
        return [question, AIMessage(f"answer {index}", id=f"a{index}")]
    call = {"name": "get_run", "args": {"run_id": SEED}, "id": f"c{index}"}
    return [
        question,
        AIMessage("", tool_calls=[call], id=f"t{index}"),
        ToolMessage("summary", artifact={"id": SEED}, tool_call_id=f"c{index}", id=f"r{index}"),
        AIMessage(f"answer {index}", id=f"a{index}"),
    ]


def test_whole_turns_are_removed_so_tool_calls_keep_their_results() -> None:
    messages = [*turn(1, tool=True), *turn(2, tool=False), *turn(3, tool=True), *turn(4, tool=True)]

    updates = bounded_history_updates(messages, max_turns=2, artifact_turns=1)

    removed = {u.id for u in updates if u.type == "remove"}
    assert removed == {"h1", "t1", "r1", "a1", "h2", "a2"}  # turns 1 and 2, whole
    stripped = [u for u in updates if isinstance(u, ToolMessage)]
    assert [(u.id, u.artifact) for u in stripped] == [("r3", None)]  # turn 4 keeps its run


def test_short_conversations_are_left_alone() -> None:
    messages = [*turn(1, tool=True), *turn(2, tool=True)]
    assert bounded_history_updates(messages, max_turns=3, artifact_turns=2) == []
