"""What the listeners call: one object holding the app's parts, built by ``build_app``.

Listeners stay thin (read the payload, hand it over, return so Bolt acks);
everything slow runs through ``run_in_background`` on the work pool, whose
failures are logged rather than lost inside a future.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import Executor
from dataclasses import dataclass
from typing import Any

from slack_app.conversation import Conversations
from slack_app.decisions import ChangeDecisions
from slack_app.extend_command import ExtendCommand
from slack_app.state.slack_state import SlackState

logger = logging.getLogger(__name__)


@dataclass
class SlackServices:
    state: SlackState
    conversations: Conversations
    decisions: ChangeDecisions
    extend_command: ExtendCommand
    run_in_background: Callable[..., None]  # ``run_in_background(work, *args, **kwargs)``
    suggested_prompts: Callable[[], list[dict[str, str]]]  # ``home.prompts.PromptSource``


def background_runner(executor: Executor) -> Callable[..., None]:
    """``submit(work, *args)`` on ``executor``, logging any exception ``work`` raises."""

    def submit(work: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        executor.submit(_logged, work, *args, **kwargs)

    return submit


def _logged(work: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    try:
        work(*args, **kwargs)
    except Exception:
        logger.exception("background work %s failed", getattr(work, "__name__", work))
