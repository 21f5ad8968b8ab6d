"""Small answers leave at once: every accepted connection has ``TCP_NODELAY`` set.

asyncio sets it only on sockets whose listening socket was made with
``proto=IPPROTO_TCP``; a socket handed to uvicorn (as here, and as a process
manager or ``--fd`` does) is not, and each response written as headers then a
small body then waits for the client's delayed ACK (about 45 ms on Linux).
"""

from __future__ import annotations

import socket
import statistics
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import uvicorn

from slack_app.http_limits import uvicorn_config

REQUESTS = 40


async def _small_json(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    while (await receive()).get("more_body"):
        pass
    headers = [(b"content-type", b"application/json")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b'{"ok":true}'})


@contextmanager
def _served_on_a_handed_over_socket() -> Iterator[tuple[uvicorn.Server, str]]:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)  # proto 0, as handed over
    sock.bind(("127.0.0.1", 0))
    config = uvicorn_config(
        _small_json, host="127.0.0.1", port=0, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield server, f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


def test_accepted_connections_have_nagle_off_and_small_answers_do_not_wait() -> None:
    with _served_on_a_handed_over_socket() as (server, url), httpx.Client(trust_env=False) as http:
        seconds = []
        for _ in range(REQUESTS):
            started = time.perf_counter()
            response = http.post(f"{url}/slack/events", content=b'{"q": 1}')
            seconds.append(time.perf_counter() - started)
            assert response.json() == {"ok": True}
        nodelay = [
            connection.transport.get_extra_info("socket").getsockopt(
                socket.IPPROTO_TCP, socket.TCP_NODELAY
            )
            for connection in server.server_state.connections
        ]
    assert nodelay and all(nodelay), nodelay  # one keep-alive connection, Nagle off
    # With Nagle on, every request of this loop took 44-60 ms (delayed ACK); now ~1 ms.
    assert statistics.median(seconds) < 0.02, f"median {statistics.median(seconds) * 1000:.1f} ms"
