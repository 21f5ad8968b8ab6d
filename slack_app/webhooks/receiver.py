"""``POST /extend/webhooks``: Extend's deliveries, checked and acknowledged in milliseconds.

Each delivery is refused or accepted before any slow work happens:

- 413 when the body is larger than ``max_body_bytes`` (by ``Content-Length``,
  or while reading a body without one);
- 401 when the signature headers are missing, the timestamp is more than 300 s
  away, or the signature does not match (``slack_app.webhooks.signature``);
- 400 when the signed body is not an event ``{eventId, eventType, payload}``;
- 200 with ``x-alert-outcome: duplicate`` for an event id already accepted (a
  retry or a replay: Extend stops retrying, nothing is posted again);
- 200 with ``x-alert-outcome: ignored`` for an event type not alerted on;
- 200 with ``x-alert-outcome: accepted`` otherwise, after handing the event to
  ``submit`` (a worker pool); the card is posted after the answer has gone.

A 200 has an empty body, so it leaves in one write: a body written after the
headers waits for the client's delayed ACK (about 40 ms) when the server does
not set ``TCP_NODELAY``, as uvicorn does not. Refusals carry a JSON
``{"ok": false, "error"}`` saying why.

``create_webhook_app`` serves only this route (and ``/healthz``): Socket Mode
has no HTTP server of its own, so ``extend-agent slack --webhooks-port`` runs it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from slack_app.webhooks.events import MalformedEventError, WebhookEvent, parse_event
from slack_app.webhooks.ledger import EventLedger
from slack_app.webhooks.signature import (
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
    SignatureError,
    verify,
)

logger = logging.getLogger(__name__)

WEBHOOKS_PATH = "/extend/webhooks"
MAX_BODY_BYTES = 1024 * 1024  # larger events come as a signed download URL
OUTCOME_HEADER = "x-alert-outcome"


class _TooLarge(Exception):
    pass


class WebhookReceiver:
    """The ASGI endpoint; ``submit(event)`` must return at once (it queues the work)."""

    def __init__(
        self,
        *,
        secret: str,
        ledger: EventLedger,
        alert_events: frozenset[str],
        submit: Callable[[WebhookEvent], None],
        clock: Callable[[], float] = time.time,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        if not secret:
            raise ValueError("EXTEND_WEBHOOK_SECRET is not set: webhooks cannot be verified.")
        self._secret = secret
        self.ledger = ledger
        self.alert_events = alert_events
        self._submit = submit
        self._clock = clock
        self.max_body_bytes = max_body_bytes

    async def handle(self, request: Request) -> Response:
        try:
            body = await self._read_body(request)
        except _TooLarge:
            return _refuse(413, f"The body is larger than {self.max_body_bytes} bytes.")
        except ClientDisconnect:
            return _refuse(400, "The body ended early.")
        try:
            verify(
                self._secret,
                timestamp=request.headers.get(TIMESTAMP_HEADER),
                signature=request.headers.get(SIGNATURE_HEADER),
                body=body,
                now=self._clock(),
            )
        except SignatureError as problem:
            return _refuse(401, f"Not accepted: {problem}.")
        try:
            event = parse_event(body)
        except MalformedEventError as problem:
            return _refuse(400, f"Not an Extend webhook event: {problem}.")
        if event.event_type not in self.alert_events:
            return _answer("ignored")
        first = await run_in_threadpool(self.ledger.claim, event.event_id)
        if not first:
            logger.info("webhook event %s already accepted; not posted again", event.event_id)
            return _answer("duplicate")
        self._submit(event)
        return _answer("accepted")

    async def _read_body(self, request: Request) -> bytes:
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.max_body_bytes:
            raise _TooLarge
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > self.max_body_bytes:
                raise _TooLarge
            chunks.append(chunk)
        return b"".join(chunks)


def webhook_route(receiver: WebhookReceiver, path: str = WEBHOOKS_PATH) -> Route:
    return Route(path, receiver.handle, methods=["POST"])


def create_webhook_app(receiver: WebhookReceiver) -> Starlette:
    """An ASGI app serving only the webhook route and ``GET /healthz``."""

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(routes=[webhook_route(receiver), Route("/healthz", healthz, methods=["GET"])])


def _answer(outcome: str) -> Response:
    return Response(status_code=200, headers={OUTCOME_HEADER: outcome})


def _refuse(status: int, message: str) -> Response:
    logger.warning("refused a webhook delivery (%d): %s", status, message)
    return JSONResponse({"ok": False, "error": message}, status_code=status)
