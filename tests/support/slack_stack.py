"""The Slack app running for real on loopback, as the Slack tests drive it.

``SlackStack`` wires what production wires: the app built by ``build_app`` with a
real ``WebClient`` on the recording ``SlackMock``, the agent session (offline
model unless told otherwise) on the Extend emulator, the SQLite state and
conversation files (or, given ``database_url``, both in PostgreSQL, as replicas
sharing a database run), served over HTTP by uvicorn in a thread, with a
``SlackSender`` on its events URL. The generic pieces (the mock, the signed
sender and its payloads, serving) are the product's testing helpers in
``slack_app.testing``; what is here is for this suite: the test-only knobs
(clock, PostgreSQL) and readers of the approval messages the app posts.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
from langchain_core.language_models import BaseChatModel

from agent.session import AgentSession
from agent.testing import agent_session, postgres_agent_session
from slack_app.app import build_app, make_web_client
from slack_app.feedback.store import FeedbackStore
from slack_app.server import EVENTS_PATH, create_asgi_app
from slack_app.settings import DEFAULT_APPROVAL_TTL_SECONDS, SlackSettings
from slack_app.state.slack_state import SlackState
from slack_app.testing.serving import serve_in_thread
from slack_app.testing.slack_requests import SlackSender, block_action
from slack_app.testing.web_api import SlackMock
from slack_app.testing.workspace import APPROVER, BOT_TOKEN, SIGNING_SECRET
from tools.client.clients import ExtendClient


class SlackStack:
    """The app served over HTTP on the mock Slack and the emulator; a context manager."""

    def __init__(
        self,
        slack: SlackMock,
        extend: ExtendClient,
        data_dir: Path,
        *,
        model: BaseChatModel | None = None,
        approvers: str = APPROVER,
        streaming: bool = True,
        workers: int = 8,
        clock: Callable[[], float] = time.time,
        approval_ttl_seconds: float = DEFAULT_APPROVAL_TTL_SECONDS,
        http_limits: dict[str, Any] | None = None,
        database_url: str | None = None,
    ) -> None:
        from agent.offline.chat_model import OfflineChatModel

        self.slack = slack
        self.extend = extend
        self.data_dir = data_dir
        self.model = model or OfflineChatModel()
        self.clock = clock
        self.http_limits = http_limits or {}
        self.database_url = database_url
        self.settings = SlackSettings(
            bot_token=BOT_TOKEN,
            signing_secret=SIGNING_SECRET,
            api_url=slack.url,
            approver_ids_text=approvers,
            streaming=streaming,
            workers=workers,
            approval_ttl_seconds=approval_ttl_seconds,
        )
        self._exit = ExitStack()

    def __enter__(self) -> SlackStack:
        stack = self._exit
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if self.database_url is None:
            self.session: AgentSession = stack.enter_context(
                agent_session(self.extend, self.model, self.data_dir / "conversations.sqlite3")
            )
            self.state = stack.enter_context(
                SlackState.in_data_dir(self.data_dir, clock=self.clock)
            )
        else:
            self.session = stack.enter_context(
                postgres_agent_session(self.extend, self.model, self.database_url)
            )
            self.state = stack.enter_context(
                SlackState.open_postgres(self.database_url, clock=self.clock)
            )
        self.feedback = FeedbackStore(self.state.work_connection)
        self.executor = ThreadPoolExecutor(
            self.settings.work_pool_size(), thread_name_prefix="test-work"
        )
        stack.callback(self.executor.shutdown, wait=True)
        self.app = build_app(
            self.settings,
            self.session,
            self.session.run_tools,
            make_web_client(self.settings),
            state=self.state,
            feedback=self.feedback,
            executor=self.executor,
        )
        self.base_url = stack.enter_context(
            serve_in_thread(create_asgi_app(self.app), **self.http_limits)
        )
        self.sender = SlackSender(self.base_url + EVENTS_PATH)
        stack.callback(self.sender.close)
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._exit.close()


# -- reading what the app posted ------------------------------------------------------------


@dataclass
class Proposal:
    """A change-for-approval message the app posted."""

    approval_id: str
    channel: str
    message_ts: str
    thread_ts: str | None
    call: Any


def proposals(slack: SlackMock, channel: str | None = None) -> list[Proposal]:
    """Every message with Approve / Cancel buttons, in the order posted."""
    found = []
    for call in slack.posts(channel):
        for block in call.args.get("blocks") or []:
            block_id = str(block.get("block_id") or "")
            if block.get("type") == "actions" and block_id.startswith("approval:"):
                found.append(
                    Proposal(
                        approval_id=block_id.removeprefix("approval:"),
                        channel=call.args["channel"],
                        message_ts=call.args["_ts"],
                        thread_ts=call.args.get("thread_ts"),
                        call=call,
                    )
                )
    return found


def updates_of(slack: SlackMock, message_ts: str) -> list[Any]:
    """``chat.update`` calls on one message."""
    return [c for c in slack.calls("chat.update") if c.args.get("ts") == message_ts]


def outcome_of(slack: SlackMock, proposal: Proposal) -> str:
    """The blocks (as JSON text) the proposal was updated to once decided; waits for it."""
    [update] = slack.wait_for(lambda s: updates_of(s, proposal.message_ts), what="chat.update")
    return json.dumps(update.args["blocks"], ensure_ascii=False)


class ShiftableClock:
    """Wall-clock time plus an offset a test moves forward (``shift``), for expiry tests."""

    def __init__(self) -> None:
        self.offset = 0.0

    def __call__(self) -> float:
        return time.time() + self.offset

    def shift(self, seconds: float) -> None:
        self.offset += seconds


def click(
    stack: SlackStack, proposal: Proposal, *, user: str, approve: bool = True
) -> httpx.Response:
    """Click Approve (or Cancel) on ``proposal`` as ``user``."""
    from slack_app.change_view import APPROVE_ACTION, CANCEL_ACTION

    payload = block_action(
        APPROVE_ACTION if approve else CANCEL_ACTION,
        proposal.approval_id,
        user=user,
        channel=proposal.channel,
        message_ts=proposal.message_ts,
        thread_ts=proposal.thread_ts,
        response_url=stack.slack.response_url(f"click-{proposal.approval_id}"),
    )
    return stack.sender.click(payload)
