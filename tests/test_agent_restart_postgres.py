"""Conversations and pending approvals survive a restart on PostgreSQL (the database URL set).

Skipped, saying why, where no PostgreSQL server is reachable (``tests.support.postgres``).
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from langchain_core.language_models import BaseChatModel
from langgraph.checkpoint.postgres import PostgresSaver

from agent.build import build_agent
from agent.checkpoint import open_async_checkpointer, open_checkpointer
from agent.offline.chat_model import OfflineChatModel
from agent.session import AgentSession
from agent.testing import ScriptedChatModel, call, say
from extend_emulator import EmulatorServer
from tests.support.agent_helpers import writes
from tools.client.clients import ExtendClient
from tools.faces.langchain_tools import make_tools
from tools.faces.run_tools import RunTools

SEED = "workflow_run_1234"


@pytest.fixture(autouse=True)
def _on_postgres(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXTEND_AGENT_DATABASE_URL", postgres_url)


@contextmanager
def replica(client: ExtendClient, model: BaseChatModel) -> Iterator[AgentSession]:
    """A process's session as production wires it: the checkpointer from the environment."""
    run_tools = RunTools(client)
    with open_checkpointer() as checkpointer:
        assert isinstance(checkpointer, PostgresSaver)
        agent = build_agent(model, make_tools(run_tools, approval="human"), checkpointer)
        yield AgentSession(agent, run_tools, model_description="test", extend_description="test")


def test_restart_mid_approval_then_approve_writes_exactly_once(
    client: ExtendClient, emulator: EmulatorServer
) -> None:
    before = ScriptedChatModel(script=[call("update_run_metadata", run_id=SEED, name="X")])
    with replica(client, before) as session:
        assert session.ask("slack-123", "rename workflow_run_1234 to X").pending is not None
    assert writes(emulator) == []

    with replica(client, ScriptedChatModel(script=[say("Renamed it to X.")])) as session:
        pending = session.pending("slack-123")
        assert pending is not None and (pending.run_id, pending.name) == (SEED, "X")
        assert session.decide("slack-123", approve=True).text == "Renamed it to X."
        assert "no change waiting" in session.decide("slack-123", approve=True).text
    assert len(writes(emulator, SEED)) == 1
    assert client.get_run(SEED).name == "X"


def test_a_follow_up_on_another_replica_knows_the_run(client: ExtendClient) -> None:
    with replica(client, OfflineChatModel()) as one, replica(client, OfflineChatModel()) as two:
        assert "$15,735.10" in one.ask("t", "What is the total on workflow_run_1234?").text
        follow_up = two.ask("t", "and the invoice number?")
    assert "Invoice #36995" in follow_up.text


def test_old_checkpoints_are_pruned_and_async_code_reads_the_same_store(
    client: ExtendClient, postgres_url: str
) -> None:
    with replica(client, OfflineChatModel()) as session:
        session.ask("t", "summarize workflow_run_1234")
        session.ask("t", "and the invoice number?")
    with psycopg.connect(postgres_url) as connection:
        kept = connection.execute("SELECT COUNT(*) FROM checkpoints WHERE thread_id = 't'")
        assert kept.fetchone() == (1,)

    async def latest_messages() -> list[object]:
        async with open_async_checkpointer() as saver:
            saved = await saver.aget_tuple({"configurable": {"thread_id": "t"}})
            assert saved is not None
            return list(saved.checkpoint["channel_values"]["messages"])

    assert len(asyncio.run(latest_messages())) == 8  # two questions, tool calls, results, answers


def test_replicas_starting_together_all_set_up_the_same_store(postgres_url: str) -> None:
    """LangGraph's setup builds indexes ``CONCURRENTLY``; replicas waiting must not block it."""
    code = (
        "from agent.checkpoint import open_checkpointer\n"
        "from slack_app.state.slack_state import SlackState\n"
        f"with open_checkpointer(), SlackState.open_postgres({postgres_url!r}):\n"
        "    print('started', flush=True)\n"
    )
    replicas = [
        subprocess.Popen(
            [sys.executable, "-c", code],
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[1],
        )
        for _ in range(3)
    ]
    try:
        outputs = [replica.communicate(timeout=90)[0].strip() for replica in replicas]
    finally:
        for replica in replicas:
            replica.kill()
    assert outputs == ["started"] * 3
    with psycopg.connect(postgres_url) as connection:
        versions = connection.execute("SELECT v FROM checkpoint_migrations ORDER BY v").fetchall()
    assert [v for (v,) in versions] == list(range(len(versions)))  # each migration ran once
