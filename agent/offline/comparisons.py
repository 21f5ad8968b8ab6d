"""Answers that compare runs read with ``find_runs``: one field across runs, or their main fields.

Every value comes from the runs read, with its page and the text it was read from,
and a conclusion says which is bigger (or earlier) and by how much. Amounts in
different currencies are never compared; a run that was not found, or lacks the
field, is said so and no conclusion is drawn. "Is the Acme total bigger than the
Contoso one?" and "is that the same as the Acme due date?" are answered "Yes"/"No" first.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage

from agent.change_text import and_list
from agent.names import run_ids_in
from agent.offline.conversation import message_text, run_in_focus
from agent.offline.field_evidence import citation_text
from agent.offline.fields import match_fields, read_fields
from agent.offline.references import Comparison
from agent.offline.run_answers import money_text
from agent.offline.wording import MAX_QUOTE
from tools.faces.tool_names import FIND_RUNS
from tools.runs.models import ExtractedField, Run
from tools.text.formatting import HUMAN, format_field_name, format_value, plain_amount
from tools.text.quoting import quote

__all__ = ["Compared", "compare_answer", "compared_label", "compared_references"]

MAIN_FIELDS = ("vendor", "invoice number", "total", "due date")
"""What a side-by-side of two invoices shows, when both runs have it."""

_DOC_NOUNS = re.compile(
    r"\s+(?:invoices?|runs?|fax(?:es)?|receipts?|documents?|docs?|files?|bills?|ones?)$",
    re.IGNORECASE,
)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})")


@dataclass(frozen=True)
class Compared:
    """One run of a comparison: the person's words for it, and what ``find_runs`` returned."""

    label: str
    result: ToolMessage
    run: Run | None


def compared_label(reference: str) -> str:
    """ "Bluebird fax" -> "Bluebird": how the answer names a run the person named."""
    if run_ids_in(reference):
        return reference
    return _DOC_NOUNS.sub("", reference.strip()) or reference


def compare_answer(asked: Comparison, runs: Sequence[Compared], earlier: Sequence[str] = ()) -> str:
    """The comparison ``asked`` for, from the runs read; ``earlier`` questions give the
    field of "is that the same as ...?" when it names none."""
    missing = [r for r in runs if r.run is None]
    if missing:
        lines = [f"- {r.label}: {_first_line(r.result)}" for r in runs if r.run is None]
        read = [f"- {r.label}: {_run_label(r.run)}" for r in runs if r.run is not None]
        return "I could not compare them: not every run was found.\n" + "\n".join(lines + read)
    ids = [r.run.id for r in runs if r.run is not None]
    if len(set(ids)) < len(ids):
        named = " and ".join(r.label for r in runs)
        return f"{named} are the same run ({_run_label(runs[0].run)}): there is nothing to compare."
    field_words = asked.field
    if field_words is None and asked.with_focus:
        field_words = _earlier_field(runs[0].run, earlier)
    if field_words is None:
        return _side_by_side(runs)
    return _field_comparison(asked, field_words, runs)


def _field_comparison(asked: Comparison, words: str, runs: Sequence[Compared]) -> str:
    found = [(r, _field(r.run, words)) for r in runs if r.run is not None]
    lines = []
    for entry, extracted in found:
        where = _described(entry)
        if extracted is None:
            lines.append(f"- {where}: no {words} field")
        else:
            lines.append(f"- {where}: {_value_with_source(extracted, name=True)}")
    if len(found) > 2 and asked.relation is None:
        present = [(entry.label, f) for entry, f in found if f is not None]
        return "\n".join([f"Comparing {words}:", *lines, *_extremes(present)])
    first, second = found[0][1], found[-1][1]
    if len(found) != 2 or first is None or second is None:
        head = "" if asked.relation is None else "I can't tell: not both runs have that field."
        return "\n".join([head or f"Comparing {words}:", *lines])
    labels = (found[0][0].label, found[1][0].label)
    verdict = _verdict(labels, first, second)
    if asked.relation is None:
        return "\n".join([f"Comparing {words}:", *lines, verdict.sentence])
    answer = verdict.answers(asked.relation)
    if answer is None:
        return "\n".join([f"I can't tell: {verdict.sentence}", *lines])
    if asked.relation in ("same", "different"):
        stated = f"{_stated(labels[0], first)}; {_stated(labels[1], second)}"
        difference = f" {verdict.difference}" if verdict.difference else ""
        return "\n".join([f"{answer}: {stated}.{difference}", *lines])
    return "\n".join([f"{answer}: {verdict.sentence}", *lines])


def _side_by_side(runs: Sequence[Compared]) -> str:
    read = [r for r in runs if r.run is not None]
    names = and_list([_described(r) for r in read])
    lines = [f"Comparing {names}:"]
    only: list[str] = []
    for term in MAIN_FIELDS:
        fields = [_field(r.run, term) for r in read if r.run is not None]
        present = [(r, f) for r, f in zip(read, fields, strict=True) if f is not None]
        if not present:
            continue
        label = format_field_name(present[0][1].name)
        if len(present) == 1:
            entry, extracted = present[0]
            only.append(f"Only {entry.label} has a {label}: {_value_with_source(extracted)}.")
            continue
        shown = " vs ".join(_value_with_source(f) for _, f in present)
        if len(present) < len(read):  # "Acme ... vs Northwind ...", then who has none
            shown = " vs ".join(f"{e.label} {_value_with_source(f)}" for e, f in present)
            lacking = [r.label for r in read if all(r is not e for e, _ in present)]
            only.append(f"{and_list(lacking)} {'has' if len(lacking) == 1 else 'have'} no {label}.")
        line = f"- {label}: {shown}"
        if len(present) == 2:
            verdict = _verdict((present[0][0].label, present[1][0].label), *(f for _, f in present))
            if verdict.ordered:
                line += f": {verdict.conclusion}"
        elif len(present) > 2:
            conclusion = _extremes([(entry.label, f) for entry, f in present], inline=True)
            if conclusion:
                line += f": {'; '.join(conclusion)}"
        lines.append(line)
    if len(lines) == 1:
        lines.append("- they have none of vendor, invoice number, total or due date in common")
    return "\n".join(lines + only)


@dataclass(frozen=True)
class _Verdict:
    """How two values compare: ``order`` is -1, 0 or 1 (first smaller, equal, larger)."""

    sentence: str
    conclusion: str = ""
    order: int | None = None
    ordered: bool = False  # amounts or dates: "larger"/"earlier" makes sense
    difference: str = ""

    def answers(self, relation: str) -> str | None:
        """ "Yes" / "No" for ``relation`` between the first and second value; None: can't say."""
        if self.order is None:
            return None
        if relation in ("same", "different"):
            same = self.order == 0
            return "Yes" if same == (relation == "same") else "No"
        if not self.ordered:
            return None
        wanted = 1 if relation in ("bigger", "later") else -1
        return "Yes" if self.order == wanted else "No"


def _verdict(labels: tuple[str, str], first: ExtractedField, second: ExtractedField) -> _Verdict:
    shown = f"{labels[0]} {_shown(first)} vs {labels[1]} {_shown(second)}"
    money = plain_amount(first.value), plain_amount(second.value)
    if money[0] is not None and money[1] is not None:
        (a, code_a), (b, code_b) = money[0], money[1]
        if code_a.upper() != code_b.upper():
            why = f"they are in different currencies ({code_a} and {code_b}), so not compared"
            return _Verdict(f"{shown}: {why}.", why)
        diff = Decimal(str(a)) - Decimal(str(b))
        return _ordered(shown, labels, diff, "larger", f"by {money_text(abs(diff), code_a)}")
    dates = _date(first.value), _date(second.value)
    if dates[0] is not None and dates[1] is not None:
        days = (dates[0] - dates[1]).days
        span = f"{abs(days)} day{'s' if abs(days) != 1 else ''}"
        return _ordered(shown, labels, Decimal(-days), "earlier", f"by {span}")
    numbers = _number(first.value), _number(second.value)
    if numbers[0] is not None and numbers[1] is not None:
        diff = numbers[0] - numbers[1]
        return _ordered(shown, labels, diff, "larger", f"by {abs(diff):,}")
    same = _text(first.value) == _text(second.value)
    conclusion = "they are the same" if same else "they differ"
    return _Verdict(f"{shown}: {conclusion}.", conclusion, order=0 if same else 1)


def _extremes(values: Sequence[tuple[str, ExtractedField]], *, inline: bool = False) -> list[str]:
    """For three runs or more: which is largest and smallest (per currency), or earliest
    and latest; amounts alone in their currency are said, not compared."""
    if len(values) < 2:
        return []
    amounts = [(label, plain_amount(f.value)) for label, f in values]
    if all(amount is not None for _, amount in amounts):
        by_currency: dict[str, list[tuple[str, Decimal]]] = {}
        for label, amount in amounts:
            assert amount is not None
            by_currency.setdefault(amount[1].upper(), []).append((label, Decimal(str(amount[0]))))
        several = len(by_currency) > 1
        said = []
        for code, entries in by_currency.items():
            if len(entries) == 1:
                said.append(f"{entries[0][0]} is the only one in {code}, so not compared")
                continue
            high = max(entries, key=lambda e: e[1])
            low = min(entries, key=lambda e: e[1])
            where = f"in {code}, " if several else ""
            said.append(
                f"{where}{high[0]}'s is the largest ({money_text(high[1], code)}) and "
                f"{low[0]}'s the smallest ({money_text(low[1], code)}), "
                f"{money_text(high[1] - low[1], code)} apart"
            )
        return said if inline else [_sentence("; ".join(said))]
    dates = [(label, _date(f.value)) for label, f in values]
    if all(day is not None for _, day in dates):
        known = [(label, day) for label, day in dates if day is not None]
        first = min(known, key=lambda e: e[1])
        last = max(known, key=lambda e: e[1])
        span = (last[1] - first[1]).days
        said_dates = [
            f"{first[0]}'s is the earliest ({format_value(first[1].isoformat(), HUMAN)}) and "
            f"{last[0]}'s the latest ({format_value(last[1].isoformat(), HUMAN)}), "
            f"{span} day{'s' if span != 1 else ''} apart"
        ]
        return said_dates if inline else [_sentence(said_dates[0])]
    if inline:
        return []
    same = len({_text(f.value) for _, f in values}) == 1
    return ["They are all the same." if same else "They are not all the same."]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + "."


def _ordered(shown: str, labels: tuple[str, str], diff: Decimal, word: str, by: str) -> _Verdict:
    """A verdict for numbers and dates; ``diff`` > 0 when the first is the ``word`` one."""
    if diff == 0:
        return _Verdict(f"{shown}: they are the same.", "they are the same", 0, True)
    winner = labels[0] if diff > 0 else labels[1]
    conclusion = f"{winner}'s is {word} {by}"
    order = (1 if diff > 0 else -1) * (-1 if word == "earlier" else 1)
    return _Verdict(f"{shown}: {conclusion}.", conclusion, order, True, f"{conclusion}.")


def _field(run: Run | None, words: str) -> ExtractedField | None:
    if run is None:
        return None
    names = [f.name for f in run.fields]
    matches = match_fields(words, names) or match_fields(words.rstrip("s"), names)
    return run.field(matches[0].name) if matches else None


def _earlier_field(run: Run | None, earlier: Sequence[str]) -> str | None:
    """The field the person asked about last ("when is it due?" -> due_date), if any."""
    if run is None:
        return None
    names = [f.name for f in run.fields]
    for question in earlier:
        reading = read_fields(question, names)
        if reading.matches:
            return reading.matches[0].name
    return None


def _stated(label: str, extracted: ExtractedField) -> str:
    """ "Northwind is due Sep 30, 2024"; "Acme's total is $1,420.00"."""
    if extracted.name == "due_date":
        return f"{label} is due {_shown(extracted)}"
    return f"{label}'s {format_field_name(extracted.name)} is {_shown(extracted)}"


def _value_with_source(extracted: ExtractedField, *, name: bool = False) -> str:
    value = _shown(extracted)
    source = citation_text(extracted.citations)
    shown = f"{format_field_name(extracted.name)} {value}" if name else value
    return f"{shown} ({source})"


def _shown(extracted: ExtractedField) -> str:
    value = extracted.value
    if isinstance(value, str) and _ISO_DATE.match(value) is None:
        return quote(value, limit=MAX_QUOTE, marks="typographic")
    return format_value(value, HUMAN)


def _described(entry: Compared) -> str:
    """ "Acme (workflow_run_x, file "ACME.pdf")"; a run named by its id is not named twice."""
    shown = _run_label(entry.run)
    if entry.run is not None and entry.label == entry.run.id:
        shown = shown.removeprefix(entry.run.id).removeprefix(", ")
    return f"{entry.label} ({shown})" if shown else entry.label


def _run_label(run: Run | None) -> str:
    if run is None:
        return ""
    files = ", ".join(quote(f.name) for f in run.files if f.name)
    return f"{run.id}, file {files}" if files else run.id


def _first_line(result: ToolMessage) -> str:
    lines = message_text(result).strip().splitlines()
    return lines[0] if lines else "not found"


def _date(value: Any) -> date | None:
    found = _ISO_DATE.match(value) if isinstance(value, str) else None
    if found is None:
        return None
    try:
        return date(int(found.group(1)), int(found.group(2)), int(found.group(3)))
    except ValueError:
        return None


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return Decimal(str(value))


def _text(value: Any) -> str:
    return " ".join(str(value).split()).casefold()


def compared_references(
    asked: Comparison, history: Sequence[BaseMessage]
) -> list[tuple[str, str]] | None:
    """(words for ``find_runs(reference=...)``, label) per run compared; None when "that"
    names no run in focus. The run in focus goes by the words that named it before."""
    references = [(ref, compared_label(ref)) for ref in asked.references]
    if not asked.with_focus:
        return references
    focus = run_in_focus(history)
    if focus is None:
        return None
    return [(focus, compared_label(_words_that_found(focus, history) or focus)), *references]


def _words_that_found(run_id: str, history: Sequence[BaseMessage]) -> str | None:
    """The words of the latest ``find_runs(reference=...)`` call that resolved to ``run_id``."""
    calls = {
        call.get("id"): call.get("args") or {}
        for message in history
        if isinstance(message, AIMessage)
        for call in message.tool_calls
    }
    for message in reversed(history):
        if not isinstance(message, ToolMessage) or message.name != FIND_RUNS:
            continue
        artifact = message.artifact if isinstance(message.artifact, dict) else {}
        resolution = artifact.get("resolution")
        reference = calls.get(message.tool_call_id, {}).get("reference")
        if isinstance(resolution, dict) and resolution.get("run_id") == run_id:
            return reference if isinstance(reference, str) else None
    return None
