"""The HTTP server's limits: how many connections, how long a slow client may take.

Without limits, clients that open connections and never finish their headers or
body hold a file descriptor each until the process runs out (one test run: 1,100
such connections took the endpoint down). Here uvicorn runs with:

- at most ``MAX_CONNECTIONS`` open connections. When a new one would exceed it,
  the oldest connection that is not being answered (still sending its headers or
  body, or idle between requests) is closed to make room, so a flood of slow
  clients cannot lock out Slack's requests, which finish in milliseconds;
- ``HEADER_READ_SECONDS`` for a new connection to send its request headers;
- ``limit_concurrency`` a little above ``MAX_CONNECTIONS`` (uvicorn answers 503
  beyond it) and a short keep-alive;
- httptools' C parser when it is installed (it is a dependency; h11, pure Python,
  otherwise): a Slack delivery's ack is mostly HTTP parsing, and with 50 requests
  arriving at once each waits for the ones before it (measured in
  ``bench/slack_bench.py``);
- ``TCP_NODELAY`` on every accepted connection. asyncio sets it only when the
  listening socket was made with ``proto=IPPROTO_TCP``, which uvicorn's own
  ``host:port`` bind does but a socket handed over (``sockets=``, ``--fd``, a
  process manager) usually does not; without it, a response written as headers
  then a small body waits for the client's delayed ACK (about 45 ms a request
  on Linux loopback, measured: 45 ms p50 before, about 1 ms after).

Reading the body has its own deadline and size cap (``slack_app.request_checks``).

``run_server`` serves with these limits after ``freeze_startup_objects``: what
start-up built (the Bolt app, Slack's and Extend's clients, settings, tens of
thousands of objects) is taken out of the garbage collector's sight, so a full
collection while serving no longer walks it. Those pauses were much of the ack
tail: ``bench/slack_bench.py`` front p99 77-207 ms in three runs before, 55-74 ms
in three after (same machine, same hour).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import socket
import time
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

try:
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol
except ImportError:  # httptools not installed: h11 only
    HttpToolsProtocol = None  # type: ignore[assignment,misc]

MAX_CONNECTIONS = 256
HEADER_READ_SECONDS = 10.0
KEEP_ALIVE_SECONDS = 5
_CONCURRENCY_HEADROOM = 64


def run_server(asgi_app: Any, *, host: str, port: int, **options: Any) -> None:
    """Serve ``asgi_app`` until stopped: the limits above, start-up objects frozen."""
    config = uvicorn_config(asgi_app, host=host, port=port, **options)
    freeze_startup_objects()
    uvicorn.Server(config).run()


def freeze_startup_objects() -> None:
    """Collect once, then keep everything alive now out of later collections (``gc.freeze``)."""
    gc.collect()
    gc.freeze()


def uvicorn_config(
    asgi_app: Any,
    *,
    host: str,
    port: int,
    max_connections: int = MAX_CONNECTIONS,
    header_read_seconds: float = HEADER_READ_SECONDS,
    **options: Any,
) -> uvicorn.Config:
    """A uvicorn config serving ``asgi_app`` within the limits above."""
    base = GuardedHttpToolsProtocol if GuardedHttpToolsProtocol is not None else GuardedH11Protocol

    class Protocol(base):  # type: ignore[valid-type,misc]
        connection_cap = max_connections
        header_deadline = header_read_seconds

    return uvicorn.Config(
        asgi_app,
        host=host,
        port=port,
        http=Protocol,
        limit_concurrency=max_connections + _CONCURRENCY_HEADROOM,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        **options,
    )


class _Guarded(asyncio.Protocol):
    """A connection cap and a header deadline, mixed into one of uvicorn's HTTP/1.1 protocols."""

    connection_cap = MAX_CONNECTIONS
    header_deadline = HEADER_READ_SECONDS
    # set by uvicorn's protocol classes this is mixed into
    connections: set[Any]
    cycle: Any
    loop: asyncio.AbstractEventLoop
    transport: asyncio.Transport

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        _disable_nagle(transport)
        self.opened_at = time.monotonic()
        self._header_timer = self.loop.call_later(self.header_deadline, self._close_if_silent)
        if len(self.connections) > self.connection_cap:
            self._make_room()

    def connection_lost(self, exc: Exception | None) -> None:
        self._header_timer.cancel()
        super().connection_lost(exc)

    def answering(self) -> bool:
        """True while a whole request has arrived and its response is not finished."""
        cycle = self.cycle
        return cycle is not None and not cycle.more_body and not cycle.response_complete

    def _close_if_silent(self) -> None:
        if self.cycle is None and not self.transport.is_closing():
            self.transport.close()  # no request headers in time

    def _make_room(self) -> None:
        waiting = [
            c
            for c in self.connections
            if isinstance(c, _Guarded) and not c.answering() and not c.transport.is_closing()
        ]
        oldest = min(waiting, key=lambda c: c.opened_at, default=self)
        oldest.transport.close()


class GuardedH11Protocol(_Guarded, H11Protocol):
    """uvicorn's h11 protocol (pure Python), guarded."""


GuardedHttpToolsProtocol: type[_Guarded] | None = (
    type("GuardedHttpToolsProtocol", (_Guarded, HttpToolsProtocol), {})
    if HttpToolsProtocol is not None
    else None
)
"""uvicorn's httptools protocol (a C parser), guarded; None without httptools."""


def _disable_nagle(transport: asyncio.BaseTransport) -> None:
    """Set ``TCP_NODELAY`` on the connection's socket (TCP only; Unix sockets have none)."""
    sock = transport.get_extra_info("socket")
    if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
        with contextlib.suppress(OSError):  # the peer already gone: nothing to speed up
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
