"""``extend-agent mcp --http`` off loopback: a bearer token is required, Host and Origin checked.

The server is the real CLI in a child process bound to 0.0.0.0, spoken to over
real HTTP; it would otherwise let any host on the network rename runs.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from cli.mcp_http import is_loopback, load_token, security_settings
from tests.conftest import SECRET_ENV_VARS
from tests.support.hostile_server import free_port

CLI = str(Path(sys.executable).with_name("extend-agent"))
TOKEN = "t0k3n-for-tests-only-0123456789abcdef"
INITIALIZE = {
    "jsonrpc": "2.0",
    "id": 1,
    "method": "initialize",
    "params": {
        "protocolVersion": "2025-06-18",
        "capabilities": {},
        "clientInfo": {"name": "auth-test", "version": "0"},
    },
}
RENAME = {
    "jsonrpc": "2.0",
    "id": 2,
    "method": "tools/call",
    "params": {
        "name": "update_run_metadata",
        "arguments": {"run_id": "workflow_run_1234", "name": "PWNED"},
    },
}
ALLOW_NAMED_HOST = ("--allowed-host", "mcp.example.test")
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


def _environment(data_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SECRET_ENV_VARS}
    env.pop("EXTEND_MCP_TOKEN", None)
    env.update(EXTEND_AGENT_DATA_DIR=str(data_dir), NO_PROXY="127.0.0.1,localhost", **extra)
    return env


@pytest.fixture(scope="module")
def network_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The CLI's MCP server on 0.0.0.0 with a token; yields its loopback URL."""
    port = free_port()
    process = subprocess.Popen(
        [CLI, "mcp", "--http", "--host", "0.0.0.0", "--port", str(port), *ALLOW_NAMED_HOST],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        env=_environment(tmp_path_factory.mktemp("mcp-auth"), EXTEND_MCP_TOKEN=TOKEN),
    )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.05)
        assert process.poll() is None, process.stderr.read().decode() if process.stderr else ""
        yield f"http://127.0.0.1:{port}/mcp"
    finally:
        process.terminate()
        process.wait(timeout=10)
        if process.stderr:
            process.stderr.close()


def test_refuses_to_serve_the_network_without_a_token(tmp_path: Path) -> None:
    port = free_port()
    done = subprocess.run(
        [CLI, "mcp", "--http", "--host", "0.0.0.0", "--port", str(port)],
        capture_output=True,
        text=True,
        env=_environment(tmp_path),
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "EXTEND_MCP_TOKEN" in done.stderr and "--token-file" in done.stderr
    assert "Traceback" not in done.stderr


def test_refuses_a_weak_token(tmp_path: Path) -> None:
    done = subprocess.run(
        [CLI, "mcp", "--http", "--host", "0.0.0.0", "--port", str(free_port())],
        capture_output=True,
        text=True,
        env=_environment(tmp_path, EXTEND_MCP_TOKEN="secret"),
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and "at least 16 printable characters" in done.stderr


@pytest.mark.parametrize("authorization", [None, "Bearer wrong-token-0123456789", TOKEN])
def test_requests_without_the_token_get_401(network_server: str, authorization: str | None) -> None:
    headers = dict(MCP_HEADERS)
    if authorization:
        headers["Authorization"] = authorization
    for message in (INITIALIZE, RENAME):
        answer = httpx.post(network_server, headers=headers, content=json.dumps(message))
        assert answer.status_code == 401, answer.text
        assert answer.headers["www-authenticate"].startswith("Bearer")
        assert "PWNED" not in answer.text


def test_with_the_token_a_foreign_host_or_origin_is_refused(network_server: str) -> None:
    headers = {**MCP_HEADERS, "Authorization": f"Bearer {TOKEN}"}
    body = json.dumps(INITIALIZE)
    rebinding = httpx.post(
        network_server, headers={**headers, "Host": "evil.example"}, content=body
    )
    assert rebinding.status_code == 421
    cross_site = httpx.post(
        network_server, headers={**headers, "Origin": "http://evil.example"}, content=body
    )
    assert cross_site.status_code == 403
    port = network_server.split(":")[2].split("/")[0]
    named = httpx.post(
        network_server, headers={**headers, "Host": f"mcp.example.test:{port}"}, content=body
    )
    assert named.status_code == 200, named.text


async def test_with_the_token_the_tools_work(network_server: str) -> None:
    http = create_mcp_http_client(headers={"Authorization": f"Bearer {TOKEN}"})
    async with Client(streamable_http_client(network_server, http_client=http)) as mcp:
        tools = {tool.name: tool for tool in (await mcp.list_tools()).tools}
        read = await mcp.call_tool("get_run", {"run_id": "workflow_run_1234"})
    assert {"get_run", "update_run_metadata"} <= set(tools)
    annotations = tools["update_run_metadata"].annotations
    assert annotations is not None and annotations.destructive_hint is True
    assert not read.is_error


def test_token_file_and_loopback_rules(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(f"{TOKEN}\n")
    assert load_token({}, token_file) == TOKEN
    assert load_token({}) is None
    with pytest.raises(ValueError, match="Cannot read the MCP token file"):
        load_token({}, tmp_path / "missing")
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.5")
    settings = security_settings("0.0.0.0", ["10.0.0.5:8766"])
    assert settings.enable_dns_rebinding_protection
    assert "10.0.0.5:8766" in settings.allowed_hosts
    assert "evil.example:*" not in settings.allowed_hosts
