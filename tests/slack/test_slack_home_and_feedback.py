"""The App Home tab (``views.publish`` on the Slack mock) and feedback on answers."""

from __future__ import annotations

import json
import time
from typing import Any

from extend_emulator import EmulatorServer
from slack_app.feedback.buttons import FEEDBACK_ACTION
from slack_app.feedback.store import FeedbackCounts
from slack_app.testing.records import SlackCall
from slack_app.testing.slack_requests import block_action, mention
from slack_app.testing.web_api import SlackMock
from slack_app.testing.workspace import ALICE, BOB, CHANNEL
from tests.support.slack_stack import SlackStack

TEAM_PREFIX = "slack:"


def home_opened(tab: str = "home", user: str = ALICE) -> dict[str, Any]:
    return {"type": "app_home_opened", "user": user, "channel": "D0HOME0001", "tab": tab}


def published_view(slack: SlackMock) -> tuple[SlackCall, dict[str, Any]]:
    [call] = slack.wait_for(lambda s: s.calls("views.publish"), what="views.publish")
    view = call.args["view"]
    return call, json.loads(view) if isinstance(view, str) else view


def view_text(view: dict[str, Any]) -> str:
    texts = []
    for block in view["blocks"]:
        for part in [block.get("text"), *(block.get("elements") or [])]:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                texts.append(part["text"])
    return "\n".join(texts)


def test_opening_app_home_publishes_runs_needing_review_and_failures(
    stack: SlackStack, slack: SlackMock
) -> None:
    assert stack.sender.event(home_opened()).status_code == 200
    call, view = published_view(slack)
    assert call.args["user_id"] == ALICE
    assert view["type"] == "home"
    text = view_text(view)
    review_part, _, rest = text.partition("*Recent failures*")
    assert "*Needs review*" in review_part and "`workflow_run_needs_review`" in review_part
    assert "`workflow_run_failed`" in rest and "`workflow_run_needs_review`" not in rest
    assert "`workflow_run_1234`" not in text  # processed: nothing to do
    # The suggested prompts name runs that exist now, and only ask what the app answers.
    assert "Which fields on workflow_run_needs_review have low confidence?" in text
    assert "Why did workflow_run_failed fail?" in text
    assert "Which runs need review?" in text  # a search: the app finds runs by status
    assert "workflow_run_reviewed_corrections" not in text  # no sample run assumed


def test_the_messages_tab_does_not_publish_a_home_view(stack: SlackStack, slack: SlackMock) -> None:
    stack.sender.event(home_opened(tab="messages"))
    stack.sender.event(home_opened(user=BOB))  # then the Home tab, as a marker
    call, _ = published_view(slack)
    assert call.args["user_id"] == BOB


def test_app_home_says_when_extend_cannot_be_read(
    stack: SlackStack, slack: SlackMock, emulator: EmulatorServer
) -> None:
    emulator.faults.add("error", status=503, method="GET", path_contains="/workflow_runs", count=20)
    stack.sender.event(home_opened())
    _, view = published_view(slack)
    text = view_text(view)
    assert "Couldn't read runs from Extend:" in text and "503" in text
    assert "Try asking" in text


def feedback_values(slack: SlackMock) -> dict[str, str]:
    [stop] = slack.wait_for(lambda s: s.calls("chat.stopStream"), what="the finished answer")
    blocks = stop.args["blocks"]
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    [element] = blocks[0]["elements"]
    assert blocks[0]["type"] == "context_actions" and element["type"] == "feedback_buttons"
    return {
        "good": element["positive_button"]["value"],
        "bad": element["negative_button"]["value"],
    }


def wait_for_counts(stack: SlackStack, thread_id: str, total: int) -> FeedbackCounts:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        counts = stack.feedback.counts(thread_id)
        if counts.total >= total:
            return counts
        time.sleep(0.02)
    raise AssertionError(f"feedback not recorded: {stack.feedback.counts(thread_id)}")


def test_feedback_on_an_answer_is_recorded_with_its_thread_and_counted(
    stack: SlackStack, slack: SlackMock
) -> None:
    event = mention("What is the total on workflow_run_1234?")
    stack.sender.event(event)
    values = feedback_values(slack)
    thread_id = values["good"].partition(":")[2]
    assert thread_id.startswith(TEAM_PREFIX) and thread_id.endswith(f":{CHANNEL}:{event['ts']}")
    answer_ts = slack.calls("chat.stopStream")[0].args["ts"]

    def vote(user: str, value: str) -> None:
        click = block_action(
            FEEDBACK_ACTION,
            value,
            user=user,
            channel=CHANNEL,
            message_ts=answer_ts,
            thread_ts=event["ts"],
            response_url=slack.response_url("feedback"),
        )
        assert stack.sender.click(click).status_code == 200

    vote(ALICE, values["good"])
    assert wait_for_counts(stack, thread_id, 1) == FeedbackCounts(helpful=1, not_helpful=0)
    vote(BOB, values["bad"])
    assert wait_for_counts(stack, thread_id, 2) == FeedbackCounts(helpful=1, not_helpful=1)
    vote(ALICE, values["bad"])  # Alice changed her mind: still one vote from her
    deadline = time.monotonic() + 10
    while stack.feedback.counts(thread_id).helpful and time.monotonic() < deadline:
        time.sleep(0.02)
    assert stack.feedback.counts(thread_id) == FeedbackCounts(helpful=0, not_helpful=2)
    assert stack.feedback.counts() == FeedbackCounts(helpful=0, not_helpful=2)

    def three_thanks(mock: SlackMock) -> list[SlackCall]:
        found = mock.calls("chat.postEphemeral")
        return found if len(found) >= 3 else []

    thanks = slack.wait_for(three_thanks, what="the thanks")
    assert {c.args["user"] for c in thanks} == {ALICE, BOB}
    # A value that is not ours is ignored.
    vote(ALICE, "good:not-a-thread")
    assert stack.feedback.counts() == FeedbackCounts(helpful=0, not_helpful=2)
