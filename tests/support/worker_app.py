"""The app as an agent worker process builds it, for the worker-design tests.

A module-level builder, so ``slack_app.workers.pool.AgentWorkers`` can pickle it
by name into spawned processes: the offline model, the emulator at
``emulator_url``, the Slack mock at ``slack_url``, state in ``data_dir``.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from slack_bolt import App

from agent.offline.chat_model import OfflineChatModel
from agent.testing import agent_session
from slack_app.app import build_app, make_web_client
from slack_app.settings import SlackSettings
from slack_app.state.slack_state import SlackState
from tests.support.slack_stack import APPROVER, BOT_TOKEN, SIGNING_SECRET
from tools.client.clients import ExtendClient

EMULATOR_KEY = "test-emulator-key"


@contextmanager
def open_worker_app(slack_url: str, emulator_url: str, data_dir: str) -> Iterator[App]:
    settings = SlackSettings.model_validate(
        {
            "bot_token": BOT_TOKEN,
            "signing_secret": SIGNING_SECRET,
            "api_url": slack_url,
            "approver_ids_text": APPROVER,
            "workers": 2,
        }
    )
    path = Path(data_dir)
    executor = ThreadPoolExecutor(2, thread_name_prefix="worker-work")
    with (
        ExtendClient(EMULATOR_KEY, base_url=emulator_url) as client,
        agent_session(client, OfflineChatModel(), path / "conversations.sqlite3") as session,
        SlackState.in_data_dir(path) as state,
    ):
        try:
            yield build_app(
                settings,
                session,
                session.run_tools,
                make_web_client(settings),
                state=state,
                executor=executor,
            )
        finally:
            executor.shutdown(wait=True)
