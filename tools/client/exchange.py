"""One request path for every client call: attempts, deadline, size cap, retries; sync and async.

Reading a run, updating it, listing runs, reading a file's description and
downloading its bytes all go through ``exchange`` (``aexchange`` for asyncio), so
they share one behaviour instead of one copy each:

- one deadline per call (``ClientCore.start_call``) covering every attempt and
  every wait; each attempt gets at most the timeout, capped to what is left;
- the body streams in under the response size cap (``ClientCore.body_reader``),
  the attempt's clock checked between chunks, so a slow drip cannot hold the call;
- transport failures become the client's errors (``ClientCore.transport_error``);
- ``accept(response, body)`` turns the answer into the caller's result or raises
  the matching ``ExtendError`` (a 429 or 5xx, ``ClientCore.raise_for_status``; an
  unreadable body); a retryable error is retried after ``ClientCore.retry_delay``
  (``Retry-After`` honoured), anything else is raised.

``build(timeout)`` makes a fresh ``httpx.Request`` for each attempt.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TypeVar

import httpx

from tools.client.core import ClientCore
from tools.client.deadline import CallDeadline
from tools.client.errors import ExtendError

__all__ = ["Accept", "BuildRequest", "aexchange", "exchange"]

T = TypeVar("T")
BuildRequest = Callable[[float], httpx.Request]
"""A fresh request for one attempt, given that attempt's timeout in seconds."""
Accept = Callable[[httpx.Response, bytes], T]
"""The call's result from the response and its whole body, or an ``ExtendError``."""


def exchange(
    http: httpx.Client,
    core: ClientCore,
    sleep: Callable[[float], None],
    build: BuildRequest,
    accept: Accept[T],
    what: str,
    timeout: float | None,
    call: CallDeadline | None = None,
) -> T:
    """Send ``build``'s request until ``accept`` takes the answer or the call gives up.

    ``what`` names the call in errors ("get of run workflow_run_1234"); ``call`` lets
    several exchanges share one deadline (a download that first reads the file).
    """
    call = call or core.start_call()
    attempt = 0
    while True:
        try:
            if call.expired():
                raise core.deadline_error(what, call)
            limit = core.attempt_timeout(timeout, call)
            try:
                with call.attempt(limit) as clock:
                    response = http.send(build(limit), stream=True)
                    try:
                        reader = core.body_reader(response, what)
                        for chunk in response.iter_bytes():
                            reader.add(chunk)
                            if clock.expired():
                                raise core.timed_out(what, call)
                    finally:
                        response.close()
            except httpx.TransportError as exc:
                raise core.transport_error(exc, what, call) from None
            return accept(response, reader.data)
        except ExtendError as error:
            delay = core.retry_delay(attempt, error, call)
            if delay is None:
                raise
            core.log_retry(error, delay, attempt)
        sleep(delay)
        attempt += 1


async def aexchange(
    http: httpx.AsyncClient,
    core: ClientCore,
    sleep: Callable[[float], Awaitable[None]],
    build: BuildRequest,
    accept: Accept[T],
    what: str,
    timeout: float | None,
    call: CallDeadline | None = None,
) -> T:
    """``exchange`` for asyncio: the same attempts, deadline, cap and retries."""
    call = call or core.start_call()
    attempt = 0
    while True:
        try:
            if call.expired():
                raise core.deadline_error(what, call)
            limit = core.attempt_timeout(timeout, call)
            try:
                with call.attempt(limit) as clock:
                    response = await http.send(build(limit), stream=True)
                    try:
                        reader = core.body_reader(response, what)
                        async for chunk in response.aiter_bytes():
                            reader.add(chunk)
                            if clock.expired():
                                raise core.timed_out(what, call)
                    finally:
                        await response.aclose()
            except httpx.TransportError as exc:
                raise core.transport_error(exc, what, call) from None
            return accept(response, reader.data)
        except ExtendError as error:
            delay = core.retry_delay(attempt, error, call)
            if delay is None:
                raise
            core.log_retry(error, delay, attempt)
        await sleep(delay)
        attempt += 1
