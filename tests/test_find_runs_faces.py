"""``find_runs`` on every face against the emulator: LangChain, OpenAI schema + dispatch, an MCP
client listing and calling it (read-only), and ``extend-agent runs list`` with ``--json``."""

from __future__ import annotations

import json

from langchain_core.messages import ToolMessage
from mcp import Client
from typer.testing import CliRunner

from cli import app
from prompts import tool_description
from tools.client.clients import ExtendClient
from tools.faces.langchain_tools import make_tools
from tools.faces.mcp_server import build_mcp_server
from tools.faces.openai_functions import dispatch, tool_schemas
from tools.faces.run_tools import RunTools
from tools.runs.listing import RunListItem

runner = CliRunner()


def test_langchain_find_runs_gives_the_table_and_the_items(client: ExtendClient) -> None:
    tool = {t.name: t for t in make_tools(client)}["find_runs"]
    assert tool.description == tool_description("find_runs", writes=False, approval="host")
    message = tool.invoke(
        {"type": "tool_call", "id": "c1", "name": "find_runs", "args": {"text": "Northwind"}}
    )
    assert isinstance(message, ToolMessage) and message.status == "success"
    assert isinstance(message.content, str) and message.content.startswith(
        '1 run matches text "Northwind":'
    )
    items = [RunListItem.model_validate(r) for r in message.artifact["runs"]]
    assert [i.id for i in items] == ["workflow_run_invoice_multipage"]
    bad = tool.invoke(
        {"type": "tool_call", "id": "c2", "name": "find_runs", "args": {"status": "nope"}}
    )
    assert bad.status == "error" and "status must be one of" in bad.content


def test_openai_schema_is_strict_and_dispatch_finds(client: ExtendClient) -> None:
    schema = next(s for s in tool_schemas() if s["function"]["name"] == "find_runs")
    parameters = schema["function"]["parameters"]
    assert schema["function"]["strict"] is True and parameters["additionalProperties"] is False
    assert parameters["required"] == list(parameters["properties"])
    assert parameters["properties"]["status"]["type"] == ["string", "null"]
    sent = {name: None for name in parameters["properties"]} | {"status": "FAILED"}
    text = dispatch("find_runs", json.dumps(sent), RunTools(client))
    assert text.startswith("1 run matches status FAILED:\n- workflow_run_failed · ")
    assert dispatch("find_runs", '{"colour": "red"}', RunTools(client)).startswith(
        "Error: Invalid arguments for find_runs: colour is not an argument of find_runs"
    )


async def test_an_mcp_client_lists_and_calls_find_runs(client: ExtendClient) -> None:
    async with Client(build_mcp_server(RunTools(client))) as mcp:
        tools = {tool.name: tool for tool in (await mcp.list_tools()).tools}
        found = await mcp.call_tool("find_runs", {"text": "INV-58213"})
        wrong = await mcp.call_tool("find_runs", {"created_after": "yesterday"})
    find = tools["find_runs"]
    assert find.annotations is not None and find.annotations.read_only_hint is True
    assert "required" not in find.input_schema or find.input_schema["required"] == []
    assert found.is_error is False
    text = "\n".join(block.text for block in found.content if block.type == "text")
    assert "workflow_run_reviewed_corrections" in text and '"ACME_INV-58213.pdf"' in text
    assert wrong.is_error is True


def test_cli_runs_list_table_and_json() -> None:
    table = runner.invoke(app, ["runs", "list", "--status", "needs review"])
    assert table.exit_code == 0, table.output
    expected = "1 run matches status NEEDS_REVIEW:\n- workflow_run_needs_review"
    assert table.stdout.startswith(expected)
    as_json = runner.invoke(app, ["runs", "list", "--text", "bluebird", "--json"])
    assert as_json.exit_code == 0, as_json.output
    document = json.loads(as_json.stdout)
    assert [r["id"] for r in document["runs"]] == ["workflow_run_needs_review"]
    assert document["listed"] == 14 and document["pages"] == 1
    tagged = runner.invoke(app, ["runs", "list", "--meta", "sales_order=SO-99812", "--json"])
    assert [r["id"] for r in json.loads(tagged.stdout)["runs"]] == ["workflow_run_split"]
    bad = runner.invoke(app, ["runs", "list", "--created-after", "soon"])
    assert bad.exit_code == 2 and "created_after must be a date" in bad.stderr
