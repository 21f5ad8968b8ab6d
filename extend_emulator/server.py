"""``EmulatorServer``: a local Extend API on a real port, like stripe-mock.

Tests start one on port 0 in a background daemon thread and talk to it with a
real HTTP client; the CLI runs one in the foreground (``run_forever``). Each
server owns its state: in memory by default, or a SQLite file in ``data_dir``
so changes survive a restart (``reset=True`` restores the sample runs).
Faults listed in ``EXTEND_EMULATOR_FAULTS`` (a JSON list) are added at start.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import sys
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path
from types import FrameType, TracebackType
from typing import Any

from extend_emulator import render
from extend_emulator.app import EmulatorApp
from extend_emulator.faults import FaultSet
from extend_emulator.generate import DEFAULT_SEED
from extend_emulator.handler import EmulatorHandler
from extend_emulator.webhooks import WebhookTarget


class EmulatorHTTPServer(ThreadingHTTPServer):
    """A threading HTTP server that knows its app and its open connections."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], app: EmulatorApp, log_requests: bool) -> None:
        self.app = app
        self.log_requests = log_requests
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, EmulatorHandler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A client that hung up is normal here (timeouts, dropped faults): stay quiet."""
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return
        super().handle_error(request, client_address)

    def track(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.add(connection)

    def untrack(self, connection: socket.socket) -> None:
        with self._connections_lock:
            self._connections.discard(connection)

    def close_connections(self) -> None:
        """Shut down idle keep-alive connections so handler threads end with the server."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class EmulatorServer:
    """A local Extend API; ``start()`` it in the background or ``serve_forever()``."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        data_dir: str | Path | None = None,
        api_key: str | None = None,
        default_version: str = render.LEGACY_VERSION,
        fixtures_dir: str | Path | None = None,
        reset: bool = False,
        *,
        log_requests: bool = False,
        webhook_url: str | None = None,
        webhook_secret: str | None = None,
        generate: int = 0,
        seed: int = DEFAULT_SEED,
    ) -> None:
        self.host = host
        self._requested_port = port
        self.data_dir = data_dir
        self.log_requests = log_requests
        self.app = EmulatorApp(
            data_dir=data_dir,
            fixtures_dir=fixtures_dir,
            api_key=api_key,
            default_version=default_version,
            reset=reset,
            webhooks=WebhookTarget.from_env(webhook_url, webhook_secret),
            generate=generate,
            seed=seed,
        )
        self._httpd: EmulatorHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._stopped = False

    # --- state -------------------------------------------------------------------

    @property
    def faults(self) -> FaultSet:
        return self.app.faults

    @property
    def requests(self) -> list[dict[str, Any]]:
        """Recorded API requests (a copy), oldest first."""
        return self.app.log.entries()

    def clear_requests(self) -> None:
        self.app.log.clear()

    def reset(self) -> None:
        """Restore the sample (and fixture) runs, clear faults and recorded requests."""
        self.app.reset()

    def get_run_state(self, run_id: str) -> dict[str, Any] | None:
        """The stored canonical run, or None."""
        return self.app.store.get(run_id)

    # --- lifecycle -----------------------------------------------------------------

    @property
    def port(self) -> int:
        if self._httpd is None:
            raise RuntimeError("the emulator is not listening yet; call start() first")
        return int(self._httpd.server_address[1])

    @property
    def url(self) -> str:
        host = self.host if self.host not in ("", "0.0.0.0", "::") else "127.0.0.1"
        return f"http://{host}:{self.port}"

    def _bind(self) -> EmulatorHTTPServer:
        if self._stopped:
            raise RuntimeError("this emulator was stopped; create a new EmulatorServer")
        if self._httpd is None:
            self.app.faults.load_env()
            self._httpd = EmulatorHTTPServer(
                (self.host, self._requested_port), self.app, self.log_requests
            )
        return self._httpd

    def start(self) -> EmulatorServer:
        """Serve in a background daemon thread; returns self."""
        if self._thread is not None and not self._stopped:
            return self
        httpd = self._bind()
        self._thread = threading.Thread(
            target=httpd.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=f"extend-emulator-{self.port}",
            daemon=True,
        )
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in the foreground until KeyboardInterrupt, then stop."""
        httpd = self._bind()
        try:
            httpd.serve_forever(poll_interval=0.2)
        except KeyboardInterrupt:
            pass
        finally:
            self.stop()

    def stop(self) -> None:
        """Stop serving, close connections and the store. Safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        httpd = self._httpd
        if httpd is not None:
            if self._thread is not None:
                httpd.shutdown()
                self._thread.join(timeout=5)
            httpd.close_connections()
            httpd.server_close()
        self.app.store.close()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def run_forever(
    host: str = "127.0.0.1",
    port: int = 8765,
    data_dir: str | Path | None = None,
    fixtures_dir: str | Path | None = None,
    api_key: str | None = None,
    reset: bool = False,
    default_version: str = render.LEGACY_VERSION,
    *,
    log_requests: bool = False,
    webhook_url: str | None = None,
    webhook_secret: str | None = None,
    generate: int = 0,
    seed: int = DEFAULT_SEED,
) -> None:
    """Run an emulator in the foreground (the ``extend-agent emulator`` command)."""
    server = EmulatorServer(
        host=host,
        port=port,
        data_dir=data_dir,
        api_key=api_key,
        default_version=default_version,
        fixtures_dir=fixtures_dir,
        reset=reset,
        log_requests=log_requests,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
        generate=generate,
        seed=seed,
    )
    server._bind()
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)  # `docker stop` / `kill`: stop cleanly too
    where = Path(data_dir).resolve() if data_dir is not None else "memory"
    print(
        f"Extend emulator listening on {server.url} "
        f"(API version {default_version} by default; data in {where})",
        flush=True,
    )
    server.serve_forever()
    print("Extend emulator stopped.", file=sys.stderr, flush=True)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
