"""``agent.testing``, the public helper: the documented example works as written."""

from __future__ import annotations

from pathlib import Path

import pytest
from langchain_core.messages import ToolMessage

from agent.testing import ScriptedChatModel, agent_session, call, echo_last_tool_result, say
from tools.client.clients import ExtendClient
from tools.faces.tool_names import GET_RUN, TOOL_NAMES

SEED = "workflow_run_1234"


def test_the_documented_example(client: ExtendClient, tmp_path: Path) -> None:
    model = ScriptedChatModel(
        script=[
            call("get_run", run_id="workflow_run_1234"),
            say("The total is 15,735.10 USD."),
        ]
    )
    with agent_session(client, model, tmp_path / "conversations.sqlite3") as session:
        reply = session.ask("thread-1", "What is the total on workflow_run_1234?")
    assert reply.text == "The total is 15,735.10 USD."
    assert model.requests[1][-1].type == "tool"
    result = model.requests[1][-1]
    assert isinstance(result, ToolMessage) and "15,735.10 USD" in str(result.content)
    assert [t["function"]["name"] for t in model.bound_tools] == list(TOOL_NAMES)


def test_a_step_can_answer_from_the_tool_result(client: ExtendClient, tmp_path: Path) -> None:
    model = ScriptedChatModel(script=[call(GET_RUN, run_id="workflow_run_nope")])
    model.add(echo_last_tool_result("Tool said: "))
    with agent_session(client, model, tmp_path / "c.sqlite3") as session:
        reply = session.ask("t", "read workflow_run_nope")
    assert reply.text.startswith("Tool said: [error] ")
    assert "workflow_run_nope" in reply.text


def test_a_call_beyond_the_script_fails_loudly(client: ExtendClient, tmp_path: Path) -> None:
    model = ScriptedChatModel(script=[say("one")])
    with agent_session(client, model, tmp_path / "c.sqlite3") as session:
        assert session.ask("t", "first").text == "one"
        with pytest.raises(AssertionError, match="no step left for call #2"):
            session.ask("t", "second")
    assert model.calls_made == 2


def test_repeat_cycles_with_fresh_tool_call_ids(client: ExtendClient, tmp_path: Path) -> None:
    model = ScriptedChatModel(script=[call(GET_RUN, run_id=SEED), say("ok")], repeat=True)
    with agent_session(client, model, tmp_path / "c.sqlite3") as session:
        for thread in ("a", "b", "c"):
            assert session.ask(thread, "total?").text == "ok"
    ids = [
        m.tool_call_id for request in model.requests for m in request if isinstance(m, ToolMessage)
    ]
    assert len(set(ids)) == 3 and model.calls_made == 6
