"""A local Extend API (like stripe-mock) for tests, benchmarks and keyless first runs.

It serves ``GET/POST /workflow_runs/{id}`` and ``GET /workflow_runs`` in both API
versions (2024-12-23 and 2026-02-09) from realistic sample runs, including the
one in Extend's own reference, persists changes when given a data directory,
and injects faults (latency, 429, 5xx, dropped connections, malformed bodies).
It also sends Extend's signed webhooks when a run's status is changed through
``POST /_emulator/runs/{id}/status`` (``webhooks.py``).
``GET /files/{id}`` describes each sample's document, generated from its
citations (``files.py``), with a signed, expiring download link. It uses the
standard library (plus reportlab and Pillow for the documents) and shares no
code with ``tools/``: it is an independent reading of the API, so the client and
the emulator check each other.

    with EmulatorServer() as srv:
        httpx.get(f"{srv.url}/workflow_runs/workflow_run_1234")
"""

from __future__ import annotations

from extend_emulator.render import CURRENT_VERSION, LEGACY_VERSION, SUPPORTED_VERSIONS
from extend_emulator.samples import SAMPLE_RUN_IDS
from extend_emulator.server import EmulatorServer, run_forever

__all__ = [
    "CURRENT_VERSION",
    "LEGACY_VERSION",
    "SAMPLE_RUN_IDS",
    "SUPPORTED_VERSIONS",
    "EmulatorServer",
    "run_forever",
]
