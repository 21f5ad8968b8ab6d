"""The Extend API versions this package speaks, chosen by the ``x-extend-api-version`` header.

``2024-12-23`` wraps a run as ``{"success", "workflowRun"}`` with ``outputs[]``;
``2026-02-09`` returns the run object itself with ``stepRuns[]`` (README, "Extend API versions").
"""

from __future__ import annotations

LEGACY_API_VERSION = "2024-12-23"
CURRENT_API_VERSION = "2026-02-09"
SUPPORTED_API_VERSIONS = (LEGACY_API_VERSION, CURRENT_API_VERSION)
