"""Two app replicas sharing PostgreSQL: each mention answered once, each change applied once.

Both replicas are the real app over HTTP (``SlackStack``) with their conversations
and state in one PostgreSQL schema; Slack's requests are spread between them as a
load balancer would. Skipped, saying why, where no PostgreSQL server is reachable.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from extend_emulator import EmulatorServer
from slack_app.testing.slack_requests import mention
from slack_app.testing.web_api import SlackMock
from slack_app.testing.workspace import ALICE, CHANNEL
from tests.support.agent_helpers import writes
from tests.support.slack_stack import SlackStack, click, outcome_of, proposals, updates_of
from tools.client.clients import ExtendClient

RUN = "workflow_run_1234"


@pytest.fixture
def replicas(
    slack: SlackMock, client: ExtendClient, tmp_path: Path, postgres_url: str
) -> Iterator[tuple[SlackStack, SlackStack]]:
    with (
        SlackStack(slack, client, tmp_path / "one", database_url=postgres_url) as one,
        SlackStack(slack, client, tmp_path / "two", database_url=postgres_url) as two,
    ):
        yield one, two


def test_a_double_click_on_two_replicas_applies_the_change_once(
    replicas: tuple[SlackStack, SlackStack],
    slack: SlackMock,
    client: ExtendClient,
    emulator: EmulatorServer,
) -> None:
    one, two = replicas
    event = mention(f"rename {RUN} to ACME March", user=ALICE)
    one.sender.event(event)
    [proposal] = slack.wait_for(lambda s: proposals(s), what="the proposal")
    assert writes(emulator) == []
    with ThreadPoolExecutor(2) as pool:  # the card was posted by one; the clicks land anywhere
        clicks = [pool.submit(click, replica, proposal, user=ALICE) for replica in (two, one)]
        assert [c.result().status_code for c in clicks] == [200, 200]
    assert "Approved by" in outcome_of(slack, proposal)
    slack.wait_for(lambda s: s.calls("chat.postEphemeral"), what="the other click's notice")
    assert client.get_run(RUN).name == "ACME March"
    assert len(writes(emulator, RUN)) == 1
    assert len(updates_of(slack, proposal.message_ts)) == 1


def test_a_mention_and_its_retries_on_both_replicas_are_answered_once(
    replicas: tuple[SlackStack, SlackStack], slack: SlackMock
) -> None:
    one, two = replicas
    events = [mention(f"what is the status of {RUN}?") for _ in range(4)]
    with ThreadPoolExecutor(8) as pool:
        sent = []
        for event in events:
            event_id = f"Ev{uuid.uuid4().hex[:10]}"
            for attempt, replica in enumerate((one, two, one, two)):
                retry = attempt or None
                sent.append(
                    pool.submit(replica.sender.event, event, event_id=event_id, retry_num=retry)
                )
        assert all(f.result().status_code == 200 for f in sent)
    for event in events:
        slack.wait_for(lambda s, e=event: s.answers(CHANNEL, e["ts"]), what="the answer")
    one.executor.shutdown(wait=True)
    two.executor.shutdown(wait=True)
    for event in events:
        assert len(slack.answers(CHANNEL, event["ts"])) == 1
