"""What the emulator received, for tests of the agent (sessions come from ``agent.testing``)."""

from __future__ import annotations

from typing import Any

from extend_emulator import EmulatorServer


def writes(emulator: EmulatorServer, run_id: str | None = None) -> list[dict[str, Any]]:
    """The update requests (POST /workflow_runs/...) Extend received, optionally for one run."""
    return [
        entry
        for entry in emulator.requests
        if entry["method"] == "POST"
        and "/workflow_runs/" in entry["path"]
        and (run_id is None or entry["path"].rstrip("/").endswith(run_id))
    ]
