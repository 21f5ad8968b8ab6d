"""Building agent sessions for tests: real tools on the emulator, a real SQLite checkpointer."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel

from agent.build import build_agent
from agent.checkpoint import open_checkpointer
from agent.session import AgentSession
from extend_emulator import EmulatorServer
from tools.client.clients import ExtendClient
from tools.faces.langchain_tools import make_tools
from tools.faces.run_tools import RunTools


@contextmanager
def agent_session(
    client: ExtendClient, model: BaseChatModel, db_path: Path, **build_options: Any
) -> Iterator[AgentSession]:
    """A session exactly as production wires it, on ``client`` and the SQLite file ``db_path``."""
    run_tools = RunTools(client)
    with open_checkpointer(path=db_path) as checkpointer:
        agent = build_agent(
            model, make_tools(run_tools, approval="human"), checkpointer, **build_options
        )
        yield AgentSession(agent, run_tools, model_description="test", extend_description="test")


def writes(emulator: EmulatorServer, run_id: str | None = None) -> list[dict[str, Any]]:
    """The update requests (POST /workflow_runs/...) Extend received, optionally for one run."""
    return [
        entry
        for entry in emulator.requests
        if entry["method"] == "POST"
        and "/workflow_runs/" in entry["path"]
        and (run_id is None or entry["path"].rstrip("/").endswith(run_id))
    ]
