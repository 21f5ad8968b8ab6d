"""Write confirmation over real transports: ``extend-agent mcp`` on stdio and streamable HTTP.

The official MCP client talks to the CLI in a child process (with its own
emulator). One client supports elicitation and answers accept, decline and
cancel in turn; another doesn't and must go through the confirmation token.
Every successful structured result is checked against the advertised schema.
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import anyio
import jsonschema
import pytest
from mcp import Client, StdioServerParameters, types

from tests.conftest import SECRET_ENV_VARS

CLI = str(Path(sys.executable).with_name("extend-agent"))
SEED = "workflow_run_1234"


def _environment(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SECRET_ENV_VARS}
    env.pop("EXTEND_AGENT_READ_ONLY", None)
    env.update(extra)
    return env


def _free_port() -> int:
    """A free port below the ephemeral range (the child's emulator binds port 0)."""
    try:
        low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        low = 32768
    for port in random.sample(range(max(1024, low - 12000), low), 200):
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port found")


@asynccontextmanager
async def http_server(*args: str, **env: str) -> AsyncIterator[str]:
    port = _free_port()
    process = subprocess.Popen(
        [CLI, "mcp", "--http", "--port", str(port), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=_environment(**env),
    )
    try:
        for _attempt in range(600):  # until it listens (bounded; not a timing test)
            if process.poll() is not None:
                break
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                await anyio.sleep(0.05)
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(timeout=10)


@asynccontextmanager
async def connected(transport: str, *args: str, **kwargs: Any) -> AsyncIterator[Client]:
    """The official client on ``transport`` ("stdio" or "http") to ``extend-agent mcp *args``."""
    env = kwargs.pop("env", {})
    if transport == "stdio":
        params = StdioServerParameters(command=CLI, args=["mcp", *args], env=_environment(**env))
        async with Client(params, **kwargs) as mcp:
            yield mcp
    else:
        async with http_server(*args, **env) as url, Client(url, **kwargs) as mcp:
            yield mcp


def answers(*replies: tuple[str, dict[str, Any] | None]) -> Callable[..., Any]:
    """An elicitation callback answering ``replies`` in turn, recording each question."""
    queue = list(replies)

    async def callback(context: Any, params: types.ElicitRequestParams) -> types.ElicitResult:
        action, content = queue.pop(0)
        callback.asked.append(params.message)  # type: ignore[attr-defined]
        return types.ElicitResult(action=action, content=content)  # type: ignore[arg-type]

    callback.asked = []  # type: ignore[attr-defined]
    return callback


async def call(mcp: Client, name: str, arguments: dict[str, Any]) -> types.CallToolResult:
    schemas = {tool.name: tool.output_schema for tool in (await mcp.list_tools()).tools}
    result = await mcp.call_tool(name, arguments)
    if not result.is_error:
        jsonschema.validate(result.structured_content, schemas[name])
    return result


def text_of(result: types.CallToolResult) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


@pytest.mark.parametrize("transport", ["stdio", "http"])
async def test_elicitation_accept_decline_cancel(transport: str) -> None:
    callback = answers(("decline", None), ("cancel", None), ("accept", {"confirm": True}))
    async with connected(transport, elicitation_callback=callback) as mcp:
        declined = await call(mcp, "update_run_metadata", {"run_id": SEED, "name": "A"})
        cancelled = await call(mcp, "update_run_metadata", {"run_id": SEED, "name": "B"})
        accepted = await call(mcp, "update_run_metadata", {"run_id": SEED, "name": "C"})
        after = await call(mcp, "get_run", {"run_id": SEED})
    assert [r.structured_content["status"] for r in (declined, cancelled, accepted)] == [
        "declined",
        "cancelled",
        "updated",
    ]
    assert [r.structured_content["written"] for r in (declined, cancelled, accepted)] == [
        False,
        False,
        True,
    ]
    assert callback.asked[0].startswith(  # type: ignore[attr-defined]
        'Write this change to Extend?\nRename workflow_run_1234 from (none) to "A"'
    )
    assert after.structured_content["name"] == "C"  # only the accepted change was written


@pytest.mark.parametrize("transport", ["stdio", "http"])
async def test_without_elicitation_the_token_path(transport: str) -> None:
    arguments = {"run_id": SEED, "metadata": {"tags": ["urgent", "q3"]}}
    async with connected(transport) as mcp:
        proposed = await call(mcp, "update_run_metadata", arguments)
        token = proposed.structured_content["confirmation_token"]
        unchanged = await call(mcp, "get_run", {"run_id": SEED})
        mismatched = await call(
            mcp, "update_run_metadata", {**arguments, "name": "X", "confirmation_token": token}
        )
        token = (await call(mcp, "update_run_metadata", arguments)).structured_content[
            "confirmation_token"
        ]
        confirmed = await call(
            mcp, "update_run_metadata", {**arguments, "confirmation_token": token}
        )
        removed = await call(
            mcp, "update_run_metadata", {"run_id": SEED, "metadata": {"tags": ["q3"]}}
        )
        reused = await call(
            mcp,
            "update_run_metadata",
            {"run_id": SEED, "metadata": {"tags": ["q3"]}, "confirmation_token": token},
        )
        after = await call(mcp, "get_run", {"run_id": SEED})
    assert proposed.structured_content["status"] == "confirmation_required"
    assert "tags" not in unchanged.structured_content["metadata"]
    assert mismatched.is_error and "issued for a different change" in text_of(mismatched)
    assert confirmed.structured_content["status"] == "updated"
    assert removed.structured_content["status"] == "confirmation_required"
    assert reused.is_error and "already used" in text_of(reused)
    assert after.structured_content["metadata"]["tags"] == ["urgent", "q3"]


@pytest.mark.parametrize(
    ("transport", "args", "env"),
    [
        ("stdio", ("--read-only",), {}),
        ("http", (), {"EXTEND_AGENT_READ_ONLY": "1"}),
    ],
)
async def test_read_only_serves_no_write_tool(
    transport: str, args: tuple[str, ...], env: dict[str, str]
) -> None:
    async with connected(transport, *args, env=env) as mcp:
        names = [tool.name for tool in (await mcp.list_tools()).tools]
        refused = await mcp.call_tool("update_run_metadata", {"run_id": SEED, "name": "x"})
    assert "get_run" in names and "update_run_metadata" not in names
    assert refused.is_error is True
