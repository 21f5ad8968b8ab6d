"""The Slack app running for real on loopback, and Slack's side of the conversation.

``SlackStack`` wires what production wires: the app built by ``build_app`` with a
real ``WebClient`` on the recording ``SlackMock``, the agent session (offline
model unless told otherwise) on the Extend emulator, the SQLite state and
conversation files (or, given ``database_url``, both in PostgreSQL, as replicas
sharing a database run), served over HTTP by uvicorn in a thread. ``SlackSender``
plays Slack: it signs each request exactly as Slack does (HMAC-SHA256 over
``v0:{timestamp}:{body}``, headers ``X-Slack-Signature`` and
``X-Slack-Request-Timestamp``) and builds event, button and slash command
payloads.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import uvicorn
from langchain_core.language_models import BaseChatModel

from agent.session import AgentSession
from agent.testing import agent_session
from slack_app.app import build_app, make_web_client
from slack_app.feedback.store import FeedbackStore
from slack_app.http_limits import uvicorn_config
from slack_app.server import EVENTS_PATH, create_asgi_app
from slack_app.settings import DEFAULT_APPROVAL_TTL_SECONDS, SlackSettings
from slack_app.state.slack_state import SlackState
from tests.support.slack_mock import TEAM_ID, SlackMock
from tools.client.clients import ExtendClient

SIGNING_SECRET = "test-signing-secret-0123456789"
BOT_TOKEN = "xoxb-test-token"
CHANNEL = "C0CHANNEL1"
DM_CHANNEL = "D0DIRECT01"
ALICE = "U0ALICE01"
BOB = "U0BOB0001"
APPROVER = "U0APPROV1"

_ts_counter = itertools.count(1)


def new_ts() -> str:
    """A unique Slack message ts."""
    return f"{1_600_000_000 + next(_ts_counter)}.{uuid.uuid4().int % 1_000_000:06d}"


def signature_headers(
    body: str, *, secret: str = SIGNING_SECRET, timestamp: int | None = None
) -> dict[str, str]:
    """The headers Slack sends: ``v0=`` + hex HMAC-SHA256 of ``v0:{ts}:{body}``."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


# -- payloads ------------------------------------------------------------------------------


def mention(
    text: str,
    *,
    user: str = ALICE,
    channel: str = CHANNEL,
    ts: str | None = None,
    thread_ts: str | None = None,
) -> dict[str, Any]:
    event = {
        "type": "app_mention",
        "user": user,
        "text": f"<@UBOT00001> {text}",
        "ts": ts or new_ts(),
        "channel": channel,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def message(
    text: str,
    *,
    user: str = ALICE,
    channel: str = CHANNEL,
    ts: str | None = None,
    thread_ts: str | None = None,
    channel_type: str = "channel",
) -> dict[str, Any]:
    event = {
        "type": "message",
        "user": user,
        "text": text,
        "ts": ts or new_ts(),
        "channel": channel,
        "channel_type": channel_type,
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
    return event


def event_envelope(event: dict[str, Any], *, event_id: str | None = None) -> dict[str, Any]:
    return {
        "token": "unused",
        "team_id": TEAM_ID,
        "api_app_id": "A0APP0001",
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev{uuid.uuid4().hex[:12].upper()}",
        "event_time": int(time.time()),
        "authorizations": [{"team_id": TEAM_ID, "user_id": "UBOT00001", "is_bot": True}],
    }


def block_action(
    action_id: str,
    value: str,
    *,
    user: str,
    channel: str,
    message_ts: str,
    response_url: str,
    thread_ts: str | None = None,
) -> dict[str, Any]:
    container = {"type": "message", "message_ts": message_ts, "channel_id": channel}
    if thread_ts:
        container["thread_ts"] = thread_ts
    return {
        "type": "block_actions",
        "team": {"id": TEAM_ID},
        "user": {"id": user, "team_id": TEAM_ID},
        "api_app_id": "A0APP0001",
        "container": container,
        "channel": {"id": channel},
        "message": {"ts": message_ts, "type": "message"},
        "response_url": response_url,
        "trigger_id": "1.2.3",
        "actions": [
            {
                "type": "button",
                "action_id": action_id,
                "value": value,
                "block_id": f"approval:{value}",
                "action_ts": str(time.time()),
            }
        ],
    }


@dataclass
class SlackSender:
    """Sends signed requests to the app, as Slack would."""

    url: str
    secret: str = SIGNING_SECRET

    def __post_init__(self) -> None:
        self.http = httpx.Client(timeout=30.0, trust_env=False)

    def close(self) -> None:
        self.http.close()

    def post(
        self,
        body: str,
        content_type: str,
        *,
        headers: dict[str, str] | None = None,
        secret: str | None = None,
        timestamp: int | None = None,
    ) -> httpx.Response:
        signed = signature_headers(body, secret=secret or self.secret, timestamp=timestamp)
        all_headers = {"Content-Type": content_type, **signed, **(headers or {})}
        return self.http.post(self.url, content=body.encode(), headers=all_headers)

    def event(
        self,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        **options: Any,
    ) -> httpx.Response:
        body = json.dumps(event_envelope(event, event_id=event_id))
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": "http_timeout"}
        return self.post(body, "application/json", headers=headers, **options)

    def envelope(self, envelope: dict[str, Any], *, retry_num: int | None = None) -> httpx.Response:
        headers = {"X-Slack-Retry-Num": str(retry_num)} if retry_num is not None else {}
        return self.post(json.dumps(envelope), "application/json", headers=headers)

    def click(self, payload: dict[str, Any]) -> httpx.Response:
        body = urlencode({"payload": json.dumps(payload)})
        return self.post(body, "application/x-www-form-urlencoded")

    def command(
        self, text: str, *, user: str = ALICE, channel: str = CHANNEL, response_url: str
    ) -> httpx.Response:
        form = {
            "token": "unused",
            "team_id": TEAM_ID,
            "channel_id": channel,
            "user_id": user,
            "command": "/extend",
            "text": text,
            "response_url": response_url,
            "trigger_id": f"{next(_ts_counter)}.{uuid.uuid4().hex[:12]}",  # unique, as Slack's
            "api_app_id": "A0APP0001",
        }
        return self.post(urlencode(form), "application/x-www-form-urlencoded")


# -- running the app -------------------------------------------------------------------------


@contextmanager
def serve_in_thread(asgi_app: Any, **limits: Any) -> Iterator[str]:
    """Serve ``asgi_app`` as production does (``uvicorn_config``, ``limits`` overriding its
    defaults) on a free loopback port; yields its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn_config(
        asgi_app,
        host="127.0.0.1",
        port=0,
        log_level="warning",
        lifespan="off",
        access_log=False,
        **limits,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@contextmanager
def postgres_agent_session(
    client: ExtendClient, model: BaseChatModel, database_url: str
) -> Iterator[AgentSession]:
    """``agent_session`` with its conversations in PostgreSQL (as ``EXTEND_AGENT_DATABASE_URL``)."""
    from agent.build import build_agent
    from agent.checkpoint import open_checkpointer
    from agent.settings import AgentSettings
    from tools.faces.langchain_tools import make_tools
    from tools.faces.run_tools import RunTools

    settings = AgentSettings.model_validate({"EXTEND_AGENT_DATABASE_URL": database_url})
    run_tools = RunTools(client)
    with open_checkpointer(settings) as checkpointer:
        agent = build_agent(model, make_tools(run_tools, approval="human"), checkpointer)
        yield AgentSession(agent, run_tools, model_description="test", extend_description="test")


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
        self.feedback = stack.enter_context(FeedbackStore.in_data_dir(self.data_dir))
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
