"""The Slack app wired as production wires it, on a Slack Web API you name (the mock).

``open_app_on_mock`` does what ``slack_app.runtime.open_slack_app`` does from the
environment, from arguments instead: an agent session on your ``ExtendClient``
(the offline model unless you pass one; conversations in SQLite in
``data_dir``), the Slack state in ``data_dir``, a work pool of the settings'
size, and ``build_app`` with a real ``WebClient`` on ``slack_api_url``. On exit
the pool finishes its work before the state and session close. Serve the app
with ``slack_app.testing.serving.serve_in_thread(create_asgi_app(app))``.

It is a module-level function taking plain values, so a benchmark or a test can
also run it in a spawned process (the worker design's ``AgentWorkers`` pickles
its builder by name).
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from agent.testing import agent_session
from slack_app.app import build_app, make_web_client
from slack_app.settings import SlackSettings
from slack_app.state.slack_state import SlackState
from slack_app.testing.workspace import BOT_TOKEN, SIGNING_SECRET

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from slack_bolt import App

    from tools.client.clients import ExtendClient

CONVERSATIONS_FILE = "conversations.sqlite3"


@contextmanager
def open_app_on_mock(
    slack_api_url: str,
    extend: ExtendClient,
    data_dir: Path | str,
    *,
    model: BaseChatModel | None = None,
    **settings: Any,
) -> Iterator[App]:
    """The Bolt app on ``slack_api_url`` and ``extend``, its files in ``data_dir``.

    ``settings`` are ``SlackSettings`` fields (``workers``, ``streaming``,
    ``approver_ids_text``, ...) over the test workspace's token and signing secret.
    """
    from agent.offline.chat_model import OfflineChatModel

    slack_settings = SlackSettings.model_validate(
        {
            "bot_token": BOT_TOKEN,
            "signing_secret": SIGNING_SECRET,
            "api_url": slack_api_url,
            **settings,
        }
    )
    path = Path(data_dir)
    path.mkdir(parents=True, exist_ok=True)
    executor = ThreadPoolExecutor(
        slack_settings.work_pool_size(cpu_bound_model=model is None),
        thread_name_prefix="slack-test-work",
    )
    with (
        agent_session(extend, model or OfflineChatModel(), path / CONVERSATIONS_FILE) as session,
        SlackState.in_data_dir(path) as state,
    ):
        try:
            yield build_app(
                slack_settings,
                session,
                session.run_tools,
                make_web_client(slack_settings),
                state=state,
                executor=executor,
            )
        finally:
            executor.shutdown(wait=True)
