"""Matching runs against a ``SearchQuery``: first what a list item carries, then the read run.

``cheap_match`` applies what Extend cannot filter on server-side to a list item: a
workflow by name, "in progress", a created/updated window, and free text against
the id, the name and the file names. ``deep_matches`` then takes the runs that were
read: free text against extracted values (vendor names, invoice numbers) and the
metadata or tag filters, which lists do not carry.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tools.faces.run_query import IN_PROGRESS, SearchQuery, normalize_words, parse_when

if TYPE_CHECKING:
    from datetime import datetime

    from tools.runs.listing import RunListItem
    from tools.runs.models import Run

__all__ = ["RunMatch", "cheap_match", "deep_matches"]

_IN_PROGRESS_STATUSES = frozenset({"PENDING", "PROCESSING", "CANCELLING"})


@dataclass
class RunMatch:
    """A run that matched, where the text matched it, and the run itself when it was read."""

    item: RunListItem
    where: list[str] = field(default_factory=list)
    exact: bool = False
    run: Run | None = None

    @property
    def vendor(self) -> str | None:
        if self.run is None:
            return None
        for name in ("vendor_name", "vendor", "merchant_name", "supplier_name"):
            found = self.run.field(name)
            if found is not None and isinstance(found.value, str) and found.value.strip():
                return found.value
        return None


def cheap_match(item: RunListItem, query: SearchQuery) -> RunMatch | None:
    """The item against everything a list item carries; None when it fails a filter."""
    if query.status == IN_PROGRESS and item.status not in _IN_PROGRESS_STATUSES:
        return None
    if query.workflow and not query.workflow.startswith("workflow_"):
        names = normalize_words(f"{item.workflow.name or ''} {item.workflow.id or ''}")
        if not all(any(w in n for n in names) for w in normalize_words(query.workflow)):
            return None
    if not _in_window(item.created_at, query.created_after, query.created_before):
        return None
    if not _in_window(item.updated_at, query.updated_after, query.updated_before):
        return None
    match = RunMatch(item)
    if query.words:
        text = " ".join(normalize_words(query.text or ""))
        places = {"id": item.id, "name": item.name or "", "file": " ".join(item.file_names)}
        for where, value in places.items():
            hay = " ".join(normalize_words(value))
            if all(_word_in(w, hay, query.fuzzy) for w in query.words):
                match.where.append(where)
                stems = [" ".join(normalize_words(n.rsplit(".", 1)[0])) for n in item.file_names]
                match.exact = match.exact or text == hay or text in stems
    return match


def deep_matches(
    window: list[RunListItem],
    read: dict[str, Run],
    cheap: list[RunMatch],
    query: SearchQuery,
) -> list[RunMatch]:
    """The cheap matches of a page kept or dropped on what the runs read in ``window`` hold."""
    by_id = {m.item.id: m for m in cheap}
    kept: list[RunMatch] = []
    for item in window:
        match = by_id.pop(item.id, None)
        run = read.get(item.id)
        if match is None:
            continue
        match.run = run
        if query.needs_run_reads and (run is None or not _metadata_matches(run, query)):
            continue
        if query.words and run is not None:
            values = [" ".join(normalize_words(v)) for v in _field_texts(run)]
            text = " ".join(query.words)
            if any(all(_word_in(w, v, query.fuzzy) for w in query.words) for v in values):
                match.where.append("fields")
                match.exact = match.exact or text in values
        if query.words and not match.where:
            continue
        kept.append(match)
    if not query.needs_run_reads:  # beyond the read window only id/name/file can match
        kept.extend(m for m in by_id.values() if m.where or not query.words)
    return kept


def _word_in(word: str, text: str, fuzzy: bool = False) -> bool:
    """``word`` in ``text``, a plural also as its singular ("bearings" finds "Ball bearing");
    with ``fuzzy``, a word of 5+ letters (no digits: "INV-58213" is never near "INV-58214")
    also matches a word of ``text`` one typo away."""
    if word in text:
        return True
    if len(word) > 3 and word.endswith("s") and word[:-1] in text:
        return True
    if not fuzzy or len(word) < 5 or any(c.isdigit() for c in word):
        return False
    return any(abs(len(t) - len(word)) <= 1 and _one_typo(word, t) for t in text.split())


def _one_typo(a: str, b: str) -> bool:
    """``a`` and ``b`` differ by one letter added, dropped, changed, or two swapped."""
    if a == b:
        return False
    if len(a) == len(b):
        diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(diffs) == 1:
            return True
        first, second = diffs[:2] if len(diffs) == 2 else (0, 0)
        return (
            len(diffs) == 2
            and second == first + 1
            and a[first] == b[second]
            and a[second] == b[first]
        )
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _metadata_matches(run: Run, query: SearchQuery) -> bool:
    if query.tag:
        wanted = query.tag.casefold()
        labels = [*run.tags, *_usage_tags(run)]
        if not any(label.casefold() == wanted for label in labels):
            return False
    if query.metadata_key:
        keys = {k.casefold(): k for k in run.metadata}
        key = keys.get(query.metadata_key.casefold())
        if key is None:
            return False
        if query.metadata_value is not None:
            value = run.metadata[key]
            if str(value).casefold() != query.metadata_value.casefold():
                return False
    return True


def _usage_tags(run: Run) -> list[str]:
    tags = run.metadata.get("extend:usage_tags")
    return [t for t in tags if isinstance(t, str)] if isinstance(tags, list) else []


def _field_texts(run: Run) -> list[str]:
    texts: list[str] = []
    for found in run.fields:
        _collect(found.value, texts)
    return texts


def _collect(value: Any, into: list[str]) -> None:
    if isinstance(value, str):
        into.append(value)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        into.append(f"{value:g}" if isinstance(value, float) else str(value))
    elif isinstance(value, dict):
        for inner in value.values():
            _collect(inner, into)
    elif isinstance(value, list):
        for inner in value[:50]:
            _collect(inner, into)


def _in_window(stamp: str | None, after: datetime | None, before: datetime | None) -> bool:
    if after is None and before is None:
        return True
    when = parse_when(stamp) if stamp else None
    if when is None:
        return False
    return (after is None or when >= after) and (before is None or when < before)
