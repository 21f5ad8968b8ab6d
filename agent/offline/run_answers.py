"""Short answers to questions about a run as a whole: currency, pages, corrections, sums.

Each answer is a sentence or two built from the run the tool returned, with the
page and the quoted reference text wherever a value is given: "what currency is
it in?", "how many pages does it have?", "what did the reviewer change?" (each
changed field, before -> after, who and when; only the field asked about when
the question names one: "what was the total before the correction?"), "does the
subtotal plus tax add up to the total?" (yes or no with the numbers, within a
stated rounding tolerance; a run with line items but no subtotal and tax has its
line items' amounts added up against the total instead) and "what's the total in
EUR?" (no conversion is made: the amount is given in its own currency). A
question the run cannot answer says so, naming the run and the fields it has.
"""

from __future__ import annotations

import re
from decimal import Decimal

from agent.change_text import and_list
from agent.offline.field_answers import field_sentence
from agent.offline.field_evidence import citation_text
from agent.offline.fields import SYNONYMS, FieldMatch, read_fields
from agent.offline.wording import MAX_QUOTE
from tools.runs.models import ExtractedField, Run
from tools.text.formatting import (
    HUMAN,
    amount_parts,
    format_field_name,
    format_money,
    format_timestamp,
    format_value,
)
from tools.text.quoting import quote

__all__ = [
    "ROUNDING_TOLERANCE",
    "adds_up_answer",
    "convert_answer",
    "currency_answer",
    "money_text",
    "pages_answer",
    "paid_answer",
    "paid_tag",
    "review_changes_answer",
    "run_total",
]

ROUNDING_TOLERANCE = Decimal("0.01")
"""How far subtotal + tax may be from the total and still add up (one cent of rounding)."""

_ROW_AMOUNT_KEYS = ("amount", "line_total", "total", "total_amount", "total_price", "net_amount")
"""Where a line item holds its own amount (not its unit price)."""
_MAX_TERMS = 6
"""Line items shown one by one in the sum; more are only counted."""
_LINE_ITEM_WORDS = re.compile(r"\b(?:line items?|items|lines|positions)\b", re.IGNORECASE)


def currency_answer(run: Run, question: str) -> str:
    """The currency of the amount asked about, or of all the run's amounts."""
    amounts = _amount_fields(run, question)
    if not amounts:
        return f"{run.id} has no amounts with a currency. {_its_fields(run)}"
    codes = list(dict.fromkeys(amount_parts(f.value)[1] for f in amounts))  # type: ignore[index]
    shown = and_list([f"{_name(f)} {format_value(f.value, HUMAN)}" for f in amounts[:4]])
    main = _main_amount(amounts)
    cited = citation_text(main.citations)
    if len(codes) == 1:
        return f"{run.id} is in {codes[0]}: {shown}. The {_name(main)} is cited on {cited}."
    return f"{run.id} has amounts in {and_list([str(c) for c in codes])}: {shown}."


def pages_answer(run: Run) -> str:
    """What the run says about its page count: split ranges, else the pages its values cite."""
    files = and_list([f.name for f in run.files if f.name]) or "its file"
    ends = [s.end_page for r in run.results for s in r.splits if s.end_page is not None]
    if ends:
        return (
            f"{run.id}'s document ({files}) runs to page {max(ends)}: its split step "
            f"covers pages 1–{max(ends)}."
        )
    pages = sorted({c.page for f in run.fields for c in f.citations if c.page is not None})
    if not pages:
        return (
            f"{run.id} does not say how many pages {files} has, and none of its values cites "
            "a page."
        )
    listed = and_list([str(p) for p in pages])
    return (
        f"{run.id} does not report a page count for {files}; its extracted values cite "
        f"{'page' if len(pages) == 1 else 'pages'} {listed}, so it has at least {pages[-1]} "
        f"{'page' if pages[-1] == 1 else 'pages'}."
    )


def review_changes_answer(run: Run, question: str = "") -> str:
    """Each field a reviewer changed, before -> after, with who and when; or the one asked about."""
    who = run.reviewed_by or ("someone" if run.reviewed else None)
    when = f" on {format_timestamp(run.reviewed_at)}" if run.reviewed_at else ""
    edited = [f for f in run.fields if f.edited]
    named = [m.name for m in read_fields(question, [f.name for f in run.fields]).matches]
    asked = [f for name in dict.fromkeys(named) if (f := run.field(name)) is not None]
    if asked:
        return " ".join(_field_change(run, extracted, who, when) for extracted in asked)
    if who is None and not edited:
        return f"No one has reviewed {run.id}, so no field was changed by a reviewer."
    if not edited:
        return f"{who} reviewed {run.id}{when} and changed no field: every value is as extracted."
    changes = []
    for extracted in edited:
        line = (
            f"{_name(extracted)}: {format_value(extracted.initial_value, HUMAN)} -> "
            f"{format_value(extracted.value, HUMAN)}"
        )
        cited = citation_text(extracted.citations)
        if extracted.citations:
            line += f" ({cited})"
        changes.append(line)
    count = f"{len(edited)} field" + ("s" if len(edited) != 1 else "")
    return f"{who or 'A reviewer'} changed {count} on {run.id}{when}: " + "; ".join(changes) + "."


def adds_up_answer(run: Run, question: str = "") -> str:
    """Whether subtotal + tax equals the total (else the line items' sum), with the numbers."""
    subtotal = _first(run, SYNONYMS["subtotal"])
    tax = _first(run, SYNONYMS["tax"])
    total = _first(run, SYNONYMS["total"], exclude=subtotal)
    items = _line_items(run)
    if items is not None and (
        subtotal is None or tax is None or _LINE_ITEM_WORDS.search(question) is not None
    ):
        against = subtotal if subtotal is not None else total  # the items before tax
        if against is not None:
            return _line_items_answer(run, items, against)
    lacking = [w for w, f in (("subtotal", subtotal), ("tax", tax), ("total", total)) if f is None]
    if lacking or subtotal is None or tax is None or total is None:
        return (
            f"I can't check that on {run.id}: it has no {and_list(lacking)} field. "
            f"{_its_fields(run)}"
        )
    parts = [_number(f) for f in (subtotal, tax, total)]
    if any(p is None for p in parts):
        return f"I can't check that on {run.id}: the subtotal, tax and total are not all numbers."
    (sub, sub_code), (tx, tax_code), (tot, tot_code) = parts  # type: ignore[misc]
    codes = {c for c in (sub_code, tax_code, tot_code) if c}
    if len(codes) > 1:
        return (
            f"I can't add them up on {run.id}: they are in different currencies "
            f"({and_list(sorted(codes))}) and I don't convert currencies."
        )
    code = next(iter(codes), None)
    added = sub + tx
    gap = abs(added - tot)
    sums = (
        f"{_name(subtotal)} {_money(sub, code)} + {_name(tax)} {_money(tx, code)} = "
        f"{_money(added, code)}, and the {_name(total)} is {_money(tot, code)}"
    )
    source = _sources(subtotal, tax, total)
    tolerance = f"{_money(ROUNDING_TOLERANCE, code)} for rounding"
    if gap <= ROUNDING_TOLERANCE:
        return f"Yes: on {run.id}, {sums} (allowing {tolerance}). {source}".strip()
    off = _money(gap, code)
    return f"No: on {run.id}, {sums}, off by {off} (allowing {tolerance}). {source}".strip()


def _line_items_answer(
    run: Run, items: tuple[ExtractedField, list[Decimal], str | None], against: ExtractedField
) -> str:
    """The line items' amounts added up against the total (or the subtotal), within tolerance."""
    field, amounts, item_code = items
    number = _number(against)
    assert number is not None  # _first only returns fields with a number
    target, code = number
    if item_code and code and item_code != code:
        return (
            f"I can't add them up on {run.id}: the line items are in {item_code} and the "
            f"{_name(against)} in {code}, and I don't convert currencies."
        )
    code = code or item_code
    added = sum(amounts, Decimal(0))
    if len(amounts) == 1:
        sums = f"the one entry in {_name(field)} comes to {_money(added, code)}"
    else:
        terms = f" ({' + '.join(_money(a, code) for a in amounts)})"
        shown = terms if len(amounts) <= _MAX_TERMS else ""
        sums = f"the {len(amounts)} {_name(field)}{shown} add up to {_money(added, code)}"
    gap = abs(added - target)
    tolerance = f"allowing {_money(ROUNDING_TOLERANCE, code)} for rounding"
    source = _sources(against, field)
    stated = f"the {_name(against)} is {_money(target, code)}"
    if gap <= ROUNDING_TOLERANCE:
        head = f"Yes: on {run.id}, {sums}, and {stated} ({tolerance})."
    else:
        head = f"No: on {run.id}, {sums} but {stated}, off by {_money(gap, code)} ({tolerance})."
    return f"{head} {source}".strip()


def _line_items(run: Run) -> tuple[ExtractedField, list[Decimal], str | None] | None:
    """The run's line items and each one's amount (all of them, in one currency), or None."""
    for name in SYNONYMS["line items"]:
        found = run.field(name)
        rows = found.value if found is not None else None
        if not isinstance(rows, list) or not rows or found is None:
            continue
        amounts: list[Decimal] = []
        codes: set[str] = set()
        for row in rows:
            amount = _row_amount(row)
            if amount is None:
                return None  # a row without an amount: their sum would say nothing
            amounts.append(amount[0])
            codes.update([amount[1]] if amount[1] else [])
        if len(codes) > 1:
            return None
        return found, amounts, next(iter(codes), None)
    return None


def _row_amount(row: object) -> tuple[Decimal, str | None] | None:
    if not isinstance(row, dict):
        return None
    for key in _ROW_AMOUNT_KEYS:
        number = _number_of(row.get(key))
        if number is not None:
            return number
    return None


def _field_change(run: Run, extracted: ExtractedField, who: str | None, when: str) -> str:
    """ "The total was $1,240.00 before the review; user_x changed it to $1,420.00 on ..."."""
    name = _name(extracted)
    value = format_value(extracted.value, HUMAN)
    cited = f" ({citation_text(extracted.citations)})" if extracted.citations else ""
    if not extracted.edited:
        if who is None:
            return f"No one has reviewed {run.id}, so the {name} is as extracted: {value}{cited}."
        return f"No reviewer changed the {name} on {run.id}: it is {value} as extracted{cited}."
    before = format_value(extracted.initial_value, HUMAN)
    note = (
        f" Their note: {quote(extracted.edit_note, limit=MAX_QUOTE, marks='typographic')}."
        if extracted.edit_note
        else ""
    )
    return (
        f"The {name} was {before} before the review; {who or 'a reviewer'} changed it to "
        f"{value}{when}{cited}.{note}"
    )


def run_total(run: Run) -> tuple[ExtractedField, Decimal, str | None] | None:
    """The run's total as a number and its currency code, or None when it has none."""
    total = _first(run, SYNONYMS["total"])
    number = _number(total) if total is not None else None
    return None if total is None or number is None else (total, number[0], number[1])


def money_text(amount: Decimal, code: str | None) -> str:
    """``€1,948.63`` / ``$15,735.10``: an amount for a person."""
    return _money(amount, code)


def convert_answer(run: Run, question: str, target: str | None, low_confidence: float) -> str:
    """No conversion: the amount asked about, in its own currency, with page and quote."""
    amounts = _amount_fields(run, question)
    if not amounts:
        return f"{run.id} has no amount with a currency to give. {_its_fields(run)}"
    main = amounts[0] if len(amounts) == 1 else _main_amount(amounts)
    reading = read_fields(question, [main.name])
    match = reading.matches[0] if reading.matches else FieldMatch(main.name, main.name)
    sentence = field_sentence(run, match, {"value"}, low_confidence)
    parts = amount_parts(main.value)
    if target is None or (parts is not None and parts[1] == target):
        return sentence
    return (
        f"I can't convert to {target}: I have no exchange rates, and Extend reports the amount "
        f"only as written on the document. {sentence}"
    )


def _amount_fields(run: Run, question: str) -> list[ExtractedField]:
    """Money fields the question names, else all of the run's money fields."""
    money_fields = [f for f in run.fields if _is_money(f)]
    named = read_fields(question, [f.name for f in money_fields]).matches
    chosen = [f for m in named for f in money_fields if f.name == m.name]
    return chosen or money_fields


def _main_amount(amounts: list[ExtractedField]) -> ExtractedField:
    for name in SYNONYMS["total"]:
        found = next((f for f in amounts if f.name == name), None)
        if found is not None:
            return found
    return amounts[-1]


def _is_money(extracted: ExtractedField) -> bool:
    parts = amount_parts(extracted.value)
    return parts is not None and parts[1] is not None


def _first(
    run: Run, names: tuple[str, ...], exclude: ExtractedField | None = None
) -> ExtractedField | None:
    for name in names:
        found = run.field(name)
        if found is not None and found is not exclude and _number(found) is not None:
            return found
    return None


def _number(extracted: ExtractedField) -> tuple[Decimal, str | None] | None:
    return _number_of(extracted.value)


def _number_of(value: object) -> tuple[Decimal, str | None] | None:
    """An amount object or a bare number as (amount, currency code or None)."""
    parts = amount_parts(value)
    if parts is not None:
        return Decimal(str(parts[0])), parts[1]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return Decimal(str(value)), None
    return None


def _sources(*fields: ExtractedField) -> str:
    cited = [f"{_name(f)}: {citation_text(f.citations)}" for f in fields if f.citations]
    return ("Sources: " + "; ".join(cited) + ".") if cited else ""


def _name(extracted: ExtractedField) -> str:
    return format_field_name(extracted.name)


def _money(amount: Decimal, code: str | None) -> str:
    return format_money(amount, code, HUMAN)


def _its_fields(run: Run) -> str:
    names = [f.name for f in run.fields]
    if not names:
        return f"{run.id} has no extracted fields."
    return f"Its fields are: {', '.join(format_field_name(n) for n in names)}."


_PAID_TAGS = frozenset({"paid", "settled", "payment-sent", "payment_sent"})
_UNPAID_TAGS = frozenset({"unpaid", "not-paid", "not_paid", "payment-pending", "overdue"})
_PAYMENT_KEY = re.compile(r"pa(?:id|yment)", re.IGNORECASE)


def paid_tag(run: Run) -> str | None:
    """The tag that marks ``run`` paid ("paid", "settled"), if it carries one."""
    found = sorted({t.casefold() for t in run.tags} & _PAID_TAGS)
    return found[0] if found else None


def paid_answer(run: Run) -> str:
    """Whether ``run`` is marked paid: only its tags and metadata can say (Extend records what
    a document says, not payments)."""
    keys = [k for k in run.metadata if k != "tags" and _PAYMENT_KEY.search(k)]
    said = "; ".join(f"{k} = {format_value(run.metadata[k])}" for k in keys)
    tag = paid_tag(run)
    if tag is not None:
        return f"{run.id} is tagged {tag}." + (f" Its metadata says {said}." if said else "")
    unpaid = sorted({t.casefold() for t in run.tags} & _UNPAID_TAGS)
    if unpaid:
        return f"{run.id} is tagged {unpaid[0]}, so not marked as paid."
    if said:
        return f"{run.id} has payment metadata: {said}."
    shown_tags = ", ".join(run.tags) if run.tags else "none"
    return (
        f"I can't tell whether {run.id} was paid: Extend records what the document says, not "
        f"payments, and the run has no paid tag or payment metadata (tags: {shown_tags}). "
        "Say “mark it as paid” to tag it."
    )
