"""A scripted OpenAI-compatible chat-completions server on loopback, for tests.

Tests must not fake what can be real: the ``openai`` SDK and ``ChatOpenAI`` talk to
this server over real HTTP, so request encoding, tool schemas, streaming (SSE) and
tool-call deltas are exercised exactly as against OpenAI. The server answers from
a queue of scripted replies and records every request body.

Usage::

    from tests.support.openai_server import ScriptedOpenAI, tool_call

    with ScriptedOpenAI() as server:
        server.add_tool_calls(tool_call("get_run", {"run_id": "workflow_run_1234"}))
        server.add_text("The total is 15,735.10 USD (page 1).")
        client = OpenAI(base_url=server.base_url, api_key="test")  # base_url ends in /v1
        ...
        assert server.requests[0]["tools"][0]["function"]["name"] == "get_run"

    # ChatOpenAI: ChatOpenAI(model="gpt-4.1-mini", base_url=server.base_url, api_key="test")

Replies are served in order, one per ``POST /v1/chat/completions``; with
``"stream": true`` in the request the same reply is sent as SSE chunks (content
in pieces, tool-call deltas with the arguments split, a finish chunk, a usage
chunk when ``stream_options.include_usage`` is set, then ``data: [DONE]``).
A reply may also be a callable ``(request_body) -> Reply`` to answer from what
was sent, or ``Reply(error_status=429, ...)`` to answer with an OpenAI-style
error. When the queue is empty the server answers 400 with a message naming the
problem (400 so the SDK does not retry) and records it in ``server.unscripted``.
``GET /v1/models`` lists the one model name.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["Reply", "ScriptedOpenAI", "ScriptedToolCall", "text", "tool_call"]

_ids = itertools.count(1)


@dataclass
class ScriptedToolCall:
    """One function call the scripted model makes; ``arguments`` is a dict or raw JSON text."""

    name: str
    arguments: dict[str, Any] | str = field(default_factory=dict)
    id: str = field(default_factory=lambda: f"call_{next(_ids)}")

    @property
    def arguments_json(self) -> str:
        if isinstance(self.arguments, str):
            return self.arguments
        return json.dumps(self.arguments)


@dataclass
class Reply:
    """One scripted assistant turn: text, tool calls, both, or an HTTP error."""

    content: str | None = None
    tool_calls: list[ScriptedToolCall] = field(default_factory=list)
    error_status: int | None = None
    error_message: str = "scripted error"
    error_type: str = "invalid_request_error"
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def finish_reason(self) -> str:
        return "tool_calls" if self.tool_calls else "stop"


ReplySource = Reply | Callable[[dict[str, Any]], Reply]


def text(content: str) -> Reply:
    """A plain assistant answer."""
    return Reply(content=content)


def tool_call(name: str, arguments: dict[str, Any] | str | None = None, **kw: Any) -> Reply:
    """An assistant turn making one tool call (``id=`` may be given)."""
    return Reply(tool_calls=[ScriptedToolCall(name, arguments or {}, **kw)])


class ScriptedOpenAI:
    """The server; a context manager. ``requests`` holds every chat request body, in order."""

    def __init__(
        self,
        replies: list[ReplySource] | None = None,
        *,
        model: str = "scripted-model",
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.model = model
        self.requests: list[dict[str, Any]] = []
        self.unscripted: list[dict[str, Any]] = []
        self._replies: deque[ReplySource] = deque(replies or [])
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer((host, port), _handler_for(self))
        self._httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    # -- scripting ---------------------------------------------------------------

    def add(self, *replies: ReplySource) -> ScriptedOpenAI:
        with self._lock:
            self._replies.extend(replies)
        return self

    def add_text(self, content: str) -> ScriptedOpenAI:
        return self.add(text(content))

    def add_tool_calls(self, *replies_or_calls: Reply | ScriptedToolCall) -> ScriptedOpenAI:
        """Queue ONE assistant turn holding all the given tool calls (parallel calls)."""
        calls: list[ScriptedToolCall] = []
        for item in replies_or_calls:
            calls.extend(item.tool_calls if isinstance(item, Reply) else [item])
        return self.add(Reply(tool_calls=calls))

    @property
    def pending(self) -> int:
        """Scripted replies not yet served."""
        with self._lock:
            return len(self._replies)

    # -- lifecycle ---------------------------------------------------------------

    @property
    def base_url(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"http://{host}:{port}/v1"

    def start(self) -> ScriptedOpenAI:
        if self._thread is None:
            self._thread = threading.Thread(
                target=self._httpd.serve_forever, name="scripted-openai", daemon=True
            )
            self._thread.start()
        return self

    def stop(self) -> None:
        if self._thread is not None:
            self._httpd.shutdown()
            self._thread.join(timeout=5)
            self._thread = None
        self._httpd.server_close()

    def __enter__(self) -> ScriptedOpenAI:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # -- serving -----------------------------------------------------------------

    def _next_reply(self, body: dict[str, Any]) -> Reply | None:
        with self._lock:
            self.requests.append(body)
            source = self._replies.popleft() if self._replies else None
        if source is None:
            self.unscripted.append(body)
            return None
        return source(body) if callable(source) else source

    def completion(self, reply: Reply) -> dict[str, Any]:
        message: dict[str, Any] = {"role": "assistant", "content": reply.content}
        if reply.tool_calls:
            message["tool_calls"] = [
                {
                    "id": call.id,
                    "type": "function",
                    "function": {"name": call.name, "arguments": call.arguments_json},
                }
                for call in reply.tool_calls
            ]
        return {
            "id": f"chatcmpl-{next(_ids)}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": self.model,
            "choices": [
                {
                    "index": 0,
                    "message": message,
                    "finish_reason": reply.finish_reason,
                    "logprobs": None,
                }
            ],
            "usage": _usage(reply),
        }

    def chunks(self, reply: Reply, include_usage: bool) -> Iterator[dict[str, Any]]:
        base = {
            "id": f"chatcmpl-{next(_ids)}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": self.model,
        }

        def chunk(delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
            choice = {"index": 0, "delta": delta, "finish_reason": finish, "logprobs": None}
            return {**base, "choices": [choice]}

        yield chunk({"role": "assistant", "content": "" if reply.content else None})
        for piece in _pieces(reply.content or ""):
            yield chunk({"content": piece})
        for index, call in enumerate(reply.tool_calls):
            head = {"id": call.id, "type": "function"}
            yield chunk(
                {
                    "tool_calls": [
                        {"index": index, **head, "function": {"name": call.name, "arguments": ""}}
                    ]
                }
            )
            for piece in _pieces(call.arguments_json):
                yield chunk({"tool_calls": [{"index": index, "function": {"arguments": piece}}]})
        yield chunk({}, reply.finish_reason)
        if include_usage:
            yield {**base, "choices": [], "usage": _usage(reply)}


def _pieces(text_: str, size: int = 7) -> list[str]:
    return [text_[i : i + size] for i in range(0, len(text_), size)]


def _usage(reply: Reply) -> dict[str, int]:
    out = len((reply.content or "").split()) + sum(
        len(c.arguments_json) // 4 + 1 for c in reply.tool_calls
    )
    return {"prompt_tokens": 10, "completion_tokens": out, "total_tokens": 10 + out}


def _handler_for(server: ScriptedOpenAI) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:  # quiet test output
            return

        def do_GET(self) -> None:
            if self.path.rstrip("/") == "/v1/models":
                models = [{"id": server.model, "object": "model", "owned_by": "tests"}]
                self._json(200, {"object": "list", "data": models})
            else:
                self._error(404, f"no route GET {self.path}", "not_found")

        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            if self.path.rstrip("/") != "/v1/chat/completions":
                self._error(404, f"no route POST {self.path}", "not_found")
                return
            try:
                body = json.loads(raw or b"{}")
            except json.JSONDecodeError:
                self._error(400, "request body is not JSON", "invalid_request_error")
                return
            reply = server._next_reply(body)
            if reply is None:
                self._error(
                    400,
                    f"ScriptedOpenAI: no scripted reply left for request #{len(server.requests)}",
                    "invalid_request_error",
                )
            elif reply.error_status is not None:
                self._error(
                    reply.error_status, reply.error_message, reply.error_type, reply.headers
                )
            elif body.get("stream"):
                options = body.get("stream_options") or {}
                self._stream(server.chunks(reply, bool(options.get("include_usage"))))
            else:
                self._json(200, server.completion(reply), reply.headers)

        def _json(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
            data = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("content-type", "application/json")
            self.send_header("content-length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)

        def _error(
            self, status: int, message: str, kind: str, headers: dict[str, str] | None = None
        ) -> None:
            error = {"message": message, "type": kind, "param": None, "code": None}
            self._json(status, {"error": error}, headers)

        def _stream(self, chunks: Iterator[dict[str, Any]]) -> None:
            self.send_response(200)
            self.send_header("content-type", "text/event-stream")
            self.send_header("cache-control", "no-cache")
            self.send_header("connection", "close")
            self.end_headers()
            for payload in chunks:
                self.wfile.write(f"data: {json.dumps(payload)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")
            self.wfile.flush()
            self.close_connection = True

    return Handler
