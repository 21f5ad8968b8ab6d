"""The HTTP side: parse a request off the socket, write a ``Reply`` back (or drop it).

HTTP/1.1 with keep-alive and an exact ``Content-Length`` on every response, so
clients pool connections as they would against Extend. Bodies may come with a
``Content-Length`` or chunked. A bug in the emulator answers 500 in Extend's error
shape (and prints the traceback) instead of killing the connection.
"""

from __future__ import annotations

import sys
import traceback
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, urlsplit

from extend_emulator.api import Request
from extend_emulator.replies import ApiError, Reply, error_reply, new_request_id

if TYPE_CHECKING:
    from extend_emulator.server import EmulatorHTTPServer

MAX_BODY_BYTES = 10 * 1024 * 1024


class EmulatorHandler(BaseHTTPRequestHandler):
    """Serves every method through ``EmulatorApp.handle``."""

    protocol_version = "HTTP/1.1"
    server_version = "ExtendEmulator/1.0"
    sys_version = ""
    timeout = 120  # seconds an idle keep-alive connection is kept open
    disable_nagle_algorithm = True  # headers and body go out as separate writes
    server: EmulatorHTTPServer

    def setup(self) -> None:
        super().setup()
        self.server.track(self.connection)

    def finish(self) -> None:
        try:
            super().finish()
        finally:
            self.server.untrack(self.connection)

    def _serve(self) -> None:
        """Every method is answered here; the app's routes decide what each one may do."""
        request_id = new_request_id()
        try:
            body = self._read_body()
        except ApiError as error:
            self.close_connection = True
            self._write(error_reply(error, request_id))
            return
        split = urlsplit(self.path)
        request = Request(
            method=self.command,
            path=split.path or "/",
            query=parse_qs(split.query, keep_blank_values=True),
            headers={name.lower(): value for name, value in self.headers.items()},
            body=body,
            request_id=request_id,
        )
        try:
            reply = self.server.app.handle(request)
        except Exception:
            traceback.print_exc(file=sys.stderr)
            reply = error_reply(ApiError(500, "The emulator failed; see its log."), request_id)
        if reply.drop:
            self.close_connection = True
            return
        self._write(reply)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_OPTIONS = _serve

    def _read_body(self) -> bytes:
        if "chunked" in self.headers.get("Transfer-Encoding", "").lower():
            return self._read_chunked()
        length_text = self.headers.get("Content-Length")
        if not length_text:
            return b""
        try:
            length = int(length_text)
        except ValueError:
            length = -1
        if not 0 <= length <= MAX_BODY_BYTES:
            raise ApiError(400, f"Invalid Content-Length {length_text!r}.")
        return self.rfile.read(length)

    def _read_chunked(self) -> bytes:
        chunks: list[bytes] = []
        total = 0
        while True:
            size_line = self.rfile.readline(1024).split(b";", 1)[0].strip()
            try:
                size = int(size_line, 16)
            except ValueError as exc:
                raise ApiError(400, "Malformed chunked request body.") from exc
            if size == 0:
                while self.rfile.readline(1024).strip():  # trailers
                    pass
                return b"".join(chunks)
            total += size
            if total > MAX_BODY_BYTES:
                raise ApiError(400, "Request body too large.")
            chunks.append(self.rfile.read(size))
            self.rfile.readline(1024)  # CRLF after each chunk

    def _write(self, reply: Reply) -> None:
        self.send_response(reply.status)
        for name, value in reply.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(reply.body)))
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(reply.body)

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.log_requests:
            super().log_message(format, *args)
