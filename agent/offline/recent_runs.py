"""Reading the recent runs in full, for answers a search cannot give: rankings, sums, amounts.

``find_runs`` lists runs but cannot filter or sort on extracted values (a total, a
due date) nor on metadata values without a key. Questions about those take three
model calls: ``find_runs`` lists the recent runs (with any filters the question
names), ``get_run`` reads each of them (up to ``MAX_READ``), then the answer is
written from the runs read. ``totals_of`` reads each run's total, per currency:
amounts in different currencies are never added or compared.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from langchain_core.messages import AIMessage
from langchain_core.messages.tool import tool_call

from agent.change_text import and_list
from agent.offline.conversation import Turn, artifact_run
from agent.offline.fields import SYNONYMS
from agent.offline.run_answers import run_total
from agent.safety import neutralize_mentions
from tools.faces.tool_names import FIND_RUNS, GET_RUN
from tools.runs.models import Run
from tools.text.quoting import quote

__all__ = [
    "MAX_READ",
    "RecentRuns",
    "Totals",
    "described",
    "read_text",
    "recent_runs_step",
    "say",
    "shown",
    "some",
    "totals_of",
    "vendor_of",
]

MAX_READ = 25
"""Runs read for one answer: enough for a recent batch, few enough to answer in seconds."""
MAX_NAME = 80


@dataclass(frozen=True)
class RecentRuns:
    """The runs read in full, how many reads failed and how many runs the search listed."""

    runs: list[Run]
    unread: int
    listed: int


@dataclass
class Totals:
    """Each run's total, grouped by currency code (None: a bare number), and runs without one."""

    by_currency: dict[str | None, list[tuple[Decimal, Run]]] = field(
        default_factory=lambda: defaultdict(list)
    )
    without: list[str] = field(default_factory=list)


def recent_runs_step(
    turn: Turn, tool_names: Sequence[str] | None, filters: dict[str, Any] | None = None
) -> AIMessage | RecentRuns | None:
    """The next call (list, then read each), or the runs read; None without the tools.

    A failed search is answered (an ``AIMessage`` without calls) rather than read.
    """
    if tool_names is not None and not {FIND_RUNS, GET_RUN} <= set(tool_names):
        return None
    names = [(turn.call_for(r) or {}).get("name") or r.name for r in turn.results]
    if not turn.results:
        return _calls(FIND_RUNS, [dict(filters or {})])
    listed = next((r for r, n in zip(turn.results, names, strict=True) if n == FIND_RUNS), None)
    artifact = listed.artifact if listed is not None and isinstance(listed.artifact, dict) else {}
    ids = [str(r["id"]) for r in artifact.get("runs", []) if isinstance(r, dict) and r.get("id")]
    if GET_RUN in names:
        runs = [run for r in turn.results if (run := artifact_run(r)) is not None]
        unread = names.count(GET_RUN) - len(runs)
        return RecentRuns(runs=runs, unread=unread, listed=len(ids))
    last = turn.results[-1]
    if names[-1] != FIND_RUNS:
        return None
    if last.status == "error":
        return say(f"I could not list the runs: {last.content}")
    if not ids:
        return RecentRuns(runs=[], unread=0, listed=0)
    return _calls(GET_RUN, [{"run_id": run_id} for run_id in ids[:MAX_READ]])


def totals_of(runs: Sequence[Run]) -> Totals:
    """The total of each run, per currency; the ids of runs without one (failed, not invoices)."""
    totals = Totals()
    for run in runs:
        found = run_total(run)
        if found is None:
            totals.without.append(run.id)
        else:
            totals.by_currency[found[2]].append((found[1], run))
    return totals


def read_text(
    read: RecentRuns, without: Sequence[str] = (), missing: str = "total", matching: str = ""
) -> str:
    """``I read 14 of the most recent runs; 5 had no total (a, b, c and 2 more).``"""
    text = f"I read {len(read.runs)} of the most recent runs"
    if matching:
        text += f" matching {matching}"
    if read.listed > len(read.runs) + read.unread:
        text += f" (of {read.listed} listed)"
    if without:
        text += f"; {len(without)} had no {missing} ({some(list(without), 5)})"
    if read.unread:
        text += f"; {read.unread} could not be read"
    return text + "."


def some(items: list[str], most: int) -> str:
    """``a, b and c`` or ``a, b, c and 4 more``."""
    if len(items) <= most:
        return and_list(items)
    return f"{', '.join(items[:most])} and {len(items) - most} more"


def described(run: Run) -> str:
    """``workflow_run_x (“file.pdf”; vendor “Acme”)``: the id, then quoted document names."""
    files = ", ".join(shown(f.name) for f in run.files if f.name)
    vendor = vendor_of(run)
    named = f"vendor {shown(vendor)}" if vendor else ""
    details = [d for d in (files, named) if d]
    return run.id + (f" ({'; '.join(details)})" if details else "")


def vendor_of(run: Run) -> str | None:
    for name in SYNONYMS["vendor"]:
        found = run.field(name)
        if found is not None and isinstance(found.value, str) and found.value.strip():
            return found.value.strip()
    return None


def shown(text: str) -> str:
    """Document text (a vendor, a file name) as a bounded quotation."""
    return quote(text, limit=MAX_NAME, marks="typographic")


def say(text: str) -> AIMessage:
    return AIMessage(content=neutralize_mentions(text))


def _calls(name: str, argument_sets: list[dict[str, Any]]) -> AIMessage:
    calls = [
        tool_call(name=name, args=args, id=f"offline_{uuid.uuid4().hex[:16]}")
        for args in argument_sets
    ]
    return AIMessage(content="", tool_calls=calls)
