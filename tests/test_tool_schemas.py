"""The tools' schemas: OpenAI strict and MCP both derived from the one set of pydantic models."""

from __future__ import annotations

from typing import Any

import pytest
from mcp import Client
from pydantic import Field, ValidationError

from prompts import load_prompt
from tools.client.clients import ExtendClient
from tools.faces.mcp_server import MCP_ARGUMENTS, build_mcp_server
from tools.faces.openai_functions import tool_schemas
from tools.faces.run_tools import RunTools
from tools.faces.tool_arguments import TOOL_ARGUMENTS, GetRunArgs, UpdateRunMetadataArgs
from tools.faces.tool_names import TOOL_NAMES, WRITE_TOOLS
from tools.faces.tool_schemas import input_schema, strict_arguments, strict_schema


class GetRunWithPage(GetRunArgs):
    """``get_run`` with one more argument, as a future change to the model would add it."""

    page: int | None = Field(default=None, description="Only this page.")


async def mcp_input_schemas(client: ExtendClient) -> dict[str, dict[str, Any]]:
    async with Client(build_mcp_server(RunTools(client))) as mcp:
        return {tool.name: tool.input_schema for tool in (await mcp.list_tools()).tools}


def openai_parameters() -> dict[str, dict[str, Any]]:
    return {s["function"]["name"]: s["function"]["parameters"] for s in tool_schemas()}


async def test_both_faces_publish_the_models_arguments(client: ExtendClient) -> None:
    mcp, openai = await mcp_input_schemas(client), openai_parameters()
    assert list(mcp) == list(openai) == list(TOOL_NAMES) == list(TOOL_ARGUMENTS)
    for name, model in TOOL_ARGUMENTS.items():
        # MCP may take more (a subclass: the confirmation token, any JSON metadata value).
        mcp_model = MCP_ARGUMENTS.get(name, model)
        assert issubclass(mcp_model, model)
        arguments = list(model.model_fields)
        required = [a for a, f in model.model_fields.items() if f.is_required()]
        assert list(mcp[name]["properties"])[: len(arguments)] == arguments
        assert list(openai[name]["properties"]) == arguments
        assert mcp[name].get("required", []) == required
        assert openai[name]["required"] == arguments  # strict: all listed, optional ones nullable
        for argument in set(arguments) - set(required):
            assert "null" in openai[name]["properties"][argument]["type"]
        descriptions = {a: f.description for a, f in model.model_fields.items()}
        mcp_descriptions = {a: f.description for a, f in mcp_model.model_fields.items()}
        assert {a: p["description"] for a, p in mcp[name]["properties"].items()} == (
            mcp_descriptions
        )
        for argument, prop in openai[name]["properties"].items():
            assert prop["description"].startswith(descriptions[argument] or "")
        assert mcp[name] == input_schema(mcp_model) and openai[name] == strict_schema(model)


async def test_a_change_to_a_model_shows_up_on_both_faces(
    client: ExtendClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(TOOL_ARGUMENTS, "get_run", GetRunWithPage)
    mcp = (await mcp_input_schemas(client))["get_run"]
    openai = openai_parameters()["get_run"]
    assert mcp["properties"]["page"]["description"] == "Only this page."
    assert "page" not in mcp["required"]
    assert openai["properties"]["page"] == {
        "type": ["integer", "null"],
        "description": "Only this page.",
    }
    assert openai["required"] == ["run_id", "fields", "include_reasoning", "page"]


def test_strict_metadata_is_entries_typed_like_the_models_values() -> None:
    metadata = strict_schema(UpdateRunMetadataArgs)["properties"]["metadata"]
    assert metadata["type"] == ["array", "null"]
    assert metadata["items"]["required"] == ["key", "value"]
    assert metadata["items"]["additionalProperties"] is False
    # str | int | float | bool | None: "number" covers int and float
    assert metadata["items"]["properties"]["value"]["type"] == [
        "string",
        "number",
        "boolean",
        "null",
    ]


def test_strict_arguments_read_back_into_the_model() -> None:
    sent = {"run_id": "workflow_run_1", "name": None, "add_tags": None}
    entries = strict_arguments(
        UpdateRunMetadataArgs, {**sent, "metadata": [{"key": "n", "value": 3}]}
    )
    plain = strict_arguments(UpdateRunMetadataArgs, {**sent, "metadata": {"n": 3}})
    assert entries == plain == UpdateRunMetadataArgs(run_id="workflow_run_1", metadata={"n": 3})
    assert entries.model_fields_set == {"run_id", "metadata"}  # null means left out
    read = strict_arguments(GetRunArgs, {"run_id": "r", "fields": None, "include_reasoning": None})
    assert read.include_reasoning is False
    with pytest.raises(ValidationError, match="more than once"):
        strict_arguments(
            UpdateRunMetadataArgs,
            {"run_id": "r", "metadata": [{"key": "a", "value": 1}, {"key": "a", "value": 2}]},
        )


def test_every_tool_has_its_prompt_and_the_system_prompt_names_it() -> None:
    system = load_prompt("system")
    for name in TOOL_NAMES:
        assert load_prompt(f"tool_{name}")
        assert name in system
    assert set(TOOL_NAMES) >= WRITE_TOOLS
