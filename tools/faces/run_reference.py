"""Which run a person means: a reference resolved to one run, a few candidates, none, or invalid.

People rarely paste full ids. ``resolve_reference`` accepts, in this order:

1. an Extend dashboard link, any form (``https://dashboard.extend.ai/workflows/<id>``,
   ``.../workflows/<workflow>/runs/<id>``, ``...?runId=<id>``, a Slack-wrapped
   ``<url|label>``, regional hosts): the ``workflow_run_...`` in it;
2. a full run id (``workflow_run_...``), checked but not read;
3. an id suffix (``1234``: letters and digits, no dash): the listed runs whose id
   ends with it; two or more is a collision and the person is asked; none falls
   through to the search below (``36995`` may be an invoice number);
4. anything else (a file name or part of one, a run name, a vendor name, an
   invoice number): ``search_runs`` with ``stop_early``, which costs one list page
   plus the bounded field reads when the run is recent.

One match is the run; several give up to ``MAX_CANDIDATES`` candidates (an exact
match of a file name, name or field value among looser ones wins); none says
what was searched, and offers the runs one typo away ("Acmee", "Blubird") as
"did you mean": never taken as the run, so a misspelt name is never written to
without the person choosing it. A reference that cannot name a run (``../x``, a link to
another site, a malformed id) is ``invalid``: it is never replaced by some other
run, such as the last one a conversation talked about.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal
from urllib.parse import unquote, urlsplit

from tools.client.errors import ExtendError
from tools.client.validation import validate_run_id
from tools.faces.find_runs import run_line
from tools.faces.run_search import (
    DEFAULT_FIELD_SCAN,
    DEFAULT_PAGES,
    PAGE_SIZE,
    RunCache,
    RunMatch,
    SearchQuery,
    search_runs,
)
from tools.faces.tool_errors import ToolError, errors_as_tool_errors
from tools.text.quoting import quote

if TYPE_CHECKING:
    from tools.client.clients import ExtendClient
    from tools.runs.listing import RunListItem

__all__ = [
    "MAX_CANDIDATES",
    "Resolution",
    "dashboard_run_id",
    "resolve_reference",
]

MAX_CANDIDATES = 5
SUFFIX_PAGES = 20
Outcome = Literal["run", "ambiguous", "none", "invalid"]
_RUN_ID_IN_TEXT = re.compile(r"workflow_run_[A-Za-z0-9_\-]+")
_EXTEND_HOSTS = ("extend.ai", "extend.app")
_SUFFIX = re.compile(r"[A-Za-z0-9_\-]{3,60}")
_SLACK_LINK = re.compile(r"^<(https?://[^|>]+)(?:\|[^>]*)?>$")


@dataclass
class Resolution:
    """The outcome of resolving ``reference``; ``message`` says it in words for a person."""

    outcome: Outcome
    reference: str
    run_id: str | None = None
    candidates: list[RunMatch] = field(default_factory=list)
    searched: str = ""
    total: int = 0
    scope: str = ""
    """Where the candidates were counted, e.g. " among the 100 most recent runs"."""

    @property
    def message(self) -> str:
        shown = quote(self.reference, limit=80)
        if self.outcome == "run":
            return f"{shown} is run {self.run_id}."
        if self.outcome == "invalid":
            return f"{shown} is not a valid run reference: {self.searched}"
        if self.outcome == "none" and self.candidates:
            which = "one of these" if len(self.candidates) > 1 else "this one"
            lines = [f"No run matches {shown}. Did you mean {which}?"]
            lines += [f"- {run_line(m)}" for m in self.candidates]
            return "\n".join(lines)
        if self.outcome == "none":
            return f"No run matches {shown}. {self.searched}"
        lines = [f"{self.total} runs match {shown}{self.scope}; which one do you mean?"]
        lines += [f"- {run_line(m)}" for m in self.candidates]
        if self.total > len(self.candidates):
            lines.append(f"and {self.total - len(self.candidates)} more; say more to narrow it.")
        return "\n".join(lines)


def dashboard_run_id(link: str) -> str | None:
    """The run id in an Extend dashboard link; None if ``link`` is not an Extend link.

    Raises ``ToolError`` for an Extend link that names no run.
    """
    match = _SLACK_LINK.match(link.strip())
    url = match.group(1) if match else link.strip()
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host = (parts.hostname or "").casefold()
    if parts.scheme not in ("http", "https") or not any(
        host == h or host.endswith("." + h) for h in _EXTEND_HOSTS
    ):
        return None
    found = _RUN_ID_IN_TEXT.findall(unquote(f"{parts.path}?{parts.query}#{parts.fragment}"))
    if not found:
        raise ToolError("that Extend link names no workflow run (no workflow_run_... in it).")
    return found[-1]


def resolve_reference(
    client: ExtendClient,
    cache: RunCache,
    reference: str,
    *,
    max_pages: int = DEFAULT_PAGES,
    field_scan: int = DEFAULT_FIELD_SCAN,
) -> Resolution:
    """Resolve ``reference`` (see the module docstring); Extend errors raise ``ToolError``."""
    text = reference.strip().strip("`'\"“”‘’").strip()
    if not text:
        return Resolution("invalid", reference, searched="it is empty.")
    if text.startswith(("http://", "https://", "<http")):
        try:
            run_id = dashboard_run_id(text)
        except ToolError as error:
            return Resolution("invalid", text, searched=error.message)
        if run_id is None:
            return Resolution("invalid", text, searched="it is a link, but not to Extend.")
        return _checked(text, run_id)
    if text.startswith("workflow_run_"):
        return _checked(text, text)
    if ".." in text or text.startswith(("/", "\\", "~")):
        return Resolution(
            "invalid",
            text,
            searched="it looks like a file path; give a run id, a link, a file name or a vendor.",
        )
    if _SUFFIX.fullmatch(text) and any(c.isdigit() for c in text) and "-" not in text:
        found = _by_suffix(client, text)
        if found is not None:
            return found
    query = SearchQuery(text=text, max_pages=max_pages, field_scan=field_scan)
    try:
        result = search_runs(client, query, cache, stop_early=True)
    except ExtendError as error:
        raise ToolError(error.message, cause=error) from None
    searched = (
        f"Searched the ids, names and file names of the {result.listed} most recent runs "
        f"and the extracted fields (vendor, invoice number, ...) of the {result.runs_read} "
        "most recent."
    )
    matches = result.matches
    exact = [m for m in matches if m.exact]
    if len(exact) == 1:
        matches = exact
    if len(matches) == 1:
        return Resolution("run", text, matches[0].item.id, matches, searched, 1)
    if not matches:
        return _near_misses(client, cache, query, text, searched)
    scope = f" among the {result.listed} most recent runs" if result.more_pages else ""
    return Resolution(
        "ambiguous", text, None, matches[:MAX_CANDIDATES], searched, len(matches), scope
    )


def _near_misses(
    client: ExtendClient, cache: RunCache, query: SearchQuery, text: str, searched: str
) -> Resolution:
    """No run matched ``text``: the runs one typo away, offered (the reads are cached)."""
    if not any(len(w) >= 5 and not any(c.isdigit() for c in w) for w in query.words):
        return Resolution("none", text, searched=searched)
    try:
        near = search_runs(client, replace(query, fuzzy=True), cache, stop_early=True)
    except ExtendError as error:
        raise ToolError(error.message, cause=error) from None
    found = near.matches[:MAX_CANDIDATES]
    return Resolution("none", text, None, found, searched, len(near.matches))


def _checked(text: str, run_id: str) -> Resolution:
    try:
        validate_run_id(run_id)
    except ExtendError as error:
        return Resolution("invalid", text, searched=error.message)
    return Resolution("run", text, run_id, searched="a run id.", total=1)


def _by_suffix(client: ExtendClient, suffix: str) -> Resolution | None:
    """Runs whose id ends with ``suffix`` (case-sensitive, as ids are); None when no id does.

    Uniqueness needs every id, so this lists up to ``SUFFIX_PAGES`` pages (not stopping at
    the first hit); a collision is reported, never settled by picking one.
    """
    hits: list[RunListItem] = []
    listed = 0
    with errors_as_tool_errors("listing runs"):
        for item in client.iter_runs(max_pages=SUFFIX_PAGES, max_page_size=PAGE_SIZE):
            listed += 1
            if item.id.endswith(suffix) and item.id != suffix:
                hits.append(item)
    if not hits:
        return None
    searched = f"Matched the end of the ids of the {listed} most recent runs."
    if len(hits) == 1:
        return Resolution("run", suffix, hits[0].id, [RunMatch(hits[0], ["id"])], searched, 1)
    candidates = [RunMatch(item, ["id"]) for item in hits[:MAX_CANDIDATES]]
    return Resolution("ambiguous", suffix, None, candidates, searched, total=len(hits))
