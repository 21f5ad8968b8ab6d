"""``slack_app.testing`` as an integrator uses it: the documented example, and the mock on its own.

The example in the package docstring is run as written (the app on the mock, the
emulator, a signed mention, the answer read back). The mock is then driven by a
plain ``slack_sdk.WebClient``, as any code of yours would drive Slack: limits are
enforced with Slack's errors, faults are played, and answers are
told apart from the app's other messages.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from agent.offline.chat_model import OfflineChatModel
from slack_app.server import EVENTS_PATH, create_asgi_app
from slack_app.state.slack_state import STATE_FILE
from slack_app.testing.app_on_mock import CONVERSATIONS_FILE, open_app_on_mock
from slack_app.testing.records import is_answer_post
from slack_app.testing.serving import serve_in_thread
from slack_app.testing.slack_requests import SlackSender, mention
from slack_app.testing.web_api import SlackMock
from slack_app.testing.workspace import BOT_TOKEN, CHANNEL, TEAM_ID
from tools.client.clients import ExtendClient


def test_the_documented_example_answers_a_signed_mention(
    client: ExtendClient, tmp_path: Path
) -> None:
    extend_client = client
    with (
        SlackMock() as slack,
        open_app_on_mock(slack.url, extend_client, tmp_path, model=OfflineChatModel()) as app,
        serve_in_thread(create_asgi_app(app)) as url,
    ):
        sender = SlackSender(url + EVENTS_PATH)
        event = mention("What is the total on workflow_run_1234?")
        assert sender.event(event).status_code == 200
        [answer] = slack.wait_for(lambda s: s.answers(CHANNEL, event["ts"]))
        sender.close()
    assert "15,735.10" in answer and "workflow_run_1234" in answer
    assert {STATE_FILE, CONVERSATIONS_FILE} <= {p.name for p in tmp_path.iterdir()}


def test_a_request_signed_with_another_secret_is_refused_and_nothing_is_posted(
    client: ExtendClient, tmp_path: Path
) -> None:
    with (
        SlackMock() as slack,
        open_app_on_mock(slack.url, client, tmp_path) as app,
        serve_in_thread(create_asgi_app(app)) as url,
        SlackSender(url + EVENTS_PATH, secret="not-the-apps-secret") as forger,
    ):
        assert forger.event(mention("rename workflow_run_1234 to X")).status_code == 401
        assert [c.method for c in slack.calls()] == ["auth.test"]  # Bolt's own start-up call


def test_the_mock_answers_a_plain_web_client_as_slack_would() -> None:
    with SlackMock() as slack:
        web = WebClient(token=BOT_TOKEN, base_url=slack.url)
        assert web.auth_test()["team_id"] == TEAM_ID
        posted = web.chat_postMessage(channel=CHANNEL, text="plain answer")
        with pytest.raises(SlackApiError) as refused:
            web.chat_postMessage(channel=CHANNEL, text="x", blocks=[{"type": "divider"}] * 51)
        assert refused.value.response["error"] == "invalid_blocks"
        slack.fail("chat.update", "message_not_found")
        with pytest.raises(SlackApiError):
            web.chat_update(channel=CHANNEL, ts=posted["ts"], text="edited")
        [rejected] = [c for c in slack.calls(failed=True) if c.limit_problem]
        assert rejected.limit_problem == "invalid_blocks: 51 blocks"
        assert [c.args["text"] for c in slack.posts(CHANNEL)] == ["plain answer"]
        assert slack.answers(CHANNEL) == ["plain answer"]
        assert [c.error for c in slack.calls("chat.update", failed=True)] == ["message_not_found"]


def test_answers_are_told_apart_from_cards_and_proposals() -> None:
    feedback = {
        "type": "context_actions",
        "elements": [{"type": "feedback_buttons", "action_id": "answer_feedback"}],
    }
    section = {"type": "section", "text": {"type": "mrkdwn", "text": "The total is 10."}}
    header = {"type": "header", "text": {"type": "plain_text", "text": "Run"}}
    assert is_answer_post({"text": "plain"})
    assert is_answer_post({"text": "The total is 10.", "blocks": [section, feedback]})
    assert not is_answer_post({"text": "card", "blocks": [header, section]})
    assert not is_answer_post({"text": "card", "blocks": [header, section, feedback]})
    assert not is_answer_post({"text": "proposal", "blocks": [section, {"type": "actions"}]})
