"""A recording mock of the Slack Web API on loopback, for your tests and benchmarks.

The app's real ``WebClient`` talks to it over HTTP (``SLACK_API_URL`` =
``mock.url``), so request encoding (JSON or form), tokens, retries on 429 and
error responses are exercised as against Slack. Every call is recorded with its
arguments and the time it arrived; tests wait on the record with a deadline
(``wait_for``) instead of sleeping.

Methods answered: ``auth.test``, ``chat.postMessage``, ``chat.update``,
``chat.postEphemeral``, ``chat.startStream`` / ``appendStream`` / ``stopStream``,
``assistant.threads.setStatus`` / ``setSuggestedPrompts`` / ``setTitle``,
``conversations.replies``, ``users.info``, ``views.publish`` (a Home tab view of at
most 100 blocks) and ``files.*``; anything else gets
``{"ok": false, "error": "unknown_method"}``. ``POST /respond/<name>`` stands in
for a slash command's or button's ``response_url`` (recorded as method
``response_url``). ``fail(method, error)`` and ``rate_limit(method)`` make the
next calls of a method fail the way Slack does.

File uploads work as ``WebClient.files_upload_v2`` makes them, in three steps:
``files.getUploadURLExternal`` (filename, length, alt text; answers an upload URL
on this mock), a raw ``POST`` of the bytes to that URL, then
``files.completeUploadExternal`` (file ids and titles, channel, thread). Each
completed upload is recorded as a ``SlackUpload`` (``uploads()``); a length that
does not match the bytes, alt text over 1000 characters, or completing a file
whose bytes never came answers an error as Slack does.

Slack's message limits are enforced as Slack does, on every message-carrying call
(``chat.postMessage``, ``chat.update``, ``chat.postEphemeral``, response URLs):
``msg_too_long`` for text over 40,000 characters, ``invalid_blocks`` for more than
50 blocks, a section text over 3000, a header over 150, a button text over 75, a
confirm dialog's text over 300, a select with over 100 options or an option's text
over 75 or value over 150 (``limit_problem`` says which). A rejected call is
recorded with its error, so a test waiting for a post sees nothing arrive.

The record's types (``SlackCall``, ``SlackUpload``) are in ``records``, the
message limits in ``message_limits``, the workspace's ids in ``workspace``.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeVar
from urllib.parse import parse_qsl

from slack_app.testing.message_limits import limit_problem
from slack_app.testing.records import SlackCall, SlackUpload, is_answer_post
from slack_app.testing.workspace import BOT_ID, BOT_USER_ID, TEAM_ID

MESSAGE_METHODS = frozenset(
    {"chat.postMessage", "chat.update", "chat.postEphemeral", "response_url"}
)
MAX_ALT_TEXT = 1000
T = TypeVar("T")


@dataclass
class _Fault:
    error: str | None = None
    status: int = 200
    retry_after: int | None = None


class SlackMock:
    """The mock Web API server; ``with SlackMock() as slack: ...``."""

    def __init__(self) -> None:
        self._calls: list[SlackCall] = []
        self._lock = threading.Lock()
        self._faults: dict[str, deque[_Fault]] = {}
        self._ts = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._pending_files: dict[str, dict[str, Any]] = {}
        self._uploads: list[SlackUpload] = []
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> SlackMock:
        server = _Server(("127.0.0.1", 0), _handler_for(self))
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, args=(0.05,), name="slack-mock", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> SlackMock:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def origin(self) -> str:
        assert self._server is not None, "start() the mock first"
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def url(self) -> str:
        """The Web API base URL (``SLACK_API_URL``)."""
        return f"{self.origin}/api/"

    def response_url(self, name: str) -> str:
        return f"{self.origin}/respond/{name}"

    # -- what the app did --------------------------------------------------------------

    def calls(self, method: str | None = None, *, failed: bool = False) -> list[SlackCall]:
        """Calls the mock answered with ``ok`` (or, with ``failed=True``, every call)."""
        with self._lock:
            return [
                c
                for c in self._calls
                if (method is None or c.method == method) and (failed or c.error is None)
            ]

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()
            self._uploads.clear()

    def uploads(
        self, channel: str | None = None, thread_ts: str | None = None
    ) -> list[SlackUpload]:
        """Files shared (upload completed), optionally in one channel / thread, in order."""
        with self._lock:
            return [
                u
                for u in self._uploads
                if (channel is None or u.channel == channel)
                and (thread_ts is None or u.thread_ts == thread_ts)
            ]

    def wait_for(
        self, check: Callable[[SlackMock], T], *, timeout: float = 15.0, what: str = ""
    ) -> T:
        """Poll ``check(self)`` until it returns something truthy; fail after ``timeout``."""
        deadline = time.monotonic() + timeout
        while True:
            result = check(self)
            if result:
                return result
            if time.monotonic() > deadline:
                methods = [c.method for c in self.calls(failed=True)]
                raise AssertionError(f"timed out waiting for {what or check}; calls: {methods}")
            time.sleep(0.01)

    def posts(self, channel: str | None = None, thread_ts: str | None = None) -> list[SlackCall]:
        """``chat.postMessage`` calls, optionally in one channel / thread."""
        return [
            c
            for c in self.calls("chat.postMessage")
            if (channel is None or c.args.get("channel") == channel)
            and (thread_ts is None or c.args.get("thread_ts") == thread_ts)
        ]

    def streams(self) -> dict[str, dict[str, Any]]:
        """Streamed messages by ts: channel, thread_ts, the text so far, and whether stopped."""
        streams: dict[str, dict[str, Any]] = {}
        for call in self.calls():
            if call.method == "chat.startStream":
                ts = call.args["_ts"]
                streams[ts] = {
                    "channel": call.args.get("channel"),
                    "thread_ts": call.args.get("thread_ts"),
                    "text": _stream_text(call.args),
                    "stopped": False,
                    "at": call.at,
                    "recipient_user_id": call.args.get("recipient_user_id"),
                    "recipient_team_id": call.args.get("recipient_team_id"),
                }
            elif call.method in ("chat.appendStream", "chat.stopStream"):
                stream = streams.get(str(call.args.get("ts")))
                if stream is not None:
                    stream["text"] += _stream_text(call.args)
                    stream["stopped"] |= call.method == "chat.stopStream"
                    stream["at"] = call.at
        return streams

    def answers(self, channel: str | None = None, thread_ts: str | None = None) -> list[str]:
        """Answers in a thread, in order: finished streams and posted answers (``answer_posts``)."""
        found: list[tuple[float, str]] = []
        for stream in self.streams().values():
            if stream["stopped"] and _matches(stream, channel, thread_ts):
                found.append((stream["at"], stream["text"]))
        for call in self.answer_posts(channel, thread_ts):
            found.append((call.at, str(call.args.get("text") or "")))
        return [text for _, text in sorted(found)]

    def answer_posts(
        self, channel: str | None = None, thread_ts: str | None = None
    ) -> list[SlackCall]:
        """Posted (not streamed) answers: plain-text posts, or posts whose blocks are the
        answer's text with feedback buttons under it (not cards, proposals or alerts)."""
        return [c for c in self.posts(channel, thread_ts) if is_answer_post(c.args)]

    def all_text(self) -> str:
        """Everything any call would have shown anyone, joined (for "never shown" checks)."""
        return "\n".join(t for c in self.calls() for t in c.texts)

    # -- faults ------------------------------------------------------------------------

    def fail(self, method: str, error: str = "internal_error", *, times: int = 1) -> None:
        """The next ``times`` calls of ``method`` answer ``{"ok": false, "error": error}``."""
        with self._lock:
            self._faults.setdefault(method, deque()).extend(_Fault(error) for _ in range(times))

    def rate_limit(self, method: str, *, times: int = 1, retry_after: int = 0) -> None:
        """The next ``times`` calls of ``method`` answer 429 with ``Retry-After``."""
        fault = _Fault("ratelimited", status=429, retry_after=retry_after)
        with self._lock:
            self._faults.setdefault(method, deque()).extend(fault for _ in range(times))

    # -- serving -------------------------------------------------------------------------

    def _handle(self, path: str, args: dict[str, Any], token: str | None) -> tuple[int, dict, dict]:
        method = path.removeprefix("/api/") if path.startswith("/api/") else "response_url"
        call = SlackCall(method=method, args=args, token=token, path=path)
        with self._lock:
            queue = self._faults.get(method)
            fault = queue.popleft() if queue else None
            problem = limit_problem(args) if method in MESSAGE_METHODS else None
            if fault is None and problem is not None:
                fault = _Fault(problem.split(":")[0])
                call.limit_problem = problem
            if fault is not None:
                call.error = fault.error
            else:
                reply = self._reply(method, args)
                if "ts" in reply and method in ("chat.postMessage", "chat.startStream"):
                    args["_ts"] = reply["ts"]
            self._calls.append(call)
        if fault is not None:
            headers = (
                {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            )
            return fault.status, {"ok": False, "error": fault.error}, headers
        return 200, reply, {}

    def _reply(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        channel = args.get("channel") or args.get("channel_id")
        if method == "auth.test":
            return {
                "ok": True,
                "url": "https://test.slack.com/",
                "team": "Test",
                "user": "extend",
                "team_id": TEAM_ID,
                "user_id": BOT_USER_ID,
                "bot_id": BOT_ID,
            }
        if method in ("chat.postMessage", "chat.startStream"):
            ts = f"{1_700_000_000 + next(self._ts)}.000100"
            message = {"type": "message", "text": args.get("text", ""), "ts": ts, "bot_id": BOT_ID}
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method in ("chat.update", "chat.appendStream", "chat.stopStream"):
            return {"ok": True, "channel": channel, "ts": args.get("ts")}
        if method == "chat.postEphemeral":
            return {"ok": True, "message_ts": f"{1_700_000_000 + next(self._ts)}.000200"}
        if method.startswith("assistant.threads.") or method == "response_url":
            return {"ok": True}
        if method == "conversations.replies":
            return {"ok": True, "messages": [], "has_more": False}
        if method == "users.info":
            return {"ok": True, "user": {"id": args.get("user"), "name": "someone"}}
        if method == "files.getUploadURLExternal":
            return self._upload_url(args)
        if method == "files.completeUploadExternal":
            return self._complete_upload(args, channel)
        if method.startswith("files."):
            return {"ok": True, "files": [], "file": {"id": "F000001"}}
        if method == "views.publish":
            view = args.get("view")
            view = json.loads(view) if isinstance(view, str) else view
            if not isinstance(view, dict) or view.get("type") != "home" or not args.get("user_id"):
                return {"ok": False, "error": "invalid_arguments"}
            if len(view.get("blocks") or []) > 100:
                return {"ok": False, "error": "invalid_blocks"}
            return {"ok": True, "view": {"id": "V0HOME0001", **view}}
        return {"ok": False, "error": "unknown_method"}

    def _upload_url(self, args: dict[str, Any]) -> dict[str, Any]:
        filename = str(args.get("filename") or "")
        alt_text = args.get("alt_txt")
        try:
            length = int(args.get("length") or 0)
        except (TypeError, ValueError):
            length = 0
        if not filename or length <= 0:
            return {"ok": False, "error": "invalid_arguments"}
        if isinstance(alt_text, str) and len(alt_text) > MAX_ALT_TEXT:
            return {"ok": False, "error": "invalid_arguments"}
        file_id = f"F{next(self._file_ids):08d}"
        self._pending_files[file_id] = {
            "filename": filename,
            "length": length,
            "alt_text": alt_text,
            "data": None,
        }
        return {"ok": True, "file_id": file_id, "upload_url": f"{self.origin}/upload/{file_id}"}

    def _receive_file(self, file_id: str, data: bytes) -> tuple[int, str]:
        """The raw upload to the URL ``files.getUploadURLExternal`` gave (Slack answers text)."""
        with self._lock:
            pending = self._pending_files.get(file_id)
            if pending is None:
                return 404, "not found"
            if len(data) != pending["length"]:
                return 400, "length mismatch"
            pending["data"] = data  # not a Web API call: no token, not in ``calls()``
        return 200, f"OK - {len(data)}"

    def _complete_upload(self, args: dict[str, Any], channel: str | None) -> dict[str, Any]:
        files = args.get("files")
        if not isinstance(files, list) or not files:
            return {"ok": False, "error": "invalid_arguments"}
        shared = []
        for item in files:
            pending = self._pending_files.get(str((item or {}).get("id")))
            if pending is None or pending["data"] is None:
                return {"ok": False, "error": "file_not_found"}
            shared.append((str(item["id"]), item.get("title"), pending))
        thread_ts = args.get("thread_ts") or None
        for file_id, title, pending in shared:
            del self._pending_files[file_id]
            self._uploads.append(
                SlackUpload(
                    file_id=file_id,
                    channel=channel,
                    thread_ts=thread_ts,
                    filename=pending["filename"],
                    title=title,
                    alt_text=pending["alt_text"],
                    data=pending["data"],
                    initial_comment=args.get("initial_comment") or None,
                )
            )
        return {"ok": True, "files": [{"id": f, "title": t} for f, t, _ in shared]}


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # a burst of app calls must queue, not be reset


def _handler_for(mock: SlackMock) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if self.path.startswith("/upload/"):  # a file's bytes, as files_upload_v2 sends them
                status, text = mock._receive_file(self.path.removeprefix("/upload/"), raw)
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            args = _parse(raw, self.headers.get("Content-Type") or "")
            auth = self.headers.get("Authorization") or ""
            token = auth.removeprefix("Bearer ").strip() or args.pop("token", None)
            status, body, headers = mock._handle(self.path.split("?")[0], args, token)
            self._send(status, body, headers)

        do_GET = do_POST

        def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str]) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)

    return Handler


def _parse(raw: bytes, content_type: str) -> dict[str, Any]:
    text = raw.decode("utf-8", errors="replace")
    if "json" in content_type:
        value = json.loads(text or "{}")
        return value if isinstance(value, dict) else {"_body": value}
    args: dict[str, Any] = {}
    for key, value in parse_qsl(text, keep_blank_values=True):
        if value[:1] in ("[", "{"):
            try:
                args[key] = json.loads(value)
                continue
            except ValueError:
                pass
        args[key] = value
    return args


def _stream_text(args: dict[str, Any]) -> str:
    text = str(args.get("markdown_text") or "")
    for chunk in args.get("chunks") or []:
        if isinstance(chunk, dict) and chunk.get("type") == "markdown_text":
            text += str(chunk.get("text") or "")
    return text


def _matches(stream: dict[str, Any], channel: str | None, thread_ts: str | None) -> bool:
    return (channel is None or stream["channel"] == channel) and (
        thread_ts is None or stream["thread_ts"] == thread_ts
    )
