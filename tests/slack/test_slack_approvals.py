"""Confirm-before-write in Slack: who may approve, exactly once, across restarts and replicas.

The conversation asks for a rename; the app posts the change with Approve and
Cancel buttons; clicks arrive as signed ``block_actions`` requests. The emulator
is the judge of what was written.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from extend_emulator import EmulatorServer
from slack_app.testing.slack_requests import mention, message
from slack_app.testing.web_api import SlackMock
from slack_app.testing.workspace import ALICE, APPROVER, BOB, CHANNEL
from tests.support.agent_helpers import writes
from tests.support.slack_stack import (
    Proposal,
    SlackStack,
    click,
    outcome_of,
    proposals,
    updates_of,
)
from tools.client.clients import ExtendClient

RUN = "workflow_run_1234"


def ask_for_rename(stack: SlackStack, name: str = "ACME March", user: str = ALICE) -> Proposal:
    event = mention(f"rename {RUN} to {name}", user=user)
    stack.sender.event(event)
    [proposal] = stack.slack.wait_for(lambda s: proposals(s), what="the proposal")
    assert proposal.thread_ts == event["ts"]
    return proposal


def name_of(client: ExtendClient) -> str | None:
    return client.get_run(RUN).name


def test_the_proposal_shows_the_change_with_confirm_and_cancel(
    stack: SlackStack, slack: SlackMock, emulator: EmulatorServer
) -> None:
    proposal = ask_for_rename(stack)
    blocks = proposal.call.args["blocks"]
    shown = json.dumps(blocks, ensure_ascii=False)
    assert RUN in shown and "(none) → `ACME March`" in shown
    [actions] = [b for b in blocks if b["type"] == "actions"]
    approve, cancel = actions["elements"]
    assert approve["text"]["text"] == "Approve" and approve["confirm"]["confirm"]["text"]
    assert cancel["text"]["text"] == "Cancel" and "confirm" not in cancel
    assert f"<@{ALICE}>" in shown  # who asked
    assert writes(emulator) == []


def test_approval_by_the_requester_writes_once_even_on_a_double_click(
    stack: SlackStack, slack: SlackMock, emulator: EmulatorServer, client: ExtendClient
) -> None:
    proposal = ask_for_rename(stack)
    with ThreadPoolExecutor(2) as pool:
        responses = list(pool.map(lambda _: click(stack, proposal, user=ALICE), range(2)))
    assert [r.status_code for r in responses] == [200, 200]
    assert "Approved by" in outcome_of(slack, proposal)
    assert name_of(client) == "ACME March"
    slack.wait_for(lambda s: s.calls("chat.postEphemeral"), what="the second click's notice")
    assert len(writes(emulator, RUN)) == 1
    done = slack.wait_for(
        lambda s: [a for a in s.answers(CHANNEL, proposal.thread_ts) if "ACME March" in a],
        what="the agent's confirmation",
    )
    assert done
    assert len(updates_of(slack, proposal.message_ts)) == 1


def test_someone_else_cannot_approve_and_nothing_is_written(
    stack: SlackStack, slack: SlackMock, emulator: EmulatorServer, client: ExtendClient
) -> None:
    proposal = ask_for_rename(stack)
    click(stack, proposal, user=BOB)
    [refusal] = slack.wait_for(lambda s: s.calls("chat.postEphemeral"), what="the refusal")
    assert refusal.args["user"] == BOB and f"<@{ALICE}>" in refusal.args["text"]
    assert writes(emulator) == []
    assert updates_of(slack, proposal.message_ts) == []
    # The change is still waiting: the requester can still approve it.
    click(stack, proposal, user=ALICE)
    assert "Approved by" in outcome_of(slack, proposal)
    assert name_of(client) == "ACME March"


def test_an_allow_listed_approver_may_decide(
    stack: SlackStack, slack: SlackMock, client: ExtendClient
) -> None:
    proposal = ask_for_rename(stack)
    click(stack, proposal, user=APPROVER)
    assert f"Approved by <@{APPROVER}>" in outcome_of(slack, proposal)
    assert name_of(client) == "ACME March"


def test_cancel_writes_nothing_and_says_so(
    stack: SlackStack, slack: SlackMock, emulator: EmulatorServer, client: ExtendClient
) -> None:
    proposal = ask_for_rename(stack)
    click(stack, proposal, user=ALICE, approve=False)
    outcome = outcome_of(slack, proposal)
    assert "Cancelled by" in outcome and "Nothing was changed" in outcome
    assert writes(emulator) == []
    assert name_of(client) is None
    # The conversation goes on after a cancel.
    follow_up = message("what is the invoice number?", thread_ts=proposal.thread_ts)
    stack.sender.event(follow_up)
    slack.wait_for(
        lambda s: [a for a in s.answers(CHANNEL, proposal.thread_ts) if "36995" in a],
        what="the follow-up answer",
    )


def test_a_yes_in_the_thread_counts_only_from_someone_allowed(
    stack: SlackStack, slack: SlackMock, emulator: EmulatorServer, client: ExtendClient
) -> None:
    proposal = ask_for_rename(stack)
    stack.sender.event(message("yes", user=BOB, thread_ts=proposal.thread_ts))
    slack.wait_for(lambda s: s.calls("chat.postEphemeral"), what="the refusal")
    assert writes(emulator) == []
    stack.sender.event(message("tag it urgent too", user=ALICE, thread_ts=proposal.thread_ts))
    slack.wait_for(
        lambda s: [a for a in s.answers(CHANNEL, proposal.thread_ts) if "waiting" in a],
        what="the reminder",
    )
    assert len(proposals(slack)) == 1 and writes(emulator) == []
    stack.sender.event(message("yes", user=ALICE, thread_ts=proposal.thread_ts))
    assert "Approved by" in outcome_of(slack, proposal)
    assert name_of(client) == "ACME March"
    assert len(writes(emulator, RUN)) == 1


def test_a_pending_approval_survives_a_restart(
    slack: SlackMock, client: ExtendClient, emulator: EmulatorServer, data_dir: Path
) -> None:
    with SlackStack(slack, client, data_dir) as before:
        proposal = ask_for_rename(before)
    assert writes(emulator) == []
    with SlackStack(slack, client, data_dir) as after:  # new app objects, same SQLite files
        click(after, proposal, user=ALICE)
        assert "Approved by" in outcome_of(slack, proposal)
        assert client.get_run(RUN).name == "ACME March"
        assert len(writes(emulator, RUN)) == 1


def test_clicks_on_two_replicas_apply_the_change_once(
    slack: SlackMock, client: ExtendClient, emulator: EmulatorServer, data_dir: Path
) -> None:
    with SlackStack(slack, client, data_dir) as one, SlackStack(slack, client, data_dir) as two:
        proposal = ask_for_rename(one)
        with ThreadPoolExecutor(2) as pool:
            clicks = [pool.submit(click, replica, proposal, user=ALICE) for replica in (one, two)]
            assert [c.result().status_code for c in clicks] == [200, 200]
        assert "Approved by" in outcome_of(slack, proposal)
        slack.wait_for(lambda s: s.calls("chat.postEphemeral"), what="the other click's notice")
    assert client.get_run(RUN).name == "ACME March"
    assert len(writes(emulator, RUN)) == 1
    assert len(updates_of(slack, proposal.message_ts)) == 1


def test_a_typed_yes_counts_only_once_the_card_was_posted(
    stack: SlackStack, slack: SlackMock, emulator: EmulatorServer, client: ExtendClient
) -> None:
    slack.fail("chat.postMessage", "internal_error")  # the approval card
    event = mention(f"rename {RUN} to ACME March")
    stack.sender.event(event)
    [failed] = slack.wait_for(
        lambda s: [c for c in s.calls("chat.postMessage", failed=True) if c.error],
        what="the failed card",
    )
    assert any(b.get("type") == "actions" for b in failed.args["blocks"])
    slack.wait_for(
        lambda s: [a for a in s.answers(CHANNEL, event["ts"]) if "couldn't post" in a],
        what="the notice that the card failed",
    )
    assert proposals(slack) == []

    stack.sender.event(message("yes", user=ALICE, thread_ts=event["ts"]))
    [proposal] = slack.wait_for(lambda s: proposals(s), what="the card, posted again")
    slack.wait_for(
        lambda s: [a for a in s.answers(CHANNEL, event["ts"]) if "failed earlier" in a],
        what="the notice that the yes decided nothing",
    )
    assert writes(emulator) == [] and name_of(client) != "ACME March"

    stack.sender.event(message("yes", user=ALICE, thread_ts=event["ts"]))
    assert "Approved by" in outcome_of(slack, proposal)
    assert name_of(client) == "ACME March"
    assert len(writes(emulator, RUN)) == 1


def test_a_tag_removal_is_shown_approved_and_written_once(
    stack: SlackStack, slack: SlackMock, emulator: EmulatorServer, client: ExtendClient
) -> None:
    client.update_run(RUN, metadata={"tags": ["urgent", "q3"]})
    tagged = len(writes(emulator, RUN))
    event = mention(f"remove the urgent tag from {RUN}")
    stack.sender.event(event)
    [proposal] = slack.wait_for(lambda s: proposals(s), what="the proposal")
    shown = json.dumps(proposal.call.args["blocks"], ensure_ascii=False)
    assert "*tags*: remove `urgent`" in shown and "q3" not in shown
    assert len(writes(emulator, RUN)) == tagged  # nothing written before the click
    assert not [a for a in slack.answers(CHANNEL, event["ts"]) if "Not proposed" in a]

    click(stack, proposal, user=ALICE)

    assert "Approved by" in outcome_of(slack, proposal)
    assert client.get_run(RUN).tags == ["q3"]
    assert len(writes(emulator, RUN)) == tagged + 1
    assert len(updates_of(slack, proposal.message_ts)) == 1


def test_a_tag_removal_is_not_applied_once_the_run_lost_the_tag(
    stack: SlackStack, slack: SlackMock, emulator: EmulatorServer, client: ExtendClient
) -> None:
    client.update_run(RUN, metadata={"tags": ["urgent", "q3"]})
    stack.sender.event(mention(f"remove the urgent tag from {RUN}"))
    [proposal] = slack.wait_for(lambda s: proposals(s), what="the proposal")
    client.update_run(RUN, metadata={"tags": ["q3"]})  # someone else removed it meanwhile
    written = len(writes(emulator, RUN))

    click(stack, proposal, user=ALICE)

    assert "has changed since this change was proposed" in outcome_of(slack, proposal)
    assert len(writes(emulator, RUN)) == written
    assert client.get_run(RUN).tags == ["q3"]
