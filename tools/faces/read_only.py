"""Read-only mode: ``EXTEND_AGENT_READ_ONLY=1`` serves no tool that writes, on any face.

An operator who wants people (or other agents) to read runs but never change them
sets ``EXTEND_AGENT_READ_ONLY=1`` (or passes ``--read-only`` / ``read_only=True``).
Every face then leaves the writing tools (``tools.faces.tool_names.WRITE_TOOLS``)
out entirely rather than serving them and refusing calls, so no model is ever
offered a write it cannot make; Slack and the CLI refuse a write request with
``READ_ONLY_MESSAGE``.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Final

from tools.faces.tool_names import TOOL_NAMES, WRITE_TOOLS

__all__ = ["READ_ONLY_ENV", "READ_ONLY_MESSAGE", "is_read_only", "served_tool_names"]

READ_ONLY_ENV: Final = "EXTEND_AGENT_READ_ONLY"
READ_ONLY_MESSAGE: Final = (
    "This assistant is in read-only mode (EXTEND_AGENT_READ_ONLY=1): it can read runs but "
    "cannot rename, tag or change their metadata. Ask whoever runs it to lift read-only mode, "
    "or make the change in Extend."
)
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"", "0", "false", "no", "off"})


def is_read_only(read_only: bool | None = None, env: Mapping[str, str] | None = None) -> bool:
    """``read_only`` when given, else ``EXTEND_AGENT_READ_ONLY`` (1/true/yes/on).

    Raises ``ValueError`` naming the variable for a value that is neither true nor false,
    so a typo never silently serves the write tool.
    """
    if read_only is not None:
        return read_only
    value = (os.environ if env is None else env).get(READ_ONLY_ENV, "").strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ValueError(f"{READ_ONLY_ENV} must be 1 (read-only) or 0 (writes allowed), not {value!r}.")


def served_tool_names(read_only: bool | None = None) -> tuple[str, ...]:
    """The tools a face serves: all of them, or only those that read in read-only mode."""
    if is_read_only(read_only):
        return tuple(name for name in TOOL_NAMES if name not in WRITE_TOOLS)
    return TOOL_NAMES
