"""``POST /extend/webhooks`` over real HTTP: what is refused, what is posted, and how fast.

The receiver runs as Socket Mode runs it (``create_webhook_app`` under uvicorn),
posting to the recording Slack mock and reading runs from the emulator. Refused
deliveries are checked by status and by what reaches Slack: a valid delivery is
sent after them and must be the only alert posted.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest

from extend_emulator import EmulatorServer
from slack_app.app import make_web_client
from slack_app.services import background_runner
from slack_app.settings import SlackSettings
from slack_app.testing.serving import serve_in_thread
from slack_app.testing.web_api import SlackMock
from slack_app.testing.workspace import BOT_TOKEN
from slack_app.webhooks.alerts import open_webhook_alerts
from slack_app.webhooks.receiver import MAX_BODY_BYTES, WEBHOOKS_PATH, create_webhook_app
from tests.support.extend_webhooks import (
    ALERT_CHANNEL,
    WEBHOOK_SECRET,
    deliver,
    extend_signature_headers,
    outcome,
    run_event,
)
from tools.client.clients import ExtendClient

CURRENT = "2026-02-09"


@pytest.fixture
def webhooks_url(slack: SlackMock, client: ExtendClient, tmp_path: Path) -> Iterator[str]:
    settings = SlackSettings.model_validate(
        {
            "bot_token": BOT_TOKEN,
            "api_url": slack.url,
            "webhook_secret": WEBHOOK_SECRET,
            "alert_channel": ALERT_CHANNEL,
        }
    )
    pool = ThreadPoolExecutor(4, thread_name_prefix="test-alerts")
    with open_webhook_alerts(
        settings,
        slack=make_web_client(settings),
        extend=client,
        handled=None,  # event ids in memory: one process
        low_confidence=0.8,
        submit=background_runner(pool),
    ) as receiver:
        assert receiver is not None
        try:
            with serve_in_thread(create_webhook_app(receiver)) as base:
                yield base + WEBHOOKS_PATH
        finally:
            pool.shutdown(wait=True)


@pytest.fixture
def http() -> Iterator[httpx.Client]:
    with httpx.Client(timeout=10, trust_env=False) as session:
        yield session


def current_run(emulator: EmulatorServer, run_id: str) -> dict[str, Any]:
    reply = httpx.get(
        f"{emulator.url}/workflow_runs/{run_id}",
        headers={"x-extend-api-version": CURRENT, "Authorization": "Bearer test-emulator-key"},
    )
    reply.raise_for_status()
    return reply.json()


def alerts(slack: SlackMock) -> list[Any]:
    return slack.posts(channel=ALERT_CHANNEL)


def wait_for_alerts(slack: SlackMock, count: int) -> list[Any]:
    def enough(mock: SlackMock) -> list[Any]:
        found = alerts(mock)
        return found if len(found) >= count else []

    return slack.wait_for(enough, what=f"{count} alert(s)")


def test_a_signed_needs_review_event_is_acked_at_once_and_posted(
    slack: SlackMock, emulator: EmulatorServer, webhooks_url: str, http: httpx.Client
) -> None:
    event = run_event(
        "workflow_run.needs_review", current_run(emulator, "workflow_run_needs_review")
    )
    started = time.perf_counter()
    reply = deliver(http, webhooks_url, event)
    elapsed = time.perf_counter() - started
    assert outcome(reply) == "accepted"
    assert elapsed < 1.0  # the card is posted after the answer, never before
    [post] = wait_for_alerts(slack, 1)
    text = "\n".join(post.texts)
    assert "Needs review" in text and "workflow_run_needs_review" in text
    assert "Low-confidence fields" in text and "invoice_number" in text


@pytest.mark.parametrize(
    ("case", "status"),
    [
        ("unsigned", 401),
        ("wrong secret", 401),
        ("tampered body", 401),
        ("stale", 401),
        ("from the future", 401),
        ("not json", 400),
        ("not an event", 400),
        ("oversized", 413),
        ("oversized, chunked", 413),
    ],
)
def test_bad_deliveries_are_refused_and_nothing_is_posted(
    case: str,
    status: int,
    slack: SlackMock,
    emulator: EmulatorServer,
    webhooks_url: str,
    http: httpx.Client,
) -> None:
    run = current_run(emulator, "workflow_run_failed")
    event = run_event("workflow_run.failed", run)
    body = json.dumps(event).encode()
    now = int(time.time())
    if case == "unsigned":
        reply = http.post(webhooks_url, content=body, headers={"Content-Type": "application/json"})
    elif case == "wrong secret":
        reply = deliver(http, webhooks_url, event, secret="not-the-secret")
    elif case == "tampered body":
        headers = extend_signature_headers(body)
        reply = http.post(
            webhooks_url, content=body.replace(b"FAILED", b"PROCESSED"), headers=headers
        )
    elif case == "stale":
        reply = deliver(http, webhooks_url, event, timestamp=now - 301)
    elif case == "from the future":
        reply = deliver(http, webhooks_url, event, timestamp=now + 301)
    elif case == "not json":
        reply = deliver(http, webhooks_url, b"{eventId: evt_1")
    elif case == "not an event":
        reply = deliver(http, webhooks_url, {"eventType": "workflow_run.failed", "payload": run})
    elif case == "oversized":
        huge = run_event("workflow_run.failed", {**run, "padding": "x" * MAX_BODY_BYTES})
        reply = deliver(http, webhooks_url, huge)
    else:
        huge_body = json.dumps({**event, "padding": "x" * MAX_BODY_BYTES}).encode()
        headers = extend_signature_headers(huge_body)

        def chunks() -> Iterator[bytes]:
            for start in range(0, len(huge_body), 65536):
                yield huge_body[start : start + 65536]

        reply = http.post(webhooks_url, content=chunks(), headers=headers)
    assert reply.status_code == status, reply.text
    assert reply.json()["ok"] is False and reply.json()["error"]
    assert "Traceback" not in reply.text
    # The same event, properly delivered, is then the only alert.
    assert deliver(http, webhooks_url, event).status_code == 200
    wait_for_alerts(slack, 1)
    assert len(alerts(slack)) == 1


def test_a_replayed_or_retried_event_is_posted_once(
    slack: SlackMock, emulator: EmulatorServer, webhooks_url: str, http: httpx.Client
) -> None:
    event = run_event("workflow_run.failed", current_run(emulator, "workflow_run_failed"))
    body = json.dumps(event).encode()
    headers = extend_signature_headers(body)
    first = http.post(webhooks_url, content=body, headers=headers)
    replay = http.post(webhooks_url, content=body, headers=headers)  # the captured request
    retry = deliver(http, webhooks_url, event)  # Extend's retry: same event, new signature
    assert outcome(first) == "accepted"
    assert outcome(replay) == "duplicate"
    assert outcome(retry) == "duplicate"
    other = run_event(
        "workflow_run.needs_review", current_run(emulator, "workflow_run_needs_review")
    )
    assert outcome(deliver(http, webhooks_url, other)) == "accepted"
    posted = wait_for_alerts(slack, 2)
    assert len(posted) == 2
    assert sum("workflow_run_failed" in "\n".join(p.texts) for p in posted) == 1


def test_events_not_alerted_on_are_acked_and_ignored(
    slack: SlackMock, emulator: EmulatorServer, webhooks_url: str, http: httpx.Client
) -> None:
    done = run_event("workflow_run.completed", current_run(emulator, "workflow_run_1234"))
    other = {"eventId": "evt_x1", "eventType": "extract_run.processed", "payload": {"id": "ex_1"}}
    assert outcome(deliver(http, webhooks_url, done)) == "ignored"
    assert outcome(deliver(http, webhooks_url, other)) == "ignored"
    assert http.get(webhooks_url).status_code == 405
    needs = run_event(
        "workflow_run.needs_review", current_run(emulator, "workflow_run_needs_review")
    )
    deliver(http, webhooks_url, needs)
    assert len(wait_for_alerts(slack, 1)) == 1


def test_an_unparseable_payload_falls_back_to_reading_the_run(
    slack: SlackMock, webhooks_url: str, http: httpx.Client
) -> None:
    event = run_event(
        "workflow_run.failed", {"id": "workflow_run_failed", "stepRuns": "not a list"}
    )
    assert outcome(deliver(http, webhooks_url, event)) == "accepted"
    [post] = wait_for_alerts(slack, 1)
    assert "damaged" in "\n".join(post.texts)  # the failure message, read from Extend


def test_a_payload_sent_as_a_download_url_is_fetched(
    slack: SlackMock, emulator: EmulatorServer, webhooks_url: str, http: httpx.Client
) -> None:
    target = {"url": webhooks_url, "secret": WEBHOOK_SECRET, "inlineLimitBytes": 200}
    assert http.post(f"{emulator.url}/_emulator/webhooks", json=target).status_code == 200
    moved = http.post(
        f"{emulator.url}/_emulator/runs/workflow_run_needs_review/status",
        json={"status": "NEEDS_REVIEW"},
    ).json()
    assert moved["delivery"] == "queued"
    [post] = wait_for_alerts(slack, 1)
    assert "invoice_number" in "\n".join(post.texts)
    emulator.app.webhooks.wait_idle()
    deliveries = http.get(f"{emulator.url}/_emulator/webhooks/deliveries").json()["deliveries"]
    assert [(d["eventId"], d["status"]) for d in deliveries] == [(moved["eventId"], 200)]
