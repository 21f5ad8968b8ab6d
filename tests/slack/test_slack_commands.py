"""``/extend`` over signed HTTP: get, rename / tag / meta with approval, help, bad input.

No model is involved: writes go through ``RunTools`` after a click on Approve.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cli import app as cli_app
from extend_emulator import EmulatorServer
from extend_emulator.samples import SAMPLES_DIR
from slack_app.extend_command import MAX_RESPONSES
from slack_app.run_card import run_card
from slack_app.testing.web_api import SlackMock
from slack_app.testing.workspace import ALICE, BOB, CHANNEL
from tests.support.agent_helpers import writes
from tests.support.slack_stack import Proposal, SlackStack, click, outcome_of, proposals
from tools.client.clients import ExtendClient

RUN = "workflow_run_1234"


def run_command(stack: SlackStack, text: str, *, user: str = ALICE) -> list[dict]:
    """Send ``/extend text``; return what came back on its response_url."""
    name = f"cmd-{abs(hash((text, user)))}"
    response = stack.sender.command(text, user=user, response_url=stack.slack.response_url(name))
    assert response.status_code == 200
    path = f"/respond/{name}"
    calls = stack.slack.wait_for(
        lambda s: [c for c in s.calls("response_url") if c.path == path], what=f"/extend {text}"
    )
    return [c.args for c in calls]


def propose(stack: SlackStack, text: str) -> Proposal:
    response = stack.sender.command(text, response_url=stack.slack.response_url("unused"))
    assert response.status_code == 200
    [proposal] = stack.slack.wait_for(lambda s: proposals(s), what="the proposal")
    assert proposal.channel == CHANNEL and proposal.thread_ts is None
    return proposal


def test_get_answers_with_the_run_card_to_the_caller(stack: SlackStack, slack: SlackMock) -> None:
    [reply] = run_command(stack, f"get {RUN}")
    shown = json.dumps(reply["blocks"], ensure_ascii=False)
    assert "$15,735.10" in shown and "TOTAL  $15,735.1" in shown and "p. 1" in shown
    assert reply.get("response_type", "ephemeral") == "ephemeral"
    assert slack.posts() == []  # nothing posted in the channel


def test_help_and_an_empty_command_explain_the_commands(stack: SlackStack) -> None:
    [help_reply] = run_command(stack, "help")
    assert "/extend rename" in help_reply["text"] and "/extend get" in help_reply["text"]
    [empty_reply] = run_command(stack, "")
    assert empty_reply["text"] == help_reply["text"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("frobnicate x", "don't know"),
        ("get", "needs a run id"),
        ("get not/a/run", "not a valid run id"),
        (f"rename {RUN}", "new name"),
        (f"meta {RUN} vendor", "not key=value"),
        (f'rename {RUN} "ACME', "quote is not closed"),
    ],
)
def test_bad_input_gets_a_plain_explanation_and_no_request(
    stack: SlackStack, emulator: EmulatorServer, text: str, expected: str
) -> None:
    emulator.clear_requests()
    [reply] = run_command(stack, text)
    assert expected in reply["text"] and "/extend help" in reply["text"]
    assert emulator.requests == []


def test_an_unknown_run_gets_a_failure_text(stack: SlackStack) -> None:
    [reply] = run_command(stack, "get workflow_run_nope")
    assert "couldn't find that run" in reply["text"]
    assert "404" not in reply["text"] and "Traceback" not in reply["text"]


def test_rename_waits_for_approval_then_applies_once(
    stack: SlackStack, slack: SlackMock, emulator: EmulatorServer, client: ExtendClient
) -> None:
    proposal = propose(stack, f"rename {RUN} ACME March")
    shown = json.dumps(proposal.call.args["blocks"], ensure_ascii=False)
    assert "(none) → `ACME March`" in shown
    assert writes(emulator) == []
    click(stack, proposal, user=BOB)
    slack.wait_for(lambda s: s.calls("chat.postEphemeral"), what="the refusal")
    assert writes(emulator) == []
    click(stack, proposal, user=ALICE)
    click(stack, proposal, user=ALICE)
    assert "Approved by" in outcome_of(slack, proposal)
    assert client.get_run(RUN).name == "ACME March"
    assert len(writes(emulator, RUN)) == 1


def test_tag_adds_labels_after_approval(
    stack: SlackStack, slack: SlackMock, client: ExtendClient
) -> None:
    proposal = propose(stack, f"tag {RUN} urgent q3")
    assert "add `urgent`, `q3`" in json.dumps(proposal.call.args["blocks"], ensure_ascii=False)
    click(stack, proposal, user=ALICE)
    assert "Approved by" in outcome_of(slack, proposal)
    assert client.get_run(RUN).tags == ["urgent", "q3"]


def test_meta_sets_text_and_json_values_after_approval(
    stack: SlackStack, slack: SlackMock, client: ExtendClient
) -> None:
    proposal = propose(stack, f"meta {RUN} vendor=ACME amount:=15735.1")
    click(stack, proposal, user=ALICE)
    assert "Approved by" in outcome_of(slack, proposal)
    metadata = client.get_run(RUN).metadata
    assert metadata["vendor"] == "ACME" and metadata["amount"] == 15735.1


def test_cancel_of_a_command_change_writes_nothing(
    stack: SlackStack, slack: SlackMock, emulator: EmulatorServer
) -> None:
    proposal = propose(stack, f"rename {RUN} Never")
    click(stack, proposal, user=ALICE, approve=False)
    assert "Cancelled by" in outcome_of(slack, proposal)
    assert writes(emulator) == []


def test_a_change_that_changes_nothing_is_refused_before_asking(
    stack: SlackStack, slack: SlackMock
) -> None:
    [reply] = run_command(stack, f"meta {RUN} internal_id=id_1234")
    assert "Nothing to change" in reply["text"]
    assert proposals(slack) == []


def test_when_the_channel_refuses_the_bot_the_caller_is_told(
    stack: SlackStack, slack: SlackMock
) -> None:
    slack.fail("chat.postMessage", "not_in_channel")
    [reply] = run_command(stack, f"rename {RUN} ACME March")
    assert "/invite" in reply["text"]


def test_the_cli_command_names_the_missing_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    result = runner.invoke(cli_app, ["slack", "--http", "--port", "0"])
    assert result.exit_code == 2 and "SLACK_SIGNING_SECRET" in result.output
    monkeypatch.setenv("SLACK_SIGNING_SECRET", "secret")
    result = runner.invoke(cli_app, ["slack", "--http", "--port", "0"])
    assert result.exit_code == 2 and "SLACK_BOT_TOKEN" in result.output
    result = runner.invoke(cli_app, ["slack", "--socket"])
    assert result.exit_code == 2 and "SLACK_APP_TOKEN" in result.output
    result = runner.invoke(cli_app, ["slack", "--socket", "--http"])
    assert result.exit_code == 2 and "one of" in result.output


def test_every_command_reply_is_sent_without_unfurling(stack: SlackStack) -> None:
    replies = [
        *run_command(stack, "help"),
        *run_command(stack, "frobnicate"),
        *run_command(stack, f"get {RUN}"),
        *run_command(stack, "get workflow_run_nope"),
    ]
    assert len(replies) == 4
    for reply in replies:
        assert reply["unfurl_links"] is False and reply["unfurl_media"] is False


def test_a_card_longer_than_a_command_reply_says_it_was_cut(
    slack: SlackMock, tmp_path: Path
) -> None:
    seed = json.loads((SAMPLES_DIR / f"{RUN}.json").read_text(encoding="utf-8"))
    run = seed.get("workflowRun", seed)
    run["id"] = "workflow_run_long"
    run["metadata"] = {f"note_{i:03d}": "& " * 1000 for i in range(150)}  # ~10k chars each
    fixtures = tmp_path / "fixtures"
    fixtures.mkdir()
    (fixtures / "long.json").write_text(json.dumps(seed), encoding="utf-8")
    with (
        EmulatorServer(api_key="k", fixtures_dir=fixtures, data_dir=tmp_path / "emu") as emulator,
        ExtendClient("k", base_url=emulator.url) as client,
        SlackStack(slack, client, tmp_path / "data") as stack,
    ):
        assert len(run_card(client.get_run("workflow_run_long"))) > MAX_RESPONSES
        stack.sender.command("get workflow_run_long", response_url=slack.response_url("long"))
        replies = slack.wait_for(
            lambda s: len(s.calls("response_url")) >= MAX_RESPONSES and s.calls("response_url"),
            what="the command's replies",
        )
    assert len(replies) == MAX_RESPONSES
    assert all(r.args.get("blocks") for r in replies[:-1])
    last = replies[-1].args["text"]
    assert "cut" in last and "extend-agent runs get workflow_run_long" in last


def test_a_change_too_large_to_show_is_refused_with_a_pointer_to_the_cli(
    stack: SlackStack, slack: SlackMock, emulator: EmulatorServer, client: ExtendClient
) -> None:
    keys = [f"k{i}" for i in range(10)]
    for key in keys:  # long values already on the run: the card would show them as "before"
        client.update_run(RUN, metadata={key: "<" * 9000})
    emulator.clear_requests()
    [reply] = run_command(stack, f"meta {RUN} " + " ".join(f"{k}=short" for k in keys))
    assert "too large to show in full" in reply["text"] and "extend-agent" in reply["text"]
    assert proposals(slack) == []
    assert writes(emulator) == []


RESERVED_RUN = "workflow_run_failed"  # its metadata holds extend:usage_tags=["accounts-payable"]
USAGE_TAGS = "extend:usage_tags"


def test_meta_may_set_a_reserved_key_the_person_typed_and_the_card_says_so(
    stack: SlackStack, slack: SlackMock, emulator: EmulatorServer, client: ExtendClient
) -> None:
    emulator.clear_requests()
    proposal = propose(stack, f"""meta {RESERVED_RUN} '{USAGE_TAGS}:=["accounts-payable","q3"]'""")
    shown = json.dumps(proposal.call.args["blocks"], ensure_ascii=False)
    assert (
        f"`{USAGE_TAGS}` _(a key Extend reserves)_: `accounts-payable` → `accounts-payable, q3`"
        in shown
    )
    assert "set extend:usage_tags (a key Extend reserves) = " in shown  # the confirm dialog too
    assert writes(emulator) == []
    click(stack, proposal, user=ALICE)
    assert "Approved by" in outcome_of(slack, proposal)
    assert client.get_run(RESERVED_RUN).metadata[USAGE_TAGS] == ["accounts-payable", "q3"]
    assert len(writes(emulator, RESERVED_RUN)) == 1


def test_a_reserved_key_changed_after_the_card_is_not_overwritten(
    stack: SlackStack, slack: SlackMock, client: ExtendClient
) -> None:
    proposal = propose(stack, f"meta {RESERVED_RUN} {USAGE_TAGS}:=[]")
    client.update_run(RESERVED_RUN, metadata={USAGE_TAGS: ["finance"]})  # someone else, meanwhile
    click(stack, proposal, user=ALICE)
    assert "has changed since" in outcome_of(slack, proposal)
    assert client.get_run(RESERVED_RUN).metadata[USAGE_TAGS] == ["finance"]


def test_an_agent_approval_never_counts_a_reserved_key_as_typed(
    stack: SlackStack, emulator: EmulatorServer, client: ExtendClient
) -> None:
    """Only ``/extend`` words are the person's own: a model's reserved key stays refused."""
    from slack_app.applying import ChangeApplier
    from tools.faces.run_tools import RunTools

    metadata = {USAGE_TAGS: []}
    tools = RunTools(client)
    change = tools.preview_update(RESERVED_RUN, metadata=metadata, reserved_keys=[USAGE_TAGS])
    applier = ChangeApplier(session=stack.session, run_tools=tools, approval_ttl_seconds=3600)
    emulator.clear_requests()
    for kind, expected in (("agent", "failed"), ("command", "approved")):
        approval = stack.state.approvals.add(
            kind=kind,
            channel_id=CHANNEL,
            run_id=RESERVED_RUN,
            description=change.describe(),
            requester=ALICE,
            thread_id="thread-reserved" if kind == "agent" else None,
            metadata=metadata,
            change=change,
            change_id="change-reserved" if kind == "agent" else None,
        )
        outcome = applier.outcome(approval, ALICE, True, approval.created_at)
        assert outcome.status == expected, (kind, outcome.text)
        if kind == "agent":
            assert writes(emulator) == []
    assert client.get_run(RESERVED_RUN).metadata[USAGE_TAGS] == []
