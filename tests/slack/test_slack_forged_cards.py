"""Approval cards cannot be forged by the values they show (issue 8).

A run name or a proposed value is untrusted: a newline in it must not render a
bullet line of its own ("`approved`: (unset) → true"), and a right-to-left
override must not reverse the "→ new value" part a person reads. Every such
value is shown inert: in a code span, newlines, controls and bidi characters
written as visible escapes.
"""

from __future__ import annotations

from typing import Any

import httpx

from extend_emulator import EmulatorServer
from slack_app.change_view import proposal_message
from slack_app.testing.web_api import SlackMock
from tests.conftest import EMULATOR_KEY
from tests.support.agent_helpers import writes
from tests.support.slack_stack import SlackStack, proposals
from tools.client.clients import ExtendClient
from tools.faces.run_change import RunChange

RUN = "workflow_run_1234"
FORGED_LINE = "\n• *metadata* `approved`: (unset) → true"
RLO = "\u202e"
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
