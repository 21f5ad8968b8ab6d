"""The tools (``get_run``, ``update_run_metadata``, ``find_runs``, ``show_citation``), once.

LangChain (``tools.faces.langchain_tools``), OpenAI function calling
(``tools.faces.openai_functions``) and MCP (``tools.faces.mcp_server``) are thin wrappers
around ``RunTools``, so every face validates, words errors and reports changes
the same way.

Writes are read-modify-write: the run is read, the change computed against what
it holds (``tools.faces.run_change``; ``preview_update`` stops there, so a front end can
show the change and ask a human first), then only what differs is sent. Adding
tags appends to the run's ``tags`` metadata list; a per-run lock serializes these
steps inside the process so two concurrent tag calls on one run both land. Another
process (or another replica) can still write the list between our read and our
write, so after a tag write the run is read again (once a writer that read before
ours has had time to land): a tag of ours that is gone is merged back once, and if
it is gone again the call fails saying so, never reporting a tag Extend lost.

Every failure reaches callers as ``ToolError`` with a message naming the run and
saying what to do; never a traceback, never the API key. That includes a bug in
this package: each step runs inside ``errors_as_tool_errors``, which logs it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from tools.client.errors import ExtendError
from tools.client.validation import validate_run_id
from tools.faces.find_runs import FindOutput, build_query, find_runs
from tools.faces.run_change import RunChange, UpdateRequest
from tools.faces.run_reference import Resolution, resolve_reference
from tools.faces.run_search import RunCache
from tools.faces.show_citation import CitationOutput, show_citation
from tools.faces.tool_errors import ToolError, errors_as_tool_errors
from tools.text.quoting import quote
from tools.text.summary import LOW_CONFIDENCE, summarize_run
from tools.text.summary_cap import cap_summary

if TYPE_CHECKING:
    from tools.client.clients import ExtendClient
    from tools.images.image_cache import ImageCache
    from tools.images.page_render import ImageSize
    from tools.runs.models import Run

__all__ = ["RunTools", "ToolOutput"]

TAG_SETTLE_MIN_S = 0.05
TAG_SETTLE_MAX_S = 2.0
"""Wait before re-reading tags: twice our own read-to-write time, within these bounds."""


@dataclass
class ToolOutput:
    """A tool's answer: ``text`` for the model, the run it is about, and the change made."""

    text: str
    run: Run
    change: RunChange | None = None


class RunTools:
    """The tools on one Extend client; safe to share between threads."""

    def __init__(
        self,
        client: ExtendClient,
        *,
        low_confidence: float = LOW_CONFIDENCE,
        sleep: Callable[[float], None] = time.sleep,
        image_cache: ImageCache | None = None,
    ) -> None:
        self.client = client
        self.low_confidence = low_confidence
        self.image_cache = image_cache
        """Where ``show_citation`` keeps the images it drew (None: draw every time)."""
        self._sleep = sleep
        self._locks: dict[str, threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self.run_cache = RunCache()
        """Runs read by searches, by (id, updatedAt): a run that changed is read again."""

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
            text = cap_summary(text)  # a huge run must not flood the model's context
        return ToolOutput(text=text, run=run)

    def find_runs(self, reference: str | None = None, **filters: Any) -> FindOutput:
        """Runs matching ``filters`` (``FindRunsArgs``' names) as a compact table.

        With ``reference`` (alone): the run it names, read and summarized; or the
        candidates to ask about; or what was searched when nothing matched.
        """
        if reference is None:
            return find_runs(self.client, self.run_cache, build_query(**filters))
        if any(value is not None for value in filters.values()):
            raise ToolError("Pass reference alone, or filters without a reference.")
        if not isinstance(reference, str):
            raise ToolError("reference must be text (how the user named the run).")
        with errors_as_tool_errors("finding the run"):
            resolution = self.resolve_run(reference)
        if resolution.run_id is None:
            return FindOutput(
                text=resolution.message, matches=resolution.candidates, resolution=resolution
            )
        read = self.get_run(resolution.run_id)
        files = ", ".join(quote(f.name) for f in read.run.files if f.name)
        head = f"{resolution.message[:-1]}" + (f" (file {files})." if files else ".")
        return FindOutput(
            text=f"{head}\n\n{read.text}",
            matches=resolution.candidates,
            resolution=resolution,
            run=read.run,
        )

    def resolve_run(self, reference: str) -> Resolution:
        """Which run ``reference`` (id, id ending, link, file, name, vendor...) names."""
        return resolve_reference(self.client, self.run_cache, reference)

    def show_citation(
        self,
        run_id: str,
        field: str,
        *,
        whole_page: bool = False,
        before_review: bool = False,
        size: ImageSize | None = None,
    ) -> CitationOutput:
        """Images of where ``field`` was read (``size``: a ``tools.images.page_render`` preset)."""
        return show_citation(
            self.client,
            _checked_id(run_id),
            field,
            whole_page=whole_page,
            before_review=before_review,
            size=size,
            cache=self.image_cache,
        )

    # -- writing -------------------------------------------------------------------------

    def preview_update(
        self,
        run_id: str,
        name: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        add_tags: Sequence[str] | None = None,
        remove_tags: Sequence[str] | None = None,
        *,
        reserved_keys: Collection[str] = (),
    ) -> RunChange:
        """The change ``update_run_metadata`` would make now, computed without writing.

        ``reserved_keys``: ``extend:`` keys the person typed themselves (others are refused).
        """
        run_id = _checked_id(run_id)
        request = UpdateRequest.checked(
            name,
            metadata,
            add_tags,
            max_bytes=self._max_bytes,
            reserved_keys=reserved_keys,
            remove_tags=remove_tags,
        )
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
        remove_tags: Sequence[str] | None = None,
        *,
        reserved_keys: Collection[str] = (),
        approved: RunChange | None = None,
    ) -> ToolOutput:
        """Rename the run and/or merge metadata and tags into it; report before -> after.

        ``reserved_keys``: ``extend:`` keys the person typed themselves (others are refused).
        ``approved``: the change a person approved (from ``preview_update``); if the run
        has changed since, so that this call would now do something else, nothing is
        written and ``ToolError`` says so.
        """
        run_id = _checked_id(run_id)
        request = UpdateRequest.checked(
            name,
            metadata,
            add_tags,
            max_bytes=self._max_bytes,
            reserved_keys=reserved_keys,
            remove_tags=remove_tags,
        )
        with self._lock(run_id):
            started = time.monotonic()
            with errors_as_tool_errors(f"reading run {run_id}"):
                before = self.client.get_run(run_id)
            with errors_as_tool_errors(f"preparing the change to run {run_id}"):
                change = request.change_for(before)
            if approved is not None and change != approved:
                raise ToolError(
                    f"Run {run_id} changed after the change was approved, so it would now "
                    f"do something else: {change.describe()}. Nothing was written; propose "
                    "the change again and ask for a new approval."
                )
            with errors_as_tool_errors(f"updating run {run_id}"):
                after = self.client.update_run(
                    run_id,
                    name=change.name_after if change.renames else None,
                    metadata=dict(change.metadata_after) or None,
                )
            if change.tags_added:
                after = self._keep_tags(run_id, change.tags_added, time.monotonic() - started)
        with errors_as_tool_errors(f"reporting the update of run {run_id}"):
            # Report what Extend now holds, not what was asked for. A 2026-02-09 read has
            # no name: the new name is what Extend accepted, not something read back.
            name_unread = change.renames and "name" not in after.raw
            change = change.model_copy(
                update={
                    "name_after": (
                        after.name if change.renames and not name_unread else change.name_after
                    ),
                    "metadata_after": {k: after.metadata.get(k) for k in change.metadata_after},
                }
            )
            lines = [f"Updated run {run_id}.", *change.before_after_lines()]
            if name_unread:
                lines.append(
                    f"Extend accepted the new name {quote(change.name_after or '')}; this API "
                    f"version ({after.api_version}) does not return names, so it was not read back."
                )
            text = "\n".join(lines)
        return ToolOutput(text=text, run=after, change=change)

    def _keep_tags(self, run_id: str, tags: list[str], window_s: float) -> Run:
        """The run re-read after a tag write, with ``tags`` merged back once if a writer lost them.

        A concurrent writer that read the list before our write lands within about
        our own read-to-write time, so the check waits twice that first.
        """
        settle = min(max(2 * window_s, TAG_SETTLE_MIN_S), TAG_SETTLE_MAX_S)
        for attempt in range(2):
            self._sleep(settle)
            with errors_as_tool_errors(f"checking the tags of run {run_id}"):
                current = self.client.get_run(run_id)
            missing = [tag for tag in tags if tag not in current.tags]
            if not missing:
                return current
            if attempt:
                break
            with errors_as_tool_errors(f"adding the tags back to run {run_id}"):
                merge = UpdateRequest(None, {}, missing).change_for(current)
                self.client.update_run(run_id, metadata=dict(merge.metadata_after))
        lost = ", ".join(quote(tag) for tag in missing)
        raise ToolError(
            f"Run {run_id} lost the tag(s) {lost}: another change to its tags landed at the "
            "same time and overwrote them, twice. Its tags are now "
            f"{', '.join(quote(t) for t in current.tags) or '(none)'}. Add them again."
        )

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
