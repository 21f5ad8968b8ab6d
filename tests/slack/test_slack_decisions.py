"""A decision applies exactly the change its message shows, and says truly what happened.

Regression tests for the review of the approval flow: a second request in the
thread while the first change is being posted; a decision meant for another
change; a claim left behind by a process that died (before and after it wrote);
a model that fails after the write; approvals that expire; a run that changed
since its change was shown. The emulator is the judge of what was written.
"""

from __future__ import annotations

import json
from pathlib import Path

from agent.model_choice import choose_model
from agent.settings import AgentSettings
from extend_emulator import EmulatorServer
from slack_app.state.approvals import DECISION_STALLED_SECONDS
from slack_app.testing.slack_requests import mention, message, new_ts
from slack_app.testing.web_api import SlackMock
from slack_app.testing.workspace import ALICE, CHANNEL
from tests.support.agent_helpers import writes
from tests.support.openai_server import ScriptedOpenAI, tool_call
from tests.support.slack_stack import (
    Proposal,
    ShiftableClock,
    SlackStack,
    click,
    outcome_of,
    proposals,
)
from tools.client.clients import ExtendClient

RUN = "workflow_run_1234"


def ask_for_rename(stack: SlackStack, name: str = "ACME March") -> Proposal:
    event = mention(f"rename {RUN} to {name}")
    stack.sender.event(event)
    [proposal] = stack.slack.wait_for(lambda s: proposals(s), what="the proposal")
    return proposal


def thread_answers(slack: SlackMock, proposal: Proposal, containing: str) -> list[str]:
    return slack.wait_for(
        lambda s: [a for a in s.answers(CHANNEL, proposal.thread_ts) if containing in a],
        what=f"an answer with {containing!r}",
    )


def test_a_second_request_while_the_first_change_is_posted_waits_its_turn(
    stack: SlackStack, slack: SlackMock, emulator: EmulatorServer, client: ExtendClient
) -> None:
    # Slack is slow for a moment: finishing the first answer is rate limited, so the
    # second message arrives between the agent proposing the rename and the app
    # storing that proposal.
    slack.rate_limit("chat.stopStream", retry_after=1)
    first = mention(f"rename {RUN} to ACME March")
    stack.sender.event(first)
    slack.wait_for(lambda s: s.calls("chat.startStream"), what="the first answer")
    stack.sender.event(message(f"tag {RUN} urgent", thread_ts=first["ts"]))

    [proposal] = slack.wait_for(lambda s: proposals(s), what="the rename proposal")
    assert "ACME March" in json.dumps(proposal.call.args["blocks"], ensure_ascii=False)
    reminder = thread_answers(slack, proposal, "waiting for a decision")
    assert "ACME March" in reminder[0]  # the tag request met the rename, not a decline
    assert len(proposals(slack)) == 1

    click(stack, proposal, user=ALICE)
    assert "Approved by" in outcome_of(slack, proposal)
    run = client.get_run(RUN)
    assert run.name == "ACME March" and "urgent" not in run.tags
    assert [w["body"] for w in writes(emulator, RUN)] == [{"name": "ACME March"}]


def test_an_approval_decides_only_the_change_it_was_made_for(
    stack: SlackStack, slack: SlackMock, emulator: EmulatorServer, client: ExtendClient
) -> None:
    proposal = ask_for_rename(stack)
    approval = stack.state.approvals.get(proposal.approval_id)
    assert approval is not None and approval.thread_id is not None
    paused = stack.session.pending(approval.thread_id)
    assert paused is not None and approval.change_id == paused.change_id
    # An approval whose change the agent no longer holds (one it proposed earlier).
    older = stack.state.approvals.add(
        kind="agent",
        channel_id=CHANNEL,
        thread_ts=proposal.thread_ts,
        thread_id=approval.thread_id,
        run_id=RUN,
        name="Something else",
        description="Rename workflow_run_1234 to “Something else”",
        requester=ALICE,
        change_id="an-earlier-change",
    )
    stale = Proposal(older.id, CHANNEL, new_ts(), proposal.thread_ts, call=None)
    click(stack, stale, user=ALICE)
    assert "no longer waiting" in outcome_of(slack, stale)
    assert writes(emulator) == []
    assert stack.session.pending(approval.thread_id) == paused  # still waiting, untouched

    click(stack, proposal, user=ALICE)
    assert "Approved by" in outcome_of(slack, proposal)
    assert client.get_run(RUN).name == "ACME March"


def test_a_decision_cut_short_by_a_crash_can_be_made_again_later(
    slack: SlackMock, client: ExtendClient, emulator: EmulatorServer, data_dir: Path
) -> None:
    clock = ShiftableClock()
    with SlackStack(slack, client, data_dir, clock=clock) as before:
        proposal = ask_for_rename(before)
        assert before.state.approvals.claim_decision(proposal.approval_id, ALICE, approve=True)
        # ...and the process dies before applying anything.
    with SlackStack(slack, client, data_dir, clock=clock) as after:
        click(after, proposal, user=ALICE)
        [busy] = slack.wait_for(lambda s: s.calls("chat.postEphemeral"), what="the notice")
        assert "being decided" in busy.args["text"]  # a fresh claim may still be working
        clock.shift(DECISION_STALLED_SECONDS)
        after.sender.event(message("yes", thread_ts=proposal.thread_ts))
        assert "Approved by" in outcome_of(slack, proposal)
        thread_answers(slack, proposal, "ACME March")
    assert client.get_run(RUN).name == "ACME March"
    assert len(writes(emulator, RUN)) == 1


def test_a_change_applied_just_before_a_crash_is_settled_not_written_twice(
    slack: SlackMock, client: ExtendClient, emulator: EmulatorServer, data_dir: Path
) -> None:
    clock = ShiftableClock()
    with SlackStack(slack, client, data_dir, clock=clock) as before:
        proposal = ask_for_rename(before)
        claimed = before.state.approvals.claim_decision(proposal.approval_id, ALICE, approve=True)
        assert claimed is not None and claimed.thread_id and claimed.change_id
        before.session.decide(claimed.thread_id, True, change_id=claimed.change_id)
        # ...written to Extend; the process dies before recording the outcome.
    assert len(writes(emulator, RUN)) == 1
    clock.shift(DECISION_STALLED_SECONDS)
    with SlackStack(slack, client, data_dir, clock=clock) as after:
        click(after, proposal, user=ALICE)
        assert f"Approved by <@{ALICE}> and applied" in outcome_of(slack, proposal)
    assert len(writes(emulator, RUN)) == 1
    assert client.get_run(RUN).name == "ACME March"


def test_a_tag_removal_applied_just_before_a_crash_is_settled_not_written_twice(
    slack: SlackMock, client: ExtendClient, emulator: EmulatorServer, data_dir: Path
) -> None:
    client.update_run(RUN, metadata={"tags": ["urgent", "q3"]})
    clock = ShiftableClock()
    with SlackStack(slack, client, data_dir, clock=clock) as before:
        before.sender.event(mention(f"remove the urgent tag from {RUN}"))
        [proposal] = slack.wait_for(lambda s: proposals(s), what="the proposal")
        claimed = before.state.approvals.claim_decision(proposal.approval_id, ALICE, approve=True)
        assert claimed is not None and claimed.remove_tags == ["urgent"]
        assert claimed.thread_id and claimed.change_id
        before.session.decide(claimed.thread_id, True, change_id=claimed.change_id)
        # ...written to Extend; the process dies before recording the outcome.
    written = len(writes(emulator, RUN))
    assert client.get_run(RUN).tags == ["q3"]
    clock.shift(DECISION_STALLED_SECONDS)
    with SlackStack(slack, client, data_dir, clock=clock) as after:
        click(after, proposal, user=ALICE)
        assert f"Approved by <@{ALICE}> and applied" in outcome_of(slack, proposal)
    assert len(writes(emulator, RUN)) == written
    assert client.get_run(RUN).tags == ["q3"]


def test_the_outcome_comes_from_extend_when_the_model_fails_after_the_write(
    client: ExtendClient, emulator: EmulatorServer, tmp_path: Path
) -> None:
    with ScriptedOpenAI(model="gpt-4.1-mini") as server, SlackMock() as slack:
        server.add(tool_call("update_run_metadata", {"run_id": RUN, "name": "ACME March"}))
        settings = AgentSettings(OPENAI_API_KEY="sk-test-not-real", OPENAI_BASE_URL=server.base_url)
        model, _ = choose_model(settings)
        with SlackStack(slack, client, tmp_path / "data", model=model) as stack:
            proposal = ask_for_rename(stack)
            click(stack, proposal, user=ALICE)  # the model call after the write is unscripted
            outcome = outcome_of(slack, proposal)
            [notice] = thread_answers(slack, proposal, "couldn't finish my reply")
        assert server.unscripted  # the model did fail after the write
    assert "Approved by" in outcome and "Not applied" not in outcome
    assert "language model" in notice
    assert client.get_run(RUN).name == "ACME March"
    assert len(writes(emulator, RUN)) == 1


def test_a_write_extend_refuses_is_reported_as_not_applied(
    stack: SlackStack, slack: SlackMock, emulator: EmulatorServer, client: ExtendClient
) -> None:
    proposal = ask_for_rename(stack)
    emulator.faults.add("error", status=400, method="POST")
    click(stack, proposal, user=ALICE)
    outcome = outcome_of(slack, proposal)
    assert "does not show the change" in outcome and "and applied" not in outcome
    assert client.get_run(RUN).name is None


def test_an_approval_expires_after_its_time_to_live(
    slack: SlackMock, client: ExtendClient, emulator: EmulatorServer, data_dir: Path
) -> None:
    clock = ShiftableClock()
    with SlackStack(slack, client, data_dir, clock=clock, approval_ttl_seconds=3600) as stack:
        clicked = ask_for_rename(stack)
        clock.shift(3601)
        click(stack, clicked, user=ALICE)
        assert "Expired" in outcome_of(slack, clicked) and "1 hour" in outcome_of(slack, clicked)

        slack.clear()
        replied = ask_for_rename(stack, name="Another name")  # a new thread, a new change
        clock.shift(3601)
        stack.sender.event(message("yes", thread_ts=replied.thread_ts))
        assert "Expired" in outcome_of(slack, replied)
        # the "yes" was not taken for the expired change: the agent answers it instead
        thread_answers(slack, replied, "offline assistant")
    assert writes(emulator) == []
    assert client.get_run(RUN).name is None


def test_approve_refuses_when_the_run_changed_since_the_change_was_shown(
    stack: SlackStack, slack: SlackMock, emulator: EmulatorServer, client: ExtendClient
) -> None:
    proposal = ask_for_rename(stack)
    client.update_run(RUN, name="Renamed elsewhere")
    click(stack, proposal, user=ALICE)
    outcome = outcome_of(slack, proposal)
    assert "changed since" in outcome and "Ask again" in outcome
    assert client.get_run(RUN).name == "Renamed elsewhere"
    assert len(writes(emulator, RUN)) == 1  # only the other writer's

    slack.clear()
    stack.sender.event(message(f"rename {RUN} to ACME March", thread_ts=proposal.thread_ts))
    [again] = slack.wait_for(lambda s: proposals(s), what="the change shown again")
    assert "`Renamed elsewhere` → `ACME March`" in json.dumps(
        again.call.args["blocks"], ensure_ascii=False
    )
