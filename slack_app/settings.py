"""Settings of the Slack app, read from the environment (``SLACK_*``).

Tokens are ``SecretStr`` so they never show in a repr or a log line. The agent's
own settings (model, Extend, data dir) stay in ``agent.settings.AgentSettings``;
the app keeps its state file in that data dir too (``slack_app.runtime``).
"""

from __future__ import annotations

import os

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from agent.settings import settings_problems
from slack_app.webhooks.events import parse_alert_events

SLACK_API_URL = "https://slack.com/api/"
CPU_BOUND_WORKERS = 3
NETWORK_BOUND_WORKERS = 16
DEFAULT_APPROVAL_TTL_SECONDS = 7 * 24 * 3600.0
MAX_AUTO_AGENT_PROCESSES = 4


class SlackSettingsError(ValueError):
    """A setting the chosen run mode needs is missing; the message names it."""


class SlackSettings(BaseSettings):
    """Every Slack knob, with its default."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)

    bot_token: SecretStr | None = Field(default=None, alias="SLACK_BOT_TOKEN")
    signing_secret: SecretStr | None = Field(default=None, alias="SLACK_SIGNING_SECRET")
    app_token: SecretStr | None = Field(default=None, alias="SLACK_APP_TOKEN")
    api_url: str = Field(default=SLACK_API_URL, alias="SLACK_API_URL")
    approver_ids_text: str = Field(default="", alias="SLACK_APPROVER_IDS")
    streaming: bool = Field(default=True, alias="SLACK_STREAMING")
    workers: int | None = Field(default=None, ge=1, le=256, alias="SLACK_WORKERS")
    dedupe_ttl_seconds: float = Field(default=24 * 3600.0, gt=0, alias="SLACK_DEDUPE_TTL_SECONDS")
    approval_ttl_seconds: float = Field(
        default=DEFAULT_APPROVAL_TTL_SECONDS, gt=0, alias="SLACK_APPROVAL_TTL_SECONDS"
    )
    agent_processes: int | None = Field(default=None, ge=0, le=64, alias="SLACK_AGENT_PROCESSES")
    webhook_secret: SecretStr | None = Field(default=None, alias="EXTEND_WEBHOOK_SECRET")
    alert_channel: str | None = Field(default=None, alias="EXTEND_ALERT_CHANNEL")
    alert_events_text: str = Field(default="", alias="EXTEND_ALERT_EVENTS")

    @field_validator("alert_events_text")
    @classmethod
    def _known_alert_events(cls, text: str) -> str:
        parse_alert_events(text)  # a ValueError names the unknown event
        return text

    @property
    def alert_events(self) -> frozenset[str]:
        """Event types posted as alerts (``EXTEND_ALERT_EVENTS``; default needs_review, failed)."""
        return parse_alert_events(self.alert_events_text)

    @field_validator("api_url")
    @classmethod
    def _with_trailing_slash(cls, url: str) -> str:
        url = url.strip() or SLACK_API_URL
        return url if url.endswith("/") else url + "/"

    @property
    def approver_ids(self) -> frozenset[str]:
        """User ids allowed to decide on anyone's change (``SLACK_APPROVER_IDS``, commas)."""
        return frozenset(part.strip() for part in self.approver_ids_text.split(",") if part.strip())

    def work_pool_size(self, *, cpu_bound_model: bool = False) -> int:
        """``SLACK_WORKERS``, else a default suited to the model.

        The offline model computes answers in Python, so more threads than a few
        only contend for the GIL and slow the acks down; a remote model mostly
        waits on the network, so many turns can overlap.
        """
        if self.workers is not None:
            return self.workers
        return CPU_BOUND_WORKERS if cpu_bound_model else NETWORK_BOUND_WORKERS

    def agent_process_count(self, *, uses_emulator: bool) -> int:
        """``SLACK_AGENT_PROCESSES``, else one agent worker per core (up to 4) on real Extend.

        Worker processes keep agent turns off the process that acks, so acks stay
        fast under load. Trying the app on the built-in emulator needs no such
        split, and one process keeps one emulator: 0, the whole app in-process.
        """
        if self.agent_processes is not None:
            return self.agent_processes
        return 0 if uses_emulator else min(os.cpu_count() or 1, MAX_AUTO_AGENT_PROCESSES)

    def require_bot_token(self) -> str:
        return _required(self.bot_token, "SLACK_BOT_TOKEN", "the bot token (xoxb-...)")

    def require_signing_secret(self) -> str:
        return _required(self.signing_secret, "SLACK_SIGNING_SECRET", "the app's signing secret")

    def require_app_token(self) -> str:
        return _required(
            self.app_token, "SLACK_APP_TOKEN", "an app-level token (xapp-...) for Socket Mode"
        )


def load_slack_settings() -> SlackSettings:
    """``SlackSettings()`` from the environment; a bad value names the variable, not its value."""
    try:
        return SlackSettings()
    except ValidationError as exc:
        raise SlackSettingsError(settings_problems(exc)) from None


def _required(value: SecretStr | None, name: str, what: str) -> str:
    secret = value.get_secret_value().strip() if value is not None else ""
    if not secret:
        raise SlackSettingsError(f"{name} is not set: it must hold {what}. See README, Slack.")
    return secret
