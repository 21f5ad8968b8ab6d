"""Webhook alerts wired from the environment, as ``extend-agent slack`` runs them."""

from __future__ import annotations

import json

import httpx
import pytest
from typer.testing import CliRunner

from cli import app as cli_app
from extend_emulator import EmulatorServer
from slack_app.runtime import open_slack_service
from slack_app.settings import SlackSettingsError, load_slack_settings
from slack_app.testing.web_api import SlackMock
from slack_app.testing.workspace import BOT_TOKEN, SIGNING_SECRET
from slack_app.webhooks.alerts import serve_webhooks_in_thread
from slack_app.webhooks.receiver import WEBHOOKS_PATH
from tests.support.extend_webhooks import (
    ALERT_CHANNEL,
    WEBHOOK_SECRET,
    deliver,
    outcome,
    run_event,
)


def test_socket_mode_style_listener_posts_alerts_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with EmulatorServer() as source:
        failed = httpx.get(
            f"{source.url}/workflow_runs/workflow_run_failed",
            headers={"x-extend-api-version": "2026-02-09"},
        ).json()
    with SlackMock() as slack:
        for name, value in {
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SIGNING_SECRET,
            "SLACK_API_URL": slack.url,
            "EXTEND_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "EXTEND_ALERT_CHANNEL": ALERT_CHANNEL,
            "EXTEND_ALERT_EVENTS": "failed",
        }.items():
            monkeypatch.setenv(name, value)
        assert load_slack_settings().alert_events == {"workflow_run.failed"}
        with open_slack_service() as service:
            assert service.webhooks is not None
            with (
                serve_webhooks_in_thread(service.webhooks, host="127.0.0.1", port=0) as server,
                httpx.Client(trust_env=False) as http,
            ):
                port = server.servers[0].sockets[0].getsockname()[1]
                url = f"http://127.0.0.1:{port}{WEBHOOKS_PATH}"
                review = run_event("workflow_run.needs_review", failed)
                assert outcome(deliver(http, url, review)) == "ignored"
                assert outcome(deliver(http, url, run_event("workflow_run.failed", failed))) == (
                    "accepted"
                )
                assert http.get(url.replace(WEBHOOKS_PATH, "/healthz")).text == "ok"
                [post] = slack.wait_for(lambda s: s.posts(channel=ALERT_CHANNEL), what="alert")
    assert "the PDF is damaged" in json.dumps(post.args)


def test_alert_settings_are_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("EXTEND_ALERT_EVENTS", "needs_review,exploded")
    with pytest.raises(SlackSettingsError) as raised:
        load_slack_settings()
    assert "EXTEND_ALERT_EVENTS" in str(raised.value) and "exploded" in str(raised.value)
    monkeypatch.delenv("EXTEND_ALERT_EVENTS")
    with SlackMock() as slack:
        monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
        monkeypatch.setenv("SLACK_API_URL", slack.url)
        monkeypatch.setenv("EXTEND_WEBHOOK_SECRET", WEBHOOK_SECRET)
        with pytest.raises(SlackSettingsError) as missing, open_slack_service():
            pass
    assert "EXTEND_ALERT_CHANNEL is not set" in str(missing.value)


def test_webhooks_port_is_for_socket_mode() -> None:
    result = CliRunner().invoke(cli_app, ["slack", "--http", "--webhooks-port", "3001"])
    assert result.exit_code == 2
    assert "--webhooks-port is for Socket Mode" in result.output
