"""The real ``ChatOpenAI`` path, over HTTP to a scripted OpenAI-compatible server on loopback.

``choose_model`` picks ``ChatOpenAI`` when OPENAI_API_KEY is set; the agent must
send both tools' schemas, run the tool loop, stream when asked, and still stop
every write for approval.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models import BaseChatModel
from pydantic import SecretStr

from agent.model_choice import OFFLINE_DESCRIPTION, choose_model
from agent.offline.chat_model import OfflineChatModel
from agent.settings import AgentSettings
from agent.testing import agent_session
from extend_emulator import EmulatorServer
from tests.support.agent_helpers import writes
from tests.support.openai_server import ScriptedOpenAI, text, tool_call
from tools.client.clients import ExtendClient
from tools.faces.tool_names import TOOL_NAMES

SEED = "workflow_run_1234"
ANSWER = "The total is 15,735.10 USD — page 1, from “TOTAL  $15,735.1”."


@pytest.fixture
def openai_server() -> Iterator[ScriptedOpenAI]:
    with ScriptedOpenAI(model="gpt-4.1-mini") as server:
        yield server


def openai_model(server: ScriptedOpenAI, *, streaming: bool = False) -> BaseChatModel:
    settings = AgentSettings(OPENAI_API_KEY="sk-test-not-real", OPENAI_BASE_URL=server.base_url)
    model, description = choose_model(settings)
    assert description == f"gpt-4.1-mini via {server.base_url}"
    assert "sk-test" not in description
    return model.model_copy(update={"streaming": streaming}) if streaming else model


def tools_in(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {tool["function"]["name"]: tool["function"] for tool in body["tools"]}


@pytest.mark.parametrize("streaming", [False, True], ids=["plain", "streaming"])
def test_chat_openai_completes_the_tool_loop(
    streaming: bool, openai_server: ScriptedOpenAI, client: ExtendClient, tmp_path: Path
) -> None:
    openai_server.add(tool_call("get_run", {"run_id": SEED}), text(ANSWER))
    model = openai_model(openai_server, streaming=streaming)

    with agent_session(client, model, tmp_path / "c.sqlite3") as session:
        reply = session.ask("t", "What is the invoice total on workflow_run_1234?")

    assert reply.text == ANSWER
    assert [run.id for run in reply.runs] == [SEED]
    assert len(openai_server.requests) == 2 and openai_server.unscripted == []
    first, second = openai_server.requests
    assert first["model"] == "gpt-4.1-mini"
    assert bool(first.get("stream")) is streaming
    # every tool, with its schema and product description
    tools = tools_in(first)
    assert set(tools) == set(TOOL_NAMES)
    get_run = tools["get_run"]["parameters"]
    assert get_run["required"] == ["run_id"]
    assert set(get_run["properties"]) == {"run_id", "fields", "include_reasoning"}
    update = tools["update_run_metadata"]["parameters"]
    assert set(update["properties"]) == {"run_id", "name", "metadata", "add_tags", "remove_tags"}
    assert "approves or rejects" in tools["update_run_metadata"]["description"]
    # system prompt first, then the question
    assert first["messages"][0]["role"] in ("system", "developer")
    assert "untrusted" in first["messages"][0]["content"]
    assert first["messages"][1] == {
        "role": "user",
        "content": "What is the invoice total on workflow_run_1234?",
    }
    # the second request carries the tool result: the summary with page and reference text
    tool_message = second["messages"][-1]
    assert tool_message["role"] == "tool"
    assert "15,735.10 USD" in tool_message["content"]
    assert "TOTAL  $15,735.1" in tool_message["content"]
    assert second["messages"][-2]["tool_calls"][0]["function"]["name"] == "get_run"


def test_chat_openai_write_waits_for_approval(
    openai_server: ScriptedOpenAI, client: ExtendClient, emulator: EmulatorServer, tmp_path: Path
) -> None:
    openai_server.add(
        tool_call("update_run_metadata", {"run_id": SEED, "name": "ACME March"}),
        text("Renamed workflow_run_1234 to ACME March."),
    )
    with agent_session(client, openai_model(openai_server), tmp_path / "c.sqlite3") as session:
        proposal = session.ask("t", "rename workflow_run_1234 to ACME March")
        assert proposal.pending is not None and proposal.pending.name == "ACME March"
        assert len(openai_server.requests) == 1
        assert writes(emulator) == []

        done = session.decide("t", approve=True)

    assert done.text == "Renamed workflow_run_1234 to ACME March."
    assert client.get_run(SEED).name == "ACME March"
    assert len(writes(emulator)) == 1
    tool_message = openai_server.requests[-1]["messages"][-1]
    assert (
        tool_message["role"] == "tool"
        and "Updated run workflow_run_1234" in tool_message["content"]
    )


def test_chat_openai_rejection_reaches_the_model_and_writes_nothing(
    openai_server: ScriptedOpenAI, client: ExtendClient, emulator: EmulatorServer, tmp_path: Path
) -> None:
    openai_server.add(
        tool_call("update_run_metadata", {"run_id": SEED, "add_tags": ["urgent"]}),
        text("OK, I did not change workflow_run_1234."),
    )
    with agent_session(client, openai_model(openai_server), tmp_path / "c.sqlite3") as session:
        session.ask("t", "tag workflow_run_1234 urgent")
        reply = session.decide("t", approve=False)

    assert reply.text == "OK, I did not change workflow_run_1234."
    assert writes(emulator) == []
    told = openai_server.requests[-1]["messages"][-1]
    assert told["role"] == "tool" and "declined" in told["content"]


def test_without_a_key_the_offline_model_is_chosen() -> None:
    model, description = choose_model(AgentSettings(EXTEND_LOW_CONFIDENCE=0.9))
    assert isinstance(model, OfflineChatModel)
    assert model.low_confidence == 0.9
    assert description == OFFLINE_DESCRIPTION


def test_model_description_hides_credentials_in_the_base_url() -> None:
    settings = AgentSettings(
        OPENAI_API_KEY=SecretStr("sk-secret"),
        OPENAI_BASE_URL="https://user:hunter2@llm.example.com:8443/v1?token=abc",
        EXTEND_AGENT_MODEL="my-model",
    )
    _, description = choose_model(settings)
    assert description == "my-model via https://***@llm.example.com:8443/v1"
