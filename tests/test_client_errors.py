"""Error statuses, retries and invalid responses, over real loopback HTTP."""

from __future__ import annotations

import email.utils
import json
import time
from collections.abc import Iterator
from typing import Any

import pytest

from extend_emulator import EmulatorServer
from tests.conftest import EMULATOR_KEY
from tests.support.hostile_server import Behaviour, HostileServer
from tools.client import errors
from tools.client.clients import ExtendClient

SEED_ID = "workflow_run_1234"


@pytest.fixture
def status_server() -> Iterator[HostileServer]:
    """A loopback server answering every request as its ``behaviour`` says (see ``answer``)."""
    with HostileServer() as server:
        yield server


def answer(status: int = 200, body: Any = None, headers: dict[str, str] | None = None) -> Behaviour:
    """A scripted answer: ``body`` as JSON (bytes are sent as they are; None is ``{}``)."""
    data = body if isinstance(body, bytes) else json.dumps({} if body is None else body).encode()
    return Behaviour(status=status, body=data, headers=headers or {})


@pytest.mark.parametrize(
    ("status", "code", "exception", "hint"),
    [
        (400, "INVALID_REQUEST", errors.BadRequestError, "fix the arguments"),
        (401, "UNAUTHORIZED", errors.AuthenticationError, "EXTEND_API_KEY"),
        (402, "PAYMENT_REQUIRED", errors.PaymentRequiredError, "credits"),
        (403, "FORBIDDEN", errors.PermissionDeniedError, "EXTEND_WORKSPACE_ID"),
        (404, "NOT_FOUND", errors.NotFoundError, "Check the run id"),
        (422, "UNPROCESSABLE_ENTITY", errors.UnprocessableError, "cannot apply"),
        (429, "RATE_LIMIT_EXCEEDED", errors.RateLimitError, "rate limit"),
        (500, "INTERNAL_SERVER_ERROR", errors.ServerError, "try again"),
        (503, "SERVICE_UNAVAILABLE", errors.ServerError, "try again"),
        (501, "NOT_IMPLEMENTED", errors.ServerError, "try again"),
        (520, "UNKNOWN", errors.ServerError, "try again"),
    ],
)
def test_each_error_status_maps_to_its_exception(
    status_server: HostileServer,
    status: int,
    code: str,
    exception: type[errors.APIError],
    hint: str,
) -> None:
    status_server.behaviour = answer(
        status,
        {
            "code": code,
            "message": "Something specific went wrong",
            "retryable": status >= 429,
            "requestId": "req_abc123",
        },
    )
    sleeps: list[float] = []
    with (
        ExtendClient(
            "sk_k", base_url=status_server.url, max_retries=2, sleep=sleeps.append
        ) as extend,
        pytest.raises(exception) as info,
    ):
        extend.get_run(SEED_ID)
    error = info.value
    assert isinstance(error, errors.ExtendError)
    assert (error.status_code, error.code, error.request_id) == (status, code, "req_abc123")
    text = str(error)
    assert f"Extend returned {status} {code}" in text
    assert "Something specific went wrong" in text and hint in text
    assert "req_abc123" in text and "sk_k" not in text
    retried = status == 429 or status >= 500
    assert status_server.hits == (3 if retried else 1)
    assert len(sleeps) == (2 if retried else 0)


def test_error_body_that_is_not_json_still_gives_a_clear_error(
    status_server: HostileServer,
) -> None:
    status_server.behaviour = answer(502, b"<html>Bad gateway</html>")
    with (
        ExtendClient("k", base_url=status_server.url, max_retries=0) as extend,
        pytest.raises(errors.ServerError, match="Extend returned 502"),
    ):
        extend.get_run(SEED_ID)


def test_success_that_is_not_json_is_an_invalid_response(status_server: HostileServer) -> None:
    status_server.behaviour = answer(body=b"<html>login page</html>")
    with (
        ExtendClient("k", base_url=status_server.url) as extend,
        pytest.raises(errors.InvalidResponseError, match="not JSON"),
    ):
        extend.get_run(SEED_ID)
    assert status_server.hits == 1


def test_answer_for_another_run_is_an_invalid_response(status_server: HostileServer) -> None:
    status_server.behaviour = answer(
        body={"success": True, "workflowRun": {"id": "workflow_run_other"}}
    )
    with (
        ExtendClient("k", base_url=status_server.url) as extend,
        pytest.raises(errors.InvalidResponseError, match="workflow_run_other"),
    ):
        extend.get_run(SEED_ID)


def test_rate_limit_honours_retry_after_seconds(emulator: EmulatorServer) -> None:
    emulator.faults.add("rate_limit", count=2, retry_after=3)
    sleeps: list[float] = []
    with ExtendClient(EMULATOR_KEY, base_url=emulator.url, sleep=sleeps.append) as extend:
        assert extend.get_run(SEED_ID).id == SEED_ID
    assert sleeps == [3.0, 3.0]
    assert [r["status"] for r in emulator.requests] == [429, 429, 200]


def test_rate_limit_honours_retry_after_http_date(status_server: HostileServer) -> None:
    retry_at = email.utils.formatdate(time.time() + 20, usegmt=True)
    status_server.behaviour = answer(429, headers={"Retry-After": retry_at})
    sleeps: list[float] = []
    with (
        ExtendClient("k", base_url=status_server.url, max_retries=1, sleep=sleeps.append) as extend,
        pytest.raises(errors.RateLimitError),
    ):
        extend.get_run(SEED_ID)
    assert len(sleeps) == 1 and 17 <= sleeps[0] <= 20


def test_retry_after_beyond_a_minute_fails_at_once_stating_the_wait(
    status_server: HostileServer,
) -> None:
    status_server.behaviour = answer(429, headers={"Retry-After": "3600"})
    sleeps: list[float] = []
    with (
        ExtendClient("k", base_url=status_server.url, max_retries=6, sleep=sleeps.append) as extend,
        pytest.raises(errors.RateLimitError) as info,
    ):
        extend.get_run(SEED_ID)
    assert sleeps == [] and status_server.hits == 1
    assert "wait 60 minutes (until " in str(info.value)
    assert "a few seconds" not in str(info.value)


def test_gives_up_after_max_retries(emulator: EmulatorServer) -> None:
    emulator.faults.add("error", status=503, count=10)
    sleeps: list[float] = []
    with (
        ExtendClient(
            EMULATOR_KEY, base_url=emulator.url, max_retries=3, sleep=sleeps.append
        ) as extend,
        pytest.raises(errors.ServerError) as info,
    ):
        extend.get_run(SEED_ID)
    assert info.value.status_code == 503
    assert len(emulator.requests) == 4 and len(sleeps) == 3


def test_server_error_then_success_is_recovered(emulator: EmulatorServer) -> None:
    emulator.faults.add("error", status=500, count=1)
    with ExtendClient(EMULATOR_KEY, base_url=emulator.url, sleep=lambda s: None) as extend:
        assert extend.get_run(SEED_ID).id == SEED_ID


def test_dropped_connection_is_recovered(emulator: EmulatorServer) -> None:
    emulator.faults.add("drop", count=1)
    with ExtendClient(EMULATOR_KEY, base_url=emulator.url, sleep=lambda s: None) as extend:
        assert extend.get_run(SEED_ID).id == SEED_ID
    assert [r["status"] for r in emulator.requests] == [0, 200]


def test_dropped_connections_until_max_raise_connection_error(emulator: EmulatorServer) -> None:
    emulator.faults.add("drop", count=10)
    with (
        ExtendClient(
            EMULATOR_KEY, base_url=emulator.url, max_retries=2, sleep=lambda s: None
        ) as extend,
        pytest.raises(errors.APIConnectionError, match="EXTEND_BASE_URL"),
    ):
        extend.get_run(SEED_ID)


def test_408_is_retried(status_server: HostileServer) -> None:
    status_server.behaviour = answer(408, {"code": "REQUEST_TIMEOUT", "message": "slow upload"})
    with (
        ExtendClient(
            "k", base_url=status_server.url, max_retries=1, sleep=lambda s: None
        ) as extend,
        pytest.raises(errors.APIError) as info,
    ):
        extend.get_run(SEED_ID)
    assert info.value.status_code == 408 and status_server.hits == 2


def test_credentials_in_the_base_url_never_show() -> None:
    with (
        ExtendClient("k", base_url="http://user:hunter2@127.0.0.1:9/v1", max_retries=0) as extend,
        pytest.raises(errors.APIConnectionError) as info,
    ):
        extend.get_run(SEED_ID)
    assert "hunter2" not in str(info.value) and "user" not in str(info.value)
    assert "http://***@127.0.0.1:9/v1" in str(info.value)


def test_nothing_listening_is_a_connection_error() -> None:
    with (
        ExtendClient(
            "k", base_url="http://127.0.0.1:9", max_retries=1, sleep=lambda s: None
        ) as extend,
        pytest.raises(errors.APIConnectionError, match="Could not reach Extend"),
    ):
        extend.get_run(SEED_ID)


def test_update_is_retried_and_lands_once(emulator: EmulatorServer) -> None:
    emulator.faults.add("error", status=503, count=1, method="POST")
    with ExtendClient(EMULATOR_KEY, base_url=emulator.url, sleep=lambda s: None) as extend:
        run = extend.update_run(SEED_ID, name="Retried", metadata={"k": "v"})
    assert run.name == "Retried" and run.metadata["k"] == "v"
    posts = [r for r in emulator.requests if r["method"] == "POST"]
    assert [r["status"] for r in posts] == [503, 200]


def test_malformed_success_body_is_an_invalid_response(emulator: EmulatorServer) -> None:
    emulator.faults.add("malformed", count=1)
    with (
        ExtendClient(EMULATOR_KEY, base_url=emulator.url) as extend,
        pytest.raises(errors.InvalidResponseError),
    ):
        extend.get_run(SEED_ID)
