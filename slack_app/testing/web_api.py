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

This module checks each call (faults asked for, message limits) and records it.
The record and its queries (``calls()``, ``posts()``, ``streams()``, ``answers()``,
``uploads()``, ``wait_for``) are in ``call_log``, the answers to each method and
the uploads in flight in ``web_api_methods``, the HTTP server in
``web_api_http``. The record's types (``SlackCall``, ``SlackUpload``) are in
``records``, the message limits in ``message_limits``, the workspace's ids in
``workspace``.
"""

from __future__ import annotations

import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

from slack_app.testing.call_log import CallLog
from slack_app.testing.message_limits import limit_problem
from slack_app.testing.records import SlackCall, SlackUpload
from slack_app.testing.web_api_http import WebApiServer, handler_for
from slack_app.testing.web_api_methods import MAX_ALT_TEXT, WebApiMethods

__all__ = ["MAX_ALT_TEXT", "MESSAGE_METHODS", "SlackCall", "SlackMock", "SlackUpload"]

MESSAGE_METHODS = frozenset(
    {"chat.postMessage", "chat.update", "chat.postEphemeral", "response_url"}
)


@dataclass
class _Fault:
    error: str | None = None
    status: int = 200
    retry_after: int | None = None


class SlackMock(CallLog):
    """The mock Web API server; ``with SlackMock() as slack: ...``."""

    def __init__(self) -> None:
        super().__init__()
        self._faults: dict[str, deque[_Fault]] = {}
        self._methods = WebApiMethods(
            upload_url=lambda file_id: f"{self.origin}/upload/{file_id}",
            on_upload=lambda upload: self._uploads.append(upload),
        )
        self._server: WebApiServer | None = None
        self._thread: threading.Thread | None = None

    # -- lifecycle -------------------------------------------------------------------

    def start(self) -> SlackMock:
        server = WebApiServer(("127.0.0.1", 0), handler_for(self._handle, self._receive_file))
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

    def _handle(
        self, path: str, args: dict[str, Any], token: str | None
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
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
                reply = self._methods.reply(method, args)
                if "ts" in reply and method in ("chat.postMessage", "chat.startStream"):
                    args["_ts"] = reply["ts"]
            self._calls.append(call)
        if fault is not None:
            headers = (
                {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            )
            return fault.status, {"ok": False, "error": fault.error}, headers
        return 200, reply, {}

    def _receive_file(self, file_id: str, data: bytes) -> tuple[int, str]:
        """A file's raw bytes: not a Web API call, so no token and not in ``calls()``."""
        with self._lock:
            return self._methods.receive_file(file_id, data)
