"""The two tools, ``get_run`` and ``update_run_metadata``: one implementation, three faces.

LangChain (``tools.faces.langchain_tools``), OpenAI function calling
(``tools.faces.openai_functions``) and MCP (``tools.faces.mcp_server``) are thin wrappers
around ``RunTools``, so every face validates, words errors and reports changes
the same way.

Writes are read-modify-write: the run is read, the change computed against what
it holds (``tools.faces.run_change``; ``preview_update`` stops there, so a front end can
show the change and ask a human first), then only what differs is sent. Adding
tags appends to the run's ``tags`` metadata list; a per-run lock serializes these
steps inside the process so two concurrent tag calls on one run both land.

Every failure reaches callers as ``ToolError`` with a message naming the run and
saying what to do; never a traceback, never the API key. That includes a bug in
this package: each step runs inside ``errors_as_tool_errors``, which logs it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tools.client.errors import ExtendError
from tools.client.validation import validate_run_id
from tools.faces.run_change import TAGS_KEY, RunChange, UpdateRequest
from tools.faces.tool_errors import ToolError, errors_as_tool_errors
from tools.text.summary import LOW_CONFIDENCE, summarize_run

if TYPE_CHECKING:
    from tools.client.clients import ExtendClient
    from tools.runs.models import Run

__all__ = ["TAGS_KEY", "RunChange", "RunTools", "ToolError", "ToolOutput"]


@dataclass
class ToolOutput:
    """A tool's answer: ``text`` for the model, the run it is about, and the change made."""

    text: str
    run: Run
    change: RunChange | None = None


class RunTools:
    """The tools on one Extend client; safe to share between threads."""

    def __init__(self, client: ExtendClient, *, low_confidence: float = LOW_CONFIDENCE) -> None:
        self.client = client
        self.low_confidence = low_confidence
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()

    # -- reading -------------------------------------------------------------------------

    def get_run(
        self,
        run_id: str,
        fields: Sequence[str] | None = None,
        include_reasoning: bool = False,
    ) -> ToolOutput:
        """The run summarized (optionally only ``fields``), with the normalized run."""
        run_id = _checked_id(run_id)
        if fields is not None and (
            isinstance(fields, str)
            or not isinstance(fields, Sequence)
            or not all(isinstance(f, str) for f in fields)
        ):
            raise ToolError('fields must be a list of field names, e.g. ["total", "due_date"].')
        with errors_as_tool_errors(f"reading run {run_id}"):
            run = self.client.get_run(run_id)
        wanted = [f for f in fields if f.strip()] if fields else None
        with errors_as_tool_errors(f"summarizing run {run_id}"):
            text = summarize_run(
                run,
                fields=wanted,
                include_reasoning=bool(include_reasoning),
                low_confidence=self.low_confidence,
            )
        return ToolOutput(text=text, run=run)

    # -- writing -------------------------------------------------------------------------

    def preview_update(
        self,
        run_id: str,
        name: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        add_tags: Sequence[str] | None = None,
    ) -> RunChange:
        """The change ``update_run_metadata`` would make now, computed without writing."""
        run_id = _checked_id(run_id)
        request = UpdateRequest.checked(name, metadata, add_tags, max_bytes=self._max_bytes)
        with errors_as_tool_errors(f"reading run {run_id}"):
            run = self.client.get_run(run_id)
        with errors_as_tool_errors(f"preparing the change to run {run_id}"):
            return request.change_for(run)

    def update_run_metadata(
        self,
        run_id: str,
        name: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        add_tags: Sequence[str] | None = None,
    ) -> ToolOutput:
        """Rename the run and/or merge metadata and tags into it; report before -> after."""
        run_id = _checked_id(run_id)
        request = UpdateRequest.checked(name, metadata, add_tags, max_bytes=self._max_bytes)
        with self._lock(run_id):
            with errors_as_tool_errors(f"reading run {run_id}"):
                before = self.client.get_run(run_id)
            with errors_as_tool_errors(f"preparing the change to run {run_id}"):
                change = request.change_for(before)
            with errors_as_tool_errors(f"updating run {run_id}"):
                after = self.client.update_run(
                    run_id,
                    name=change.name_after if change.renames else None,
                    metadata=dict(change.metadata_after) or None,
                )
        with errors_as_tool_errors(f"reporting the update of run {run_id}"):
            # Report what Extend now holds, not what was asked for.
            change = change.model_copy(
                update={
                    "name_after": after.name if change.renames else change.name_after,
                    "metadata_after": {k: after.metadata.get(k) for k in change.metadata_after},
                }
            )
            text = "\n".join([f"Updated run {run_id}.", *change.before_after_lines()])
        return ToolOutput(text=text, run=after, change=change)

    @property
    def _max_bytes(self) -> int:
        return self.client.config.max_metadata_bytes

    @contextmanager
    def _lock(self, run_id: str) -> Iterator[None]:
        with self._locks_guard:
            lock = self._locks.setdefault(run_id, threading.Lock())
        with lock:
            yield


def _checked_id(run_id: object) -> str:
    try:
        return validate_run_id(run_id)
    except ExtendError as error:
        raise ToolError(error.message) from None
