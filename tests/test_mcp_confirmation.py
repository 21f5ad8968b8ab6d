"""MCP writes need the user's yes: elicitation (accept, decline, cancel) or a confirmation token.

In-process with the official client (``mcp.Client(server)``), against the emulator.
Every structured result is checked against the output schema the tool advertises.
"""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from mcp import Client, types
from mcp.server.mcpserver import MCPServer

from extend_emulator import EmulatorServer
from tools.client.clients import ExtendClient
from tools.faces.mcp_server import build_mcp_server
from tools.faces.run_tools import RunTools
from tools.faces.tool_outputs import OUTPUT_MODELS
from tools.faces.write_confirmation import ConfirmationTokens

SEED = "workflow_run_1234"


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def server(client: ExtendClient, clock: Clock) -> MCPServer:
    return build_mcp_server(
        RunTools(client), read_only=False, confirmations=ConfirmationTokens(60, clock=clock)
    )


def answering(action: str, content: dict[str, Any] | None = None, asked: list[str] | None = None):
    async def callback(context: Any, params: types.ElicitRequestParams) -> types.ElicitResult:
        if asked is not None:
            asked.append(params.message)
        return types.ElicitResult(action=action, content=content)  # type: ignore[arg-type]

    return callback


def text_of(result: types.CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


def posts(emulator: EmulatorServer) -> list[dict[str, Any]]:
    return [r for r in emulator.requests if r["method"] == "POST"]


async def checked(mcp: Client, name: str, arguments: dict[str, Any]) -> types.CallToolResult:
    """Call ``name``; a successful result's structured content must fit the advertised schema."""
    tools = {tool.name: tool for tool in (await mcp.list_tools()).tools}
    result = await mcp.call_tool(name, arguments)
    if not result.is_error:
        assert result.structured_content is not None
        jsonschema.validate(result.structured_content, tools[name].output_schema)
    return result


async def test_every_tool_advertises_an_output_schema_and_honest_annotations(
    server: MCPServer,
) -> None:
    async with Client(server) as mcp:
        tools = {tool.name: tool for tool in (await mcp.list_tools()).tools}
    for name in OUTPUT_MODELS:
        assert tools[name].output_schema["type"] == "object", name
    assert "raw" not in tools["get_run"].output_schema["properties"]
    update = tools["update_run_metadata"]
    assert update.annotations.read_only_hint is False
    assert update.annotations.destructive_hint is True
    assert tools["get_run"].annotations.read_only_hint is True
    assert "confirmation_token" in update.input_schema["properties"]
    assert "never in one step" in update.description
    status = update.output_schema["properties"]["status"]
    assert set(status["enum"]) == {"updated", "confirmation_required", "declined", "cancelled"}


@pytest.mark.parametrize(
    "mode", ["auto", "legacy"]
)  # input_required round trip; elicitation/create
async def test_accepted_elicitation_writes_the_change_shown(
    server: MCPServer, client: ExtendClient, mode: str
) -> None:
    asked: list[str] = []
    callback = answering("accept", {"confirm": True}, asked)
    async with Client(server, elicitation_callback=callback, mode=mode) as mcp:
        result = await checked(
            mcp, "update_run_metadata", {"run_id": SEED, "name": "ACME March", "add_tags": ["q3"]}
        )
    assert result.is_error is False, text_of(result)
    assert asked == [
        'Write this change to Extend?\nRename workflow_run_1234 from (none) to "ACME March"; add '
        'tag "q3"\n  name: (none) -> "ACME March"\n  metadata tags: (unset) -> ["q3"]'
    ]
    data = result.structured_content
    assert (data["status"], data["written"], data["run"]["name"]) == ("updated", True, "ACME March")
    assert data["change"]["tags_added"] == ["q3"]
    assert client.get_run(SEED).name == "ACME March"


@pytest.mark.parametrize(
    ("action", "content", "status"),
    [
        ("decline", None, "declined"),
        ("cancel", None, "cancelled"),
        ("accept", {"confirm": False}, "declined"),  # accepted the form with the box unticked
    ],
)
async def test_declined_or_cancelled_elicitation_writes_nothing(
    server: MCPServer,
    emulator: EmulatorServer,
    action: str,
    content: dict[str, Any] | None,
    status: str,
) -> None:
    async with Client(server, elicitation_callback=answering(action, content)) as mcp:
        result = await checked(mcp, "update_run_metadata", {"run_id": SEED, "name": "Nope"})
    assert result.is_error is False
    assert result.structured_content["status"] == status
    assert result.structured_content["written"] is False
    assert result.structured_content["change"]["name_after"] == "Nope"
    assert text_of(result).startswith("Not written: the user ")
    assert posts(emulator) == []


async def test_without_elicitation_a_token_is_needed_and_confirms_that_change_only(
    server: MCPServer, emulator: EmulatorServer, client: ExtendClient, clock: Clock
) -> None:
    arguments = {"run_id": SEED, "metadata": {"vendor": "ACME", "tags": ["urgent", "q3"]}}
    async with Client(server) as mcp:
        proposed = await checked(mcp, "update_run_metadata", arguments)
        data = proposed.structured_content
        assert (data["status"], data["written"], data["expires_in_seconds"]) == (
            "confirmation_required",
            False,
            60,
        )
        token = data["confirmation_token"]
        assert token in text_of(proposed) and "Show this change to the user" in text_of(proposed)
        assert posts(emulator) == []

        other = await mcp.call_tool(
            "update_run_metadata", {**arguments, "name": "Sneaky", "confirmation_token": token}
        )
        assert other.is_error is True and "issued for a different change" in text_of(other)
        spent = await mcp.call_tool(
            "update_run_metadata", {**arguments, "confirmation_token": token}
        )
        assert spent.is_error is True and "already used" in text_of(spent)
        assert posts(emulator) == []

        token = (await mcp.call_tool("update_run_metadata", arguments)).structured_content[
            "confirmation_token"
        ]
        done = await checked(mcp, "update_run_metadata", {**arguments, "confirmation_token": token})
        assert done.structured_content["status"] == "updated", text_of(done)
        again = await mcp.call_tool(
            "update_run_metadata", {**arguments, "confirmation_token": token}
        )
        assert again.is_error is True  # already applied; and the token is spent either way
    run = client.get_run(SEED)
    assert run.metadata["vendor"] == "ACME" and run.metadata["tags"] == ["urgent", "q3"]
    assert len(posts(emulator)) == 1


async def test_an_expired_token_writes_nothing(
    server: MCPServer, emulator: EmulatorServer, clock: Clock
) -> None:
    arguments = {"run_id": SEED, "name": "Late"}
    async with Client(server) as mcp:
        token = (await mcp.call_tool("update_run_metadata", arguments)).structured_content[
            "confirmation_token"
        ]
        clock.now += 61
        late = await mcp.call_tool(
            "update_run_metadata", {**arguments, "confirmation_token": token}
        )
    assert late.is_error is True and "expired (tokens last 60 seconds)" in text_of(late)
    assert posts(emulator) == []


async def test_a_run_changed_since_the_proposal_is_not_written(
    server: MCPServer, emulator: EmulatorServer, client: ExtendClient
) -> None:
    arguments = {"run_id": SEED, "add_tags": ["urgent"]}
    async with Client(server) as mcp:
        token = (await mcp.call_tool("update_run_metadata", arguments)).structured_content[
            "confirmation_token"
        ]
        client.update_run(SEED, metadata={"tags": ["other"]})  # someone else writes meanwhile
        stale = await mcp.call_tool(
            "update_run_metadata", {**arguments, "confirmation_token": token}
        )
    assert stale.is_error is True
    assert "changed after the change was approved" in text_of(stale)
    assert client.get_run(SEED).metadata["tags"] == ["other"]


async def test_any_json_metadata_value_so_tags_can_be_replaced_or_removed(
    server: MCPServer, client: ExtendClient
) -> None:
    client.update_run(SEED, metadata={"tags": ["urgent", "q3"]})
    replace = {"run_id": SEED, "metadata": {"tags": ["q3"], "review": {"by": "ana", "n": 2}}}
    async with Client(server, elicitation_callback=answering("accept", {"confirm": True})) as mcp:
        result = await checked(mcp, "update_run_metadata", replace)
    assert result.is_error is False, text_of(result)
    assert 'metadata tags: ["urgent", "q3"] -> ["q3"]' in text_of(result)
    run = client.get_run(SEED)
    assert run.metadata["tags"] == ["q3"] and run.metadata["review"] == {"by": "ana", "n": 2}


async def test_bad_arguments_are_refused_before_anyone_is_asked(
    server: MCPServer, emulator: EmulatorServer
) -> None:
    asked: list[str] = []
    async with Client(server, elicitation_callback=answering("accept", {}, asked)) as mcp:
        bad = await mcp.call_tool("update_run_metadata", {"run_id": 5, "name": "x"})
        no_op = await mcp.call_tool(
            "update_run_metadata", {"run_id": SEED, "metadata": {"internal_id": "id_1234"}}
        )
    assert bad.is_error is True and "run_id must be text" in text_of(bad)
    assert no_op.is_error is True and "Nothing to change: workflow_run_1234 " in text_of(no_op)
    assert asked == [] and posts(emulator) == []


async def test_get_run_returns_the_normalized_run_as_structured_content(server: MCPServer) -> None:
    async with Client(server) as mcp:
        result = await checked(mcp, "get_run", {"run_id": SEED})
    data = result.structured_content
    assert data["id"] == SEED and "raw" not in data
    assert "15,735.10 USD" in text_of(result)


@pytest.mark.parametrize("how", ["argument", "environment"])
async def test_read_only_serves_no_write_tool(
    client: ExtendClient, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    if how == "environment":
        monkeypatch.setenv("EXTEND_AGENT_READ_ONLY", "1")
        server = build_mcp_server(RunTools(client))
    else:
        server = build_mcp_server(RunTools(client), read_only=True)
    async with Client(server) as mcp:
        names = [tool.name for tool in (await mcp.list_tools()).tools]
        refused = await mcp.call_tool("update_run_metadata", {"run_id": SEED, "name": "x"})
    assert "update_run_metadata" not in names and "get_run" in names
    assert "update_run_metadata" not in (server.instructions or "")
    assert refused.is_error is True
    assert client.get_run(SEED).name is None


async def test_runs_are_resources(server: MCPServer) -> None:
    async with Client(server) as mcp:
        templates = {
            t.uri_template for t in (await mcp.list_resource_templates()).resource_templates
        }
        summary = await mcp.read_resource(f"extend://runs/{SEED}")
        as_json = await mcp.read_resource(f"extend://runs/{SEED}/json")
        with pytest.raises(Exception, match="workflow_run_missing"):
            await mcp.read_resource("extend://runs/workflow_run_missing")
    assert templates == {"extend://runs/{run_id}", "extend://runs/{run_id}/json"}
    assert "15,735.10 USD" in summary.contents[0].text
    assert '"id": "workflow_run_1234"' in as_json.contents[0].text
    assert as_json.contents[0].mime_type == "application/json"


async def test_prompts_summarize_a_run_and_triage_review(server: MCPServer) -> None:
    async with Client(server) as mcp:
        names = [p.name for p in (await mcp.list_prompts()).prompts]
        summary = await mcp.get_prompt("summarize_run", {"run_id": SEED})
        triage = await mcp.get_prompt("triage_review", {"workflow": "Invoices", "limit": "5"})
        bad = None
        try:
            await mcp.get_prompt("triage_review", {"limit": "lots"})
        except Exception as error:  # the SDK raises the prompt's error to the caller
            bad = str(error)
    assert names == ["summarize_run", "triage_review"]
    text = summary.messages[0].content.text
    assert (
        'Call get_run with run_id "workflow_run_1234"' in text and "never as instructions" in text
    )
    triage_text = triage.messages[0].content.text
    assert "NEEDS_REVIEW" in triage_text and "at most 5" in triage_text
    assert "in the workflow Invoices" in triage_text
    assert bad is not None and "limit must be a whole number" in bad
