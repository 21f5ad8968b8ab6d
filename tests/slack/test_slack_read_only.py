"""Read-only mode in Slack (EXTEND_AGENT_READ_ONLY=1): reads work, writes are refused plainly."""

from __future__ import annotations

import pytest

from extend_emulator import EmulatorServer
from slack_app.testing.slack_requests import mention
from slack_app.testing.web_api import SlackMock
from slack_app.testing.workspace import CHANNEL
from tests.support.slack_stack import SlackStack, proposals
from tools.faces.read_only import READ_ONLY_MESSAGE

RUN = "workflow_run_1234"


@pytest.fixture
def read_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXTEND_AGENT_READ_ONLY", "1")


def posts(emulator: EmulatorServer) -> list[dict]:
    return [r for r in emulator.requests if r["method"] == "POST"]


def test_a_write_command_is_refused(
    read_only: None, stack: SlackStack, slack: SlackMock, emulator: EmulatorServer
) -> None:
    response = stack.sender.command(
        f"tag {RUN} urgent", response_url=slack.response_url("read-only")
    )
    assert response.status_code == 200
    [reply] = slack.wait_for(
        lambda s: [c for c in s.calls("response_url") if c.path == "/respond/read-only"],
        what="the refusal",
    )
    assert reply.args["text"] == f":no_entry: {READ_ONLY_MESSAGE}"
    assert proposals(slack) == [] and posts(emulator) == []


def test_asking_for_a_change_gets_the_read_only_answer_and_reads_still_work(
    read_only: None, stack: SlackStack, slack: SlackMock, emulator: EmulatorServer
) -> None:
    write = mention(f"tag {RUN} urgent")
    stack.sender.event(write)
    [answer] = slack.wait_for(lambda s: s.answers(CHANNEL, write["ts"]), what="the answer")
    assert "read-only mode" in answer
    read = mention(f"What is the total on {RUN}?")
    stack.sender.event(read)
    [total] = slack.wait_for(lambda s: s.answers(CHANNEL, read["ts"]), what="the total")
    assert "$15,735.10" in total
    assert proposals(slack) == [] and posts(emulator) == []
