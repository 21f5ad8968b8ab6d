"""The Extend API versions this package speaks (see DESIGN.md's API table)."""

from __future__ import annotations

LEGACY_API_VERSION = "2024-12-23"
CURRENT_API_VERSION = "2026-02-09"
SUPPORTED_API_VERSIONS = (LEGACY_API_VERSION, CURRENT_API_VERSION)
