"""Suggested prompts name only runs that exist; posted answers carry feedback buttons too.

The prompts in the assistant pane come from ``slack_app.home.prompts``: runs listed
from Extend now (here the emulator), then searches that work on any account. An
answer that is posted rather than streamed (streaming off, refused, or a long
answer in parts) gets the same feedback buttons as a streamed one, under its last
part, and a click on them is recorded like any other vote.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from extend_emulator import EmulatorServer
from slack_app import texts
from slack_app.feedback.buttons import FEEDBACK_ACTION
from slack_app.feedback.store import FeedbackCounts
from slack_app.home.prompts import MAX_PROMPTS, PromptSource
from slack_app.testing.slack_requests import block_action, mention, new_ts
from slack_app.testing.web_api import SlackMock
from slack_app.testing.workspace import ALICE, CHANNEL, DM_CHANNEL
from tests.support.slack_stack import SlackStack
from tools.client.clients import ExtendClient

RUN_ID = re.compile(r"\bworkflow_run_\w+")
TOTAL_QUESTION = "What is the total on workflow_run_1234?"


def _list_requests(emulator: EmulatorServer) -> int:
    return sum(
        1 for r in emulator.requests if r["method"] == "GET" and r["path"] == "/workflow_runs"
    )


def _answers_in(thread_ts: str) -> Callable[[SlackMock], list[str]]:
    def answers(slack: SlackMock) -> list[str]:
        return slack.answers(CHANNEL, thread_ts)

    return answers


def _assert_runs_exist(client: ExtendClient, prompts: list[dict[str, str]]) -> list[str]:
    named = [run_id for p in prompts for run_id in RUN_ID.findall(p["message"])]
    for run_id in named:
        assert client.get_run(run_id).id == run_id  # raises NotFoundError if it is not there
    return named


def test_an_assistant_thread_is_offered_prompts_about_runs_that_exist(
    stack: SlackStack, slack: SlackMock, client: ExtendClient
) -> None:
    thread_ts = new_ts()
    stack.sender.event(
        {
            "type": "assistant_thread_started",
            "assistant_thread": {
                "user_id": ALICE,
                "channel_id": DM_CHANNEL,
                "thread_ts": thread_ts,
            },
            "event_ts": new_ts(),
        }
    )
    [call] = slack.wait_for(
        lambda s: s.calls("assistant.threads.setSuggestedPrompts"), what="prompts"
    )
    prompts = call.args["prompts"]
    assert 1 <= len(prompts) <= MAX_PROMPTS
    assert all(set(p) == {"title", "message"} and p["title"] and p["message"] for p in prompts)
    named = _assert_runs_exist(client, prompts)
    # the newest run needing review, the newest failure, the newest processed run
    assert [client.get_run(r).status for r in named] == ["NEEDS_REVIEW", "FAILED", "PROCESSED"]
    searches = [p for p in prompts if not RUN_ID.search(p["message"])]
    assert searches and all(p in texts.SUGGESTED_PROMPTS for p in searches)


def test_a_suggested_prompt_gets_a_real_answer(stack: SlackStack, slack: SlackMock) -> None:
    opened = {"type": "app_home_opened", "user": ALICE, "channel": DM_CHANNEL, "tab": "messages"}
    stack.sender.event(opened)
    [call] = slack.wait_for(
        lambda s: s.calls("assistant.threads.setSuggestedPrompts"), what="prompts"
    )
    for prompt in call.args["prompts"]:
        event = mention(prompt["message"])
        stack.sender.event(event)
        [answer] = slack.wait_for(_answers_in(event["ts"]), what=prompt["title"])
        named = RUN_ID.findall(prompt["message"])
        if named:  # the answer is about the run the prompt named
            assert named[0] in answer, (prompt, answer)
        else:  # a search says what it found and how far it looked
            assert "Looked at" in answer, (prompt, answer)


def test_prompt_source_lists_runs_once_a_minute_and_never_names_a_missing_run(
    client: ExtendClient, emulator: EmulatorServer
) -> None:
    now = [1000.0]
    source = PromptSource(client, clock=lambda: now[0])
    first = source.prompts()
    lists = _list_requests(emulator)
    assert lists == 3  # needing review, failed, processed
    first[0]["message"] = "changed by the caller"  # callers get copies
    now[0] += 30
    assert source.prompts() != first and _list_requests(emulator) == lists  # cached
    now[0] += 31
    again = source.prompts()
    assert _list_requests(emulator) == lists + 3 and _assert_runs_exist(client, again)

    emulator.faults.add("error", status=503, method="GET", path_contains="/workflow_runs", count=50)
    now[0] += 61
    fallback = source.prompts()  # Extend cannot be read: the searches, naming no run
    assert fallback == texts.SUGGESTED_PROMPTS[:MAX_PROMPTS]
    assert not any(RUN_ID.search(p["message"]) for p in fallback)


# -- feedback on posted answers ----------------------------------------------------------


def _feedback_values(blocks: Any) -> dict[str, str]:
    blocks = json.loads(blocks) if isinstance(blocks, str) else blocks
    [footer] = [b for b in blocks if b["type"] == "context_actions"]
    [element] = footer["elements"]
    assert element["type"] == "feedback_buttons" and element["action_id"] == FEEDBACK_ACTION
    return {"good": element["positive_button"]["value"], "bad": element["negative_button"]["value"]}


def _wait_for_counts(stack: SlackStack, thread_id: str, total: int) -> FeedbackCounts:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        counts = stack.feedback.counts(thread_id)
        if counts.total >= total:
            return counts
        time.sleep(0.02)
    raise AssertionError(f"feedback not recorded: {stack.feedback.counts(thread_id)}")


def test_a_posted_answer_has_feedback_buttons_and_a_vote_is_recorded(
    slack: SlackMock, client: ExtendClient, data_dir: Path
) -> None:
    with SlackStack(slack, client, data_dir, streaming=False) as stack:
        event = mention(TOTAL_QUESTION)
        stack.sender.event(event)
        [answer] = slack.wait_for(lambda s: s.answers(CHANNEL, event["ts"]), what="the answer")
        assert "$15,735.10" in answer
        assert slack.streams() == {}
        [post] = slack.answer_posts(CHANNEL, event["ts"])
        blocks = post.args["blocks"]
        sections = [b["text"]["text"] for b in blocks if b["type"] == "section"]
        assert "".join(sections) == post.args["text"] == answer  # the text shown, in full
        values = _feedback_values(blocks)
        thread_id = values["good"].partition(":")[2]
        assert thread_id.endswith(f":{CHANNEL}:{event['ts']}")
        click = block_action(
            FEEDBACK_ACTION,
            values["bad"],
            user=ALICE,
            channel=CHANNEL,
            message_ts=post.args["_ts"],
            thread_ts=event["ts"],
            response_url=slack.response_url("feedback"),
        )
        assert stack.sender.click(click).status_code == 200
        assert _wait_for_counts(stack, thread_id, 1) == FeedbackCounts(helpful=0, not_helpful=1)
        # the run card after the answer is not an answer, and has no feedback buttons
        cards = slack.wait_for(
            lambda s: [c for c in s.posts(CHANNEL, event["ts"]) if c not in s.answer_posts()],
            what="the run card",
        )
        assert "feedback_buttons" not in json.dumps([c.args.get("blocks") for c in cards])


def test_an_expired_stream_filled_in_by_update_keeps_its_feedback_buttons(
    stack: SlackStack, slack: SlackMock
) -> None:
    slack.fail("chat.stopStream", "message_not_in_streaming_state")
    event = mention(TOTAL_QUESTION)
    stack.sender.event(event)
    [update] = slack.wait_for(lambda s: s.calls("chat.update"), what="chat.update")
    assert "$15,735.10" in update.args["text"]
    assert _feedback_values(update.args["blocks"])["good"].endswith(f":{CHANNEL}:{event['ts']}")
