"""Serve an ASGI app for a test as production serves it, on a free loopback port, in a thread.

``serve_in_thread`` runs uvicorn with ``slack_app.http_limits.uvicorn_config``
(the same connection cap, header deadline and ``TCP_NODELAY`` as
``extend-agent slack --http``), binding the port itself before uvicorn starts so
the URL is known at once and no other test can take the port in between.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import uvicorn

from slack_app.http_limits import freeze_startup_objects, uvicorn_config

START_SECONDS = 10.0


@contextmanager
def serve_in_thread(asgi_app: Any, **limits: Any) -> Iterator[str]:
    """Serve ``asgi_app`` (``limits`` override ``uvicorn_config``'s defaults); yields its base URL.

    On exit the server stops and its thread is joined. Raises ``RuntimeError``
    if uvicorn has not started within ``START_SECONDS``.
    """
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    config = uvicorn_config(
        asgi_app,
        host="127.0.0.1",
        port=0,
        log_level="warning",
        lifespan="off",
        access_log=False,
        **limits,
    )
    server = uvicorn.Server(config)
    freeze_startup_objects()  # as ``run_server`` does in production
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + START_SECONDS
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            sock.close()
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()
