"""When handling fails, nothing is lost: Slack's retry is answered, the proposal still posted.

Also: a thread reply sent to the channel too (``thread_broadcast``) is answered
like any thread reply, and a change too large to show in Slack is declined with a
pointer to the CLI rather than offered half-shown.
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from agent.model_choice import choose_model
from agent.settings import AgentSettings
from extend_emulator import EmulatorServer
from slack_app.state.slack_state import STATE_FILE
from slack_app.testing.slack_requests import event_envelope, mention, message
from slack_app.testing.web_api import SlackMock
from slack_app.testing.workspace import CHANNEL
from tests.support.agent_helpers import writes
from tests.support.openai_server import ScriptedOpenAI, tool_call
from tests.support.slack_stack import SlackStack, proposals
from tools.client.clients import ExtendClient

RUN = "workflow_run_1234"
TOTAL_QUESTION = "What is the total on workflow_run_1234?"


def answers(slack: SlackMock, thread_ts: str, count: int = 1) -> list[str]:
    return slack.wait_for(
        lambda s: len(found := s.answers(CHANNEL, thread_ts)) >= count and found,
        what=f"{count} answer(s) in {thread_ts}",
    )


def test_a_listener_failure_after_the_claim_lets_slacks_retry_be_answered(
    stack: SlackStack, slack: SlackMock, monkeypatch: pytest.MonkeyPatch
) -> None:
    remember = stack.state.threads.remember
    failures = [sqlite3.OperationalError("disk I/O error")]

    def remember_thread_failing_once(channel_id: str, thread_ts: str) -> None:
        if failures:
            raise failures.pop()
        remember(channel_id, thread_ts)

    monkeypatch.setattr(stack.state.threads, "remember", remember_thread_failing_once)
    event = mention(TOTAL_QUESTION)
    envelope = event_envelope(event)
    assert stack.sender.envelope(envelope).status_code == 500  # Slack will retry it
    assert stack.sender.envelope(envelope, retry_num=1).status_code == 200
    assert stack.sender.envelope(envelope, retry_num=2).status_code == 200
    [answer] = answers(slack, event["ts"])
    assert "$15,735.10" in answer
    marker = mention("what is the status of workflow_run_1234?")
    stack.sender.event(marker)
    answers(slack, marker["ts"])
    assert len(slack.answers(CHANNEL, event["ts"])) == 1


def test_a_busy_state_file_fails_the_request_fast_and_the_retry_is_answered(
    stack: SlackStack, slack: SlackMock, data_dir: Path
) -> None:
    event = mention(TOTAL_QUESTION)
    envelope = event_envelope(event)
    with closing(sqlite3.connect(data_dir / STATE_FILE, isolation_level=None)) as other:
        other.execute("BEGIN IMMEDIATE")  # another process holds the write lock
        assert stack.sender.envelope(envelope).status_code == 500
        other.execute("ROLLBACK")
    assert stack.sender.envelope(envelope, retry_num=1).status_code == 200
    [answer] = answers(slack, event["ts"])
    assert "$15,735.10" in answer


def test_the_proposal_is_posted_even_when_a_run_card_cannot_be(
    client: ExtendClient, emulator: EmulatorServer, tmp_path: Path
) -> None:
    with ScriptedOpenAI(model="gpt-4.1-mini") as server, SlackMock() as slack:
        server.add(tool_call("get_run", {"run_id": RUN}))
        server.add(tool_call("update_run_metadata", {"run_id": RUN, "name": "ACME March"}))
        settings = AgentSettings(OPENAI_API_KEY="sk-test-not-real", OPENAI_BASE_URL=server.base_url)
        model, _ = choose_model(settings)
        with SlackStack(slack, client, tmp_path / "data", model=model) as stack:
            slack.fail("chat.postMessage", "internal_error")  # the first post: the run card
            event = mention(f"look at {RUN} and rename it to ACME March")
            stack.sender.event(event)
            [proposal] = slack.wait_for(lambda s: proposals(s), what="the proposal")
            [failed_card, posted] = slack.calls("chat.postMessage", failed=True)
    assert (
        failed_card.error == "internal_error" and failed_card.args["blocks"][0]["type"] == "header"
    )
    assert posted.args["_ts"] == proposal.message_ts
    assert writes(emulator) == []


def test_a_reply_also_sent_to_the_channel_is_answered_like_a_thread_reply(
    stack: SlackStack, slack: SlackMock
) -> None:
    first = mention(TOTAL_QUESTION)
    stack.sender.event(first)
    answers(slack, first["ts"])
    broadcast: dict[str, Any] = message("and the invoice number?", thread_ts=first["ts"])
    broadcast["subtype"] = "thread_broadcast"
    stack.sender.event(broadcast)
    assert "36995" in answers(slack, first["ts"], count=2)[1]


def test_a_change_too_large_to_show_is_declined_and_the_cli_suggested(
    stack: SlackStack, slack: SlackMock, emulator: EmulatorServer, client: ExtendClient
) -> None:
    keys = [f"k{i}" for i in range(10)]
    for key in keys:  # long values already on the run: the change would show them as "before"
        client.update_run(RUN, metadata={key: "<" * 9000})
    emulator.clear_requests()
    event = mention(f"set {', '.join(f'{k}=short' for k in keys)} on {RUN}")
    stack.sender.event(event)
    [_, refusal] = answers(slack, event["ts"], count=2)
    assert "too large to show in full" in refusal and "extend-agent" in refusal
    assert proposals(slack) == []
    # Nothing is left waiting: the next question gets an answer, not a reminder.
    stack.sender.event(message("and the invoice number?", thread_ts=event["ts"]))
    assert "36995" in answers(slack, event["ts"], count=3)[2]
    assert writes(emulator) == []
