"""Runs read with our client from a real emulator: its samples, or a run a test wrote.

The summary and run-shape tests each read a set of the emulator's sample runs once
per module and look them up by ``(api_version, run_id)`` (``fetch_runs``), and
serve a run they changed from a fixtures folder (``read_served``); these are those
reads, so the modules do them the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from extend_emulator import EmulatorServer
from tools.client.clients import ExtendClient
from tools.runs.models import Run

VERSIONS = ("2024-12-23", "2026-02-09")


def fetch_runs(
    server: EmulatorServer,
    key: str,
    run_ids: Iterable[str],
    versions: Iterable[str] = VERSIONS,
) -> dict[tuple[str, str], Run]:
    """Every run of ``run_ids`` read in every API version of ``versions``."""
    ids = list(run_ids)
    runs: dict[tuple[str, str], Run] = {}
    for version in versions:
        with ExtendClient(key, base_url=server.url, api_version=version) as client:
            for run_id in ids:
                runs[(version, run_id)] = client.get_run(run_id)
    return runs


def read_served(document: dict[str, Any], key: str, version: str, folder: Path) -> Run:
    """``document`` (a run's JSON) served by a fresh emulator and read back in ``version``."""
    (folder / "run.json").write_text(json.dumps(document))
    run_id = document.get("workflowRun", document)["id"]
    with EmulatorServer(host="127.0.0.1", port=0, api_key=key, fixtures_dir=folder) as server:
        return fetch_runs(server, key, [run_id], [version])[(version, run_id)]
