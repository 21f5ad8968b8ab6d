"""Shared fixtures: no real keys ever, a fresh in-memory Extend emulator, a client on it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from extend_emulator import EmulatorServer
from tools.client.clients import ExtendClient

pytest_plugins = ["tests.support.postgres"]  # the postgres_url fixture

EMULATOR_KEY = "test-emulator-key"
SECRET_ENV_VARS = (
    "EXTEND_API_KEY",
    "EXTEND_BASE_URL",
    "EXTEND_API_VERSION",
    "EXTEND_WORKSPACE_ID",
    "EXTEND_TIMEOUT",
    "EXTEND_MAX_RETRIES",
    "EXTEND_MAX_METADATA_BYTES",
    "EXTEND_DEADLINE",
    "EXTEND_MAX_RESPONSE_BYTES",
    "EXTEND_MCP_TOKEN",
    "EXTEND_AGENT_MODEL",
    "EXTEND_AGENT_DATABASE_URL",
    "EXTEND_EMULATOR_FAULTS",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "OPENAI_ORG_ID",
    "OPENAI_PROJECT_ID",
    "ANTHROPIC_API_KEY",
    "SLACK_BOT_TOKEN",
    "SLACK_APP_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_API_URL",
    "SLACK_APPROVER_IDS",
    "EXTEND_WEBHOOK_SECRET",
    "EXTEND_ALERT_CHANNEL",
    "EXTEND_ALERT_EVENTS",
    "EXTEND_EMULATOR_WEBHOOK_URL",
    "EXTEND_EMULATOR_WEBHOOK_SECRET",
    "LANGSMITH_API_KEY",
    "LANGSMITH_TRACING",
    "LANGCHAIN_API_KEY",
    "LANGCHAIN_TRACING_V2",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "ALL_PROXY",
    "http_proxy",
    "https_proxy",
    "all_proxy",
)


@pytest.fixture(autouse=True)
def _isolated_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test may use a real key or reach the internet; state goes to a temp data dir."""
    for name in SECRET_ENV_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("EXTEND_AGENT_DATA_DIR", str(tmp_path / "agent-data"))
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")


@pytest.fixture
def emulator() -> Iterator[EmulatorServer]:
    """A fresh Extend emulator on a free loopback port, state in memory."""
    with EmulatorServer(host="127.0.0.1", port=0, api_key=EMULATOR_KEY) as server:
        yield server


def no_sleep(_seconds: float) -> None:
    """Retries in tests do not wait; the delays are asserted instead."""


@pytest.fixture
def client(emulator: EmulatorServer) -> Iterator[ExtendClient]:
    """Our client against the emulator (API 2024-12-23, the seed's shape)."""
    with ExtendClient(EMULATOR_KEY, base_url=emulator.url, sleep=no_sleep) as extend:
        yield extend


@pytest.fixture
def current_client(emulator: EmulatorServer) -> Iterator[ExtendClient]:
    """Our client against the emulator speaking API 2026-02-09."""
    with ExtendClient(
        EMULATOR_KEY, base_url=emulator.url, api_version="2026-02-09", sleep=no_sleep
    ) as extend:
        yield extend
