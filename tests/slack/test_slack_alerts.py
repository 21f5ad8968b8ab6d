"""Alert cards: what they say for a needs-review and a failed run, and the whole path.

End to end: the emulator moves a run and delivers its signed event over HTTP to
the app (Bolt events and ``/extend/webhooks`` on one server, as HTTP mode runs
them); the Slack mock receives the card in the alert channel; the card's
Summarize and Show source buttons answer in its thread.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from extend_emulator import EmulatorServer
from slack_app.app import make_web_client
from slack_app.server import EVENTS_PATH, create_asgi_app
from slack_app.services import background_runner
from slack_app.settings import SlackSettings
from slack_app.testing.records import SlackCall
from slack_app.testing.serving import serve_in_thread
from slack_app.testing.slack_requests import SlackSender, block_action
from slack_app.testing.web_api import SlackMock
from slack_app.testing.workspace import ALICE, BOT_TOKEN
from slack_app.webhooks.alert_card import SHOW_SOURCE_ACTION, SUMMARIZE_ACTION, alert_card
from slack_app.webhooks.alerts import open_webhook_alerts
from slack_app.webhooks.reasons import alert_reasons
from slack_app.webhooks.receiver import WEBHOOKS_PATH, webhook_route
from tests.support.extend_webhooks import ALERT_CHANNEL, WEBHOOK_SECRET
from tests.support.slack_stack import SlackStack
from tools.client.clients import ExtendClient
from tools.runs.normalize import parse_run

CURRENT = "2026-02-09"
RULES = [
    {"name": "total_matches_line_items", "valid": False},
    {"name": "due_date_after_invoice_date", "valid": False, "error": "due_date is empty"},
    {"name": "vendor_present", "valid": True},
]


def run_json(emulator: EmulatorServer, run_id: str) -> dict[str, Any]:
    reply = httpx.get(
        f"{emulator.url}/workflow_runs/{run_id}",
        headers={"x-extend-api-version": CURRENT, "Authorization": "Bearer test-emulator-key"},
    )
    reply.raise_for_status()
    return reply.json()


def card_text(event_type: str, raw: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    run = parse_run(raw, CURRENT)
    [message] = alert_card(run, event_type, alert_reasons(run, low_confidence=0.8))
    texts = [message.text]
    for block in message.blocks:
        for part in [block.get("text"), *(block.get("elements") or [])]:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                texts.append(part["text"])
    return "\n".join(texts), message.blocks


def test_the_needs_review_card_names_uncertain_fields_and_failed_rules(
    emulator: EmulatorServer,
) -> None:
    httpx.post(
        f"{emulator.url}/_emulator/runs/workflow_run_needs_review/status",
        json={"status": "NEEDS_REVIEW", "validationRules": RULES},
    )
    text, blocks = card_text(
        "workflow_run.needs_review", run_json(emulator, "workflow_run_needs_review")
    )
    assert ":eyes: Needs review: fax_20240918_0745_bluebird.pdf" in text
    assert "`workflow_run_needs_review` · workflow AP Invoice Extraction" in text
    assert "*Failed validation rules*" in text
    assert "• *total_matches_line_items* — the rule evaluated to false" in text
    assert "• *due_date_after_invoice_date* — due_date is empty" in text
    assert "vendor_present" not in text  # it passed
    assert "*Low-confidence fields*" in text
    assert "• *invoice_number*: BL-44017 (58%) _p. 1_ “Inv0ice # BL-44O17”" in text
    assert "• *total*: $3,958.40 (66%)" in text  # human formats: people read cards
    assert "Failure" not in text
    [actions] = [b for b in blocks if b["type"] == "actions"]
    buttons = {e["text"]["text"]: e for e in actions["elements"]}
    assert list(buttons) == ["Open in Extend", "Summarize", "Show source"]
    assert buttons["Open in Extend"]["url"].endswith("workflow_run_needs_review")
    assert buttons["Summarize"]["value"] == buttons["Show source"]["value"]
    assert buttons["Summarize"]["value"] == "workflow_run_needs_review"


def test_the_failed_card_gives_the_failure_message(emulator: EmulatorServer) -> None:
    text, _ = card_text("workflow_run.failed", run_json(emulator, "workflow_run_failed"))
    assert ":x: Failed:" in text
    assert (
        ":x: *Failure:* FAILED_TO_PROCESS_FILE — The file could not be read: the PDF is damaged"
        in text
    )
    assert "Low-confidence fields" not in text and "validation rules" not in text


def test_run_text_on_the_card_cannot_ping_anyone(emulator: EmulatorServer) -> None:
    raw = run_json(emulator, "workflow_run_failed")
    raw["failureMessage"] = "<!channel> wire the money to <https://evil.example|ACME>"
    text, _ = card_text("workflow_run.failed", raw)
    assert "<!channel>" not in text and "<https://" not in text
    assert "&lt;!channel&gt; wire the money" in text


@pytest.fixture
def app_url(stack: SlackStack, client: ExtendClient, slack: SlackMock) -> Iterator[str]:
    """The whole app (Bolt events and webhooks on one server), as ``run_http`` serves it."""
    settings = SlackSettings.model_validate(
        {
            "bot_token": BOT_TOKEN,
            "api_url": slack.url,
            "webhook_secret": WEBHOOK_SECRET,
            "alert_channel": ALERT_CHANNEL,
        }
    )
    with (
        open_webhook_alerts(
            settings,
            slack=make_web_client(settings),
            extend=client,
            handled=stack.state.handled,
            low_confidence=0.8,
            submit=background_runner(stack.executor),
        ) as receiver,
    ):
        assert receiver is not None
        asgi = create_asgi_app(stack.app, extra_routes=[webhook_route(receiver)])
        with serve_in_thread(asgi) as url:
            yield url


def test_emulator_to_slack_end_to_end(
    emulator: EmulatorServer, slack: SlackMock, app_url: str
) -> None:
    target = {"url": app_url + WEBHOOKS_PATH, "secret": WEBHOOK_SECRET, "retryDelaySeconds": 0.05}
    assert httpx.post(f"{emulator.url}/_emulator/webhooks", json=target).status_code == 200
    moved = httpx.post(
        f"{emulator.url}/_emulator/runs/workflow_run_needs_review/status",
        json={"status": "NEEDS_REVIEW", "validationRules": RULES},
    ).json()
    failed = httpx.post(
        f"{emulator.url}/_emulator/runs/workflow_run_1234/status",
        json={"status": "FAILED", "failureMessage": "Page 2 could not be read."},
    ).json()
    httpx.post(
        f"{emulator.url}/_emulator/runs/workflow_run_split/status", json={"status": "PROCESSED"}
    )

    posted = slack.wait_for(at_least(2, ALERT_CHANNEL), what="two alerts")
    emulator.app.webhooks.wait_idle()
    log = httpx.get(f"{emulator.url}/_emulator/webhooks/deliveries").json()["deliveries"]
    assert {d["eventId"]: d["status"] for d in log} == {
        moved["eventId"]: 200,
        failed["eventId"]: 200,
        log[-1]["eventId"]: 200,  # the completed event: acked, not alerted on
    }
    assert len(slack.posts(channel=ALERT_CHANNEL)) == 2
    review = _alert_about(posted, "workflow_run_needs_review")
    assert "total_matches_line_items" in "\n".join(review.texts)
    assert "Page 2 could not be read." in "\n".join(_alert_about(posted, "workflow_run_1234").texts)

    # The buttons answer in the alert's thread.
    sender = SlackSender(app_url + EVENTS_PATH)
    try:
        alert_ts = review.args["_ts"]
        for action in (SUMMARIZE_ACTION, SHOW_SOURCE_ACTION):
            click = block_action(
                action,
                "workflow_run_needs_review",
                user=ALICE,
                channel=ALERT_CHANNEL,
                message_ts=alert_ts,
                response_url=slack.response_url("alert"),
            )
            assert sender.click(click).status_code == 200
        replies = slack.wait_for(at_least(2, ALERT_CHANNEL, alert_ts), what="the button replies")
    finally:
        sender.close()
    thread_text = "\n".join(t for call in replies for t in call.texts)
    assert "Bluebird Logistics LLC" in thread_text  # Summarize: the run card
    assert "Sources of the low-confidence fields" in thread_text  # Show source
    assert "“Inv0ice # BL-44O17”" in thread_text


def at_least(
    count: int, channel: str, thread_ts: str | None = None
) -> Callable[[SlackMock], list[SlackCall]]:
    def enough(mock: SlackMock) -> list[SlackCall]:
        found = mock.posts(channel=channel, thread_ts=thread_ts)
        return found if len(found) >= count else []

    return enough


def _alert_about(posts: list[SlackCall], run_id: str) -> SlackCall:
    [found] = [p for p in posts if run_id in "\n".join(p.texts)]
    return found
