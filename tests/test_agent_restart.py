"""Conversations and pending approvals survive a restart (new objects, same SQLite file)."""

from __future__ import annotations

import asyncio
import sqlite3
from pathlib import Path

from agent.checkpoint import CONVERSATIONS_FILE, open_async_checkpointer, open_checkpointer
from agent.offline.chat_model import OfflineChatModel
from agent.settings import AgentSettings
from agent.testing import ScriptedChatModel, agent_session, call, say
from extend_emulator import EmulatorServer
from tests.support.agent_helpers import writes
from tools.client.clients import ExtendClient

SEED = "workflow_run_1234"


def test_restart_mid_approval_then_approve_writes_exactly_once(
    client: ExtendClient, emulator: EmulatorServer, tmp_path: Path
) -> None:
    db = tmp_path / "conversations.sqlite3"
    before_restart = ScriptedChatModel(script=[call("update_run_metadata", run_id=SEED, name="X")])
    with agent_session(client, before_restart, db) as session:
        proposal = session.ask("slack-123", "rename workflow_run_1234 to X")
        assert proposal.pending is not None
    assert writes(emulator) == []

    # a new process: new model, checkpointer, graph and session on the same file
    after_restart = ScriptedChatModel(script=[say("Renamed it to X.")])
    with agent_session(client, after_restart, db) as session:
        pending = session.pending("slack-123")
        assert pending is not None
        assert (pending.run_id, pending.name) == (SEED, "X")
        assert "X" in pending.description

        reply = session.decide("slack-123", approve=True)
        assert reply.text == "Renamed it to X."
        again = session.decide("slack-123", approve=True)
        assert "no change waiting" in again.text

    assert len(writes(emulator, SEED)) == 1
    assert client.get_run(SEED).name == "X"
    assert after_restart.calls_made == 1  # the resumed turn only needed the answer


def test_restart_mid_approval_then_reject_writes_nothing(
    client: ExtendClient, emulator: EmulatorServer, tmp_path: Path
) -> None:
    db = tmp_path / "c.sqlite3"
    with agent_session(client, OfflineChatModel(), db) as session:
        assert session.ask("t", "tag workflow_run_1234 urgent").pending is not None
    with agent_session(client, OfflineChatModel(), db) as session:
        reply = session.ask("t", "no")
    assert "did not change workflow_run_1234" in reply.text
    assert writes(emulator) == []
    assert client.get_run(SEED).tags == []


def test_follow_up_after_restart_knows_the_run(client: ExtendClient, tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite3"
    with agent_session(client, OfflineChatModel(), db) as session:
        first = session.ask("t", "What is the total on workflow_run_1234?")
    assert "$15,735.10" in first.text
    with agent_session(client, OfflineChatModel(), db) as session:
        follow_up = session.ask("t", "and the invoice number?")
    assert "36995" in follow_up.text and "Invoice #36995" in follow_up.text


def test_checkpointer_lives_in_the_data_dir(tmp_path: Path) -> None:
    settings = AgentSettings(EXTEND_AGENT_DATA_DIR=tmp_path / "data")
    with open_checkpointer(settings) as saver:
        assert saver.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert saver.conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
    path = tmp_path / "data" / CONVERSATIONS_FILE
    assert path.is_file()
    tables = {r[0] for r in sqlite3.connect(path).execute("select name from sqlite_master")}
    assert {"checkpoints", "writes"} <= tables


def test_async_checkpointer_reads_what_the_sync_one_wrote(
    client: ExtendClient, tmp_path: Path
) -> None:
    db = tmp_path / "c.sqlite3"
    with agent_session(client, OfflineChatModel(), db) as session:
        session.ask("t", "summarize workflow_run_1234")

    async def latest_messages() -> list[object]:
        async with open_async_checkpointer(path=db) as saver:
            saved = await saver.aget_tuple({"configurable": {"thread_id": "t"}})
            assert saved is not None
            return list(saved.checkpoint["channel_values"]["messages"])

    messages = asyncio.run(latest_messages())
    assert len(messages) == 4  # question, tool call, tool result, answer
