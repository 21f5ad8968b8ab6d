"""HTTP mode: the Bolt app behind Starlette, events (and buttons, commands) at ``/slack/events``.

Bolt's Starlette adapter calls the synchronous ``App.dispatch`` inside the event
loop, which would stall every other request while one is verified and acked;
here the same conversion helpers are used, but ``dispatch`` runs in Starlette's
thread pool, so many requests are acked concurrently. ``GET /healthz`` answers
``ok`` for load balancers.

Bad traffic is turned away before Bolt sees it (``slack_app.request_checks``):
bodies over the size cap (413) or too slow (408), and requests Bolt could not
parse (400). ``serve_http`` runs uvicorn within ``slack_app.http_limits``.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from slack_app.request_checks import RequestRefused, body_problem, read_body

EVENTS_PATH = "/slack/events"


def create_asgi_app(
    bolt_app: App, *, events_path: str = EVENTS_PATH, extra_routes: Sequence[BaseRoute] = ()
) -> Starlette:
    """An ASGI app serving ``bolt_app`` at ``events_path`` (and ``extra_routes``, e.g. webhooks)."""

    async def slack_events(request: Request) -> Response:
        try:
            body = await read_body(request)
        except RequestRefused as refused:
            return PlainTextResponse(refused.reason, status_code=refused.status)
        problem = body_problem(body, request.headers)
        if problem is not None:
            return PlainTextResponse(problem, status_code=400)
        bolt_response = await run_in_threadpool(bolt_app.dispatch, to_bolt_request(request, body))
        return to_starlette_response(bolt_response)

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[
            Route(events_path, slack_events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
            *extra_routes,
        ]
    )


def serve_http(
    bolt_app: App,
    *,
    host: str = "0.0.0.0",
    port: int = 3000,
    extra_routes: Sequence[BaseRoute] = (),
) -> None:
    """Serve until interrupted (uvicorn handles SIGINT/SIGTERM)."""

    from slack_app.http_limits import run_server

    asgi_app = create_asgi_app(bolt_app, extra_routes=extra_routes)
    run_server(asgi_app, host=host, port=port, log_level="info")
