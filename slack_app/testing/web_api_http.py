"""The Slack mock's HTTP side: a threaded loopback server, and a handler reading requests.

A Web API call (``/api/<method>``, or ``/respond/<name>`` for a response URL) is
decoded from JSON or form (form values holding JSON, like ``blocks``, are
parsed), its token taken from ``Authorization: Bearer`` or the ``token``
argument, and handed to ``answer_call``, whose status, JSON body and headers go
back. A ``POST`` to ``/upload/<file id>`` is a file's raw bytes (the second step
of ``files_upload_v2``) and goes to ``receive_file``, answered as text. What a
call means and what it answers is ``web_api``'s business, not this module's.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, TypeAlias
from urllib.parse import parse_qsl

# (path, args, token) -> (status, JSON body, extra headers)
AnswerCall: TypeAlias = Callable[
    [str, dict[str, Any], str | None], tuple[int, dict[str, Any], dict[str, str]]
]
# (file id, bytes) -> (status, text)
ReceiveFile: TypeAlias = Callable[[str, bytes], tuple[int, str]]


class WebApiServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # a burst of app calls must queue, not be reset


def handler_for(answer_call: AnswerCall, receive_file: ReceiveFile) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            pass

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if self.path.startswith("/upload/"):  # a file's bytes, as files_upload_v2 sends them
                status, text = receive_file(self.path.removeprefix("/upload/"), raw)
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
                return
            args = parse_body(raw, self.headers.get("Content-Type") or "")
            auth = self.headers.get("Authorization") or ""
            token = auth.removeprefix("Bearer ").strip() or args.pop("token", None)
            status, body, headers = answer_call(self.path.split("?")[0], args, token)
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


def parse_body(raw: bytes, content_type: str) -> dict[str, Any]:
    """A request's arguments, from a JSON body or a form whose JSON-looking values are parsed."""
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
