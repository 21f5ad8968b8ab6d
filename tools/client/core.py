"""What the sync and async clients share: headers, retry policy, response handling.

No I/O happens here, so ``ExtendClient`` and ``AsyncExtendClient`` differ only in
how they send and sleep. The pydantic models are imported on the first response,
not at import time: a tool host that imports the client pays for httpx alone.
"""

from __future__ import annotations

import email.utils
import logging
import random
import time
from typing import TYPE_CHECKING, Any

import httpx

from tools import __version__
from tools.client.config import ClientConfig
from tools.client.errors import (
    APIConnectionError,
    APITimeoutError,
    ExtendError,
    InvalidResponseError,
    TransportError,
    ValidationError,
    error_for_status,
)

if TYPE_CHECKING:
    from tools.runs.models import Run

logger = logging.getLogger("tools.client.clients")

INITIAL_BACKOFF = 0.5
MAX_BACKOFF = 8.0
MAX_RETRY_AFTER = 60.0


class ClientCore:
    """Configuration plus the pure parts of one request/response cycle."""

    def __init__(self, config: ClientConfig, *, jitter: random.Random | None = None) -> None:
        if not config.api_key:
            raise ValidationError(
                "No Extend API key: set EXTEND_API_KEY, or pass api_key=... "
                "(run `extend-agent emulator` for a local Extend that accepts any key)."
            )
        self.config = config
        self._jitter = jitter or random.Random()
        self.headers = {
            "Authorization": f"Bearer {config.api_key}",
            "x-extend-api-version": config.api_version,
            "User-Agent": f"extend-run-agent/{__version__} python-httpx/{httpx.__version__}",
            "Accept": "application/json",
        }
        if config.workspace_id:
            self.headers["x-extend-workspace-id"] = config.workspace_id

    def client_kwargs(self) -> dict[str, Any]:
        return {
            "base_url": self.config.base_url,
            "headers": self.headers,
            "timeout": self.config.timeout,
            "follow_redirects": False,
        }

    def transport_error(self, exc: httpx.TransportError, what: str) -> TransportError:
        where = self.config.display_base_url
        if isinstance(exc, httpx.TimeoutException):
            return APITimeoutError(
                f"Extend at {where} did not answer the {what} in time. "
                "Try again, or raise the timeout (EXTEND_TIMEOUT)."
            )
        return APIConnectionError(
            f"Could not reach Extend at {where} for the {what} ({type(exc).__name__}). "
            "Check EXTEND_BASE_URL and the network, then try again."
        )

    def handle(self, response: httpx.Response, run_id: str, what: str) -> Run:
        """Return the normalized run or raise the matching ``ExtendError``."""
        request_id = response.headers.get("x-request-id")
        if response.status_code >= 400 or response.status_code < 200:
            raise error_for_status(
                response.status_code,
                _json_or_none(response),
                request_id=request_id,
                retry_after=parse_retry_after(response.headers),
                what=what,
            )
        try:
            payload = response.json()
        except ValueError:
            raise InvalidResponseError(
                f"Extend's answer to the {what} was not JSON (status {response.status_code}). "
                "Check EXTEND_BASE_URL points at the Extend API."
            ) from None
        from tools.runs.normalize import parse_run

        try:
            run = parse_run(payload, self.config.api_version)
        except ValueError as exc:
            first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise InvalidResponseError(
                f"Extend's answer to the {what} is not a workflow run ({first_line}). "
                "Check EXTEND_API_VERSION matches the API at EXTEND_BASE_URL."
            ) from None
        if run.id != run_id:
            raise InvalidResponseError(
                f"Asked for run {run_id} but Extend answered with run {run.id}."
            )
        return run

    def retry_delay(self, attempt: int, error: ExtendError) -> float | None:
        """Seconds to wait before retry number ``attempt + 1``, or None to give up now."""
        if attempt >= self.config.max_retries or not error.retryable:
            return None
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None and 0 <= retry_after <= MAX_RETRY_AFTER:
            return retry_after
        backoff = min(INITIAL_BACKOFF * 2**attempt, MAX_BACKOFF)
        return backoff * (1 - 0.25 * self._jitter.random())

    def log_retry(self, error: ExtendError, delay: float, attempt: int) -> None:
        logger.warning(
            "%s; retrying in %.2fs (retry %d of %d)",
            type(error).__name__,
            delay,
            attempt + 1,
            self.config.max_retries,
        )


def parse_retry_after(headers: httpx.Headers) -> float | None:
    """``Retry-After`` as seconds (a number or an HTTP date), or ``retry-after-ms``."""
    millis = headers.get("retry-after-ms")
    if millis:
        try:
            return float(millis) / 1000
        except ValueError:
            pass
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _json_or_none(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return None
