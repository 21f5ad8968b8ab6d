"""The README's LangChain example: our tools in the integrator's own ``create_agent``, gated.

``ChatOpenAI`` talks to the scripted OpenAI server over HTTP; the tools talk to the
emulator; the gate is ``HumanInTheLoopMiddleware(interrupt_on=approval_interrupt_on(...))``,
and a resume inside ``approved_change(...)`` writes only what the person was shown.
"""

from __future__ import annotations

from typing import Any

import pytest
from langchain.agents import create_agent
from langchain.agents.middleware import HumanInTheLoopMiddleware
from langchain_openai import ChatOpenAI
from langgraph.checkpoint.memory import InMemorySaver
from langgraph.types import Command

from extend_emulator import EmulatorServer
from tests.support.openai_server import ScriptedOpenAI, text, tool_call
from tools.client.clients import ExtendClient
from tools.faces.approved_change import approved_change
from tools.faces.langchain_approval import approval_interrupt_on
from tools.faces.langchain_tools import make_tools
from tools.faces.run_tools import RunTools

SEED = "workflow_run_1234"
CONFIG = {"configurable": {"thread_id": "t1"}}


def posts(emulator: EmulatorServer) -> list[dict[str, Any]]:
    return [r for r in emulator.requests if r["method"] == "POST"]


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_own_create_agent_pauses_each_write_for_a_person(
    client: ExtendClient, emulator: EmulatorServer, decision: str
) -> None:
    run_tools = RunTools(client)
    with ScriptedOpenAI(model="gpt-4.1-mini") as server:
        server.add(tool_call("update_run_metadata", {"run_id": SEED, "add_tags": ["urgent"]}))
        server.add(lambda body: text("Done: " + body["messages"][-1]["content"].splitlines()[0]))
        model = ChatOpenAI(model="gpt-4.1-mini", base_url=server.base_url, api_key="test")
        # The two lines from the README:
        tools = make_tools(run_tools, approval="human", read_only=False)
        gate = HumanInTheLoopMiddleware(interrupt_on=approval_interrupt_on(run_tools))
        agent = create_agent(model, tools, middleware=[gate], checkpointer=InMemorySaver())

        paused = agent.invoke({"messages": [("user", "Tag it urgent")]}, CONFIG, version="v2")
        (interrupt,) = paused.interrupts
        (request,) = interrupt.value["action_requests"]
        assert posts(emulator) == []  # nothing written while waiting
        resumed = agent.invoke(
            Command(resume={"decisions": [{"type": decision, "message": "The user said no."}]}),
            CONFIG,
            version="v2",
        )
    assert request["name"] == "update_run_metadata"
    assert request["description"] == (
        'On workflow_run_1234: add tag "urgent"\nmetadata tags: (unset) -> ["urgent"]'
    )
    assert interrupt.value["review_configs"][0]["allowed_decisions"] == ["approve", "reject"]
    answer = resumed.value["messages"][-1].content
    if decision == "approve":
        assert answer == "Done: Updated run workflow_run_1234."
        assert client.get_run(SEED).tags == ["urgent"]
    else:
        assert answer.startswith("Done: User rejected the tool call") and "said no" in answer
        assert posts(emulator) == [] and client.get_run(SEED).tags == []


def test_a_resume_under_the_approved_change_writes_nothing_once_the_run_changed(
    client: ExtendClient, emulator: EmulatorServer
) -> None:
    """The integrator resumes inside ``approved_change(shown)``: a run tagged by someone else
    since the preview is not written to; the same resume on an unchanged run writes."""
    run_tools = RunTools(client)
    (update,) = [t for t in make_tools(run_tools) if t.name == "update_run_metadata"]
    args = {"run_id": SEED, "add_tags": ["urgent"]}
    shown = run_tools.preview_update(SEED, add_tags=["urgent"])
    client.update_run(SEED, metadata={"tags": ["held"]})

    with approved_change(shown):
        stale = update.invoke({"type": "tool_call", "id": "c1", "name": update.name, "args": args})
    assert stale.status == "error" and "changed after the change was approved" in stale.content
    assert client.get_run(SEED).tags == ["held"]

    with approved_change(run_tools.preview_update(SEED, add_tags=["urgent"])):
        fresh = update.invoke({"type": "tool_call", "id": "c2", "name": update.name, "args": args})
    assert fresh.status == "success" and client.get_run(SEED).tags == ["held", "urgent"]


def test_a_change_that_cannot_be_made_says_why(client: ExtendClient) -> None:
    (config,) = approval_interrupt_on(RunTools(client)).values()
    describe = config["description"]
    call = {
        "name": "update_run_metadata",
        "args": {"run_id": SEED, "metadata": {"internal_id": "id_1234"}},
    }
    assert describe(call, None, None).startswith(
        "A change that cannot be made as asked: Nothing to change"
    )


def test_read_only_leaves_the_write_tool_out(
    client: ExtendClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert "update_run_metadata" not in [t.name for t in make_tools(client, read_only=True)]
    monkeypatch.setenv("EXTEND_AGENT_READ_ONLY", "1")
    names = [t.name for t in make_tools(client)]
    assert "get_run" in names and "update_run_metadata" not in names
