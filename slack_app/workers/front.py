"""The front of the app in worker mode: check, dedupe and queue each Slack request; ack at once.

``POST /slack/events`` does, before answering:

- the body checks of ``slack_app.request_checks`` (size, time, shape: 400/408/413);
- Slack's signature (``v0=`` HMAC-SHA256 over ``v0:{timestamp}:{body}``, 5-minute
  window): 401 when it does not verify;
- ``url_verification``: answered with the challenge; ``ssl_check``: 200;
- everything else is answered 200 with an empty body (this app's listeners never
  ack with a body) and, once the response is on its way, queued for the agent
  workers (``pool.AgentWorkers``). An Events API delivery whose ``event_id`` was
  already accepted (Slack's retry) is not queued: that claim is in the shared
  state, so replicas share it, and it is made after the ack by one claim thread
  (in arrival order; drained at shutdown), so the ack never waits on the store.
  Its key differs from the one the worker's app claims, so the worker still
  handles the first delivery, and the worker's own durable claim stays the
  guarantee against doubles if this one cannot be made.

Nothing here runs the agent, so the ack does not wait on agent work.
"""

from __future__ import annotations

import asyncio
import json
import logging
import queue
import threading
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import asynccontextmanager

from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from slack_app.request_checks import RequestRefused, body_problem, read_body
from slack_app.server import EVENTS_PATH
from slack_app.state.slack_state import SlackState

logger = logging.getLogger(__name__)

DRAIN_SECONDS = 10.0
"""At shutdown, how long queuing the last acked deliveries may take."""

FORWARDED_HEADERS = (
    "content-type",
    "x-slack-request-timestamp",
    "x-slack-signature",
    "x-slack-retry-num",
    "x-slack-retry-reason",
)


def create_front_app(
    *,
    signing_secret: str,
    state: SlackState,
    forward: Callable[[str, dict[str, str]], None],
    dedupe_ttl_seconds: float,
    extra_routes: Sequence[BaseRoute] = (),
) -> Starlette:
    """The ASGI app of the front process; ``forward(body, headers)`` must return at once."""
    verifier = SignatureVerifier(signing_secret)

    async def slack_events(request: Request) -> Response:
        try:
            raw = await read_body(request)
        except RequestRefused as refused:
            return PlainTextResponse(refused.reason, status_code=refused.status)
        problem = body_problem(raw, request.headers)
        if problem:
            return PlainTextResponse(problem, status_code=400)
        if not verifier.is_valid_request(raw, dict(request.headers)):
            return PlainTextResponse("Invalid request signature.", status_code=401)
        body = raw.decode("utf-8")
        envelope = _json_object(body, request.headers.get("content-type"))
        if envelope.get("type") == "url_verification":
            return JSONResponse({"challenge": envelope.get("challenge")})
        headers = {
            name: request.headers[name] for name in FORWARDED_HEADERS if name in request.headers
        }
        if envelope.get("type") == "event_callback" and isinstance(envelope.get("event_id"), str):
            key = f"front:{envelope['event_id']}"
            after_ack = BackgroundTask(claims.submit, key, body, headers)
            return Response(status_code=200, background=after_ack)
        forward(body, headers)
        return Response(status_code=200)

    def claim_then_forward(key: str, body: str, headers: dict[str, str]) -> None:
        """After the ack (in a thread): queue the delivery unless it is a retry already queued."""
        try:
            first = state.handled.claim(key, dedupe_ttl_seconds)
        except Exception:  # the store is unavailable: the worker's own claim still dedupes
            logger.warning("could not record %s; the agent worker will dedupe it", key)
            first = True
        if first:
            forward(body, headers)

    claims = _ClaimThread(claim_then_forward)

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await asyncio.to_thread(claims.drain)  # acked deliveries are queued before exit

    return Starlette(
        routes=[
            Route(EVENTS_PATH, slack_events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            *extra_routes,
        ],
        lifespan=lifespan,
    )


class _ClaimThread:
    """One thread claiming and forwarding acked deliveries in arrival order.

    Handing each one to it costs the event loop a queue put, where a thread-pool hop
    per request (Starlette's default for sync background work) cost about a quarter
    of a millisecond of the front's time, and the front's time per request is what a
    burst of deliveries queues behind.
    """

    def __init__(self, work: Callable[[str, str, dict[str, str]], None]) -> None:
        self._work = work
        self._jobs: queue.SimpleQueue[tuple[str, str, dict[str, str]] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="slack-front-claims", daemon=True)
        self._thread.start()

    async def submit(self, key: str, body: str, headers: dict[str, str]) -> None:
        self._jobs.put((key, body, headers))

    def drain(self, timeout: float = DRAIN_SECONDS) -> None:
        """Finish what was handed over (at shutdown), then stop the thread."""
        self._jobs.put(None)
        self._thread.join(timeout)

    def _run(self) -> None:
        while (job := self._jobs.get()) is not None:
            try:
                self._work(*job)
            except Exception:  # one bad delivery must not stop the others
                logger.exception("could not queue a Slack delivery for the agent workers")


def _json_object(body: str, content_type: str | None) -> dict[str, object]:
    if not (content_type or "").lower().startswith("application/json"):
        return {}
    try:
        value = json.loads(body)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
