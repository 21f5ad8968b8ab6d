"""The two tools, ``get_run`` and ``update_run_metadata``: one implementation, three faces.

LangChain (``tools.langchain_tools``), OpenAI function calling
(``tools.openai_functions``) and MCP (``tools.mcp_server``) are thin wrappers
around ``RunTools``, so every face validates, words errors and reports changes
the same way.

Writes are read-modify-write: the run is read, the change computed against what
it holds (``preview_update`` stops there, so a front end can show the change and
ask a human first), then only what differs is sent. Adding tags appends to the
run's ``tags`` metadata list; a per-run lock serializes these steps inside the
process so two concurrent tag calls on one run both land. A call that would
change nothing is refused, so a model learns its request was a no-op.

Every failure reaches callers as ``ToolError`` with a message naming the run and
saying what to do; never a traceback, never the API key.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from tools.errors import ExtendError
from tools.summary import LOW_CONFIDENCE, summarize_run
from tools.validation import validate_metadata, validate_name, validate_run_id

if TYPE_CHECKING:
    from tools.client import ExtendClient
    from tools.models import Run

__all__ = ["TAGS_KEY", "RunChange", "RunTools", "ToolError", "ToolOutput"]

logger = logging.getLogger(__name__)

TAGS_KEY = "tags"
MAX_TAG_LENGTH = 100
_UNSET = "(unset)"


class ToolError(Exception):
    """A tool call that could not be done; ``message`` is meant for the model or the user."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class RunChange(BaseModel):
    """What an update does to a run: the touched name and metadata keys, before and after.

    ``metadata_before`` lacks keys the run did not have; ``tags_added`` lists the
    labels new to the run's ``tags`` list (which is also under the ``tags`` key).
    """

    run_id: str
    name_before: str | None = None
    name_after: str | None = None
    metadata_before: dict[str, Any] = Field(default_factory=dict)
    metadata_after: dict[str, Any] = Field(default_factory=dict)
    tags_added: list[str] = Field(default_factory=list)

    @property
    def renames(self) -> bool:
        return self.name_after != self.name_before

    @property
    def metadata_keys(self) -> list[str]:
        """Touched metadata keys other than ``tags`` (tags are reported as ``tags_added``)."""
        return [k for k in self.metadata_after if not (k == TAGS_KEY and self.tags_added)]

    @property
    def is_empty(self) -> bool:
        return not (self.renames or self.metadata_after)

    def describe(self) -> str:
        """One short line for a human: what will change (or changed), in the imperative."""
        pieces = []
        if self.renames:
            before = f"“{self.name_before}”" if self.name_before else "(none)"
            pieces.append(f"Rename {self.run_id} from {before} to “{self.name_after}”")
        for key in self.metadata_keys:
            was = (
                f" (was {_plain(self.metadata_before[key])})" if key in self.metadata_before else ""
            )
            pieces.append(f"set {key} = {_plain(self.metadata_after[key])}{was}")
        if self.tags_added:
            label = "tag" if len(self.tags_added) == 1 else "tags"
            pieces.append(f"add {label} {', '.join(self.tags_added)}")
        if not pieces:
            return f"No change to {self.run_id}"
        text = "; ".join(pieces)
        if not self.renames:
            text = f"On {self.run_id}: {text}"
        return text[0].upper() + text[1:]

    def before_after_lines(self) -> list[str]:
        """``name: (none) -> "ACME March"`` style lines, one per touched item."""
        lines = []
        if self.renames:
            lines.append(f"name: {_shown(self.name_before)} -> {_shown(self.name_after)}")
        for key in self.metadata_after:
            before = _json(self.metadata_before[key]) if key in self.metadata_before else _UNSET
            lines.append(f"metadata {key}: {before} -> {_json(self.metadata_after[key])}")
        return lines


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
        with _errors_as_tool_errors(f"reading run {run_id}"):
            run = self.client.get_run(run_id)
        fields = [f for f in fields if f.strip()] if fields else None
        text = summarize_run(
            run,
            fields=fields,
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
        request = _UpdateRequest.checked(name, metadata, add_tags, max_bytes=self._max_bytes)
        with _errors_as_tool_errors(f"reading run {run_id}"):
            run = self.client.get_run(run_id)
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
        request = _UpdateRequest.checked(name, metadata, add_tags, max_bytes=self._max_bytes)
        with self._lock(run_id):
            with _errors_as_tool_errors(f"reading run {run_id}"):
                before = self.client.get_run(run_id)
            change = request.change_for(before)
            with _errors_as_tool_errors(f"updating run {run_id}"):
                after = self.client.update_run(
                    run_id,
                    name=change.name_after if change.renames else None,
                    metadata=dict(change.metadata_after) or None,
                )
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


class _UpdateRequest:
    """A validated update request, turned into a ``RunChange`` against a run's current state."""

    def __init__(self, name: str | None, metadata: dict[str, Any], tags: list[str]) -> None:
        self.name = name
        self.metadata = metadata
        self.tags = tags

    @classmethod
    def checked(
        cls,
        name: object,
        metadata: object,
        add_tags: object,
        *,
        max_bytes: int,
    ) -> _UpdateRequest:
        if name is not None:
            try:
                name = validate_name(name)
            except ExtendError as error:
                raise ToolError(error.message) from None
        if metadata is None or metadata == {}:
            metadata = {}
        else:
            try:
                metadata = validate_metadata(metadata, max_bytes=max_bytes)
            except ExtendError as error:
                raise ToolError(error.message) from None
        tags = _checked_tags(add_tags)
        if name is None and not metadata and not tags:
            raise ToolError("Nothing to update: give a new name, metadata to set, or tags to add.")
        return cls(name, dict(metadata), tags)

    def change_for(self, run: Run) -> RunChange:
        touched = {k: v for k, v in self.metadata.items() if run.metadata.get(k, _Missing) != v}
        added: list[str] = []
        if self.tags:
            current = self.metadata.get(TAGS_KEY, run.metadata.get(TAGS_KEY, []))
            if current is None:
                current = []
            if not isinstance(current, list) or not all(isinstance(t, str) for t in current):
                raise ToolError(
                    f"Run {run.id} has a '{TAGS_KEY}' metadata value that is not a list of "
                    f"labels ({_json(current)}), so tags cannot be added to it. Set "
                    f"'{TAGS_KEY}' to a list in metadata instead."
                )
            added = [t for t in self.tags if t not in current]
            if added:
                touched[TAGS_KEY] = [*current, *added]
        change = RunChange(
            run_id=run.id,
            name_before=run.name,
            name_after=self.name if self.name is not None else run.name,
            metadata_before={k: run.metadata[k] for k in touched if k in run.metadata},
            metadata_after=touched,
            tags_added=added,
        )
        if change.is_empty:
            raise ToolError(_no_change_message(run, self))
        return change


class _Missing:
    """Marks a metadata key the run does not have (a stored None is a real value)."""


def _checked_id(run_id: object) -> str:
    try:
        return validate_run_id(run_id)
    except ExtendError as error:
        raise ToolError(error.message) from None


def _checked_tags(add_tags: object) -> list[str]:
    if add_tags is None:
        return []
    if isinstance(add_tags, str) or not isinstance(add_tags, Sequence):
        raise ToolError('add_tags must be a list of labels, e.g. ["urgent", "q3"].')
    tags: list[str] = []
    for tag in add_tags:
        if not isinstance(tag, str) or not tag.strip():
            raise ToolError("Each tag must be non-empty text, e.g. urgent.")
        tag = tag.strip()
        if len(tag) > MAX_TAG_LENGTH:
            raise ToolError(f"A tag is {len(tag)} characters; tags are at most {MAX_TAG_LENGTH}.")
        if tag not in tags:
            tags.append(tag)
    return tags


def _no_change_message(run: Run, request: _UpdateRequest) -> str:
    already = []
    if request.name is not None:
        already.append(f"its name is already “{request.name}”")
    if request.metadata:
        keys = ", ".join(k for k in request.metadata if k != TAGS_KEY or not request.tags)
        if keys:
            already.append(f"metadata {keys} already has those values")
    if request.tags:
        already.append(f"it is already tagged {', '.join(request.tags)}")
    return (
        f"Nothing to change on run {run.id}: {'; '.join(already)}. "
        "No update was sent; ask for a different value if a change is wanted."
    )


@contextmanager
def _errors_as_tool_errors(doing: str) -> Iterator[None]:
    try:
        yield
    except ToolError:
        raise
    except ExtendError as error:
        raise ToolError(f"Failed {doing}: {error}") from None
    except Exception:
        logger.exception("unexpected error while %s", doing)
        raise ToolError(
            f"Failed {doing}: an unexpected error occurred (details are in the server log). "
            "Try again; if it keeps failing, report it."
        ) from None


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


def _plain(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return ", ".join(value) if value else "[]"
    return _json(value)


def _shown(name: str | None) -> str:
    return _json(name) if name is not None else "(none)"
