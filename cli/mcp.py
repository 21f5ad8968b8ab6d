"""``extend-agent mcp``: serve the two tools to MCP clients, over stdio or streamable HTTP.

With stdio, stdout carries the protocol, so every human-facing line (which Extend
is used, errors) goes to stderr. Without EXTEND_API_KEY the built-in emulator
stands in for Extend, as everywhere else.
"""

from __future__ import annotations

import sys
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
    ) -> None:
        """Run an MCP server with get_run and update_run_metadata (stdio unless --http)."""
        from agent.extend_connection import announce_on_stderr, open_extend
        from agent.settings import AgentSettings
        from tools.faces.mcp_server import build_mcp_server
        from tools.faces.run_tools import RunTools

        settings = AgentSettings()
        with friendly_errors(), open_extend(settings, announce=announce_on_stderr) as extend:
            run_tools = RunTools(extend.client, low_confidence=settings.low_confidence)
            server = build_mcp_server(run_tools)
            if http:
                print(
                    f"MCP server on http://{host}:{port}{path} using {extend.description}.",
                    file=sys.stderr,
                )
                server.run("streamable-http", host=host, port=port, streamable_http_path=path)
            else:
                print(f"MCP server on stdio using {extend.description}.", file=sys.stderr)
                server.run("stdio")
