"""The MCP face: tools with annotations, calls, tool errors, and ``extend-agent mcp`` on stdio."""

from __future__ import annotations

import json
import os
import random
import socket
import subprocess
import sys
from pathlib import Path

import anyio
import pytest
from mcp import Client, StdioServerParameters
from mcp.server.mcpserver import MCPServer
from mcp.types import CallToolResult, ElicitRequestParams, ElicitResult

from extend_emulator import EmulatorServer
from prompts import tool_description
from tools.client.clients import ExtendClient
from tools.faces.mcp_server import SERVER_NAME, build_mcp_server
from tools.faces.mcp_write import write_description
from tools.faces.run_tools import RunTools

SEED = "workflow_run_1234"
CLI = str(Path(sys.executable).with_name("extend-agent"))


@pytest.fixture
def server(client: ExtendClient) -> MCPServer:
    return build_mcp_server(RunTools(client))


async def accept(context: object, params: ElicitRequestParams) -> ElicitResult:
    """A client whose user approves every change it is shown."""
    return ElicitResult(action="accept", content={"confirm": True})


def text_of(result: CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


async def test_tools_are_listed_with_schemas_and_annotations(server: MCPServer) -> None:
    async with Client(server) as mcp:
        tools = {tool.name: tool for tool in (await mcp.list_tools()).tools}
    assert list(tools) == ["get_run", "update_run_metadata", "find_runs", "show_citation"]
    get_run, update = tools["get_run"], tools["update_run_metadata"]
    assert get_run.description == tool_description("get_run", writes=False, approval="host")
    assert update.description == write_description()  # the server confirms every write
    assert update.description.startswith(
        tool_description("update_run_metadata", writes=False, approval="host")
    )
    assert get_run.annotations.read_only_hint is True
    assert update.annotations.read_only_hint is False
    assert update.annotations.idempotent_hint is True
    assert update.annotations.destructive_hint is True  # overwrites names and values
    assert get_run.input_schema["required"] == ["run_id"]
    assert set(get_run.input_schema["properties"]) == {"run_id", "fields", "include_reasoning"}
    assert set(update.input_schema["properties"]) == {
        "run_id",
        "name",
        "metadata",
        "add_tags",
        "remove_tags",
        "confirmation_token",
    }
    assert update.input_schema["properties"]["metadata"]["anyOf"][0]["type"] == "object"
    assert update.input_schema["required"] == ["run_id"]
    assert update.input_schema["properties"]["run_id"]["type"] == "string"
    assert get_run.input_schema["properties"]["include_reasoning"]["type"] == "boolean"


async def test_call_both_tools(
    server: MCPServer, emulator: EmulatorServer, client: ExtendClient
) -> None:
    async with Client(server, elicitation_callback=accept) as mcp:
        read = await mcp.call_tool("get_run", {"run_id": SEED, "fields": ["amount"]})
        write = await mcp.call_tool(
            "update_run_metadata",
            {"run_id": SEED, "name": "ACME March", "metadata": {"vendor": "ACME"}},
        )
    assert read.is_error is False
    assert '- amount: 15,735.10 USD | page 1 "TOTAL  $15,735.1"' in text_of(read)
    assert write.is_error is False
    assert text_of(write).startswith('Updated run workflow_run_1234.\nname: (none) -> "ACME March"')
    run = client.get_run(SEED)
    assert (run.name, run.metadata["vendor"]) == ("ACME March", "ACME")


async def test_failures_are_tool_errors_with_clear_text(
    server: MCPServer, emulator: EmulatorServer
) -> None:
    async with Client(server) as mcp:
        missing = await mcp.call_tool("get_run", {"run_id": "workflow_run_missing"})
        no_op = await mcp.call_tool(
            "update_run_metadata", {"run_id": SEED, "metadata": {"internal_id": "id_1234"}}
        )
        bad_id = await mcp.call_tool("update_run_metadata", {"run_id": "a/b", "name": "x"})
    assert missing.is_error is True
    assert "Failed reading run workflow_run_missing: Extend returned 404" in text_of(missing)
    assert no_op.is_error is True and "Nothing to change: workflow_run_1234 " in text_of(no_op)
    assert bad_id.is_error is True and "'a/b' is not a valid run id" in text_of(bad_id)
    assert [r for r in emulator.requests if r["method"] == "POST"] == []


@pytest.mark.parametrize(
    ("tool", "arguments", "expected"),
    [
        (
            "update_run_metadata",
            {"run_id": 5, "name": "x"},
            "Invalid arguments for update_run_metadata: run_id must be text (the run id, e.g. "
            "workflow_run_1234). Fix them and call update_run_metadata again.",
        ),
        ("get_run", {}, "Invalid arguments for get_run: run_id is required (the run id"),
        (
            "update_run_metadata",
            {"run_id": SEED, "metadata": ["vendor"]},
            "metadata must be an object",
        ),
        ("get_run", {"run_id": SEED, "fields": "amount"}, "fields must be a list (only these"),
        ("get_run", {"run_id": SEED, "include_reasoning": [1]}, "include_reasoning must be true"),
    ],
)
async def test_argument_errors_are_one_clear_line(
    server: MCPServer, emulator: EmulatorServer, tool: str, arguments: dict, expected: str
) -> None:
    async with Client(server) as mcp:
        result = await mcp.call_tool(tool, arguments)
    text = text_of(result)
    assert result.is_error is True
    assert expected in text
    assert "\n" not in text
    assert "validation error" not in text and "pydantic" not in text
    assert emulator.requests == []


async def test_json_encoded_lists_are_read_but_text_stays_text(
    server: MCPServer, client: ExtendClient
) -> None:
    async with Client(server, elicitation_callback=accept) as mcp:
        read = await mcp.call_tool("get_run", {"run_id": SEED, "fields": '["amount"]'})
        renamed = await mcp.call_tool("update_run_metadata", {"run_id": SEED, "name": '["draft"]'})
    assert read.is_error is False and "invoice_number" not in text_of(read)
    assert renamed.is_error is False
    assert client.get_run(SEED).name == '["draft"]'


def _environment() -> dict[str, str]:
    """The test's environment (no keys, temp data dir) for a child process."""
    env = dict(os.environ)
    env.pop("EXTEND_API_KEY", None)
    return env


async def test_stdio_round_trip_with_the_mcp_client() -> None:
    params = StdioServerParameters(command=CLI, args=["mcp"], env=_environment())
    async with Client(params, elicitation_callback=accept) as mcp:
        names = [tool.name for tool in (await mcp.list_tools()).tools]
        read = await mcp.call_tool("get_run", {"run_id": SEED})
        tagged = await mcp.call_tool(
            "update_run_metadata", {"run_id": SEED, "add_tags": ["urgent"]}
        )
    assert names == ["get_run", "update_run_metadata", "find_runs", "show_citation"]
    assert "15,735.10 USD" in text_of(read)
    assert tagged.is_error is False and '["urgent"]' in text_of(tagged)


def test_stdio_stdout_carries_only_protocol_and_notes_go_to_stderr() -> None:
    initialize = {
        "jsonrpc": "2.0",
        "id": 1,
        "method": "initialize",
        "params": {
            "protocolVersion": "2025-06-18",
            "capabilities": {},
            "clientInfo": {"name": "raw-test", "version": "0"},
        },
    }
    done = subprocess.run(
        [CLI, "mcp"],
        input=json.dumps(initialize) + "\n",
        capture_output=True,
        text=True,
        env=_environment(),
        timeout=60,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    assert lines, done.stderr
    replies = [json.loads(line) for line in lines]  # every stdout line is JSON-RPC
    assert replies[0]["id"] == 1
    assert replies[0]["result"]["serverInfo"]["name"] == SERVER_NAME
    assert "No EXTEND_API_KEY set: using the built-in Extend emulator" in done.stderr
    assert "MCP server on stdio" in done.stderr


def _free_port() -> int:
    """A free port outside the kernel's ephemeral range.

    A port from ``bind(("", 0))`` could be handed out again to the child's own
    emulator (which binds port 0 before the MCP server binds this one).
    """
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768  # the usual start of the ephemeral range
    for port in random.sample(range(max(1024, low - 12000), low), 200):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port found")


async def test_streamable_http_serves_the_tools() -> None:
    port = _free_port()
    process = subprocess.Popen(
        [CLI, "mcp", "--http", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=_environment(),
    )
    try:
        url = f"http://127.0.0.1:{port}/mcp"
        for _attempt in range(600):  # wait until the server listens (bounded; not a timing test)
            if process.poll() is not None:
                break
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                await anyio.sleep(0.05)
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        async with Client(url) as mcp:
            names = [tool.name for tool in (await mcp.list_tools()).tools]
            read = await mcp.call_tool("get_run", {"run_id": "workflow_run_classify"})
        assert names == ["get_run", "update_run_metadata", "find_runs", "show_citation"]
        assert 'type "invoice", confidence 94.0%' in text_of(read)
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr:
            process.stderr.close()
