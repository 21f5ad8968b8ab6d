"""Running the app for real: everything wired from the environment, in one of two modes.

``open_slack_app()`` opens the agent session (Extend or the emulator, the model,
the conversation store), the Slack state in the data dir and a work pool, and
yields the Bolt app; on exit the pool finishes its work before the rest closes.
``run_socket_mode`` (needs ``SLACK_APP_TOKEN``) suits a laptop: no public URL.
``run_http`` serves ``/slack/events`` with uvicorn (needs ``SLACK_SIGNING_SECRET``).
With ``EXTEND_WEBHOOK_SECRET`` set, Extend's webhooks become alerts: HTTP mode
serves ``/extend/webhooks`` beside the events; Socket Mode serves it on
``webhooks_port`` (``open_slack_service`` yields the app and the receiver).
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass

from slack_bolt import App

from agent.settings import AgentSettings, load_settings
from slack_app.app import build_app, make_web_client
from slack_app.feedback.store import FeedbackStore
from slack_app.services import background_runner
from slack_app.settings import SlackSettings, SlackSettingsError, load_slack_settings
from slack_app.state.slack_state import SlackState
from slack_app.webhooks.receiver import WebhookReceiver

logger = logging.getLogger(__name__)


@dataclass
class SlackService:
    """The Bolt app and, when alerts are configured, the Extend webhook receiver."""

    app: App
    webhooks: WebhookReceiver | None


@contextmanager
def open_slack_app(
    settings: SlackSettings | None = None,
    agent_settings: AgentSettings | None = None,
    *,
    announce: Callable[[str], None] | None = None,
) -> Iterator[App]:
    """The app on real Slack, Extend (or the emulator) and the model from the environment."""
    with open_slack_service(settings, agent_settings, announce=announce) as service:
        yield service.app


@contextmanager
def open_slack_service(
    settings: SlackSettings | None = None,
    agent_settings: AgentSettings | None = None,
    *,
    announce: Callable[[str], None] | None = None,
) -> Iterator[SlackService]:
    """``open_slack_app``, plus the webhook receiver (None without ``EXTEND_WEBHOOK_SECRET``)."""
    from agent.session import open_agent_session
    from slack_app.webhooks.alerts import open_webhook_alerts

    settings = settings or load_slack_settings()
    agent_settings = agent_settings or load_settings()
    client = make_web_client(settings)  # fails fast on a missing SLACK_BOT_TOKEN
    key = agent_settings.openai_api_key
    offline = key is None or not key.get_secret_value().strip()
    executor = ThreadPoolExecutor(
        max_workers=settings.work_pool_size(cpu_bound_model=offline),
        thread_name_prefix="slack-work",
    )
    with (
        open_agent_session(agent_settings, announce=announce) as session,
        SlackState.open_configured(agent_settings) as state,
    ):
        feedback = FeedbackStore(state.work_connection)  # votes in the shared store
        try:
            app = build_app(
                settings,
                session,
                session.run_tools,
                client,
                state=state,
                executor=executor,
                feedback=feedback,
            )
            with open_webhook_alerts(
                settings,
                slack=client,
                extend=session.run_tools.client,
                handled=state.handled,
                low_confidence=session.run_tools.low_confidence,
                submit=background_runner(executor),
            ) as webhooks:
                try:
                    yield SlackService(app=app, webhooks=webhooks)
                finally:  # alerts still being posted finish before their ledger closes
                    executor.shutdown(wait=True)
        finally:
            executor.shutdown(wait=True)


def run_socket_mode(
    settings: SlackSettings | None = None,
    *,
    webhooks_port: int | None = None,
    webhooks_host: str = "0.0.0.0",
) -> None:
    """Connect to Slack over Socket Mode and serve until interrupted.

    With ``webhooks_port``, Extend's webhooks are received on that port
    (``/extend/webhooks``); it needs ``EXTEND_WEBHOOK_SECRET``.
    """
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from slack_app.webhooks.alerts import serve_webhooks_in_thread

    settings = settings or load_slack_settings()
    app_token = settings.require_app_token()
    secret = settings.webhook_secret.get_secret_value().strip() if settings.webhook_secret else ""
    if webhooks_port is not None and not secret:
        raise SlackSettingsError(
            "EXTEND_WEBHOOK_SECRET is not set: --webhooks-port needs the webhook signing "
            "secret from Extend's dashboard to verify deliveries. See README, Slack."
        )
    with ExitStack() as running:
        service = running.enter_context(open_slack_service(settings, announce=logger.info))
        if service.webhooks is not None and webhooks_port is not None:
            running.enter_context(
                serve_webhooks_in_thread(service.webhooks, host=webhooks_host, port=webhooks_port)
            )
        elif service.webhooks is not None:
            logger.warning(
                "EXTEND_WEBHOOK_SECRET is set but Socket Mode has no HTTP server: "
                "pass --webhooks-port to receive Extend's webhooks."
            )
        SocketModeHandler(service.app, app_token).start()


def run_http(settings: SlackSettings | None = None, *, host: str, port: int) -> None:
    """Serve HTTP mode (events at ``/slack/events``) until interrupted.

    Agent turns run in worker processes and this one only acks
    (``slack_app.workers``), as many as ``SlackSettings.agent_process_count``
    says: ``SLACK_AGENT_PROCESSES``, else one per core on real Extend; with 0
    (the default on the built-in emulator) the whole app runs in this process.
    """
    from agent.settings import load_settings
    from slack_app.server import serve_http
    from slack_app.webhooks.receiver import webhook_route

    settings = settings or load_slack_settings()
    settings.require_signing_secret()
    _unwind_on_sigterm()
    processes = settings.agent_process_count(uses_emulator=load_settings().uses_emulator)
    if processes:
        from slack_app.workers.serving import run_http_with_workers

        run_http_with_workers(settings, host=host, port=port, processes=processes)
        return

    with open_slack_service(settings, announce=logger.info) as service:
        routes = [webhook_route(service.webhooks)] if service.webhooks is not None else []
        serve_http(service.app, host=host, port=port, extra_routes=routes)


def _unwind_on_sigterm() -> None:
    """SIGTERM (a process manager stopping the app) unwinds like Ctrl-C.

    uvicorn shuts down gracefully on SIGTERM and then raises it again; with the
    default handler the process would die there, before agent workers are stopped
    or the emulator closed. This handler turns it into ``SystemExit`` instead.
    """
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _exit_on_signal)


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(0)
