"""``app_home_opened`` on the Home tab: list the runs, publish the view (after the ack).

Registered with a matcher for ``tab == "home"``, before the app's other
``app_home_opened`` listener (the Messages tab's suggested prompts), so each
tab reaches its own listener.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError

from slack_app.home.home_view import MAX_RUNS_SHOWN, home_view
from slack_app.home.prompts import newest_runs, suggested_prompts
from tools.client.clients import ExtendClient
from tools.client.errors import ExtendError
from tools.runs.listing import RunListItem

logger = logging.getLogger(__name__)

RECENT_FAILURES = 5


def register_app_home(app: App, *, extend: ExtendClient, submit: Callable[..., None]) -> None:
    def home_tab(event: dict[str, Any]) -> bool:
        return event.get("tab") == "home"

    @app.event("app_home_opened", matchers=[home_tab])
    def handle_home_opened(event: dict[str, Any], client: WebClient) -> None:
        user_id = event.get("user")
        if isinstance(user_id, str) and user_id:
            submit(publish_home, client, user_id, extend)


def publish_home(client: WebClient, user_id: str, extend: ExtendClient) -> None:
    """Read the runs needing review and the recent failures; publish the Home tab."""
    needing_review: list[RunListItem] = []
    failures: list[RunListItem] = []
    problem = None
    try:
        needing_review = newest_runs(extend, "NEEDS_REVIEW", MAX_RUNS_SHOWN)
        failures = newest_runs(extend, "FAILED", RECENT_FAILURES)
    except ExtendError as error:
        problem = str(error)
    view = home_view(
        needing_review=needing_review,
        failures=failures,
        prompts=suggested_prompts(needing_review, failures),
        updated=time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        problem=problem,
    )
    try:
        client.views_publish(user_id=user_id, view=view)
    except SlackClientError as error:
        logger.warning("could not publish the App Home: %s", type(error).__name__)
