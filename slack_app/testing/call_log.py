"""The Slack mock's record of what the app did, and the questions tests ask of it.

``CallLog`` keeps every Web API call (``SlackCall``) and every completed upload
(``SlackUpload``) in arrival order, behind one lock, and reads them back:
``calls()``, ``posts()``, ``streams()``, ``answers()`` / ``answer_posts()``,
``uploads()`` and ``all_text()``. ``wait_for`` polls such a question until it has
an answer, with a deadline, so tests never sleep. ``SlackMock`` (``web_api``) is a
``CallLog`` that also serves the calls it records.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any, Self, TypeVar

from slack_app.testing.records import SlackCall, SlackUpload, is_answer_post

T = TypeVar("T")


class CallLog:
    """Calls and uploads in arrival order; whoever records one holds ``_lock``."""

    def __init__(self) -> None:
        self._calls: list[SlackCall] = []
        self._uploads: list[SlackUpload] = []
        self._lock = threading.Lock()

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

    def wait_for(self, check: Callable[[Self], T], *, timeout: float = 15.0, what: str = "") -> T:
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
