"""``ToolError``, the one failure the tools raise, and the guard that turns anything into it.

A tool call that fails must reach the model (or the person) as a message that
names the run and says what to do, and must never end an agent turn with a
traceback or leak the API key. ``errors_as_tool_errors`` wraps each step of a
tool: Extend's errors keep their own wording (``tools.client.errors`` writes them for
people), anything unexpected is logged with its traceback and reported as a
plain "unexpected error" message.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from tools.client.errors import ExtendError

__all__ = ["ToolError", "errors_as_tool_errors"]

logger = logging.getLogger(__name__)


class ToolError(Exception):
    """A tool call that could not be done; ``message`` is meant for the model or the user.

    ``cause`` is the Extend error behind it, if any, so a front end can word it by type.
    """

    def __init__(self, message: str, *, cause: ExtendError | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.cause = cause


@contextmanager
def errors_as_tool_errors(doing: str) -> Iterator[None]:
    """Raise whatever fails inside as ``ToolError("Failed <doing>: ...")``.

    ``doing`` reads after "Failed", e.g. ``"reading run workflow_run_1234"``.
    """
    try:
        yield
    except ToolError:
        raise
    except ExtendError as error:
        raise ToolError(f"Failed {doing}: {error}", cause=error) from None
    except Exception:
        logger.exception("unexpected error while %s", doing)
        raise ToolError(
            f"Failed {doing}: an unexpected error occurred (details are in the server log). "
            "Try again; if it keeps failing, report it."
        ) from None
