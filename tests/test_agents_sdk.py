"""The OpenAI Agents SDK face, end to end: ``Runner`` against the scripted OpenAI server.

The SDK's own ``Runner`` drives a real ``Agent`` whose model is the scripted
chat-completions server over HTTP; the tools talk to the emulator. A write stops
the run until it is approved (written) or rejected (nothing written).
"""

from __future__ import annotations

from typing import Any

import pytest
from agents import Agent, OpenAIChatCompletionsModel, RunConfig, Runner
from openai import AsyncOpenAI

from extend_emulator import EmulatorServer
from tests.support.openai_server import ScriptedOpenAI, text, tool_call
from tools.client.clients import ExtendClient
from tools.faces.agents_sdk import AgentsSdkTools, make_function_tools
from tools.faces.run_tools import RunTools

SEED = "workflow_run_1234"
NO_TRACING = RunConfig(tracing_disabled=True)
UPDATE = {
    "run_id": SEED,
    "name": None,
    "metadata": [{"key": "vendor", "value": "ACME"}],
    "add_tags": ["urgent"],
    "remove_tags": None,
}


def agent_on(model: ScriptedOpenAI, tools: list[Any]) -> Agent[Any]:
    client = AsyncOpenAI(base_url=model.base_url, api_key="test", max_retries=0)
    return Agent(
        name="runs",
        instructions="Answer about Extend runs.",
        model=OpenAIChatCompletionsModel(model="scripted-model", openai_client=client),
        tools=tools,
    )


def posts(emulator: EmulatorServer) -> list[dict[str, Any]]:
    return [r for r in emulator.requests if r["method"] == "POST"]


@pytest.mark.parametrize("decision", ["approve", "reject"])
async def test_a_write_pauses_shows_the_change_and_resumes(
    client: ExtendClient, emulator: EmulatorServer, decision: str
) -> None:
    extend = AgentsSdkTools(RunTools(client), read_only=False)
    with ScriptedOpenAI() as model:
        model.add(tool_call("update_run_metadata", UPDATE))
        model.add(lambda body: text("Done: " + body["messages"][-1]["content"].splitlines()[0]))
        agent = agent_on(model, extend.tools)
        result = await Runner.run(agent, "Tag workflow_run_1234 urgent", run_config=NO_TRACING)
        assert [item.name for item in result.interruptions] == ["update_run_metadata"]
        assert posts(emulator) == [] and len(model.requests) == 1  # paused before the call
        shown = extend.describe(result.interruptions[0])
        state = result.to_state()
        if decision == "approve":
            state.approve(result.interruptions[0])
        else:
            state.reject(result.interruptions[0], rejection_message="The user said no.")
        final = await Runner.run(agent, state, run_config=NO_TRACING)
    assert shown == (
        'On workflow_run_1234: set vendor = "ACME"; add tag "urgent"\n'
        'metadata vendor: (unset) -> "ACME"\nmetadata tags: (unset) -> ["urgent"]'
    )
    run = client.get_run(SEED)
    if decision == "approve":
        assert final.final_output == "Done: Updated run workflow_run_1234."
        assert (run.metadata["vendor"], run.tags) == ("ACME", ["urgent"])
        assert len(posts(emulator)) == 1
    else:
        assert final.final_output == "Done: The user said no."
        assert "vendor" not in run.metadata and posts(emulator) == []


async def test_an_approved_write_is_not_made_if_the_run_changed_since_it_was_shown(
    client: ExtendClient, emulator: EmulatorServer
) -> None:
    extend = AgentsSdkTools(RunTools(client), read_only=False)
    with ScriptedOpenAI() as model:
        model.add(tool_call("update_run_metadata", UPDATE))
        model.add(lambda body: text(body["messages"][-1]["content"]))
        agent = agent_on(model, extend.tools)
        result = await Runner.run(agent, "Tag it", run_config=NO_TRACING)
        extend.describe(result.interruptions[0])
        client.update_run(SEED, metadata={"tags": ["other"]})  # someone else, meanwhile
        state = result.to_state()
        state.approve(result.interruptions[0])
        final = await Runner.run(agent, state, run_config=NO_TRACING)
    assert "changed after the change was approved" in final.final_output
    assert client.get_run(SEED).tags == ["other"]


async def test_reads_need_no_approval(client: ExtendClient) -> None:
    with ScriptedOpenAI() as model:
        model.add(
            tool_call("get_run", {"run_id": SEED, "fields": ["amount"], "include_reasoning": None})
        )
        model.add(lambda body: text(body["messages"][-1]["content"]))
        agent = agent_on(model, make_function_tools(RunTools(client), read_only=False))
        result = await Runner.run(agent, "Total?", run_config=NO_TRACING)
    assert result.interruptions == []
    assert "15,735.10 USD" in result.final_output
    sent = {t["function"]["name"]: t["function"] for t in model.requests[0]["tools"]}
    assert sent["get_run"]["strict"] is True


def test_read_only_leaves_the_write_tool_out(
    client: ExtendClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    writes = [
        t.name for t in make_function_tools(RunTools(client), read_only=False) if t.needs_approval
    ]
    assert writes == ["update_run_metadata"]
    monkeypatch.setenv("EXTEND_AGENT_READ_ONLY", "1")
    names = [t.name for t in make_function_tools(RunTools(client))]
    assert "get_run" in names and "update_run_metadata" not in names
