"""What the Slack mock answers to each Web API method, once a call has passed its checks.

``WebApiMethods.reply`` gives Slack's answer for ``auth.test``, the ``chat.*``
methods it knows, ``assistant.threads.*``, ``conversations.replies``,
``users.info``, ``views.publish`` and ``files.*`` (``unknown_method`` for anything
else). It keeps what those answers depend on: the next message ts, and files on
their way through ``files.getUploadURLExternal``, the raw upload of their bytes
(``receive_file``) and ``files.completeUploadExternal``, which hands each shared
file to ``on_upload``. Faults and message limits are checked before, in
``web_api``. Not thread-safe: the mock calls it under its lock.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable
from typing import Any

from slack_app.testing.records import SlackUpload
from slack_app.testing.workspace import BOT_ID, BOT_USER_ID, TEAM_ID

MAX_ALT_TEXT = 1000


class WebApiMethods:
    """Slack's answers, given where file bytes go (``upload_url``) and where shared files go."""

    def __init__(
        self, *, upload_url: Callable[[str], str], on_upload: Callable[[SlackUpload], None]
    ) -> None:
        self._upload_url_for = upload_url
        self._on_upload = on_upload
        self._ts = itertools.count(1)
        self._file_ids = itertools.count(1)
        self._pending_files: dict[str, dict[str, Any]] = {}

    def reply(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
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

    def receive_file(self, file_id: str, data: bytes) -> tuple[int, str]:
        """The raw upload to the URL ``files.getUploadURLExternal`` gave (Slack answers text)."""
        pending = self._pending_files.get(file_id)
        if pending is None:
            return 404, "not found"
        if len(data) != pending["length"]:
            return 400, "length mismatch"
        pending["data"] = data
        return 200, f"OK - {len(data)}"

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
        return {"ok": True, "file_id": file_id, "upload_url": self._upload_url_for(file_id)}

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
            self._on_upload(
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
