"""Fixtures for the Slack tests: a recording Slack Web API mock and the app on top of it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from slack_app.testing.web_api import SlackMock
from tests.support.slack_stack import SlackStack
from tools.client.clients import ExtendClient


@pytest.fixture
def slack() -> Iterator[SlackMock]:
    """A fresh recording mock of Slack's Web API on loopback."""
    with SlackMock() as mock:
        yield mock


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """Where the app keeps its SQLite state (dedupe, approvals, conversations)."""
    return tmp_path / "data"


@pytest.fixture
def stack(slack: SlackMock, client: ExtendClient, data_dir: Path) -> Iterator[SlackStack]:
    """The Slack app in HTTP mode, wired to the mock, the emulator and the offline model."""
    with SlackStack(slack, client, data_dir) as running:
        yield running
