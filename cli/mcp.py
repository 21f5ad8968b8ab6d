"""``extend-agent mcp``: serve the tools to MCP clients, over stdio or streamable HTTP.

With stdio, stdout carries the protocol, so every human-facing line (which Extend
is used, errors) goes to stderr. Without EXTEND_API_KEY the built-in emulator
stands in for Extend, as everywhere else. Over HTTP, any address other than
loopback needs a bearer token and Host/Origin are always checked
(``cli.mcp_http``).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from cli.friendly_errors import friendly_errors


def register(app: typer.Typer) -> None:
    @app.command("mcp")
    def mcp(
        http: Annotated[
            bool,
            typer.Option("--http", help="Serve streamable HTTP instead of stdio."),
        ] = False,
        host: Annotated[
            str, typer.Option("--host", help="Address to listen on with --http.")
        ] = "127.0.0.1",
        port: Annotated[int, typer.Option("--port", help="Port to listen on with --http.")] = 8766,
        path: Annotated[
            str, typer.Option("--path", help="URL path of the MCP endpoint with --http.")
        ] = "/mcp",
        token_file: Annotated[
            Path | None,
            typer.Option(
                "--token-file",
                help="File whose first line is the bearer token clients must send with --http "
                "(default: EXTEND_MCP_TOKEN). Required unless --host is a loopback address.",
            ),
        ] = None,
        allowed_host: Annotated[
            list[str] | None,
            typer.Option(
                "--allowed-host",
                help="Another Host header to accept with --http (e.g. mcp.example.com or "
                "10.0.0.5:8766); repeat for more. This machine's names are always accepted.",
            ),
        ] = None,
        read_only: Annotated[
            bool,
            typer.Option(
                "--read-only",
                help="Serve no tool that writes (also EXTEND_AGENT_READ_ONLY=1).",
            ),
        ] = False,
    ) -> None:
        """Run an MCP server with the run tools (stdio unless --http)."""
        from agent.extend_connection import announce_on_stderr, open_extend
        from agent.settings import AgentSettings
        from cli.mcp_http import (
            accepted_hosts,
            build_http_app,
            is_loopback,
            load_token,
            missing_token_message,
        )
        from tools.faces.mcp_server import build_mcp_server
        from tools.faces.run_tools import RunTools
        from tools.images.image_cache import ImageCache

        token = None
        if http:  # refuse an open network endpoint before starting anything
            with friendly_errors():
                token = load_token(token_file=token_file)
            if token is None and not is_loopback(host):
                print(f"error: {missing_token_message(host)}", file=sys.stderr)
                raise typer.Exit(2)
        settings = AgentSettings()
        with friendly_errors(), open_extend(settings, announce=announce_on_stderr) as extend:
            run_tools = RunTools(
                extend.client,
                low_confidence=settings.low_confidence,
                image_cache=ImageCache(settings.data_dir / "citation-images"),
            )
            server = build_mcp_server(run_tools, read_only=True if read_only else None)
            if http:
                import uvicorn

                app = build_http_app(
                    server, host=host, path=path, token=token, allowed_hosts=allowed_host or ()
                )
                auth = "bearer token required" if token else "loopback only, no token"
                print(
                    f"MCP server on http://{host}:{port}{path} ({auth}) using "
                    f"{extend.description}.",
                    file=sys.stderr,
                )
                hosts = sorted({h.removesuffix(":*") for h in accepted_hosts(host, allowed_host)})
                print(
                    f"Accepted Host names: {', '.join(hosts)} (add others with --allowed-host).",
                    file=sys.stderr,
                )
                uvicorn.run(app, host=host, port=port, log_level="warning")
            else:
                print(f"MCP server on stdio using {extend.description}.", file=sys.stderr)
                server.run("stdio")
