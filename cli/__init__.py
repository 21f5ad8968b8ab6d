"""The ``extend-agent`` command line: one module per command group.

Each module exposes ``register(app)``; heavy imports (LangChain, Slack, MCP) happen
inside the commands, so ``extend-agent runs get`` starts fast.
"""

from __future__ import annotations

import importlib

import typer

COMMAND_MODULES = ("runs", "emulator", "mcp", "ask", "slack")

app = typer.Typer(
    name="extend-agent",
    help="Ask about, rename and tag Extend workflow runs. No keys? It uses a local emulator.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for _name in COMMAND_MODULES:
    importlib.import_module(f"cli.{_name}").register(app)


def main() -> None:
    app()
