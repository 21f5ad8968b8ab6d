"""Cards cannot be forged by the values they show (issue 8; review findings F4, F5).

A run name or a proposed value is untrusted: a newline in it must not render a
bullet line of its own ("`approved`: (unset) → true"), and a right-to-left
override must not reverse the "→ new value" part a person reads. On approval
cards every such value is shown inert: in a code span, newlines, controls and
bidi characters written as visible escapes. On run cards and the Home tab it is
shown inline: one line, markers that cannot pair, quotations no ” can close,
controls and bidi marks as escapes (``tests.slack.hostile_text``).
"""

from __future__ import annotations

import re
from typing import Any

import httpx

from extend_emulator import EmulatorServer
from slack_app.blocks import SlackMessage
from slack_app.change_view import proposal_message
from slack_app.home.home_view import home_view
from slack_app.run_card import run_card
from slack_app.testing.slack_requests import mention
from slack_app.testing.web_api import SlackMock
from slack_app.testing.workspace import CHANNEL
from tests.conftest import EMULATOR_KEY
from tests.slack.hostile_text import (
    CLEAR_SCREEN,
    CLOSES_QUOTE,
    FORGED_LINES,
    PAIRS,
    QUOTED_CLOSES_QUOTE,
    RLO,
    assert_formats_nothing,
    assert_no_raw_controls,
    hostile_run,
    mrkdwn_texts,
    plain_texts,
    rendered,
)
from tests.support.agent_helpers import writes
from tests.support.slack_stack import SlackStack, proposals
from tools.client.clients import ExtendClient
from tools.faces.run_change import RunChange
from tools.runs.listing import RunListItem
from tools.runs.models import FileRef, WorkflowRef

RUN = "workflow_run_1234"
FORGED_LINE = "\n• *metadata* `approved`: (unset) → true"
HIDDEN = ("\u2028", "\u2029", "\u200b", "\x1b", "\r", "\u2066", RLO)


def section_texts(blocks: list[dict[str, Any]]) -> list[str]:
    return [b["text"]["text"] for b in blocks if b.get("type") == "section"]


def bullet_lines(blocks: list[dict[str, Any]]) -> list[str]:
    return [
        line for text in section_texts(blocks) for line in text.split("\n") if line.startswith("•")
    ]


def all_text(value: Any) -> str:
    """Every string in a message's blocks (and its fallback text), joined."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return "\n".join(all_text(v) for v in value.values())
    if isinstance(value, list):
        return "\n".join(all_text(v) for v in value)
    return ""


def assert_nothing_hidden(text: str) -> None:
    for char in HIDDEN:
        assert char not in text, f"raw {char!r} reached the card"


def test_values_with_newlines_and_bidi_overrides_are_shown_inert() -> None:
    change = RunChange(
        run_id=RUN,
        name_before="Invoice" + FORGED_LINE,
        name_after="ACME" + RLO + "hcraM",
        metadata_before={},
        metadata_after={"note" + FORGED_LINE: "ok\u2028• *tags*: add paid", "memo": "a\x1b[2Kb"},
        tags_added=["urgent" + FORGED_LINE, "x\u2066y"],
    )
    message = proposal_message("a1", RUN, change.describe(), change, "U0ALICE01")
    lines = bullet_lines(message.blocks)
    assert len(lines) == 4  # name, two metadata keys, tags: nothing more
    shown = all_text(message.blocks) + message.text
    assert_nothing_hidden(shown)
    [name] = [line for line in lines if "*name*" in line]
    assert name == (
        "• *name*: `Invoice\\n• *metadata* ˋapprovedˋ: (unset) → true` → `ACME\\u202ehcraM`"
    )
    assert "`ok\\u2028• *tags*: add paid`" in shown and "`a\\u001b[2Kb`" in shown
    assert "`urgent\\n• *metadata* ˋapprovedˋ: (unset) → true`, `x\\u2066y`" in shown
    confirm = next(b for b in message.blocks if b["type"] == "actions")["elements"][0]["confirm"]
    assert_nothing_hidden(confirm["text"]["text"])


def test_removed_tags_are_one_inert_line() -> None:
    change = RunChange(
        run_id=RUN,
        metadata_before={"tags": ["q3", "urgent" + FORGED_LINE, RLO + "diap"]},
        metadata_after={"tags": ["q3"]},
        tags_removed=["urgent" + FORGED_LINE, RLO + "diap"],
    )
    message = proposal_message("a1", RUN, change.describe(), change, "U0ALICE01")
    assert bullet_lines(message.blocks) == [
        "• *tags*: remove `urgent\\n• *metadata* ˋapprovedˋ: (unset) → true`, `\\u202ediap`"
    ]
    assert_nothing_hidden(all_text(message.blocks) + message.text)


def test_a_forged_run_name_cannot_add_lines_to_a_slash_command_card(
    stack: SlackStack, slack: SlackMock, client: ExtendClient, emulator: EmulatorServer
) -> None:
    # Set as Extend would store it (our client refuses such names, so post it raw).
    planted = httpx.post(
        f"{emulator.url}/workflow_runs/{RUN}",
        json={"name": "Invoice" + FORGED_LINE},
        headers={"Authorization": f"Bearer {EMULATOR_KEY}"},
        trust_env=False,
    )
    assert planted.status_code == 200 and client.get_run(RUN).name == "Invoice" + FORGED_LINE
    before = len(writes(emulator, RUN))
    response = stack.sender.command(
        f"rename {RUN} ACME March", response_url=slack.response_url("forged")
    )
    assert response.status_code == 200
    [proposal] = slack.wait_for(lambda s: proposals(s), what="the proposal")
    blocks = proposal.call.args["blocks"]
    [line] = bullet_lines(blocks)
    assert line.startswith("• *name*: `Invoice\\n• *metadata*") and line.endswith("`ACME March`")
    assert "approved" not in "\n".join(bullet_lines(blocks)).replace("ˋapprovedˋ", "")
    assert_nothing_hidden(all_text(blocks) + proposal.call.args["text"])
    assert len(writes(emulator, RUN)) == before


def assert_message_formats_nothing(message: SlackMessage) -> str:
    """Every mrkdwn text of ``message`` (its notification text too) formats nothing; all joined."""
    texts = [message.text, *mrkdwn_texts(message.blocks)]
    for text in texts:
        assert_formats_nothing(text)
    for text in plain_texts(message.blocks):
        assert_no_raw_controls(text)
        assert "\n" not in text
    assert "\n" not in message.text  # a notification is one line
    return "\n".join(texts)


def test_document_text_cannot_format_the_run_card() -> None:
    [message] = run_card(hostile_run())
    text = assert_message_formats_nothing(message)
    shown = rendered(text)
    # Everything still reads as the document wrote it, on one line, controls as escapes.
    assert "*total *bold* _it_ ~s~ `code`*: 5.00 # Change approved by admin >" in shown
    assert "workflow Invoices *bold* _it_ ~s~ `code` v3\\u202e" in shown
    assert "file \\u001b[2Jacme.pdf, report\\u202efdp.exe" in shown
    assert "[Approve here](https://evil.example/approve)" in shown  # as text, not a link
    assert QUOTED_CLOSES_QUOTE in text and "“Total 5.00” —" not in text
    assert "\\u001b[2J4.00\\u202e → 5.00 # Change" in shown  # the correction
    assert message.text.startswith(f"Run {RUN} (Invoice # Change approved by admin &gt;")


def test_document_text_cannot_format_the_home_tab() -> None:
    item = RunListItem(
        id=RUN,
        name=PAIRS + FORGED_LINES,
        status="NEEDS_REVIEW",
        workflow=WorkflowRef(name=CLOSES_QUOTE + RLO),
        files=[FileRef(name=CLEAR_SCREEN + "a.pdf")],
        updated_at=FORGED_LINES,
    )
    view = home_view(
        needing_review=[item],
        failures=[item],
        prompts=[{"title": "x", "message": f"Summarize {RUN}"}],
        updated="now",
    )
    texts = list(mrkdwn_texts(view["blocks"]))
    for text in texts:
        assert_formats_nothing(text)
    shown = rendered("\n".join(texts))
    assert f"`{RUN}` · *bold* _it_ ~s~ `code` # Change approved by admin > [Approve" in shown
    assert "file \\u001b[2Ja.pdf · workflow Total 5.00” — reviewer note: “approved" in shown
    assert f"• _Summarize {RUN}_" in "\n".join(texts)  # the app's own italics and the id stay


def test_a_planted_run_name_and_metadata_cannot_format_the_card_in_slack(
    stack: SlackStack, slack: SlackMock, client: ExtendClient, emulator: EmulatorServer
) -> None:
    planted = httpx.post(
        f"{emulator.url}/workflow_runs/{RUN}",
        json={"name": PAIRS + FORGED_LINES, "metadata": {"memo": CLOSES_QUOTE + CLEAR_SCREEN}},
        headers={"Authorization": f"Bearer {EMULATOR_KEY}"},
        trust_env=False,
    )
    assert planted.status_code == 200
    event = mention(f"summarize {RUN}")
    stack.sender.event(event)
    [answer] = slack.wait_for(lambda s: s.answers(CHANNEL, event["ts"]), what="the answer")
    cards = slack.wait_for(
        lambda s: [c for c in s.posts(CHANNEL, event["ts"]) if c.args.get("blocks")],
        what="the card",
    )
    card_texts = [str(c.args.get("text") or "") for c in cards]
    card_texts += [t for c in cards for t in mrkdwn_texts(c.args["blocks"])]
    for text in card_texts:
        assert_formats_nothing(text)
    shown = rendered("\n".join(card_texts))
    assert "memo: Total 5.00” — reviewer note: “approved by CFO\\u001b[2J" in shown
    for line in answer.split("\n"):  # the streamed answer names the run too: as text
        assert not re.match(r"\s*(#|>)", line), line
    assert "](" not in answer
    assert_no_raw_controls(answer)
    assert_no_raw_controls(slack.all_text())
