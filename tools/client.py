"""A small, fast HTTP client for Extend workflow runs, sync and async.

    with ExtendClient(api_key="sk_...") as extend:
        run = extend.get_run("workflow_run_1234")
        run = extend.update_run(run.id, name="ACME March", metadata={"vendor": "ACME"})

Both clients return the normalized ``tools.models.Run`` (``run.raw`` keeps the
JSON Extend sent), validate ids and bodies before sending anything, and retry
429/408/5xx, dropped connections and timeouts with ``Retry-After`` honoured.
Updates are retried too: setting the same name and merging the same metadata
twice leaves the run as once. Importing this module imports neither LangChain,
Slack nor MCP, nor pydantic until the first response arrives.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING, Any

import httpx

from tools._core import ClientCore
from tools.config import ClientConfig
from tools.errors import ExtendError
from tools.validation import build_update_body, validate_run_id

if TYPE_CHECKING:
    from types import TracebackType

    from tools.models import Run

__all__ = ["AsyncExtendClient", "ClientConfig", "ExtendClient"]


def _config(config: ClientConfig | None, overrides: dict[str, Any]) -> ClientConfig:
    if config is None:
        return ClientConfig.from_env(**overrides)
    return config.with_overrides(**overrides)


class ExtendClient:
    """Blocking client; one pooled ``httpx.Client`` per instance. Use as a context manager."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        api_version: str | None = None,
        workspace_id: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        max_metadata_bytes: int | None = None,
        config: ClientConfig | None = None,
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.config = _config(
            config,
            {
                "api_key": api_key,
                "base_url": base_url,
                "api_version": api_version,
                "workspace_id": workspace_id,
                "timeout": timeout,
                "max_retries": max_retries,
                "max_metadata_bytes": max_metadata_bytes,
            },
        )
        self._core = ClientCore(self.config)
        self._sleep = sleep
        self._http = httpx.Client(transport=transport, **self._core.client_kwargs())

    def get_run(self, run_id: str, *, timeout: float | None = None) -> Run:
        """Fetch one run with its extracted fields, citations and review state."""
        run_id = validate_run_id(run_id)
        return self._send("GET", run_id, None, timeout, f"get of run {run_id}")

    def update_run(
        self,
        run_id: str,
        *,
        name: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Run:
        """Rename the run and/or merge ``metadata`` into its metadata (incoming keys win)."""
        run_id = validate_run_id(run_id)
        body = build_update_body(name, metadata, max_bytes=self.config.max_metadata_bytes)
        return self._send("POST", run_id, body, timeout, f"update of run {run_id}")

    def _send(
        self,
        method: str,
        run_id: str,
        body: dict[str, Any] | None,
        timeout: float | None,
        what: str,
    ) -> Run:
        extra = {} if timeout is None else {"timeout": timeout}
        attempt = 0
        while True:
            try:
                try:
                    response = self._http.request(
                        method, f"/workflow_runs/{run_id}", json=body, **extra
                    )
                except httpx.TransportError as exc:
                    raise self._core.transport_error(exc, what) from None
                return self._core.handle(response, run_id, what)
            except ExtendError as error:
                delay = self._core.retry_delay(attempt, error)
                if delay is None:
                    raise
                self._core.log_retry(error, delay, attempt)
            self._sleep(delay)
            attempt += 1

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> ExtendClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncExtendClient:
    """The same client for asyncio; one pooled ``httpx.AsyncClient`` per instance."""

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        api_version: str | None = None,
        workspace_id: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        max_metadata_bytes: int | None = None,
        config: ClientConfig | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self.config = _config(
            config,
            {
                "api_key": api_key,
                "base_url": base_url,
                "api_version": api_version,
                "workspace_id": workspace_id,
                "timeout": timeout,
                "max_retries": max_retries,
                "max_metadata_bytes": max_metadata_bytes,
            },
        )
        self._core = ClientCore(self.config)
        self._sleep = sleep
        self._http = httpx.AsyncClient(transport=transport, **self._core.client_kwargs())

    async def get_run(self, run_id: str, *, timeout: float | None = None) -> Run:
        """Fetch one run with its extracted fields, citations and review state."""
        run_id = validate_run_id(run_id)
        return await self._send("GET", run_id, None, timeout, f"get of run {run_id}")

    async def update_run(
        self,
        run_id: str,
        *,
        name: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Run:
        """Rename the run and/or merge ``metadata`` into its metadata (incoming keys win)."""
        run_id = validate_run_id(run_id)
        body = build_update_body(name, metadata, max_bytes=self.config.max_metadata_bytes)
        return await self._send("POST", run_id, body, timeout, f"update of run {run_id}")

    async def _send(
        self,
        method: str,
        run_id: str,
        body: dict[str, Any] | None,
        timeout: float | None,
        what: str,
    ) -> Run:
        extra = {} if timeout is None else {"timeout": timeout}
        attempt = 0
        while True:
            try:
                try:
                    response = await self._http.request(
                        method, f"/workflow_runs/{run_id}", json=body, **extra
                    )
                except httpx.TransportError as exc:
                    raise self._core.transport_error(exc, what) from None
                return self._core.handle(response, run_id, what)
            except ExtendError as error:
                delay = self._core.retry_delay(attempt, error)
                if delay is None:
                    raise
                self._core.log_retry(error, delay, attempt)
            await self._sleep(delay)
            attempt += 1

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> AsyncExtendClient:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
