"""The client against a hostile server: slow, huge, deeply nested, stalling or leaking answers.

Each test bounds its own time with a small deadline; each would hang, exhaust
memory, crash or leak the key before the defences in ``tools.client``.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from collections.abc import Iterator

import pytest

from tests.support.hostile_server import Behaviour, HostileServer, deeply_nested, run_payload
from tools.client import errors
from tools.client.clients import AsyncExtendClient, ExtendClient
from tools.client.config import ClientConfig

RUN_ID = "workflow_run_1234"
KEY = "sk_live_Zq8hostileKEY42"


@pytest.fixture
def server() -> Iterator[HostileServer]:
    with HostileServer() as hostile:
        yield hostile


def _client(server: HostileServer, **options: object) -> ExtendClient:
    return ExtendClient(KEY, base_url=server.url, **options)  # type: ignore[arg-type]


# -- one deadline per call ------------------------------------------------------------


def test_a_trickled_body_is_cut_off_at_the_call_deadline(server: HostileServer) -> None:
    server.behaviour = Behaviour(body=run_payload(RUN_ID), trickle=True, interval=0.2)
    started = time.monotonic()
    with (
        _client(server, timeout=3, deadline=1.5, max_retries=3) as extend,
        pytest.raises(errors.APITimeoutError) as info,
    ):
        extend.get_run(RUN_ID)
    elapsed = time.monotonic() - started
    assert 1.4 <= elapsed < 3.0  # the body alone would take ~16 s
    assert "1.5 s allowed for the whole call" in str(info.value)
    assert "EXTEND_DEADLINE" in str(info.value)
    assert server.hits == 1  # nothing left to retry with


def test_trickled_headers_are_cut_off_at_the_call_deadline(server: HostileServer) -> None:
    server.behaviour = Behaviour(
        body=run_payload(RUN_ID), trickle_headers=True, interval=0.2, chunk=2
    )
    started = time.monotonic()
    with (
        _client(server, timeout=3, deadline=1.0, max_retries=2) as extend,
        pytest.raises(errors.APITimeoutError, match="1 s allowed"),
    ):
        extend.get_run(RUN_ID)
    assert time.monotonic() - started < 2.5


def test_each_attempt_gets_the_timeout_in_all_then_it_is_retried(server: HostileServer) -> None:
    server.behaviour = Behaviour(body=run_payload(RUN_ID), trickle=True, interval=0.1)
    started = time.monotonic()
    with (
        _client(server, timeout=0.5, deadline=10, max_retries=1) as extend,
        pytest.raises(errors.APITimeoutError, match=r"within 0\.5 s.*EXTEND_TIMEOUT"),
    ):
        extend.get_run(RUN_ID)
    # two attempts of 0.5 s and one backoff; each byte came well within the read timeout
    assert time.monotonic() - started < 2.5
    assert server.hits == 2


def test_the_deadline_covers_retries_too(server: HostileServer) -> None:
    server.behaviour = Behaviour(status=503, body=b'{"code":"UNAVAILABLE","message":"busy"}')
    started = time.monotonic()
    with (
        _client(server, deadline=1.2, max_retries=10) as extend,
        pytest.raises(errors.ServerError),
    ):
        extend.get_run(RUN_ID)
    # backoff 0.5 s then ~1 s would pass the deadline: it stops instead of sleeping past it
    assert time.monotonic() - started < 1.5
    assert 1 <= server.hits <= 3


def test_async_client_keeps_the_same_deadline(server: HostileServer) -> None:
    server.behaviour = Behaviour(body=run_payload(RUN_ID), trickle=True, interval=0.2)

    async def fetch() -> None:
        async with AsyncExtendClient(
            KEY, base_url=server.url, timeout=3, deadline=1.0, max_retries=2
        ) as extend:
            await extend.get_run(RUN_ID)

    started = time.monotonic()
    with pytest.raises(errors.APITimeoutError, match="1 s allowed"):
        asyncio.run(fetch())
    assert time.monotonic() - started < 2.5


def test_deadline_comes_from_the_environment() -> None:
    config = ClientConfig.from_env({"EXTEND_DEADLINE": "12.5", "EXTEND_MAX_RESPONSE_BYTES": "99"})
    assert (config.deadline, config.max_response_bytes) == (12.5, 99)
    with pytest.raises(ValueError, match="EXTEND_DEADLINE='soon' is not a number"):
        ClientConfig.from_env({"EXTEND_DEADLINE": "soon"})
    with pytest.raises(ValueError, match="deadline"):
        ClientConfig.from_env({"EXTEND_DEADLINE": "0"})


# -- size cap -------------------------------------------------------------------------


def test_a_huge_declared_body_is_refused_before_reading(server: HostileServer) -> None:
    body = run_payload(RUN_ID, metadata={"blob": "x" * 3_000_000})
    server.behaviour = Behaviour(body=body)
    with (
        _client(server, max_response_bytes=1_000_000) as extend,
        pytest.raises(errors.ResponseTooLargeError) as info,
    ):
        extend.get_run(RUN_ID)
    message = str(info.value)
    assert f"is {len(body):,} bytes (its Content-Length)" in message
    assert "the limit is 1,000,000 bytes (EXTEND_MAX_RESPONSE_BYTES)" in message
    assert server.hits == 1
    assert isinstance(info.value, errors.InvalidResponseError)


def test_a_huge_undeclared_body_stops_at_the_cap(server: HostileServer) -> None:
    server.behaviour = Behaviour(
        body=run_payload(RUN_ID, metadata={"blob": "x" * 3_000_000}), content_length=-1
    )
    with (
        _client(server, max_response_bytes=500_000) as extend,
        pytest.raises(errors.ResponseTooLargeError, match="more than 500,000 bytes"),
    ):
        extend.get_run(RUN_ID)


def test_a_run_under_the_cap_still_reads(server: HostileServer) -> None:
    server.behaviour = Behaviour(body=run_payload(RUN_ID, metadata={"note": "y" * 1000}))
    with _client(server, max_response_bytes=100_000) as extend:
        assert extend.get_run(RUN_ID).metadata["note"] == "y" * 1000


# -- parse failures -------------------------------------------------------------------


@pytest.mark.parametrize("levels", [100_000, 600])
def test_deep_nesting_is_an_invalid_response(server: HostileServer, levels: int) -> None:
    server.behaviour = Behaviour(body=deeply_nested(levels))
    with _client(server) as extend, pytest.raises(errors.InvalidResponseError) as info:
        extend.get_run(RUN_ID)
    assert "Check EXTEND_BASE_URL" in str(info.value)


def test_deeply_nested_run_content_is_an_invalid_response(server: HostileServer) -> None:
    deep: object = "leaf"
    for _ in range(300):
        deep = {"d": deep}
    server.behaviour = Behaviour(body=run_payload(RUN_ID, metadata={"deep": deep}))
    with (
        _client(server) as extend,
        pytest.raises(errors.InvalidResponseError, match="nests deeper than 128 levels"),
    ):
        extend.get_run(RUN_ID)


def test_deep_error_body_still_gives_the_status_error(server: HostileServer) -> None:
    server.behaviour = Behaviour(status=404, body=deeply_nested(100_000))
    with _client(server) as extend, pytest.raises(errors.NotFoundError, match="returned 404"):
        extend.get_run(RUN_ID)


# -- Retry-After beyond what we wait --------------------------------------------------


@pytest.mark.parametrize(
    ("header", "stated"),
    [("120", "wait 2 minutes (until "), ("300", "wait 5 minutes"), ("3600", "wait 60 minutes")],
)
def test_a_long_retry_after_fails_at_once_and_states_the_wait(
    server: HostileServer, header: str, stated: str
) -> None:
    server.behaviour = Behaviour(
        status=429,
        body=b'{"code":"RATE_LIMIT_EXCEEDED","message":"slow down"}',
        headers={"Retry-After": header},
    )
    started = time.monotonic()
    with _client(server, max_retries=3) as extend, pytest.raises(errors.RateLimitError) as info:
        extend.get_run(RUN_ID)
    assert time.monotonic() - started < 1.0 and server.hits == 1
    assert stated in str(info.value) and "a few seconds" not in str(info.value)
    assert info.value.retry_after == float(header)


def test_a_far_future_retry_date_states_that_date(server: HostileServer) -> None:
    server.behaviour = Behaviour(
        status=503,
        body=b'{"code":"MAINTENANCE","message":"back later"}',
        headers={"Retry-After": "Fri, 01 Jan 2100 00:00:00 GMT"},
    )
    with _client(server, max_retries=3) as extend, pytest.raises(errors.ServerError) as info:
        extend.get_run(RUN_ID)
    assert server.hits == 1
    assert "days (until 2100-01-01 00:00 UTC)" in str(info.value)


def test_a_retry_after_past_the_deadline_is_not_waited(server: HostileServer) -> None:
    when = email.utils.formatdate(time.time() + 30, usegmt=True)
    server.behaviour = Behaviour(status=429, body=b"{}", headers={"Retry-After": when})
    sleeps: list[float] = []
    with (
        _client(server, deadline=5, max_retries=3, sleep=sleeps.append) as extend,
        pytest.raises(errors.RateLimitError, match=r"wait (29|30) s before trying again"),
    ):
        extend.get_run(RUN_ID)
    assert sleeps == [] and server.hits == 1


def test_a_short_retry_after_is_still_honoured(server: HostileServer) -> None:
    server.behaviour = Behaviour(status=429, body=b"{}", headers={"Retry-After": "2"})
    sleeps: list[float] = []
    with (
        _client(server, max_retries=2, sleep=sleeps.append) as extend,
        pytest.raises(errors.RateLimitError, match="wait 2 s"),
    ):
        extend.get_run(RUN_ID)
    assert sleeps == [2.0, 2.0] and server.hits == 3


# -- the key never comes back ---------------------------------------------------------


@pytest.mark.parametrize("status", [400, 401, 403, 500])
def test_a_server_echoing_the_key_does_not_get_it_printed(
    server: HostileServer, status: int
) -> None:
    server.behaviour = Behaviour(
        status=status,
        body=b'{"code":"X {auth}","message":"bad key {auth}","requestId":"req {auth}"}',
        echo_auth=True,
    )
    with (
        _client(server, max_retries=1, sleep=lambda _s: None) as extend,
        pytest.raises(errors.APIError) as info,
    ):
        extend.get_run(RUN_ID)
    assert server.last_headers["Authorization"] == f"Bearer {KEY}"  # it was echoed...
    text = str(info.value)
    assert KEY not in text and "Zq8hostile" not in text  # ...but never shown
    assert "bad key Bearer ***" in text


def test_bearer_tokens_other_than_the_key_are_stripped_too(server: HostileServer) -> None:
    server.behaviour = Behaviour(
        status=401, body=b'{"message":"token=eyJhbGciOiJIUzI1NiJ9.payload.sig rejected"}'
    )
    with _client(server) as extend, pytest.raises(errors.AuthenticationError) as info:
        extend.get_run(RUN_ID)
    assert "eyJhbGci" not in str(info.value) and "token=*** rejected" in str(info.value)


def test_a_key_echoed_as_the_run_id_is_not_shown(server: HostileServer) -> None:
    server.behaviour = Behaviour(body=run_payload(KEY))
    with _client(server) as extend, pytest.raises(errors.InvalidResponseError) as info:
        extend.get_run(RUN_ID)
    assert KEY not in str(info.value) and "answered with run '***'" in str(info.value)


def test_a_huge_server_message_is_cut(server: HostileServer) -> None:
    server.behaviour = Behaviour(status=400, body=b'{"message":"' + b"A" * 100_000 + b'"}')
    with _client(server) as extend, pytest.raises(errors.BadRequestError) as info:
        extend.get_run(RUN_ID)
    assert len(str(info.value)) < 600 and "100,000 characters, cut" in str(info.value)
