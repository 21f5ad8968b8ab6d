"""One total deadline per client call, enforced on every connect, read and write.

httpx's ``timeout`` bounds each socket operation, not a whole request: a server
that sends one byte a second never trips a 3 s read timeout and can hold a call
for as long as it likes (64 s for a 64-byte body; minutes with retries), and the
same goes for headers sent a byte at a time. ``CallDeadline`` is the clock of one
call (all attempts and retry waits) and each ``attempt`` gets at most the
configured timeout in all (EXTEND_TIMEOUT, "seconds per request"); while an
attempt lasts, every network operation of the transport gets ``min(its timeout,
time left)`` and fails as a timeout once none is left.

httpx has no public hook for this, so ``install`` wraps the network backend of
the transport's httpcore pool (httpcore's public ``NetworkBackend`` interface,
set on httpx 0.28's ``transport._pool``). A transport without that attribute (a
test's ``MockTransport``, another httpx) is left alone: the client still caps each
attempt's timeout to the time left and checks the clock between body chunks.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import httpx

__all__ = ["AttemptClock", "CallDeadline", "install"]

_ACTIVE: ContextVar[float | None] = ContextVar("extend_call_deadline", default=None)


@dataclass
class CallDeadline:
    """The clock of one client call: ``seconds`` in all, from creation."""

    seconds: float
    started: float = field(default_factory=time.monotonic)

    @property
    def ends(self) -> float:
        return self.started + self.seconds

    def remaining(self) -> float:
        return self.ends - time.monotonic()

    def expired(self) -> bool:
        return self.remaining() <= 0

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @contextmanager
    def attempt(self, timeout: float) -> Iterator[AttemptClock]:
        """One attempt: at most ``timeout`` seconds in all, and never past the call's end.

        While it lasts, the wrapped transports of this thread/task enforce its end.
        """
        clock = AttemptClock(min(self.ends, time.monotonic() + timeout))
        token = _ACTIVE.set(clock.ends)
        try:
            yield clock
        finally:
            _ACTIVE.reset(token)


@dataclass(frozen=True)
class AttemptClock:
    """When one attempt (connect, send, headers and the whole body) must be over."""

    ends: float

    def expired(self) -> bool:
        return time.monotonic() >= self.ends


def _bounded(timeout: float | None, error: str) -> float | None:
    """``timeout`` capped to the active attempt's time left; httpcore's ``error`` if none is."""
    ends = _ACTIVE.get()
    if ends is None:
        return timeout
    left = ends - time.monotonic()
    if left <= 0:
        import httpcore  # loaded by httpx's transport already; not at import time

        raise getattr(httpcore, error)("the call's deadline passed")
    return left if timeout is None else min(timeout, left)


class _Stream:
    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, _bounded(timeout, "ReadTimeout"))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, _bounded(timeout, "WriteTimeout"))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> Any:
        bounded = _bounded(timeout, "ConnectTimeout")
        return _Stream(self._inner.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend:
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> Any:
        bounded = _bounded(timeout, "ConnectTimeout")
        return _Stream(self.inner.connect_tcp(host, port, bounded, local_address, socket_options))

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> Any:
        bounded = _bounded(timeout, "ConnectTimeout")
        return _Stream(self.inner.connect_unix_socket(path, bounded, socket_options))

    def sleep(self, seconds: float) -> None:
        self.inner.sleep(seconds)


class _AsyncStream:
    def __init__(self, inner: Any) -> None:
        self._inner = inner

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return await self._inner.read(max_bytes, _bounded(timeout, "ReadTimeout"))

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        await self._inner.write(buffer, _bounded(timeout, "WriteTimeout"))

    async def aclose(self) -> None:
        await self._inner.aclose()

    async def start_tls(
        self, ssl_context: Any, server_hostname: str | None = None, timeout: float | None = None
    ) -> Any:
        bounded = _bounded(timeout, "ConnectTimeout")
        return _AsyncStream(await self._inner.start_tls(ssl_context, server_hostname, bounded))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _AsyncBackend:
    def __init__(self, inner: Any) -> None:
        self.inner = inner

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> Any:
        bounded = _bounded(timeout, "ConnectTimeout")
        stream = await self.inner.connect_tcp(host, port, bounded, local_address, socket_options)
        return _AsyncStream(stream)

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> Any:
        bounded = _bounded(timeout, "ConnectTimeout")
        return _AsyncStream(await self.inner.connect_unix_socket(path, bounded, socket_options))

    async def sleep(self, seconds: float) -> None:
        await self.inner.sleep(seconds)


def install(http: httpx.Client | httpx.AsyncClient) -> bool:
    """Wrap the network backend of ``http``'s transports; True if the main one was wrapped."""
    import httpcore  # httpx's transport has loaded it by now

    transports: list[Any] = [http._transport, *http._mounts.values()]
    wrapped = False
    for index, transport in enumerate(transports):
        pool: Any = getattr(transport, "_pool", None)
        backend = getattr(pool, "_network_backend", None)
        if isinstance(backend, httpcore.NetworkBackend):
            pool._network_backend = _Backend(backend)
        elif isinstance(backend, httpcore.AsyncNetworkBackend):
            pool._network_backend = _AsyncBackend(backend)
        else:  # no pool, another httpx, or already wrapped
            continue
        wrapped = wrapped or index == 0
    return wrapped
