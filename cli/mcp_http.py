"""Serving the MCP tools over streamable HTTP without opening them to the network.

``update_run_metadata`` writes to Extend, so whoever can reach the endpoint can
rename runs and overwrite metadata. On loopback only local processes can; bound
to any other address (``--host 0.0.0.0``) every host on the network can, so the
server refuses to start without a bearer token (``EXTEND_MCP_TOKEN`` or
``--token-file``) and then answers 401 to any request without it. A token set
on loopback is required there too.

Host and Origin are always checked (the mcp SDK's DNS-rebinding protection,
``TransportSecuritySettings``; the SDK enables it by itself only for loopback):
a request must name this machine (loopback names, its host name and addresses,
the bound address, or an ``--allowed-host``), otherwise 421, and a browser
Origin must be one of those, otherwise 403.
"""

from __future__ import annotations

import hmac
import ipaddress
import json
import os
import socket
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from mcp.server.transport_security import TransportSecuritySettings

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer
    from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = [
    "MIN_TOKEN_LENGTH",
    "TOKEN_ENV",
    "BearerTokenMiddleware",
    "accepted_hosts",
    "build_http_app",
    "is_loopback",
    "load_token",
    "security_settings",
]

TOKEN_ENV = "EXTEND_MCP_TOKEN"
MIN_TOKEN_LENGTH = 16
_LOOPBACK_HOSTS = ("127.0.0.1", "localhost", "[::1]")
_MAKE_TOKEN = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (127.0.0.0/8, ::1)."""
    if host.strip().lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def load_token(env: Mapping[str, str] | None = None, token_file: Path | None = None) -> str | None:
    """The bearer token from ``token_file`` (first line) or ``EXTEND_MCP_TOKEN``; None if neither.

    Raises ``ValueError`` with what to do for an unreadable file or a weak token.
    """
    env = os.environ if env is None else env
    if token_file is not None:
        try:
            lines = token_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise ValueError(f"Cannot read the MCP token file {str(token_file)!r}: {exc}") from None
        token = lines[0].strip() if lines else ""
        source = f"the token file {str(token_file)!r}"
    else:
        token = (env.get(TOKEN_ENV) or "").strip()
        source = TOKEN_ENV
        if not token:
            return None
    if len(token) < MIN_TOKEN_LENGTH or any(ch.isspace() or not ch.isprintable() for ch in token):
        raise ValueError(
            f"The MCP token in {source} must be at least {MIN_TOKEN_LENGTH} printable characters "
            f"without spaces; make one with: {_MAKE_TOKEN}"
        )
    return token


def missing_token_message(host: str) -> str:
    return (
        f"--host {host} would serve update_run_metadata (which writes to Extend) to the "
        f"network with no authentication. Set {TOKEN_ENV} to a secret of at least "
        f"{MIN_TOKEN_LENGTH} characters (make one with: {_MAKE_TOKEN}) or pass --token-file; "
        "clients then send 'Authorization: Bearer <token>'. Or serve on 127.0.0.1."
    )


def security_settings(host: str, allowed_hosts: Iterable[str] = ()) -> TransportSecuritySettings:
    """Host/Origin checks on, allowing this machine's names and ``allowed_hosts``."""
    hosts = accepted_hosts(host, allowed_hosts)
    origins = [f"{scheme}://{h}" for h in hosts for scheme in ("http", "https")]
    return TransportSecuritySettings(
        enable_dns_rebinding_protection=True, allowed_hosts=hosts, allowed_origins=origins
    )


def accepted_hosts(host: str, allowed_hosts: Iterable[str] | None = ()) -> list[str]:
    """Host header patterns accepted when bound to ``host`` (``name`` and ``name:*``)."""
    names = list(_LOOPBACK_HOSTS)
    if host not in ("0.0.0.0", "::", ""):
        names.append(f"[{host}]" if ":" in host and not host.startswith("[") else host)
    if not is_loopback(host):
        names.extend(_own_names())
    names.extend(h.strip() for h in allowed_hosts or () if h.strip())
    hosts: list[str] = []
    for name in dict.fromkeys(names):
        has_port = name.rsplit(":", 1)[-1].isdigit() and not name.endswith("]")
        hosts.extend([name] if has_port else [name, f"{name}:*"])
    return hosts


def _own_names() -> list[str]:
    """This machine's host names and the addresses they resolve to (best effort, no network)."""
    names = [socket.gethostname(), socket.getfqdn()]
    try:
        _, aliases, addresses = socket.gethostbyname_ex(socket.gethostname())
        names += aliases + addresses
    except OSError:
        pass
    return [n for n in names if n]


class BearerTokenMiddleware:
    """ASGI middleware: 401 for any HTTP request without ``Authorization: Bearer <token>``."""

    def __init__(self, app: ASGIApp, token: str) -> None:
        self.app = app
        self._expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # lifespan: the session manager starts and stops here
            await self.app(scope, receive, send)
            return
        sent = b""
        for name, value in scope.get("headers", []):
            if name == b"authorization":
                sent = value
                break
        if hmac.compare_digest(sent, self._expected):
            await self.app(scope, receive, send)
            return
        body = json.dumps(
            {
                "error": "unauthorized",
                "message": "Send the server's token as 'Authorization: Bearer <token>'.",
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 401,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                    (b"www-authenticate", b'Bearer realm="extend-run-agent"'),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def build_http_app(
    server: MCPServer,
    *,
    host: str,
    path: str,
    token: str | None,
    allowed_hosts: Iterable[str] = (),
) -> ASGIApp:
    """The streamable-HTTP app for ``server``: Host/Origin checked, token required if given."""
    if token is None and not is_loopback(host):
        raise ValueError(missing_token_message(host))
    app: ASGIApp = server.streamable_http_app(
        streamable_http_path=path,
        transport_security=security_settings(host, allowed_hosts),
        host=host,
    )
    return app if token is None else BearerTokenMiddleware(app, token)
