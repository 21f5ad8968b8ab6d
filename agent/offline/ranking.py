"""Questions that rank runs by total: "which invoice is the largest?", "who billed us the most?".

Three steps, each one model call: ``find_runs`` lists the recent runs, ``get_run``
reads each of them (``agent.offline.recent_runs``, which sums and amount questions
share), and the answer ranks the totals read,
largest (or smallest) first, with page and quoted source for the one named.
Amounts in different currencies are never compared: each currency is ranked on
its own. A question about vendors adds up each vendor's invoices. Runs without a
total (failed, still processing, not invoices) are named, not silently dropped.
Only reads are made, and file names and vendors are quoted as document data.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from langchain_core.messages import AIMessage

from agent.change_text import and_list
from agent.names import run_ids_in
from agent.offline.conversation import Turn
from agent.offline.field_evidence import citation_text
from agent.offline.recent_runs import (
    MAX_READ,
    RecentRuns,
    described,
    read_text,
    recent_runs_step,
    say,
    shown,
    some,
    totals_of,
    vendor_of,
)
from agent.offline.run_answers import money_text, run_total
from tools.runs.models import Run

__all__ = ["MAX_RANKED", "Ranking", "ranking_of", "ranking_step"]

MAX_RANKED = MAX_READ
"""Runs read for one ranking (``recent_runs.MAX_READ``)."""
SHOWN = 5

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
    step = recent_runs_step(turn, tool_names)
    if not isinstance(step, RecentRuns):
        return step
    if not step.runs and not step.unread:
        return say("I found no runs to compare.")
    return say(ranked_answer(ranking, step.runs, unread=step.unread, listed=step.listed))


def ranked_answer(
    ranking: Ranking, runs: Sequence[Run], *, unread: int = 0, listed: int = 0
) -> str:
    """The totals of ``runs`` ranked per currency, the first one with its source."""
    totals = totals_of(runs)
    without = totals.without
    if not totals.by_currency:
        named = f" ({some(without, SHOWN)})" if without else ""
        return f"None of the {len(runs)} runs I read has a total to compare{named}."
    word = "largest" if ranking.largest else "smallest"
    parts = []
    if len(totals.by_currency) > 1:
        codes = and_list(sorted(c or "no currency" for c in totals.by_currency))
        parts.append(
            f"The totals are in {codes}; I don't convert currencies, so each is ranked on its own."
        )
    for code, entries in sorted(totals.by_currency.items(), key=lambda item: -len(item[1])):
        if ranking.by_vendor:
            parts.append(_by_vendor(entries, code, ranking.largest, word))
        else:
            parts.append(_by_run(entries, code, ranking.largest, word))
    parts.append(read_text(RecentRuns(list(runs), unread, listed), without))
    return "\n".join(parts)


def _by_run(entries: list[tuple[Decimal, Run]], code: str | None, largest: bool, word: str) -> str:
    ordered = sorted(entries, key=lambda e: e[0], reverse=largest)
    amount, top = ordered[0]
    total = run_total(top)
    source = citation_text(total[0].citations) if total else ""
    which = f"{word} total" if len(ordered) > 1 else "only total"
    lines = [
        f"The {which}{_in(code)} is {money_text(amount, code)} on {described(top)}"
        + (f" — {source}." if source else ".")
    ]
    if len(ordered) > 1:
        lines.append(f"All {len(ordered)}, {word} first:")
        lines += [f"- {money_text(a, code)} · {described(r)}" for a, r in ordered[:SHOWN]]
        if len(ordered) > SHOWN:
            lines.append(f"- and {len(ordered) - SHOWN} more")
    return "\n".join(lines)


def _by_vendor(
    entries: list[tuple[Decimal, Run]], code: str | None, largest: bool, word: str
) -> str:
    sums: dict[str, list[Any]] = {}
    nameless: list[str] = []
    for amount, run in entries:
        vendor = vendor_of(run)
        if vendor is None:
            nameless.append(run.id)
            continue
        total = sums.setdefault(vendor.casefold(), [vendor, Decimal(0), []])
        total[1] += amount
        total[2].append(run.id)
    unnamed = f"{len(nameless)} with a total{_in(code)} but no vendor name: {some(nameless, 3)}."
    if not sums:
        return f"None of the invoices{_in(code)} has a vendor name I could read ({unnamed})"
    ordered = sorted(sums.values(), key=lambda s: s[1], reverse=largest)
    vendor, amount, ids = ordered[0]
    most = "most" if largest else "least"
    lines = [
        f"{shown(vendor)} billed the {most}{_in(code)}: "
        f"{money_text(amount, code)} over {_invoices(ids)}."
    ]
    if len(ordered) > 1:
        lines.append(f"By vendor, {word} first:")
        lines += [
            f"- {shown(v)}: {money_text(a, code)} ({_invoices(i)})" for v, a, i in ordered[:SHOWN]
        ]
        if len(ordered) > SHOWN:
            lines.append(f"- and {len(ordered) - SHOWN} more vendors")
    if nameless:
        lines.append(f"Not counted: {unnamed}")
    return "\n".join(lines)


def _invoices(ids: list[str]) -> str:
    return f"{len(ids)} invoice{'s' if len(ids) != 1 else ''}: {some(ids, 3)}"


def _in(code: str | None) -> str:
    return f" in {code}" if code else ""
