"""Settings for the agent, CLI and front ends, read from the environment.

The Extend connection itself is configured by ``tools.client.config.ClientConfig``
(``EXTEND_*``); this covers what sits above it. ``load_settings`` reads them for a
front end and turns a bad value into one line naming the variable.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from agent.database import check_database_url
from tools.text.summary import LOW_CONFIDENCE


def default_data_dir() -> Path:
    return Path.home() / ".local" / "share" / "extend-run-agent"


class AgentSettings(BaseSettings):
    """Every ``EXTEND_AGENT_*`` / ``OPENAI_*`` knob, with its default."""

    model_config = SettingsConfigDict(env_prefix="", extra="ignore", populate_by_name=True)

    data_dir: Path = Field(default_factory=default_data_dir, alias="EXTEND_AGENT_DATA_DIR")
    openai_api_key: SecretStr | None = Field(default=None, alias="OPENAI_API_KEY")
    openai_base_url: str | None = Field(default=None, alias="OPENAI_BASE_URL")
    model_name: str = Field(default="gpt-4.1-mini", alias="EXTEND_AGENT_MODEL")
    low_confidence: float = Field(default=LOW_CONFIDENCE, ge=0, le=1, alias="EXTEND_LOW_CONFIDENCE")
    extend_api_key: SecretStr | None = Field(default=None, alias="EXTEND_API_KEY")
    database_url: SecretStr | None = Field(default=None, alias="EXTEND_AGENT_DATABASE_URL")

    @field_validator("database_url")
    @classmethod
    def _postgres_or_unset(cls, url: SecretStr | None) -> SecretStr | None:
        checked = check_database_url(url.get_secret_value() if url is not None else None)
        return SecretStr(checked) if checked is not None else None

    @property
    def postgres_url(self) -> str | None:
        """``EXTEND_AGENT_DATABASE_URL`` if set (PostgreSQL); None: SQLite files in the data dir."""
        return self.database_url.get_secret_value() if self.database_url is not None else None

    @property
    def uses_emulator(self) -> bool:
        """No Extend key: the built-in emulator stands in for Extend."""
        return self.extend_api_key is None or not self.extend_api_key.get_secret_value()

    def ensure_data_dir(self) -> Path:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        return self.data_dir


class SettingsError(ValueError):
    """A setting from the environment is invalid; the message is one line naming it."""


def load_settings() -> AgentSettings:
    """``AgentSettings()`` from the environment; a bad value raises ``SettingsError``.

    ``EXTEND_LOW_CONFIDENCE=2`` reads ``EXTEND_LOW_CONFIDENCE: Input should be less than
    or equal to 1`` rather than pydantic's multi-line report. Values are not echoed
    (a mistyped variable could hold a secret).
    """
    try:
        return AgentSettings()
    except ValidationError as exc:
        raise SettingsError(settings_problems(exc)) from None


def settings_problems(exc: ValidationError) -> str:
    """``NAME: what is wrong`` for each bad setting, on one line, values never echoed."""
    return "; ".join(
        f"{'.'.join(str(part) for part in error['loc']) or 'settings'}: {error['msg']}"
        for error in exc.errors(include_url=False)
    )
