"""Slack's limits and mrkdwn safety: long answers, big cards, escaping, splitting.

The long answer comes from the real ``ChatOpenAI`` path (a scripted
OpenAI-compatible server on loopback) through the app in HTTP mode; the card and
text rules are also checked directly on the view functions.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from agent.model_choice import choose_model
from agent.settings import AgentSettings
from slack_app.blocks import MAX_MESSAGE_TEXT, SlackMessage, text_messages
from slack_app.change_view import ChangeTooLargeError, proposal_message
from slack_app.mrkdwn import escape, partition_text, split_text, unescape
from slack_app.run_card import run_card
from slack_app.testing.message_limits import limit_problem
from slack_app.testing.slack_requests import mention
from slack_app.testing.web_api import SlackMock
from slack_app.testing.workspace import CHANNEL
from tests.support.openai_server import ScriptedOpenAI, text, tool_call
from tests.support.slack_stack import SlackStack
from tools.client.clients import ExtendClient
from tools.faces.run_change import RunChange
from tools.runs.models import Citation, ExtractedField, ProcessorResult, Run

PINGS = ("<!channel>", "<!here>", "<!everyone>", "<@U123>", "<!subteam^S123>")


def check_limits(message: SlackMessage | dict[str, Any]) -> None:
    """The same check the Slack mock applies to every message the app sends."""
    args = (
        message if isinstance(message, dict) else {"text": message.text, "blocks": message.blocks}
    )
    assert limit_problem(args) is None


def test_a_very_long_answer_is_posted_within_limits(client: ExtendClient, tmp_path: Path) -> None:
    paragraph = "Line item & detail <!channel> with <@U123> and more words. " * 40 + "\n"
    answer = paragraph * 45  # about 110,000 characters
    with ScriptedOpenAI(model="gpt-4.1-mini") as server, SlackMock() as slack:
        server.add(tool_call("get_run", {"run_id": "workflow_run_invoice_multipage"}), text(answer))
        settings = AgentSettings(OPENAI_API_KEY="sk-test-not-real", OPENAI_BASE_URL=server.base_url)
        model, _ = choose_model(settings)
        with SlackStack(slack, client, tmp_path / "data", model=model) as stack:
            event = mention("tell me everything about workflow_run_invoice_multipage")
            stack.sender.event(event)
            slack.wait_for(  # the run card comes after every part of the answer
                lambda s: [
                    c
                    for c in s.posts(CHANNEL, event["ts"])
                    if c.args.get("blocks") and c not in s.answer_posts()
                ],
                what="the run card",
            )
            parts = slack.answers(CHANNEL, event["ts"])
    assert len(parts) >= 3
    posted = slack.answer_posts(CHANNEL, event["ts"])  # feedback buttons under the last part only
    with_buttons = ["feedback_buttons" in json.dumps(c.args.get("blocks")) for c in posted]
    assert with_buttons == [False] * (len(parts) - 1) + [True]
    for call in slack.calls():
        check_limits(call.args)
    shown_answer = "".join(parts).replace("\n", "").replace("\u200b", "")  # the agent's ZWSPs
    assert shown_answer == escape(answer.strip()).replace("\n", "")
    shown = slack.all_text()
    assert not any(ping in shown for ping in PINGS)


def a_huge_run(fields: int = 240) -> Run:
    items = [
        ExtractedField(
            name=f"field_{i}_<!here>",
            value="x & y " * 80 + f"end {i}",  # under the 500 characters of a HUMAN value
            citations=[Citation(page=i % 7 + 1, reference_text="ref <!channel> " * 40)],
            ocr_confidence=0.5 if i % 3 == 0 else 0.99,
            initial_value="before" if i % 5 == 0 else None,
        )
        for i in range(fields)
    ]
    return Run(
        id="workflow_run_huge",
        name="N" * 400 + " <!channel>",
        status="NEEDS_REVIEW",
        metadata={f"key_{i}": "v" * 200 for i in range(60)},
        dashboard_url="https://dashboard.extend.ai/workflows/workflow_run_huge",
        results=[ProcessorResult(kind="extract", fields=items)],
    )


def test_a_huge_run_card_continues_over_messages_within_limits() -> None:
    messages = run_card(a_huge_run())
    assert len(messages) > 1
    for message in messages:
        check_limits(message)
    shown = json.dumps([m.blocks for m in messages], ensure_ascii=False)
    for i in range(240):
        assert f"end {i}" in shown  # nothing dropped
    assert not any(ping in shown for ping in PINGS)
    assert "low confidence" in shown and "Reviewer corrections" in shown
    last = messages[-1].blocks[-1]
    assert last["type"] == "actions" and last["elements"][0]["url"].startswith("https://")


def test_the_seed_card_has_header_fields_citations_metadata_and_link() -> None:
    run = Run(
        id="workflow_run_1234",
        status="PROCESSED",
        metadata={"internal_id": "id_1234", "tags": ["urgent"]},
        dashboard_url="https://dashboard.extend.ai/workflows/workflow_run_1234",
        results=[
            ProcessorResult(
                kind="extract",
                fields=[
                    ExtractedField(
                        name="amount",
                        value={"amount": 15735.1, "iso_4217_currency_code": "USD"},
                        citations=[Citation(page=1, reference_text="TOTAL  $15,735.1")],
                        ocr_confidence=0.99,
                    )
                ],
            )
        ],
    )
    [message] = run_card(run)
    header = message.blocks[0]["text"]["text"]
    assert "workflow_run_1234" in header and "Processed" in header
    shown = json.dumps(message.blocks, ensure_ascii=False)
    assert "*amount*: $15,735.10" in shown and "_p. 1_ “TOTAL  $15,735.1”" in shown
    assert "internal_id: id_1234" in shown and "tags: urgent" in shown
    assert "low confidence" not in shown


def test_a_proposal_escapes_the_names_it_shows() -> None:
    change = RunChange(
        run_id="workflow_run_1234",
        name_before="<!here> old",
        name_after="<!channel> & new",
        metadata_after={"tags": ["<@U123>"]},
        tags_added=["<@U123>"],
    )
    message = proposal_message("abc", "workflow_run_1234", change.describe(), change, "U0ALICE01")
    check_limits(message)
    shown = json.dumps(message.blocks, ensure_ascii=False)
    assert "&lt;!channel&gt; &amp; new" in shown and "&lt;!here&gt; old" in shown
    assert not any(ping in shown for ping in PINGS)
    assert "<@U0ALICE01>" in shown  # the requester, from Slack's own payload


@given(st.text(alphabet=st.sampled_from("ab &<>\n!@#;"), max_size=400), st.integers(5, 60))
def test_splitting_never_breaks_an_escape_or_loses_text(raw: str, limit: int) -> None:
    escaped = escape(raw)
    pieces = partition_text(escaped, limit)
    assert "".join(pieces) == escaped
    for piece in pieces:
        assert len(piece) <= limit
        assert not piece.endswith(("&", "&a", "&am", "&amp", "&l", "&lt", "&g", "&gt"))
    assert all(len(p) <= limit for p in split_text(escaped, limit))


@pytest.mark.parametrize("ping", PINGS)
def test_escaping_defuses_every_kind_of_mention(ping: str) -> None:
    [part] = text_messages(f"hello {ping} there")
    assert ping not in part and "&lt;" in part and unescape(part) == f"hello {ping} there"


def test_long_text_is_split_into_parts_that_fit() -> None:
    parts = text_messages("word " * 30_000)
    assert len(parts) == 4
    assert all(len(p) <= MAX_MESSAGE_TEXT for p in parts)


def test_a_change_of_120_metadata_keys_is_shown_in_full() -> None:
    metadata = {f"key_{i:03d}": "v" * 40 for i in range(120)}
    change = RunChange(run_id="workflow_run_1234", metadata_after=metadata)
    message = proposal_message("id", "workflow_run_1234", change.describe(), change, "U0ALICE01")
    check_limits(message)
    shown = json.dumps(message.blocks)
    assert all(f"key_{i:03d}" in shown for i in range(120))
    assert sum(b["type"] == "section" for b in message.blocks) > 1  # split, not cut
    [actions] = [b for b in message.blocks if b["type"] == "actions"]
    confirm = actions["elements"][0]["confirm"]["text"]["text"]
    assert "workflow_run_1234" in confirm and "shown in the message" in confirm


def test_a_change_too_large_to_show_is_never_offered() -> None:
    before = {f"key_{i}": "<" * 9000 for i in range(10)}  # escaped, ~36,000 characters each
    change = RunChange(
        run_id="workflow_run_1234",
        metadata_before=before,
        metadata_after={key: "short" for key in before},
    )
    with pytest.raises(ChangeTooLargeError):
        proposal_message("id", "workflow_run_1234", change.describe(), change, "U0ALICE01")


def test_mentions_are_defanged_before_headers_and_dialogs_are_cut() -> None:
    run = Run(id="workflow_run_x", name="<@U" * 60, status="PROCESSED", results=[])
    [card] = run_card(run)
    check_limits(card)
    header = card.blocks[0]["text"]["text"]
    assert header.endswith("…") and "<@" not in header and not header.endswith("<…")

    change = RunChange(run_id="workflow_run_1234", name_before=None, name_after="<!here>" * 60)
    message = proposal_message("id", "workflow_run_1234", change.describe(), change, None)
    check_limits(message)
    shown = json.dumps(message.blocks, ensure_ascii=False)
    assert "<!here>" not in shown

    short = RunChange(run_id="workflow_run_1234", name_before=None, name_after="<!here> March")
    message = proposal_message("id", "workflow_run_1234", short.describe(), short, None)
    [actions] = [b for b in message.blocks if b["type"] == "actions"]
    confirm = actions["elements"][0]["confirm"]["text"]["text"]
    assert "\u200b!here> March" in confirm  # the whole change, defanged, never cut


@pytest.mark.parametrize(
    ("args", "problem"),
    [
        ({"text": "x" * 40_001}, "msg_too_long"),
        ({"text": "t", "blocks": [{"type": "divider"}] * 51}, "invalid_blocks"),
        ({"text": "t", "blocks": [{"type": "header", "text": {"text": "h" * 151}}]}, "header"),
        ({"text": "t", "blocks": [{"type": "section", "text": {"text": "s" * 3001}}]}, "section"),
        (
            {
                "text": "t",
                "blocks": [
                    {
                        "type": "actions",
                        "elements": [
                            {
                                "type": "button",
                                "text": {"text": "ok"},
                                "confirm": {"text": {"text": "c" * 301}},
                            }
                        ],
                    }
                ],
            },
            "confirm.text",
        ),
    ],
)
def test_the_slack_mock_rejects_what_slack_would(args: dict[str, Any], problem: str) -> None:
    found = limit_problem(args)
    assert found is not None and problem in found
    with SlackMock() as slack:
        response = httpx.post(slack.url + "chat.postMessage", json={"channel": "C1", **args})
        assert response.json()["ok"] is False
        assert slack.calls("chat.postMessage") == []  # a rejected call shows nothing
        [rejected] = slack.calls("chat.postMessage", failed=True)
        assert rejected.error in ("invalid_blocks", "msg_too_long")
