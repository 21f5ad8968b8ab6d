"""A loopback HTTP server that misbehaves on purpose, to test the client's defences.

Each request is answered by the current ``Behaviour``: a scripted status, headers
and body, optionally sent slowly (``trickle``: one chunk per ``interval`` seconds,
headers included when ``trickle_headers``), optionally echoing the request's
``Authorization`` header into the body (``{auth}`` in the body is replaced), and
optionally advertising a size without sending it. The server records how many
requests it received and the headers of the last one, so tests can check that
the client gave up, retried or never retried.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["Behaviour", "HostileServer", "deeply_nested", "extract_output", "run_payload"]


@dataclass
class Behaviour:
    """What the server answers with; change ``HostileServer.behaviour`` between calls."""

    status: int = 200
    body: bytes = b"{}"
    headers: dict[str, str] = field(default_factory=dict)
    trickle: bool = False
    trickle_headers: bool = False
    interval: float = 1.0
    chunk: int = 1
    content_length: int | None = None
    """Advertised length; ``None`` sends the real one, ``-1`` sends none (read to close)."""
    echo_auth: bool = False


def run_payload(run_id: str, **extra: Any) -> bytes:
    """A minimal valid 2024-12-23 answer for ``run_id`` (``extra`` merged into the run)."""
    run = {"id": run_id, "status": "PROCESSED", "outputs": [], **extra}
    return json.dumps({"success": True, "workflowRun": run}).encode()


def extract_output(output: dict[str, Any]) -> dict[str, Any]:
    """A processed 2024-12-23 EXTRACT entry of ``outputs[]`` whose output is ``output``."""
    return {
        "object": "document_processor_run",
        "id": "dpr_1",
        "type": "EXTRACT",
        "status": "PROCESSED",
        "edited": False,
        "output": output,
    }


def deeply_nested(levels: int) -> bytes:
    """``{"a":[[[...]]]}``: valid JSON nested ``levels`` deep."""
    return b'{"a":' + b"[" * levels + b"]" * levels + b"}"


class HostileServer:
    """Threaded loopback server; use as a context manager. ``url`` is its base URL."""

    def __init__(self, behaviour: Behaviour | None = None) -> None:
        self.behaviour = behaviour or Behaviour()
        self.hits = 0
        self.last_headers: dict[str, str] = {}
        self._stop = threading.Event()
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                self.rfile.read(length)
                owner.hits += 1
                owner.last_headers = dict(self.headers.items())
                b = owner.behaviour
                body = b.body
                if b.echo_auth:
                    auth = json.dumps(self.headers.get("Authorization", ""))[1:-1]
                    body = body.replace(b"{auth}", auth.encode())
                head = [f"HTTP/1.1 {b.status} Scripted\r\n", "Content-Type: application/json\r\n"]
                if b.content_length is None:
                    head.append(f"Content-Length: {len(body)}\r\n")
                elif b.content_length >= 0:
                    head.append(f"Content-Length: {b.content_length}\r\n")
                else:
                    head.append("Connection: close\r\n")
                head += [f"{k}: {v}\r\n" for k, v in b.headers.items()]
                head.append("\r\n")
                try:
                    owner._send(self.wfile, "".join(head).encode(), slow=b.trickle_headers)
                    owner._send(self.wfile, body, slow=b.trickle)
                except (BrokenPipeError, ConnectionResetError, OSError):
                    pass
                if b.content_length == -1 or b.trickle or b.trickle_headers:
                    self.close_connection = True

            do_GET = do_POST = _answer

            def log_message(self, *args: Any) -> None:
                pass

        self.server = _QuietServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def _send(self, wfile: Any, data: bytes, *, slow: bool) -> None:
        if not slow:
            wfile.write(data)
            wfile.flush()
            return
        for piece in _pieces(data, self.behaviour.chunk):
            if self._stop.is_set():
                return
            wfile.write(piece)
            wfile.flush()
            time.sleep(self.behaviour.interval)

    def close(self) -> None:
        self._stop.set()
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> HostileServer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _QuietServer(ThreadingHTTPServer):
    """Clients hanging up mid-answer is the point here: no traceback on stderr for it."""

    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass


def _pieces(data: bytes, size: int) -> Iterator[bytes]:
    for start in range(0, len(data), size):
        yield data[start : start + size]


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port
