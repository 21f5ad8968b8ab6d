"""The LangChain face: ToolMessages with content + artifact, and errors as messages."""

from __future__ import annotations

import logging
from typing import Any

import pytest
from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

from extend_emulator import EmulatorServer
from prompts import tool_description
from tools.client.clients import ExtendClient
from tools.faces.langchain_tools import make_tools
from tools.faces.run_change import RunChange
from tools.faces.run_tools import RunTools
from tools.runs.models import Run

SEED = "workflow_run_1234"


@pytest.fixture
def tools(client: ExtendClient) -> dict[str, BaseTool]:
    return {tool.name: tool for tool in make_tools(client)}


def call(tool: BaseTool, call_id: str = "call_1", **args: Any) -> ToolMessage:
    message = tool.invoke({"type": "tool_call", "id": call_id, "name": tool.name, "args": args})
    assert isinstance(message, ToolMessage)
    assert message.tool_call_id == call_id and message.name == tool.name
    return message


def test_tools_have_the_design_names_and_prompt_descriptions(
    tools: dict[str, BaseTool],
) -> None:
    assert list(tools) == ["get_run", "update_run_metadata", "find_runs", "show_citation"]
    assert tools["get_run"].description == tool_description(
        "get_run", writes=False, approval="host"
    )
    update = tools["update_run_metadata"].description
    assert update == tool_description("update_run_metadata", writes=True, approval="host")
    assert "may write at once" in update and "approves or rejects" not in update
    assert all(t.response_format == "content_and_artifact" for t in tools.values())
    get_params = convert_to_openai_tool(tools["get_run"])["function"]["parameters"]
    assert set(get_params["properties"]) == {"run_id", "fields", "include_reasoning"}
    assert get_params["required"] == ["run_id"]
    update_params = convert_to_openai_tool(tools["update_run_metadata"])["function"]["parameters"]
    assert set(update_params["properties"]) == {
        "run_id",
        "name",
        "metadata",
        "add_tags",
        "remove_tags",
    }


def test_make_tools_accepts_existing_run_tools(client: ExtendClient) -> None:
    run_tools = RunTools(client, low_confidence=0.995)
    get_run = make_tools(run_tools)[0]
    assert "LOW CONFIDENCE" in call(get_run, run_id=SEED).content


def test_get_run_gives_summary_and_a_json_artifact(tools: dict[str, BaseTool]) -> None:
    message = call(tools["get_run"], run_id=SEED, fields=["amount"], include_reasoning=True)
    assert message.status == "success"
    assert '- amount: 15,735.10 USD | page 1 "TOTAL  $15,735.1"' in message.content
    assert "invoice_number" not in message.content
    assert isinstance(message.artifact, dict) and "raw" not in message.artifact
    run = Run.model_validate(message.artifact)
    assert run.id == SEED and run.field("amount") is not None


def test_update_gives_change_text_and_artifact_with_change(
    tools: dict[str, BaseTool], client: ExtendClient
) -> None:
    message = call(
        tools["update_run_metadata"],
        run_id=SEED,
        name="ACME March",
        metadata={"vendor": "ACME"},
        add_tags=["urgent"],
    )
    assert message.status == "success"
    assert 'name: (none) -> "ACME March"' in message.content
    assert Run.model_validate(message.artifact).name == "ACME March"
    change = RunChange.model_validate(message.artifact["change"])
    assert change.tags_added == ["urgent"]
    assert client.get_run(SEED).metadata["vendor"] == "ACME"


def test_tool_errors_come_back_as_error_messages(
    tools: dict[str, BaseTool], emulator: EmulatorServer
) -> None:
    missing = call(tools["get_run"], run_id="workflow_run_missing")
    assert missing.status == "error"
    assert missing.content.startswith(
        "Failed reading run workflow_run_missing: Extend returned 404"
    )
    assert missing.artifact is None
    no_op = call(tools["update_run_metadata"], run_id=SEED, metadata={"internal_id": "id_1234"})
    assert no_op.status == "error" and "Nothing to change: workflow_run_1234 " in no_op.content
    assert [r for r in emulator.requests if r["method"] == "POST"] == []


def test_invalid_arguments_come_back_as_error_messages(tools: dict[str, BaseTool]) -> None:
    message = call(tools["get_run"], runid=SEED)
    assert message.status == "error"
    assert message.content == (
        "Invalid arguments for get_run: run_id is required (the run id, e.g. workflow_run_1234); "
        "runid is not an argument of get_run (its arguments: run_id, fields, include_reasoning). "
        "Fix them and call get_run again."
    )
    wrong_type = call(tools["update_run_metadata"], run_id=SEED, metadata={"a": {"b": 1}})
    assert wrong_type.status == "error"
    # One line per wrong argument, not one per member of the value's union type.
    assert wrong_type.content == (
        "Invalid arguments for update_run_metadata: metadata.a must be text, a number or "
        "true/false. Fix them and call update_run_metadata again."
    )


async def test_tools_work_async(tools: dict[str, BaseTool]) -> None:
    message = await tools["get_run"].ainvoke(
        {"type": "tool_call", "id": "c9", "name": "get_run", "args": {"run_id": SEED}}
    )
    assert isinstance(message, ToolMessage) and "15,735.10 USD" in message.content


def test_approval_mode_sets_what_the_write_tool_promises(client: ExtendClient) -> None:
    human = make_tools(client, approval="human")
    assert "each call is first shown to the user, who approves or rejects it" in (
        human[1].description
    )
    assert human[0].description == tool_description("get_run", writes=False, approval="human")
    at_once = make_tools(client, approval="none")[1].description
    assert "as soon as it is called; nobody is asked to confirm" in at_once


def test_a_bug_while_building_the_artifact_is_an_error_message(
    tools: dict[str, BaseTool],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    client: ExtendClient,
) -> None:
    def broken_artifact(output: object) -> dict[str, Any]:
        raise TypeError("bug in the artifact")

    monkeypatch.setattr("tools.faces.langchain_tools.run_artifact", broken_artifact)
    with caplog.at_level(logging.ERROR):
        read = call(tools["get_run"], run_id=SEED)
        write = call(tools["update_run_metadata"], run_id=SEED, name="ACME March")
    assert read.status == "error" and read.artifact is None
    assert read.content.startswith(
        "Failed preparing the result for run workflow_run_1234: an unexpected error occurred"
    )
    assert write.status == "error"
    assert "(the update itself was made)" in write.content
    assert "bug in the artifact" not in read.content + write.content
    assert client.get_run(SEED).name == "ACME March"
    assert len([r for r in caplog.records if r.exc_info]) == 2
