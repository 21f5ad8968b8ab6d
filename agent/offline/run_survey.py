"""Questions about many runs that a search cannot filter: answered by reading the recent runs.

"How much do we owe across all invoices?", "invoices over 1000 dollars", "which
invoices are due in October?", "runs from the fax gateway": ``find_runs`` has no
amount, due-date or metadata-value filter, so these list the recent runs (with the
status, tag, date or vendor filters the question also names), read each
(``agent.offline.recent_runs``), and answer from what was read, saying how many
runs that was and which had nothing to read. Sums and amounts are per currency:
different currencies are never added or compared.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

from langchain_core.messages import AIMessage

from agent.change_text import and_list
from agent.names import run_ids_in
from agent.offline.conversation import Turn
from agent.offline.fields import SYNONYMS
from agent.offline.recent_runs import (
    RecentRuns,
    described,
    read_text,
    recent_runs_step,
    say,
    shown,
    some,
    totals_of,
)
from agent.offline.references import comparison, cross_run_filters
from agent.offline.run_answers import money_text, paid_tag
from agent.offline.when_words import DayWindow, date_window, today_utc
from tools.faces.run_query import normalize_words, parse_when
from tools.runs.models import Run
from tools.text.formatting import format_date

__all__ = ["Survey", "survey_answer", "survey_of", "survey_step"]

SHOWN = 10
_MANY = r"(?:runs|invoices|documents|receipts|bills|files|ones|anything|everything)"
_CODES = {"$": "USD", "€": "EUR", "£": "GBP", "dollar": "USD", "usd": "USD", "euro": "EUR"}
_CODES |= {"eur": "EUR", "pound": "GBP", "gbp": "GBP", "quid": "GBP"}
_ABOVE = r"over|above|more\s+than|greater\s+than|bigger\s+than|larger\s+than|at\s+least|exceeding"
_BELOW = r"under|below|less\s+than|smaller\s+than|cheaper\s+than|at\s+most"
_CURRENCY = r"\$|€|£|dollars?|usd|euros?|eur|pounds?|gbp|quid"
_AMOUNT = re.compile(
    rf"\b(?:(?P<above>{_ABOVE})|(?P<below>{_BELOW}))\s+(?P<pre>{_CURRENCY})?\s*"
    r"(?P<number>\d[\d,]*(?:\.\d+)?)\s*(?P<k>k\b)?\s*"
    rf"(?P<post>{_CURRENCY})?(?![\w%])(?!\s*(?:pages?|fields?|items?|lines?|days?|weeks?|runs?))",
    re.IGNORECASE,
)
_DUE = re.compile(r"\b(?:due|overdue|past\s+due)\b", re.IGNORECASE)
_OVERDUE = re.compile(r"\b(?:overdue|past\s+due|late)\b", re.IGNORECASE)
# "what's due next?", "what's coming due?", "anything due soon?": the soonest due dates ahead
_UPCOMING = re.compile(
    r"\bdue\s+(?:next|soon|soonest|first|up\s+next)\b|\bnext\s+(?:one\s+)?due\b|"
    r"\bcoming\s+(?:up\s+)?due\b|\bupcoming\b",
    re.IGNORECASE,
)
_SUM = re.compile(r"\b(?:how\s+much|sum|totals?|grand\s+total)\b", re.IGNORECASE)
_ALL = re.compile(
    r"\b(?:all|across|every|combined|altogether|together|in\s+total|overall|owe)\b", re.IGNORECASE
)
_NOT_SUM = re.compile(r"\badd\s+up\b|\bmatch|\bcorrect\b|\bcheck\b|\bfields?\b", re.IGNORECASE)
_OWE = re.compile(r"\bowe\b|\boutstanding\b|\bunpaid\b", re.IGNORECASE)
_SOURCE_NOUN = r"gateway|inbox|scanner|mailbox|queue|channel|ingest|portal|integration|feed"
_SOURCE = re.compile(
    r"\b(?:from|via|through)\s+(?:the\s+|our\s+)?"
    rf"(?P<source>(?:[\w-]+\s+){{0,2}}?(?:{_SOURCE_NOUN})(?:\s+\w*\d\w*)?)\b"
    r"|\bsource\s+(?:is\s+|of\s+)?[\"“']?(?P<named>[\w:.-]+)",
    re.IGNORECASE,
)
# "how much have we spent with Acme?", "total spend with Northwind", "what do we owe Globex?"
_SPEND = re.compile(
    r"\b(?:spend|spent|spending|pay|paid|billed|owe|owed)\b(?:\s+(?:in\s+)?total)?"
    r"(?:\s+(?:with|to|from|by|on)\s+(?:the\s+)?(?P<vendor>[\w&.'-]+(?:\s+[\w&.'-]+){0,2}?)"
    r"|\s+(?:the\s+)?(?P<named>[A-Z][\w&.'-]*(?:\s+[A-Z][\w&.'-]*){0,2})"
    r"|(?<=owe)\s+(?P<owed>[a-z][\w&.'-]{2,}))"  # "how much do we owe bluebird"
    r"\s*(?:so\s+far|in\s+total|overall|altogether)?\s*[?.!]*\s*$"
)
_NOT_VENDORS = frozenset(
    {"us", "them", "it", "me", "that", "this", "those", "these", "all", "anyone", "everyone"}
    | {"anything", "everything", "anybody", "everybody", "today", "now", "overall", "total"}
)
_ASKS_MANY = re.compile(rf"\b{_MANY}\b|\b(?:which|what|show|list|find)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Survey:
    """What to read the recent runs for, and the ``find_runs`` filters to list them with."""

    kind: Literal["sum", "amount", "due", "source"]
    filters: dict[str, str]
    amount: Decimal | None = None
    above: bool = True
    currency: str | None = None
    window: DayWindow | None = None
    overdue: bool = False
    upcoming: bool = False
    words: str = ""
    owe: bool = False


def survey_of(text: str, today: date | None = None) -> Survey | None:
    """The survey a message asks for; None when a search (or one run) answers it."""
    spend = _SPEND.search(text) if not run_ids_in(text) else None
    said = spend and (spend.group("vendor") or spend.group("named") or spend.group("owed"))
    vendor = said.strip() if said else ""
    if vendor and (_SUM.search(text) or _OWE.search(text)) and _names_vendor(vendor):
        owe = bool(_OWE.search(text))  # "total spend with Northwind?", "what do we owe Globex?"
        return Survey("sum", {"text": vendor}, owe=owe)
    owe_overall = _OWE.search(text) and not re.search(r"\b(?:it|this|that|them)\b", text, re.I)
    asks_many = _ASKS_MANY.search(text) or owe_overall  # "how much do we owe in total?"
    if run_ids_in(text) or not asks_many or comparison(text) is not None:
        return None  # "compare the due dates of the Acme and Northwind invoices" names its runs
    today = today or today_utc()
    amount = _AMOUNT.search(text)
    if amount and (
        re.search(rf"\b{_MANY}\b", text, re.I) or amount.group("pre", "post") != (None, None)
    ):
        number = _decimal(amount.group("number"), bool(amount.group("k")))
        if number is not None:
            said = (amount.group("pre") or amount.group("post") or "").casefold().rstrip("s")
            return Survey(
                "amount",
                _filters_besides(text, amount.span(), today),
                amount=number,
                above=amount.group("above") is not None,
                currency=_CODES.get(said),
            )
    due = _DUE.search(text)
    if due and re.search(rf"\b{_MANY}\b|\b(?:which|what)\b", text, re.I):
        window = date_window(text, today)
        overdue = bool(_OVERDUE.search(text))
        upcoming = _UPCOMING.search(text)
        if upcoming and not overdue:
            span = (min(due.start(), upcoming.start()), max(due.end(), upcoming.end()))
            return Survey("due", _filters_besides(text, span, today), upcoming=True)
        if window is not None or overdue or re.search(rf"\b{_MANY}\b", text, re.I):
            span = (
                (min(due.start(), window.start), max(due.end(), window.end))
                if window
                else due.span()
            )
            return Survey(
                "due", _filters_besides(text, span, today), window=window, overdue=overdue
            )
    source = _SOURCE.search(text)
    if source:
        words = (source.group("source") or source.group("named") or "").strip()
        return Survey("source", _filters_besides(text, source.span(), today), words=words)
    many = re.search(rf"\b{_MANY}\b|\btotals\b|\bamounts\b", text, re.I) or _OWE.search(text)
    if many and _SUM.search(text) and _ALL.search(text) and not _NOT_SUM.search(text):
        owe = bool(_OWE.search(text))
        return Survey("sum", _filters_besides(text, (0, 0), today), owe=owe)
    return None


def survey_step(
    turn: Turn, tool_names: Sequence[str] | None, today: date | None = None
) -> AIMessage | None:
    """The next step of a survey question (list, read, answer); None when not one."""
    survey = survey_of(turn.question, today)
    if survey is None:
        return None
    step = recent_runs_step(turn, tool_names, survey.filters)
    if not isinstance(step, RecentRuns):
        return step
    return say(survey_answer(survey, step, today or today_utc()))


def survey_answer(survey: Survey, read: RecentRuns, today: date) -> str:
    """The answer from the runs read, saying what was read and what had nothing to read."""
    if not read.runs and not read.unread:
        searched = f" matching {_described_filters(survey.filters)}" if survey.filters else ""
        return f"I found no runs{searched} to read."
    if survey.kind == "sum":
        return _sum_answer(survey, read)
    if survey.kind == "amount":
        return _amount_answer(survey, read)
    if survey.kind == "due":
        return _due_answer(survey, read, today)
    return _source_answer(survey, read)


def _sum_answer(survey: Survey, read: RecentRuns) -> str:
    paid = [run for run in read.runs if survey.owe and paid_tag(run) is not None]
    totals = totals_of([run for run in read.runs if run not in paid])
    if not totals.by_currency:
        read_all = read_text(read, totals.without, matching=_matching(survey))
        if paid:
            settled = some([r.id for r in paid], 5)
            return (
                f"Nothing left to add up: the runs I read are tagged paid ({settled}). " + read_all
            )
        return f"None of the runs I read has a total to add up. {read_all}"
    sums = []
    for code, entries in sorted(totals.by_currency.items(), key=lambda item: -len(item[1])):
        amount = sum((a for a, _ in entries), Decimal(0))
        ids = [run.id for _, run in entries]
        count = f"{len(ids)} run{'s' if len(ids) != 1 else ''}"
        sums.append(f"- {money_text(amount, code)}{_in(code)} over {count}: {some(ids, 5)}")
    lines = ["The totals of the runs I read, added up per currency:", *sums]
    if len(totals.by_currency) > 1:
        lines.append("I don't convert currencies, so each is added up on its own.")
    if survey.owe:
        left_out = f" Left out as tagged paid: {some([r.id for r in paid], 5)}." if paid else ""
        lines.append(
            "These are the totals extracted from the documents; Extend records no payments, "
            f"so only a paid tag tells me one is settled.{left_out}"
        )
        unsettled = [
            f"{run.id} ({run.status})"
            for entries in totals.by_currency.values()
            for _, run in entries
            if run.status != "PROCESSED"
        ]
        if unsettled:
            lines.append(f"Counted although not PROCESSED: {some(unsettled, 5)}.")
    lines.append(read_text(read, totals.without, matching=_matching(survey)))
    return "\n".join(lines)


def _amount_answer(survey: Survey, read: RecentRuns) -> str:
    assert survey.amount is not None
    totals = totals_of(read.runs)
    word = "over" if survey.above else "under"
    lines = ["Runs can't be searched by amount, so I read the totals of the recent runs."]
    other: list[str] = []
    kept: list[tuple[Decimal, str | None, Run]] = []
    for code, entries in totals.by_currency.items():
        if survey.currency is not None and code != survey.currency:
            other.append(f"{len(entries)} in {code or 'no currency'}")
            continue
        for amount, run in entries:
            if (amount > survey.amount) if survey.above else (amount < survey.amount):
                kept.append((amount, code, run))
    limit = money_text(survey.amount, survey.currency)
    if survey.currency is None and len(totals.by_currency) > 1:
        limit += " (in each currency; I don't convert)"
    if not kept:
        lines.append(f"None has a total {word} {limit}.")
    else:
        kept.sort(key=lambda entry: (entry[1] or "", -entry[0]))
        count = f"{len(kept)} {'has' if len(kept) == 1 else 'have'}"
        lines.append(f"{count} a total {word} {limit}:")
        lines += [f"- {money_text(a, c)} · {described(r)}" for a, c, r in kept[:SHOWN]]
        if len(kept) > SHOWN:
            lines.append(f"- and {len(kept) - SHOWN} more")
    if other:
        lines.append(f"Not compared (other currencies): {and_list(other)}.")
    lines.append(read_text(read, totals.without, matching=_matching(survey)))
    return "\n".join(lines)


def _due_answer(survey: Survey, read: RecentRuns, today: date) -> str:
    dated: list[tuple[date, Run]] = []
    without: list[str] = []
    for run in read.runs:
        due = _due_date(run)
        if due is None:
            without.append(run.id)
        else:
            dated.append((due, run))
    window = survey.window
    if survey.upcoming:
        wanted = f"due on or after today ({format_date(today.isoformat())})"
        kept = [(d, r) for d, r in dated if d >= today]
    elif survey.overdue:
        wanted = f"due before {format_date(today.isoformat())} (overdue unless paid)"
        kept = [(d, r) for d, r in dated if d < today]
    elif window is not None:
        wanted = f"due {_window_words(window)}"
        kept = [(d, r) for d, r in dated if window.holds(d)]
    else:
        wanted = "with a due date"
        kept = dated
    kept.sort(key=lambda entry: entry[0])
    lines = ["Runs can't be searched by due date, so I read the due dates of the recent runs."]
    if not kept:
        lines.append(f"None is {wanted}.")
        if dated:
            seen = [
                f"{format_date(d.isoformat())} ({r.id})"
                for d, r in sorted(dated, key=lambda e: e[0])
            ]
            lines.append(f"Due dates read: {some(seen, 5)}.")
    else:
        count = f"{len(kept)} {'is' if len(kept) == 1 else 'are'}"
        if survey.upcoming:
            first_due, first_run = kept[0]
            lines.append(f"Next due: {format_date(first_due.isoformat())}, {described(first_run)}.")
        lines.append(f"{count} {wanted}:")
        lines += [f"- {format_date(d.isoformat())} · {described(r)}" for d, r in kept[:SHOWN]]
        if len(kept) > SHOWN:
            lines.append(f"- and {len(kept) - SHOWN} more")
    lines.append(read_text(read, without, "due date", _matching(survey)))
    return "\n".join(lines)


def _source_answer(survey: Survey, read: RecentRuns) -> str:
    wanted = normalize_words(survey.words)
    found: list[tuple[Run, str, str]] = []
    for run in read.runs:
        for key, value in run.metadata.items():
            texts = [value] if isinstance(value, str) else value if isinstance(value, list) else []
            hit = next(
                (t for t in texts if isinstance(t, str) and _words_in(wanted, normalize_words(t))),
                None,
            )
            if hit is not None:
                found.append((run, key, hit))
                break
    words = shown(survey.words)
    lines = [
        f"Runs can't be searched by metadata value alone, so I read the metadata of the "
        f"recent runs for {words}."
    ]
    if not found:
        lines.append(f"None has {words} in its metadata.")
    else:
        one = len(found) == 1
        lines.append(f"{len(found)} {'has it in its' if one else 'have it in their'} metadata:")
        lines += [
            f"- {described(run)} · {run.status} · {shown(key)}: {shown(value)}"
            for run, key, value in found[:SHOWN]
        ]
        if len(found) > SHOWN:
            lines.append(f"- and {len(found) - SHOWN} more")
    lines.append(read_text(read, matching=_matching(survey)))
    return "\n".join(lines)


def _names_vendor(words: str) -> bool:
    """A vendor's name, not "us", "them" or a run id ("what do we owe workflow_run_1?")."""
    return not run_ids_in(words) and words.strip().casefold() not in _NOT_VENDORS


def _filters_besides(text: str, span: tuple[int, int], today: date) -> dict[str, str]:
    """The search filters the rest of the question names ("processed", "last week", a vendor)."""
    rest = f"{text[: span[0]]} {text[span[1] :]}"
    found = cross_run_filters(rest, today)
    return dict(found[0]) if found and len(found) == 1 else {}


def _described_filters(filters: dict[str, Any]) -> str:
    return ", ".join(f"{key.replace('_', ' ')} {value}" for key, value in filters.items())


def _matching(survey: Survey) -> str:
    return _described_filters(survey.filters)


def _due_date(run: Run) -> date | None:
    for name in SYNONYMS["due date"]:
        found = run.field(name)
        if found is not None and isinstance(found.value, str):
            when = parse_when(found.value)
            if when is not None:
                return when.date()
    return None


def _window_words(window: DayWindow) -> str:
    if window.month is not None:
        return f"in {date(2000, window.month, 1):%B} (any year)"
    if window.after is not None and window.before is not None:
        last = date.fromordinal(window.before.toordinal() - 1)
        return f"from {format_date(window.after.isoformat())} to {format_date(last.isoformat())}"
    if window.after is not None:
        return f"on or after {format_date(window.after.isoformat())}"
    assert window.before is not None
    return f"before {format_date(window.before.isoformat())}"


def _words_in(wanted: list[str], words: list[str]) -> bool:
    return bool(wanted) and all(w in words for w in wanted)


def _decimal(text: str, thousands: bool) -> Decimal | None:
    try:
        number = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    return number * 1000 if thousands else number


def _in(code: str | None) -> str:
    return "" if code else " (no currency)"
