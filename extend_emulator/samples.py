"""The sample runs every emulator starts with, and loading extra runs from fixtures.

Samples live in ``samples/<id>.json`` in the canonical form (see ``ingest.py``),
one file per run, so each is stored once and rendered into either API version.
``samples/workflow_run_1234.legacy.json`` is Extend's own sample response, kept
beside them as the reference the seed must render to; it is not loaded.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from extend_emulator.ingest import to_canonical

SAMPLES_DIR = Path(__file__).with_name("samples")
SEED_REFERENCE = SAMPLES_DIR / "workflow_run_1234.legacy.json"

SAMPLE_RUN_IDS: tuple[str, ...] = (
    "workflow_run_1234",
    "workflow_run_invoice_multipage",
    "workflow_run_reviewed_corrections",
    "workflow_run_needs_review",
    "workflow_run_failed",
    "workflow_run_processing",
    "workflow_run_classify",
    "workflow_run_split",
    "workflow_run_injection",
    "workflow_run_receipt_scan",
    "workflow_run_fields_array",
    "workflow_run_merge_conditional",
    "workflow_run_validation",
    "workflow_run_package",
)


def load_samples() -> list[dict[str, Any]]:
    """The sample runs, canonical, in ``SAMPLE_RUN_IDS`` order."""
    runs = []
    for run_id in SAMPLE_RUN_IDS:
        path = SAMPLES_DIR / f"{run_id}.json"
        runs.append(to_canonical(json.loads(path.read_text(encoding="utf-8"))))
    return runs


def load_fixtures(directory: str | Path) -> list[dict[str, Any]]:
    """Runs from every ``*.json`` in ``directory`` (sorted by name), in any accepted shape.

    A file holds one run or a JSON list of runs: a 2024-12-23 envelope, a bare
    2024-12-23 run, a 2026-02-09 run or a canonical run. A file that is not valid
    JSON or not a run raises ValueError naming the file, so a typo is not silent.
    """
    root = Path(directory)
    if not root.is_dir():
        raise ValueError(f"fixtures directory {root} does not exist")
    runs: list[dict[str, Any]] = []
    for path in sorted(root.glob("*.json")):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
            documents = document if isinstance(document, list) else [document]
            runs.extend(to_canonical(d) for d in documents)
        except ValueError as exc:  # json.JSONDecodeError is a ValueError
            raise ValueError(f"fixture {path}: {exc}") from exc
    return runs
