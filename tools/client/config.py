"""Client settings, from arguments or the environment.

A plain dataclass rather than pydantic-settings: importing the client must stay
cheap (a tool host pays for it at start-up), and these few variables need no more.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from tools.runs.versions import LEGACY_API_VERSION, SUPPORTED_API_VERSIONS

DEFAULT_BASE_URL = "https://api-prod.extend.app/v1"
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 3
DEFAULT_MAX_METADATA_BYTES = 10 * 1024
DEFAULT_DEADLINE = 90.0
"""Seconds one call may take in all: every attempt, every slow body, every retry wait."""
DEFAULT_MAX_RESPONSE_BYTES = 16 * 1024 * 1024


@dataclass(frozen=True)
class ClientConfig:
    """Everything an ``ExtendClient`` needs to talk to one Extend API."""

    api_key: str | None = field(default=None, repr=False)
    base_url: str = DEFAULT_BASE_URL
    api_version: str = LEGACY_API_VERSION
    workspace_id: str | None = None
    timeout: float = DEFAULT_TIMEOUT
    max_retries: int = DEFAULT_MAX_RETRIES
    max_metadata_bytes: int = DEFAULT_MAX_METADATA_BYTES
    deadline: float = DEFAULT_DEADLINE
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES

    def __post_init__(self) -> None:
        if self.api_version not in SUPPORTED_API_VERSIONS:
            supported = " or ".join(SUPPORTED_API_VERSIONS)
            raise ValueError(
                f"EXTEND_API_VERSION {self.api_version!r} is not supported; use {supported}."
            )
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(
                f"EXTEND_BASE_URL {display_url(self.base_url)!r} must start with http:// or "
                "https://."
            )
        if (
            self.max_retries < 0
            or min(self.timeout, self.deadline) <= 0
            or min(self.max_metadata_bytes, self.max_response_bytes) <= 0
        ):
            raise ValueError(
                "timeout, deadline, max_metadata_bytes and max_response_bytes must be > 0, "
                "max_retries >= 0."
            )

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides: Any) -> ClientConfig:
        """Read ``EXTEND_*`` variables; explicit non-None ``overrides`` win."""
        env = dict(os.environ) if env is None else env
        values: dict[str, Any] = {
            "api_key": env.get("EXTEND_API_KEY") or None,
            "base_url": env.get("EXTEND_BASE_URL") or DEFAULT_BASE_URL,
            "api_version": env.get("EXTEND_API_VERSION") or LEGACY_API_VERSION,
            "workspace_id": env.get("EXTEND_WORKSPACE_ID") or None,
        }
        for key, name, kind in (
            ("timeout", "EXTEND_TIMEOUT", float),
            ("max_retries", "EXTEND_MAX_RETRIES", int),
            ("max_metadata_bytes", "EXTEND_MAX_METADATA_BYTES", int),
            ("deadline", "EXTEND_DEADLINE", float),
            ("max_response_bytes", "EXTEND_MAX_RESPONSE_BYTES", int),
        ):
            if env.get(name):
                try:
                    values[key] = kind(env[name])
                except ValueError:
                    raise ValueError(f"{name}={env[name]!r} is not a number.") from None
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def with_overrides(self, **overrides: Any) -> ClientConfig:
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})

    @property
    def display_base_url(self) -> str:
        """The base URL safe to show: any ``user:password@`` in it is replaced by ``***@``."""
        return display_url(self.base_url)


def display_url(url: str) -> str:
    """``https://user:pw@host/v1?token=x`` -> ``https://***@host/v1`` (no credentials, no query)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "(unparseable URL)"
    host = parts.hostname or ""
    if parts.port:
        host = f"{host}:{parts.port}"
    if parts.username or parts.password:
        host = f"***@{host}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))
