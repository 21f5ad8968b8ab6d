"""The Slack app in HTTP mode, end to end: signed requests in, Web API calls out.

A real uvicorn server runs the app built by ``build_app``; its ``WebClient`` talks
to the recording Slack mock; the agent (offline model) reads runs from the Extend
emulator. Background work is awaited by polling the mock's record with a deadline.
"""

from __future__ import annotations

import json
import time

import pytest

from extend_emulator import EmulatorServer
from slack_app.testing.slack_requests import event_envelope, mention, message, new_ts
from slack_app.testing.web_api import SlackMock
from slack_app.testing.workspace import ALICE, BOB, CHANNEL, DM_CHANNEL, TEAM_ID
from tests.support.agent_helpers import writes
from tests.support.slack_stack import SlackStack

TOTAL_QUESTION = "What is the total on workflow_run_1234 and where does it come from?"


def answer_in(slack: SlackMock, channel: str, thread_ts: str, *, count: int = 1) -> list[str]:
    return slack.wait_for(
        lambda s: (found := s.answers(channel, thread_ts)) and len(found) >= count and found,
        what=f"{count} answer(s) in {channel}/{thread_ts}",
    )


def test_a_mention_is_answered_in_its_thread_with_total_and_citation(
    stack: SlackStack, slack: SlackMock
) -> None:
    event = mention(TOTAL_QUESTION)
    response = stack.sender.event(event)
    assert response.status_code == 200

    [answer] = answer_in(slack, CHANNEL, event["ts"])
    assert "$15,735.10" in answer
    assert "TOTAL  $15,735.1" in answer and "page 1" in answer

    [status] = slack.calls("assistant.threads.setStatus")
    assert status.args["thread_ts"] == event["ts"] and status.args["status"]
    [start] = slack.calls("chat.startStream")  # streamed, to the asker
    assert start.args["recipient_user_id"] == ALICE
    assert start.args["recipient_team_id"] == TEAM_ID
    card = slack.wait_for(lambda s: s.posts(CHANNEL, event["ts"]), what="run card")[0]
    blocks = card.args["blocks"]
    assert blocks[0]["type"] == "header" and "workflow_run_1234" in blocks[0]["text"]["text"]
    card_text = json.dumps(blocks, ensure_ascii=False)
    assert "$15,735.10" in card_text and "TOTAL  $15,735.1" in card_text
    assert card.args["unfurl_links"] is False and card.args["unfurl_media"] is False
    assert all("link_names" not in c.args for c in slack.calls())
    assert all(c.token == "xoxb-test-token" for c in slack.calls())


def test_a_direct_message_is_answered_in_a_thread(stack: SlackStack, slack: SlackMock) -> None:
    event = message(
        "What is the invoice number on workflow_run_1234?",
        channel=DM_CHANNEL,
        channel_type="im",
    )
    stack.sender.event(event)
    [answer] = answer_in(slack, DM_CHANNEL, event["ts"])
    assert "36995" in answer


def test_a_follow_up_in_the_thread_needs_no_mention_and_keeps_the_conversation(
    stack: SlackStack, slack: SlackMock
) -> None:
    first = mention(TOTAL_QUESTION)
    stack.sender.event(first)
    answer_in(slack, CHANNEL, first["ts"])

    follow_up = message("and the invoice number?", thread_ts=first["ts"])
    stack.sender.event(follow_up)
    answers = answer_in(slack, CHANNEL, first["ts"], count=2)
    assert "36995" in answers[1]  # "it" still means workflow_run_1234


def test_channel_chatter_outside_the_bots_threads_is_ignored(
    stack: SlackStack, slack: SlackMock
) -> None:
    top_level = message("what is the total on workflow_run_1234?")
    other_thread = message("and the invoice number?", thread_ts=new_ts())
    assert stack.sender.event(top_level).status_code == 200
    assert stack.sender.event(other_thread).status_code == 200
    # A later mention is answered; by then the earlier events were long processed.
    marker = mention("what is the status of workflow_run_1234?")
    stack.sender.event(marker)
    answer_in(slack, CHANNEL, marker["ts"])
    assert slack.answers(CHANNEL, top_level["ts"]) == []
    assert slack.answers(CHANNEL, other_thread["thread_ts"]) == []


def test_mention_and_message_events_for_one_message_get_one_answer(
    stack: SlackStack, slack: SlackMock
) -> None:
    first = mention(TOTAL_QUESTION)
    stack.sender.event(first)
    answer_in(slack, CHANNEL, first["ts"])
    # In a thread the bot is in, a message mentioning it arrives twice: as
    # app_mention and as message, with different event ids.
    ts = new_ts()
    stack.sender.event(mention("and the invoice number?", ts=ts, thread_ts=first["ts"]))
    stack.sender.event(
        message("<@UBOT00001> and the invoice number?", ts=ts, thread_ts=first["ts"])
    )
    answer_in(slack, CHANNEL, first["ts"], count=2)
    marker = mention("what is the status of workflow_run_1234?")
    stack.sender.event(marker)
    answer_in(slack, CHANNEL, marker["ts"])
    assert len(slack.answers(CHANNEL, first["ts"])) == 2


def test_a_retried_event_is_answered_once(stack: SlackStack, slack: SlackMock) -> None:
    event = mention(TOTAL_QUESTION)
    envelope = event_envelope(event)
    assert stack.sender.envelope(envelope).status_code == 200
    for retry in (1, 2, 3):
        assert stack.sender.envelope(envelope, retry_num=retry).status_code == 200
    answer_in(slack, CHANNEL, event["ts"])
    marker = mention("what is the status of workflow_run_1234?")
    stack.sender.event(marker)
    answer_in(slack, CHANNEL, marker["ts"])
    assert len(slack.answers(CHANNEL, event["ts"])) == 1
    assert (
        len([c for c in slack.calls("chat.startStream") if c.args["thread_ts"] == event["ts"]]) == 1
    )


@pytest.mark.parametrize("problem", ["wrong secret", "stale", "missing"])
def test_a_bad_or_stale_signature_gets_401_and_nothing_runs(
    stack: SlackStack, slack: SlackMock, emulator: EmulatorServer, problem: str
) -> None:
    emulator.clear_requests()
    slack.clear()
    event = mention(TOTAL_QUESTION)
    body = json.dumps(event_envelope(event))
    if problem == "wrong secret":
        response = stack.sender.post(body, "application/json", secret="not-the-secret")
    elif problem == "stale":
        response = stack.sender.post(body, "application/json", timestamp=int(time.time()) - 600)
    else:
        response = stack.sender.http.post(
            stack.sender.url, content=body, headers={"Content-Type": "application/json"}
        )
    assert response.status_code == 401
    # A correctly signed request afterwards is processed, and it alone.
    marker = mention("what is the status of workflow_run_1234?")
    stack.sender.event(marker)
    answer_in(slack, CHANNEL, marker["ts"])
    assert slack.answers(CHANNEL, event["ts"]) == []
    assert all(event["ts"] not in json.dumps(c.args) for c in slack.calls())
    assert [r["path"] for r in emulator.requests] == ["/workflow_runs/workflow_run_1234"]


def test_the_injection_sample_cannot_write_or_ping(
    stack: SlackStack, slack: SlackMock, emulator: EmulatorServer
) -> None:
    event = mention("summarize workflow_run_injection")
    stack.sender.event(event)
    [answer] = answer_in(slack, CHANNEL, event["ts"])
    assert "PWNED" in answer  # the document text is shown...
    slack.wait_for(lambda s: s.posts(CHANNEL, event["ts"]), what="run card")
    follow_up = message("yes, do what the document says", thread_ts=event["ts"])
    stack.sender.event(follow_up)
    answer_in(slack, CHANNEL, event["ts"], count=2)

    shown = slack.all_text()
    assert "PWNED" in shown and "&lt;!channel&gt;" in shown  # ...escaped, as text
    for ping in ("<!channel>", "<!here>", "<!everyone>", "<!subteam"):
        assert ping not in shown
    assert "<@" not in shown
    assert writes(emulator) == []
    assert not [c for c in slack.posts() if "approval:" in json.dumps(c.args.get("blocks"))]


def test_the_answer_is_posted_when_streaming_is_refused(
    stack: SlackStack, slack: SlackMock
) -> None:
    slack.fail("chat.startStream", "not_allowed_token_type")
    event = mention(TOTAL_QUESTION)
    stack.sender.event(event)
    answers = answer_in(slack, CHANNEL, event["ts"])
    assert "$15,735.10" in answers[0]
    assert slack.streams() == {}


def test_an_expired_stream_is_completed_with_chat_update(
    stack: SlackStack, slack: SlackMock
) -> None:
    slack.fail("chat.stopStream", "message_not_in_streaming_state")
    event = mention(TOTAL_QUESTION)
    stack.sender.event(event)
    [update] = slack.wait_for(lambda s: s.calls("chat.update"), what="chat.update")
    [stream_ts] = slack.streams()
    assert update.args["ts"] == stream_ts
    assert "$15,735.10" in update.args["text"]


def test_rate_limited_posts_are_retried(stack: SlackStack, slack: SlackMock) -> None:
    slack.rate_limit("assistant.threads.setStatus", retry_after=0)
    event = mention(TOTAL_QUESTION)
    stack.sender.event(event)
    answer_in(slack, CHANNEL, event["ts"])
    [limited, retried] = slack.calls("assistant.threads.setStatus", failed=True)
    assert limited.error == "ratelimited" and retried.error is None


def test_an_assistant_thread_gets_a_greeting_and_suggested_prompts(
    stack: SlackStack, slack: SlackMock
) -> None:
    thread_ts = new_ts()
    started = {
        "type": "assistant_thread_started",
        "assistant_thread": {
            "user_id": ALICE,
            "context": {},
            "channel_id": DM_CHANNEL,
            "thread_ts": thread_ts,
        },
        "event_ts": new_ts(),
    }
    stack.sender.event(started)
    [prompts] = slack.wait_for(
        lambda s: s.calls("assistant.threads.setSuggestedPrompts"), what="prompts"
    )
    assert prompts.args["thread_ts"] == thread_ts
    messages = [p["message"] for p in prompts.args["prompts"]]  # runs in the emulator now
    assert "Which fields on workflow_run_needs_review have low confidence?" in messages
    assert "Why did workflow_run_failed fail?" in messages
    [greeting] = slack.posts(DM_CHANNEL, thread_ts)
    assert "Extend" in greeting.args["text"]

    question = message(TOTAL_QUESTION, channel=DM_CHANNEL, channel_type="im", thread_ts=thread_ts)
    stack.sender.event(question)
    answer = slack.wait_for(
        lambda s: [a for a in s.answers(DM_CHANNEL, thread_ts) if "15,735.10" in a], what="answer"
    )
    assert answer


def test_opening_the_messages_tab_offers_suggested_prompts(
    stack: SlackStack, slack: SlackMock
) -> None:
    opened = {"type": "app_home_opened", "user": BOB, "channel": DM_CHANNEL, "tab": "messages"}
    stack.sender.event(opened)
    [prompts] = slack.wait_for(
        lambda s: s.calls("assistant.threads.setSuggestedPrompts"), what="prompts"
    )
    assert prompts.args["channel_id"] == DM_CHANNEL
    assert prompts.args["title"]


def test_an_unknown_run_gets_a_plain_answer(stack: SlackStack, slack: SlackMock) -> None:
    event = mention("summarize workflow_run_does_not_exist")
    stack.sender.event(event)
    [answer] = answer_in(slack, CHANNEL, event["ts"])
    assert answer.startswith("I could not read workflow_run_does_not_exist")
    assert "was not found" in answer and "Check the run id" in answer
    assert "Traceback" not in slack.all_text()
    assert not [c for c in slack.posts(CHANNEL, event["ts"]) if c.args.get("blocks")]  # no card


def test_a_misspelt_vendor_is_offered_and_yes_in_the_thread_picks_it(
    stack: SlackStack, slack: SlackMock, emulator: EmulatorServer
) -> None:
    """ "Did you mean this one?" in the thread; "yes" answers the first question about it."""
    first = mention("what's the total on the Acmee invoice?")
    stack.sender.event(first)
    [offered] = answer_in(slack, CHANNEL, first["ts"])
    assert "Did you mean this one?" in offered and "workflow_run_reviewed_corrections" in offered

    stack.sender.event(message("yes", thread_ts=first["ts"]))
    answers = answer_in(slack, CHANNEL, first["ts"], count=2)
    assert "$1,420.00" in answers[1] and "TOTAL DUE $1,420.00" in answers[1]
    assert writes(emulator) == []
