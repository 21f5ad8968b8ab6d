"""What an update does to a run (``RunChange``) and the checked request that computes it.

``update_run_metadata`` is read-modify-write: ``UpdateRequest.checked`` validates the
arguments before any request, ``change_for(run)`` turns them into the exact change
against what the run holds now (only keys whose value differs; tags appended to
the ``tags`` list without duplicates), and refuses a request that would change
nothing, so a model learns its call was a no-op. Setting a key the run does not
have to null is a removal of nothing (Extend would add the key, set to null): that
part is left out of the change, which says so, and a request that asked for nothing
else is refused like removing a tag the run lacks.

Proposals come from models that may obey a document, so ``checked`` also refuses,
before anything is shown for approval: line breaks, U+2028/U+2029, other control
characters and bidirectional marks anywhere in a name, tag, key or text value
(they can forge or reorder the lines a person approves), and keys Extend reserves
(``extend:...``, e.g. ``extend:usage_tags``) unless the caller passes them in
``reserved_keys`` because the person typed them in their own words; such a change
then says so in its description.

``RunChange.describe()`` and ``before_after_lines()`` are what people approve and
read. Names, keys and values in them come from users, models and documents, so
strings are JSON-quoted and control characters escaped (``tools.text.quoting``): a
value such as ``"ok\\r\\x1b[2K..."`` cannot rewrite the approval line in a terminal.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from tools.client.errors import ExtendError
from tools.client.validation import MAX_METADATA_DEPTH, validate_metadata, validate_name
from tools.faces.tool_errors import ToolError
from tools.text.quoting import json_text, plain_or_quoted, quote

if TYPE_CHECKING:
    from tools.runs.models import Run

__all__ = [
    "MAX_TAG_LENGTH",
    "NOT_SENT",
    "NULL_NOTE",
    "RESERVED_KEY_PREFIX",
    "RESERVED_NOTE",
    "TAGS_KEY",
    "RunChange",
    "UpdateRequest",
    "is_reserved_key",
]

TAGS_KEY = "tags"
MAX_TAG_LENGTH = 100
RESERVED_KEY_PREFIX = "extend:"
"""Keys Extend reserves (``extend:usage_tags``): changed only when a person names them."""
_UNSET = "(unset)"
_MAX_SHOWN_VALUE = 80
"""A value longer than this (as JSON) is not repeated in a "nothing to change" message."""
NULL_NOTE = " (Extend cannot delete a metadata key, so the key stays, set to null)"
"""Said after ``set key = null``: what will be stored when a person asks to remove a key."""
NOT_SENT = "No update was sent."
"""How a refused no-op ends, for the model (a person's answer leaves it out)."""
FIELD_NOTE = " (metadata only: the extracted field of that name stays as Extend read it)"
"""Said after a metadata key that is also an extracted field's name ("set the due date")."""
RESERVED_NOTE = " (a key Extend reserves)"
"""Said after a reserved key a person named themselves, wherever the change is shown."""
# What a proposed name, tag, key or text value may not contain: C0/C1 controls (line
# breaks and tabs included), DEL, line/paragraph separators and bidirectional marks.
_UNSAFE_TEXT = re.compile(
    r"[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]"
)


def is_reserved_key(key: str) -> bool:
    """Whether Extend reserves this metadata key (``extend:usage_tags`` and any ``extend:``)."""
    return key.strip().lower().startswith(RESERVED_KEY_PREFIX)


class RunChange(BaseModel):
    """What an update does to a run: the touched name and metadata keys, before and after.

    ``metadata_before`` lacks keys the run did not have; ``tags_added`` lists the
    labels new to the run's ``tags`` list and ``tags_removed`` the labels taken out
    of it (the whole new list is also under the ``tags`` key). ``absent_removals``
    are keys asked to be set to null that the run lacks: not written, said as left out.
    """

    run_id: str
    name_before: str | None = None
    name_after: str | None = None
    metadata_before: dict[str, Any] = Field(default_factory=dict)
    metadata_after: dict[str, Any] = Field(default_factory=dict)
    tags_added: list[str] = Field(default_factory=list)
    tags_removed: list[str] = Field(default_factory=list)
    reserved_keys: list[str] = Field(default_factory=list)
    """Touched keys Extend reserves, which the person named themselves (said in ``describe``)."""
    file_names: list[str] = Field(default_factory=list)
    """The run's files, so an approval can show which document's run will change."""
    absent_removals: list[str] = Field(default_factory=list)
    """Keys asked to be removed (set to null) that the run lacks: left out, and said so."""
    field_keys: list[str] = Field(default_factory=list)
    """Touched metadata keys that are also extracted fields' names: the field is not changed."""

    def files_note(self) -> str:
        """`` (file "Contoso_CTS-3321.pdf")`` for an approval, or "" for a run without files."""
        if not self.file_names:
            return ""
        label = "file" if len(self.file_names) == 1 else "files"
        return f" ({label} {', '.join(quote(name, limit=80) for name in self.file_names[:3])})"

    @property
    def renames(self) -> bool:
        return self.name_after != self.name_before

    @property
    def metadata_keys(self) -> list[str]:
        """Touched metadata keys other than ``tags`` (tags are reported as ``tags_added``)."""
        tagging = self.tags_added or self.tags_removed
        return [k for k in self.metadata_after if not (k == TAGS_KEY and tagging)]

    @property
    def is_empty(self) -> bool:
        return not (self.renames or self.metadata_after)

    def describe(self) -> str:
        """One short line for a human: what will change (or changed), in the imperative.

        ``Rename workflow_run_1234 from (none) to "ACME March"; set vendor = "ACME"
        (was "Acme"); add tag "urgent"``: every string JSON-quoted, controls escaped.
        """
        run_id = plain_or_quoted(self.run_id)
        pieces = []
        if self.renames:
            pieces.append(
                f"Rename {run_id} from {_shown(self.name_before)} to {_shown(self.name_after)}"
            )
        for key in self.metadata_keys:
            was = ""
            if key in self.metadata_before:
                was = f" (was {json_text(self.metadata_before[key])})"
            value = json_text(self.metadata_after[key])
            reserved = RESERVED_NOTE if key in self.reserved_keys else ""
            shadow = FIELD_NOTE if key in self.field_keys else ""
            pieces.append(f"set {plain_or_quoted(key)}{reserved} = {value}{was}{shadow}")
        if any(self.metadata_after[key] is None for key in self.metadata_keys):
            pieces[-1] += NULL_NOTE
        if self.tags_added:
            label = "tag" if len(self.tags_added) == 1 else "tags"
            pieces.append(f"add {label} {', '.join(quote(t) for t in self.tags_added)}")
        if self.tags_removed:
            label = "tag" if len(self.tags_removed) == 1 else "tags"
            pieces.append(f"remove {label} {', '.join(quote(t) for t in self.tags_removed)}")
        if self.absent_removals:
            keys = ", ".join(plain_or_quoted(k) for k in self.absent_removals)
            such = "key" if len(self.absent_removals) == 1 else "keys"
            pieces.append(f"leave out {keys} (the run has no such {such}: nothing to remove)")
        if not pieces:
            return f"No change to {run_id}"
        text = "; ".join(pieces)
        if not self.renames:
            text = f"On {run_id}: {text}"
        return text[0].upper() + text[1:]

    def before_after_lines(self) -> list[str]:
        """``name: (none) -> "ACME March"`` style lines, one per touched item."""
        lines = []
        if self.renames:
            lines.append(f"name: {_shown(self.name_before)} -> {_shown(self.name_after)}")
        for key in self.metadata_after:
            before = json_text(self.metadata_before[key]) if key in self.metadata_before else _UNSET
            after = json_text(self.metadata_after[key])
            reserved = RESERVED_NOTE if key in self.reserved_keys else ""
            lines.append(f"metadata {plain_or_quoted(key)}{reserved}: {before} -> {after}")
        for key in self.absent_removals:
            lines.append(f"metadata {plain_or_quoted(key)}: {_UNSET}, nothing to remove (left out)")
        return lines


class UpdateRequest:
    """A validated update request, turned into a ``RunChange`` against a run's current state."""

    def __init__(
        self,
        name: str | None,
        metadata: dict[str, Any],
        tags: list[str],
        remove_tags: list[str] | None = None,
    ) -> None:
        self.name = name
        self.metadata = metadata
        self.tags = tags
        self.remove_tags = remove_tags or []

    @classmethod
    def checked(
        cls,
        name: object,
        metadata: object,
        add_tags: object,
        *,
        max_bytes: int,
        reserved_keys: Collection[str] = (),
        remove_tags: object = None,
    ) -> UpdateRequest:
        """The request, or ``ToolError`` saying what is wrong (no request is sent).

        ``reserved_keys``: ``extend:`` keys the person named in their own words; any
        other reserved key is refused.
        """
        if name is not None:
            if isinstance(name, str):
                _refuse_unsafe_text(name, "The run name")
            try:
                name = validate_name(name)
            except ExtendError as error:
                raise ToolError(error.message) from None
        if metadata is None or metadata == {}:
            metadata = {}
        else:
            _refuse_unsafe_metadata(metadata, "metadata")
            try:
                metadata = validate_metadata(metadata, max_bytes=max_bytes)
            except ExtendError as error:
                raise ToolError(error.message) from None
            _refuse_reserved_keys(metadata, reserved_keys)
        tags = _checked_tags(add_tags)
        removed = _checked_tags(remove_tags, argument="remove_tags")
        both = [t for t in removed if t in tags]
        if both:
            raise ToolError(f"The tag {quote(both[0])} is both added and removed; pick one.")
        if removed and TAGS_KEY in metadata:
            raise ToolError(f"Set '{TAGS_KEY}' in metadata or remove tags, not both at once.")
        if name is None and not metadata and not tags and not removed:
            raise ToolError(
                "Nothing to update: give a new name, metadata to set, or tags to add or remove."
            )
        return cls(name, dict(metadata), tags, removed)

    def change_for(self, run: Run) -> RunChange:
        """The change this request makes to ``run``; ``ToolError`` when it changes nothing."""
        absent = [k for k, v in self.metadata.items() if v is None and k not in run.metadata]
        field_names = {f.name.casefold() for f in run.fields}
        touched = {
            k: v
            for k, v in self.metadata.items()
            if k not in absent and run.metadata.get(k, _Missing) != v
        }
        added: list[str] = []
        if self.tags:
            current = self.metadata.get(TAGS_KEY, run.metadata.get(TAGS_KEY, []))
            if current is None:
                current = []
            if not isinstance(current, list) or not all(isinstance(t, str) for t in current):
                raise ToolError(
                    f"Run {run.id} has a '{TAGS_KEY}' metadata value that is not a list of "
                    f"labels ({json_text(current)}), so tags cannot be added to it. Set "
                    f"'{TAGS_KEY}' to a list in metadata instead."
                )
            added = [t for t in self.tags if t not in current]
            if added:
                touched[TAGS_KEY] = [*current, *added]
        removed: list[str] = []
        if self.remove_tags:
            current = touched.get(TAGS_KEY, run.metadata.get(TAGS_KEY, []))
            current = current if isinstance(current, list) else []
            untagged = [t for t in self.remove_tags if t not in current]
            if untagged:
                raise ToolError(
                    f"{plain_or_quoted(run.id)} is not tagged "
                    f"{', '.join(quote(t) for t in untagged)} (its tags: "
                    f"{', '.join(quote(t) for t in current if isinstance(t, str)) or 'none'}); "
                    f"nothing to remove. {NOT_SENT}"
                )
            removed = list(self.remove_tags)
            touched[TAGS_KEY] = [t for t in current if t not in removed]
        change = RunChange(
            run_id=run.id,
            name_before=run.name,
            name_after=self.name if self.name is not None else run.name,
            metadata_before={k: run.metadata[k] for k in touched if k in run.metadata},
            metadata_after=touched,
            tags_added=added,
            tags_removed=removed,
            reserved_keys=[k for k in touched if is_reserved_key(k)],
            file_names=[f.name for f in run.files if f.name],
            absent_removals=[k for k in absent if k not in touched],
            field_keys=[k for k in touched if k != TAGS_KEY and k.casefold() in field_names],
        )
        if change.is_empty:
            raise ToolError(self._no_change_message(run, absent))
        return change

    def _no_change_message(self, run: Run, absent: list[str]) -> str:
        """Why nothing would change, naming the run once: ``Nothing to change: X is ...``."""
        run_id = plain_or_quoted(run.id)
        only_absent = set(self.metadata) == set(absent) and not (self.tags or self.remove_tags)
        if absent and only_absent and self.name is None:
            return f"{run_id} {_absent_keys(absent)}; nothing to remove. {NOT_SENT}"
        already = []
        if self.name is not None:
            already.append(f"is already named {quote(self.name)}")
        keys = [k for k in self.metadata if k not in absent and (k != TAGS_KEY or not self.tags)]
        if keys:
            already.append(f"already has {', '.join(_setting(k, self.metadata[k]) for k in keys)}")
        if self.tags:
            already.append(f"is already tagged {', '.join(quote(t) for t in self.tags)}")
        if absent:
            already.append(f"{_absent_keys(absent)} to remove")
        said = "; ".join(f"{run_id if i == 0 else 'it'} {piece}" for i, piece in enumerate(already))
        return (
            f"Nothing to change: {said}. No update was sent; ask for a different value if a "
            "change is wanted."
        )


class _Missing:
    """Marks a metadata key the run does not have (a stored None is a real value)."""


def _checked_tags(add_tags: object, *, argument: str = "add_tags") -> list[str]:
    if add_tags is None:
        return []
    if isinstance(add_tags, str) or not isinstance(add_tags, Sequence):
        raise ToolError(f'{argument} must be a list of labels, e.g. ["urgent", "q3"].')
    tags: list[str] = []
    for tag in add_tags:
        if not isinstance(tag, str) or not tag.strip():
            raise ToolError("Each tag must be non-empty text, e.g. urgent.")
        tag = tag.strip()
        _refuse_unsafe_text(tag, f"The tag {quote(tag)}")
        if len(tag) > MAX_TAG_LENGTH:
            raise ToolError(f"A tag is {len(tag)} characters; tags are at most {MAX_TAG_LENGTH}.")
        if tag not in tags:
            tags.append(tag)
    return tags


def _refuse_unsafe_text(text: str, what: str) -> None:
    """``ToolError`` when ``text`` holds a line break, control or bidirectional character."""
    found = _UNSAFE_TEXT.search(text)
    if found is not None:
        raise ToolError(
            f"{what} contains control characters (U+{ord(found.group()):04X}: a line break, "
            "tab, escape or text-direction mark); names, tags, keys and values must be plain "
            "text on one line."
        )


def _refuse_unsafe_metadata(value: object, where: str, depth: int = 0) -> None:
    if depth > MAX_METADATA_DEPTH:  # too deep: ``validate_metadata`` says so
        return
    if isinstance(value, str):
        _refuse_unsafe_text(value, f"The value of {where}")
    elif isinstance(value, Mapping):
        for key, item in value.items():
            _refuse_unsafe_text(str(key), f"A key in {where}")
            _refuse_unsafe_metadata(item, f"{where}.{key}", depth + 1)
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _refuse_unsafe_metadata(item, f"{where}[{index}]", depth + 1)


def _refuse_reserved_keys(metadata: Mapping[str, Any], named: Collection[str]) -> None:
    for key in metadata:
        if is_reserved_key(key) and key not in named:
            raise ToolError(
                f"{quote(key)} is a metadata key Extend reserves (keys starting "
                f"{RESERVED_KEY_PREFIX!r}, such as extend:usage_tags); it is changed only when "
                "a person types that key themselves, never on a model's or a document's "
                "say-so. Leave it out."
            )


def _setting(key: str, value: Any) -> str:
    """``po_number = "4411"``, or ``po_number set to that value`` when the value is long."""
    shown = json_text(value)
    if len(shown) > _MAX_SHOWN_VALUE:
        return f"{plain_or_quoted(key)} set to that value"
    return f"{plain_or_quoted(key)} = {shown}"


def _absent_keys(keys: Sequence[str]) -> str:
    """``has no metadata key cost_center`` (``keys po_number, cost_center``)."""
    label = "key" if len(keys) == 1 else "keys"
    return f"has no metadata {label} {', '.join(plain_or_quoted(k) for k in keys)}"


def _shown(name: str | None) -> str:
    return quote(name) if name is not None else "(none)"
