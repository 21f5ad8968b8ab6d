"""The production wiring: ``open_slack_app`` from the environment, served over HTTP.

No Extend key, no OpenAI key: the built-in emulator (state in the data dir) and
the offline model, exactly what ``extend-agent slack --http`` runs; only Slack is
the local mock (``SLACK_API_URL``).
"""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from cli import app as cli_app
from slack_app.runtime import open_slack_app
from slack_app.server import EVENTS_PATH, create_asgi_app
from slack_app.settings import CPU_BOUND_WORKERS, SlackSettingsError, load_slack_settings
from slack_app.testing.serving import serve_in_thread
from slack_app.testing.slack_requests import SlackSender, mention
from slack_app.testing.web_api import SlackMock
from slack_app.testing.workspace import BOT_TOKEN, CHANNEL, SIGNING_SECRET


def test_the_app_from_the_environment_answers_a_mention(monkeypatch: pytest.MonkeyPatch) -> None:
    with SlackMock() as slack:
        monkeypatch.setenv("SLACK_BOT_TOKEN", BOT_TOKEN)
        monkeypatch.setenv("SLACK_SIGNING_SECRET", SIGNING_SECRET)
        monkeypatch.setenv("SLACK_API_URL", slack.url)
        assert load_slack_settings().work_pool_size(cpu_bound_model=True) == CPU_BOUND_WORKERS
        with open_slack_app() as app, serve_in_thread(create_asgi_app(app)) as url:
            sender = SlackSender(url + EVENTS_PATH)
            event = mention("What is the total on workflow_run_1234?")
            assert sender.event(event).status_code == 200
            answers = slack.wait_for(lambda s: s.answers(CHANNEL, event["ts"]), what="answer")
            sender.close()
        assert "$15,735.10" in answers[0]
        assert [c.method for c in slack.calls("auth.test")] == ["auth.test"]


def test_a_bad_setting_is_named_without_its_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_WORKERS", "xoxb-secret-looking")
    with pytest.raises(SlackSettingsError) as raised:
        load_slack_settings()
    assert "SLACK_WORKERS" in str(raised.value) and "xoxb" not in str(raised.value)
    result = CliRunner().invoke(cli_app, ["slack", "--http"])
    assert result.exit_code == 2
    assert "SLACK_WORKERS" in result.output and "xoxb" not in result.output
