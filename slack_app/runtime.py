"""Running the app for real: everything wired from the environment, in one of two modes.

``open_slack_app()`` opens the agent session (Extend or the emulator, the model,
the conversation store), the Slack state in the data dir and a work pool, and
yields the Bolt app; on exit the pool finishes its work before the rest closes.
``run_socket_mode`` (needs ``SLACK_APP_TOKEN``) suits a laptop: no public URL.
``run_http`` serves ``/slack/events`` with uvicorn (needs ``SLACK_SIGNING_SECRET``).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from slack_bolt import App

from agent.settings import AgentSettings, load_settings
from slack_app.app import build_app, make_web_client
from slack_app.settings import SlackSettings, load_slack_settings
from slack_app.state import SlackState

logger = logging.getLogger(__name__)


@contextmanager
def open_slack_app(
    settings: SlackSettings | None = None,
    agent_settings: AgentSettings | None = None,
    *,
    announce: Callable[[str], None] | None = None,
) -> Iterator[App]:
    """The app on real Slack, Extend (or the emulator) and the model from the environment."""
    from agent.session import open_agent_session

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
        SlackState.in_data_dir(agent_settings.ensure_data_dir()) as state,
    ):
        try:
            yield build_app(
                settings,
                session,
                session.run_tools,
                client,
                state=state,
                executor=executor,
            )
        finally:
            executor.shutdown(wait=True)


def run_socket_mode(settings: SlackSettings | None = None) -> None:
    """Connect to Slack over Socket Mode and serve until interrupted."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    settings = settings or load_slack_settings()
    app_token = settings.require_app_token()
    with open_slack_app(settings, announce=logger.info) as app:
        SocketModeHandler(app, app_token).start()


def run_http(settings: SlackSettings | None = None, *, host: str, port: int) -> None:
    """Serve HTTP mode (events at ``/slack/events``) until interrupted."""
    from slack_app.server import serve_http

    settings = settings or load_slack_settings()
    settings.require_signing_secret()
    with open_slack_app(settings, announce=logger.info) as app:
        serve_http(app, host=host, port=port)
