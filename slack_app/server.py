"""HTTP mode: the Bolt app behind Starlette, events (and buttons, commands) at ``/slack/events``.

Bolt's Starlette adapter calls the synchronous ``App.dispatch`` inside the event
loop, which would stall every other request while one is verified and acked;
here the same conversion helpers are used, but ``dispatch`` runs in Starlette's
thread pool, so many requests are acked concurrently. ``GET /healthz`` answers
``ok`` for load balancers.
"""

from __future__ import annotations

from slack_bolt import App
from slack_bolt.adapter.starlette.handler import to_bolt_request, to_starlette_response
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

EVENTS_PATH = "/slack/events"


def create_asgi_app(bolt_app: App, *, events_path: str = EVENTS_PATH) -> Starlette:
    """An ASGI app serving ``bolt_app`` at ``events_path``."""

    async def slack_events(request: Request) -> Response:
        body = await request.body()
        bolt_response = await run_in_threadpool(bolt_app.dispatch, to_bolt_request(request, body))
        return to_starlette_response(bolt_response)

    async def healthz(request: Request) -> Response:
        return PlainTextResponse("ok")

    return Starlette(
        routes=[
            Route(events_path, slack_events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ]
    )


def serve_http(bolt_app: App, *, host: str = "0.0.0.0", port: int = 3000) -> None:
    """Serve until interrupted (uvicorn handles SIGINT/SIGTERM)."""
    import uvicorn

    uvicorn.run(create_asgi_app(bolt_app), host=host, port=port, log_level="info")
