"""What the sync and async clients share: headers, retry policy, response handling.

No I/O happens here, so ``ExtendClient`` and ``AsyncExtendClient`` differ only in
how they send and sleep. The pydantic models are imported on the first response,
not at import time: a tool host that imports the client pays for httpx alone.
"""

from __future__ import annotations

import email.utils
import logging
import math
import random
import time
from typing import TYPE_CHECKING, Any

import httpx

from tools import __version__
from tools.client.body import BodyReader, decode_json, json_or_none
from tools.client.config import ClientConfig
from tools.client.deadline import CallDeadline
from tools.client.errors import (
    APIConnectionError,
    APITimeoutError,
    ExtendError,
    InvalidResponseError,
    TransportError,
    ValidationError,
    error_for_status,
    server_text,
)

if TYPE_CHECKING:
    from tools.runs.models import Run

logger = logging.getLogger("tools.client.clients")

INITIAL_BACKOFF = 0.5
MAX_BACKOFF = 8.0
MAX_RETRY_AFTER = 60.0
"""Longest ``Retry-After`` waited out; a longer one fails the call at once, saying the wait."""
MAX_STATED_WAIT = 100 * 365 * 86400.0


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

    def start_call(self) -> CallDeadline:
        """The clock of one call: every attempt and retry wait must fit in ``deadline``."""
        return CallDeadline(self.config.deadline)

    def attempt_timeout(self, timeout: float | None, call: CallDeadline) -> float:
        """Seconds this attempt may take in all (and per socket operation): the timeout, capped
        to what is left of the call's deadline."""
        return max(
            0.001, min(self.config.timeout if timeout is None else timeout, call.remaining())
        )

    def body_reader(self, response: httpx.Response, what: str) -> BodyReader:
        return BodyReader(response.headers, self.config.max_response_bytes, what)

    def transport_error(
        self, exc: httpx.TransportError, what: str, call: CallDeadline | None = None
    ) -> TransportError:
        where = self.config.display_base_url
        if isinstance(exc, httpx.TimeoutException):
            return self.timed_out(what, call)
        return APIConnectionError(
            f"Could not reach Extend at {where} for the {what} ({type(exc).__name__}). "
            "Check EXTEND_BASE_URL and the network, then try again."
        )

    def timed_out(self, what: str, call: CallDeadline | None = None) -> APITimeoutError:
        """An attempt ran out of time: retryable, unless the whole call's deadline is spent."""
        if call is not None and call.expired():
            return self.deadline_error(what, call)
        return APITimeoutError(
            f"Extend at {self.config.display_base_url} did not answer the {what} within "
            f"{self.config.timeout:g} s. Try again, or raise the timeout (EXTEND_TIMEOUT)."
        )

    def deadline_error(self, what: str, call: CallDeadline) -> APITimeoutError:
        error = APITimeoutError(
            f"Extend at {self.config.display_base_url} did not complete the {what} within "
            f"the {call.seconds:g} s allowed for the whole call, retries included (gave up "
            f"after {call.elapsed():.1f} s). Try again later, or raise EXTEND_DEADLINE."
        )
        error.retryable = False
        return error

    def raise_for_status(self, response: httpx.Response, data: bytes, what: str) -> None:
        """The matching ``ExtendError`` for a status outside 2xx (the key never in its text)."""
        status = response.status_code
        if status >= 400 or status < 200:
            raise error_for_status(
                status,
                json_or_none(data),
                request_id=response.headers.get("x-request-id"),
                retry_after=parse_retry_after(response.headers),
                what=what,
                secrets=(self.config.api_key,),
            )

    def handle(self, response: httpx.Response, data: bytes, run_id: str, what: str) -> Run:
        """Return the normalized run from ``data`` (the body) or raise the matching error."""
        self.raise_for_status(response, data, what)
        payload = decode_json(data, what, response.status_code)
        from tools.runs.normalize import parse_run

        try:
            run = parse_run(payload, self.config.api_version)
        except Exception as exc:  # any parse failure is an invalid answer, never a crash
            logger.debug("Could not parse the answer to the %s", what, exc_info=True)
            first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            raise InvalidResponseError(
                f"Extend's answer to the {what} is not a workflow run "
                f"({server_text(first_line, (self.config.api_key,), limit=200)}). "
                "Check EXTEND_API_VERSION matches the API at EXTEND_BASE_URL."
            ) from None
        if run.id != run_id:
            shown = server_text(repr(run.id), (self.config.api_key,), limit=120)
            raise InvalidResponseError(
                f"Asked for run {run_id} but Extend answered with run {shown}."
            )
        return run

    def retry_delay(
        self, attempt: int, error: ExtendError, call: CallDeadline | None = None
    ) -> float | None:
        """Seconds to wait before retry number ``attempt + 1``, or None to give up now.

        A ``Retry-After`` beyond ``MAX_RETRY_AFTER`` or beyond the call's deadline is not
        waited out in silence nor cut short: the call fails now and its error states the
        wait Extend asked for.
        """
        if attempt >= self.config.max_retries or not error.retryable:
            return None
        retry_after = getattr(error, "retry_after", None)
        if retry_after is not None and retry_after > MAX_RETRY_AFTER:
            return None
        if retry_after is not None and retry_after >= 0:
            delay = retry_after
        else:
            backoff = min(INITIAL_BACKOFF * 2**attempt, MAX_BACKOFF)
            delay = backoff * (1 - 0.25 * self._jitter.random())
        if call is not None and delay >= call.remaining():
            return None
        return delay

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
            seconds = float(millis) / 1000
        except ValueError:
            pass
        else:
            if not math.isnan(seconds):
                return min(max(0.0, seconds), MAX_STATED_WAIT)
    value = headers.get("retry-after")
    if not value:
        return None
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, OverflowError):
            return None
        seconds = when.timestamp() - time.time()
    if math.isnan(seconds):
        return None
    return min(max(0.0, seconds), MAX_STATED_WAIT)
