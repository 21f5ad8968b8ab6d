"""HTTP mode in the worker design (``SlackSettings.agent_process_count`` > 0), from the environment.

This process serves the front (``front.create_front_app``) with the same
connection limits as ``slack_app.server`` and, when ``EXTEND_WEBHOOK_SECRET`` is
set, ``/extend/webhooks`` beside it (alerts are posted from here: they need no
agent). ``SLACK_AGENT_PROCESSES`` workers each run ``open_slack_app()`` from the
same environment, so they share the data dir's state and conversations.

Without an Extend key every process starts its own built-in emulator on the
data dir's emulator database: fine for trying the app, not meant for load.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from slack_bolt import App

from slack_app.settings import SlackSettings

logger = logging.getLogger(__name__)

ALERT_POSTING_THREADS = 4


@contextmanager
def open_worker_from_environment() -> Iterator[App]:
    """A worker's app: ``open_slack_app()`` (picklable by name for spawned processes)."""
    from slack_app.runtime import open_slack_app

    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    with open_slack_app(announce=logger.info) as app:
        yield app


def run_http_with_workers(settings: SlackSettings, *, host: str, port: int, processes: int) -> None:
    """Serve the front on ``host:port`` with ``processes`` agent workers."""

    from agent.extend_connection import open_extend
    from agent.settings import load_settings
    from slack_app.app import make_web_client
    from slack_app.http_limits import run_server
    from slack_app.services import background_runner
    from slack_app.state.slack_state import SlackState
    from slack_app.webhooks.alerts import open_webhook_alerts
    from slack_app.webhooks.receiver import webhook_route
    from slack_app.workers.front import create_front_app
    from slack_app.workers.pool import AgentWorkers

    secret = settings.require_signing_secret()
    agent_settings = load_settings()
    slack = make_web_client(settings)
    posting = ThreadPoolExecutor(ALERT_POSTING_THREADS, thread_name_prefix="slack-alerts")
    with (
        SlackState.open_configured(agent_settings) as state,
        open_extend(agent_settings, announce=logger.info) as extend,
        open_webhook_alerts(
            settings,
            slack=slack,
            extend=extend.client,
            handled=state.handled,
            low_confidence=agent_settings.low_confidence,
            submit=background_runner(posting),
        ) as webhooks,
        AgentWorkers(open_worker_from_environment, (), processes=processes) as workers,
    ):
        try:
            front = create_front_app(
                signing_secret=secret,
                state=state,
                forward=workers.put,
                dedupe_ttl_seconds=settings.dedupe_ttl_seconds,
                extra_routes=[webhook_route(webhooks)] if webhooks is not None else [],
            )
            logger.info("acks from this process; %d agent worker(s)", processes)
            run_server(front, host=host, port=port, log_level="info")
        finally:
            posting.shutdown(wait=True)
