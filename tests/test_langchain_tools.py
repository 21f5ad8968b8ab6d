"""The LangChain face: ToolMessages with content + artifact, and errors as messages."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.messages import ToolMessage
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool

from extend_emulator import EmulatorServer
from prompts import load_prompt
from tools.client import ExtendClient
from tools.langchain_tools import make_tools
from tools.models import Run
from tools.run_tools import RunChange, RunTools

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
    assert list(tools) == ["get_run", "update_run_metadata"]
    assert tools["get_run"].description == load_prompt("tool_get_run")
    assert tools["update_run_metadata"].description == load_prompt("tool_update_run_metadata")
    assert all(t.response_format == "content_and_artifact" for t in tools.values())
    get_params = convert_to_openai_tool(tools["get_run"])["function"]["parameters"]
    assert set(get_params["properties"]) == {"run_id", "fields", "include_reasoning"}
    assert get_params["required"] == ["run_id"]
    update_params = convert_to_openai_tool(tools["update_run_metadata"])["function"]["parameters"]
    assert set(update_params["properties"]) == {"run_id", "name", "metadata", "add_tags"}


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
    assert no_op.status == "error" and "Nothing to change on run" in no_op.content
    assert [r for r in emulator.requests if r["method"] == "POST"] == []


def test_invalid_arguments_come_back_as_error_messages(tools: dict[str, BaseTool]) -> None:
    message = call(tools["get_run"], runid=SEED)
    assert message.status == "error"
    assert message.content.startswith("Invalid arguments for get_run: run_id: Field required")
    assert "Fix them and call get_run again." in message.content
    wrong_type = call(tools["update_run_metadata"], run_id=SEED, metadata={"a": {"b": 1}})
    assert wrong_type.status == "error"
    assert "Invalid arguments for update_run_metadata: metadata.a" in wrong_type.content


async def test_tools_work_async(tools: dict[str, BaseTool]) -> None:
    message = await tools["get_run"].ainvoke(
        {"type": "tool_call", "id": "c9", "name": "get_run", "args": {"run_id": SEED}}
    )
    assert isinstance(message, ToolMessage) and "15,735.10 USD" in message.content
