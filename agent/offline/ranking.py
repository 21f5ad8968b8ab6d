"""Questions that rank runs by total: "which invoice is the largest?", "who billed us the most?".

Three steps, each one model call: ``find_runs`` lists the recent runs, ``get_run``
reads each of them (up to ``MAX_RANKED``), and the answer ranks the totals read,
largest (or smallest) first, with page and quoted source for the one named.
Amounts in different currencies are never compared: each currency is ranked on
its own. A question about vendors adds up each vendor's invoices. Runs without a
total (failed, still processing, not invoices) are named, not silently dropped.
Only reads are made, and file names and vendors are quoted as document data.
"""

from __future__ import annotations

import re
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from langchain_core.messages import AIMessage
from langchain_core.messages.tool import tool_call

from agent.change_text import and_list
from agent.names import run_ids_in
from agent.offline.conversation import Turn, artifact_run
from agent.offline.field_answers import citation_text
from agent.offline.fields import SYNONYMS
from agent.offline.run_answers import money_text, run_total
from agent.safety import neutralize_mentions
from tools.faces.tool_names import FIND_RUNS, GET_RUN
from tools.runs.models import Run
from tools.text.quoting import quote

__all__ = ["MAX_RANKED", "Ranking", "ranking_of", "ranking_step"]

MAX_RANKED = 25
"""Runs read for one ranking: enough for a recent batch, few enough to answer in seconds."""
SHOWN = 5
MAX_NAME = 80

_LARGEST = r"largest|biggest|highest|greatest|most expensive|priciest|top"
_SMALLEST = r"smallest|lowest|least expensive|cheapest"
_RANK = re.compile(
    rf"\b(?P<largest>{_LARGEST})\b|\b(?P<smallest>{_SMALLEST})\b|"
    r"\b(?:billed|charged|invoiced|cost|owe)(?: us| me)? (?:the )?(?P<most>most|least)\b|"
    r"\b(?:rank|sort|order)(?:ed)?\b.*\bby (?:the )?(?:totals?|amounts?|size)\b",
    re.IGNORECASE,
)
_ABOUT_MONEY = re.compile(
    r"\b(?:invoices?|bills?|runs?|documents?|receipts?|vendors?|suppliers?|totals?|amounts?|"
    r"billed|charged|invoiced|expensive|cheapest|priciest|owe)\b",
    re.IGNORECASE,
)
_NOT_RANKING = re.compile(r"\bconfiden|\bfields?\b|\bscores?\b|\bpages?\b", re.IGNORECASE)
_BY_VENDOR = re.compile(r"\b(?:vendors?|suppliers?|who)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Ranking:
    """What a ranking question asks: largest or smallest first, per run or per vendor."""

    largest: bool
    by_vendor: bool


def ranking_of(text: str) -> Ranking | None:
    """The ranking a message asks for, or None ("lowest confidence" is not a ranking)."""
    found = _RANK.search(text)
    if found is None or run_ids_in(text) or _NOT_RANKING.search(text):
        return None
    if not _ABOUT_MONEY.search(text):
        return None
    most = (found.group("most") or "").lower()
    largest = found.group("smallest") is None and most != "least"
    return Ranking(largest=largest, by_vendor=bool(_BY_VENDOR.search(text)))


def ranking_step(turn: Turn, tool_names: Sequence[str] | None) -> AIMessage | None:
    """The next step of a ranking question (list, read, answer); None when not one."""
    ranking = ranking_of(turn.question)
    if ranking is None:
        return None
    if tool_names is not None and not {FIND_RUNS, GET_RUN} <= set(tool_names):
        return None
    names = [(turn.call_for(r) or {}).get("name") or r.name for r in turn.results]
    if not turn.results:
        return _calls(FIND_RUNS, [{}])
    if GET_RUN in names:
        runs = [run for r in turn.results if (run := artifact_run(r)) is not None]
        failed = len([r for r, n in zip(turn.results, names, strict=True) if n == GET_RUN]) - len(
            runs
        )
        return _say(ranked_answer(ranking, runs, unread=failed))
    last = turn.results[-1]
    if names[-1] != FIND_RUNS:
        return None
    if last.status == "error":
        return _say(f"I could not list the runs to rank them: {last.content}")
    artifact = last.artifact if isinstance(last.artifact, dict) else {}
    ids = [str(r["id"]) for r in artifact.get("runs", []) if isinstance(r, dict) and r.get("id")]
    if not ids:
        return _say("I found no runs to compare.")
    return _calls(GET_RUN, [{"run_id": run_id} for run_id in ids[:MAX_RANKED]])


def ranked_answer(ranking: Ranking, runs: Sequence[Run], *, unread: int = 0) -> str:
    """The totals of ``runs`` ranked per currency, the first one with its source."""
    totals: dict[str | None, list[tuple[Decimal, Run]]] = defaultdict(list)
    without: list[str] = []
    for run in runs:
        found = run_total(run)
        if found is None:
            without.append(run.id)
        else:
            totals[found[2]].append((found[1], run))
    if not totals:
        listed = f" ({_some(without, SHOWN)})" if without else ""
        return f"None of the {len(runs)} runs I read has a total to compare{listed}."
    word = "largest" if ranking.largest else "smallest"
    parts = []
    if len(totals) > 1:
        codes = and_list(sorted(c or "no currency" for c in totals))
        parts.append(
            f"The totals are in {codes}; I don't convert currencies, so each is ranked on its own."
        )
    for code, entries in sorted(totals.items(), key=lambda item: -len(item[1])):
        if ranking.by_vendor:
            parts.append(_by_vendor(entries, code, ranking.largest, word))
        else:
            parts.append(_by_run(entries, code, ranking.largest, word))
    read = f"I read {len(runs)} of the most recent runs"
    if without:
        read += f"; {len(without)} had no total ({_some(without, SHOWN)})"
    if unread:
        read += f"; {unread} could not be read"
    parts.append(read + ".")
    return "\n".join(parts)


def _by_run(entries: list[tuple[Decimal, Run]], code: str | None, largest: bool, word: str) -> str:
    ordered = sorted(entries, key=lambda e: e[0], reverse=largest)
    amount, top = ordered[0]
    total = run_total(top)
    source = citation_text(total[0].citations) if total else ""
    which = f"{word} total" if len(ordered) > 1 else "only total"
    lines = [
        f"The {which}{_in(code)} is {money_text(amount, code)} on {_described(top)}"
        + (f" — {source}." if source else ".")
    ]
    if len(ordered) > 1:
        lines.append(f"All {len(ordered)}, {word} first:")
        lines += [f"- {money_text(a, code)} · {_described(r)}" for a, r in ordered[:SHOWN]]
        if len(ordered) > SHOWN:
            lines.append(f"- and {len(ordered) - SHOWN} more")
    return "\n".join(lines)


def _by_vendor(
    entries: list[tuple[Decimal, Run]], code: str | None, largest: bool, word: str
) -> str:
    sums: dict[str, list[Any]] = {}
    nameless: list[str] = []
    for amount, run in entries:
        vendor = _vendor(run)
        if vendor is None:
            nameless.append(run.id)
            continue
        total = sums.setdefault(vendor.casefold(), [vendor, Decimal(0), []])
        total[1] += amount
        total[2].append(run.id)
    unnamed = f"{len(nameless)} with a total{_in(code)} but no vendor name: {_some(nameless, 3)}."
    if not sums:
        return f"None of the invoices{_in(code)} has a vendor name I could read ({unnamed})"
    ordered = sorted(sums.values(), key=lambda s: s[1], reverse=largest)
    vendor, amount, ids = ordered[0]
    most = "most" if largest else "least"
    lines = [
        f"{_shown(vendor)} billed the {most}{_in(code)}: "
        f"{money_text(amount, code)} over {_invoices(ids)}."
    ]
    if len(ordered) > 1:
        lines.append(f"By vendor, {word} first:")
        lines += [
            f"- {_shown(v)}: {money_text(a, code)} ({_invoices(i)})" for v, a, i in ordered[:SHOWN]
        ]
        if len(ordered) > SHOWN:
            lines.append(f"- and {len(ordered) - SHOWN} more vendors")
    if nameless:
        lines.append(f"Not counted: {unnamed}")
    return "\n".join(lines)


def _invoices(ids: list[str]) -> str:
    return f"{len(ids)} invoice{'s' if len(ids) != 1 else ''}: {_some(ids, 3)}"


def _some(items: list[str], most: int) -> str:
    """``a, b and c`` or ``a, b, c and 4 more``."""
    if len(items) <= most:
        return and_list(items)
    return f"{', '.join(items[:most])} and {len(items) - most} more"


def _described(run: Run) -> str:
    files = ", ".join(_shown(f.name) for f in run.files if f.name)
    vendor = _vendor(run)
    named = f"vendor {_shown(vendor)}" if vendor else ""
    details = [d for d in (files, named) if d]
    return run.id + (f" ({'; '.join(details)})" if details else "")


def _vendor(run: Run) -> str | None:
    for name in SYNONYMS["vendor"]:
        found = run.field(name)
        if found is not None and isinstance(found.value, str) and found.value.strip():
            return found.value.strip()
    return None


def _shown(text: str) -> str:
    """Document text (a vendor, a file name) as a bounded quotation."""
    return quote(text, limit=MAX_NAME, marks="typographic")


def _in(code: str | None) -> str:
    return f" in {code}" if code else ""


def _calls(name: str, argument_sets: list[dict[str, Any]]) -> AIMessage:
    calls = [
        tool_call(name=name, args=args, id=f"offline_{uuid.uuid4().hex[:16]}")
        for args in argument_sets
    ]
    return AIMessage(content="", tool_calls=calls)


def _say(text: str) -> AIMessage:
    return AIMessage(content=neutralize_mentions(text))
