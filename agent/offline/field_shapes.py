"""Answers about a field's shape rather than its value: how many rows a list has, a tax's rate.

"How many line items?" counts a list field and lists its rows briefly, each amount
in the run's currency; "show me the line items" lists each row on its own line
(description, quantity × unit price = amount). "What's the VAT rate?" about a tax
amount gives the rate a field holds, else the rate its reference text shows (said
to come from that quote); ``agent.offline.field_answers`` says no rate was
extracted when neither does.
"""

from __future__ import annotations

import re

from agent.change_text import and_list
from agent.offline.field_evidence import pages_text
from agent.offline.wording import MAX_QUOTE
from tools.runs.models import ExtractedField, Run
from tools.text.formatting import HUMAN, amount_parts, format_field_name, format_value
from tools.text.quoting import quote

_ASKS_COUNT = re.compile(r"\bhow many\b|\bnumber of\b|\bcount\b", re.IGNORECASE)
_ASKS_RATE = re.compile(r"\brates?\b|\bpercent(?:age)?\b|%", re.IGNORECASE)


def asks_count(question: str, extracted: ExtractedField) -> bool:
    """ "how many line items?" about a list field."""
    return bool(_ASKS_COUNT.search(question)) and isinstance(extracted.value, list)


def asks_rate(question: str, extracted: ExtractedField) -> bool:
    """ "what's the VAT rate?" about a tax amount (not about a field that is itself the rate)."""
    return (
        bool(_ASKS_RATE.search(question))
        and _is_tax(extracted.name)
        and not _is_rate(extracted.name)
    )


MAX_LISTED_ROWS = 8
"""Rows a count lists one by one; more are only counted."""
_ROW_LABEL_KEYS = ("description", "name", "item", "product", "title")
_ROW_AMOUNT_KEYS = ("amount", "total", "line_total", "total_amount", "net_amount", "price")
_ROW_QUANTITY_KEYS = ("quantity", "qty", "units", "count")
_ROW_UNIT_PRICE_KEYS = ("unit_price", "unit_cost", "price_per_unit", "rate", "price")


def count_sentence(run: Run, extracted: ExtractedField, label: str) -> str:
    """ "how many line items?": the count, the pages, and each row's description and amount."""
    rows = extracted.value if isinstance(extracted.value, list) else []
    one = label[:-1] if label.endswith("s") and not label.endswith("ss") else label
    if not rows:
        return f"{run.id} has no {label}: the list was extracted empty."
    pages = pages_text(extracted.citations)
    where = f" ({pages})" if pages else ""
    currency = run_currency(run)
    shown = [f"#{i} {_row_summary(row, currency)}" for i, row in enumerate(rows, 1)]
    listed = shown[:MAX_LISTED_ROWS]
    if len(shown) > MAX_LISTED_ROWS:
        listed.append(f"and {len(shown) - MAX_LISTED_ROWS} more")
    noun = one if len(rows) == 1 else label
    return f"{run.id} has {len(rows)} {noun}{where}: " + "; ".join(listed) + "."


def is_rows(value: object) -> bool:
    """A list of rows (line items): a non-empty list whose items are all objects."""
    return isinstance(value, list) and bool(value) and all(isinstance(r, dict) for r in value)


def row_lines(run: Run, rows: list[dict[str, object]]) -> list[str]:
    """One line per row: “Deep groove ball bearing” — 40 × €12.50 = €500.00."""
    currency = run_currency(run)
    lines = []
    for index, row in enumerate(rows[: MAX_LISTED_ROWS * 3], 1):
        amount_key = next((k for k in _ROW_AMOUNT_KEYS if k in row), None)
        unit_key = next((k for k in _ROW_UNIT_PRICE_KEYS if k in row and k != amount_key), None)
        quantity = next((row[k] for k in _ROW_QUANTITY_KEYS if k in row), None)
        figures = ""
        if quantity is not None and unit_key is not None:
            figures = f"{format_value(quantity, HUMAN)} × {row_amount(row[unit_key], currency)}"
        elif quantity is not None:
            figures = f"quantity {format_value(quantity, HUMAN)}"
        if amount_key is not None:
            amount = row_amount(row[amount_key], currency)
            figures = f"{figures} = {amount}" if figures else amount
        lines.append(f"{index}. {row_label(row)}" + (f" — {figures}" if figures else ""))
    if len(rows) > len(lines):
        lines.append(f"and {len(rows) - len(lines)} more")
    return lines


def run_currency(run: Run) -> str | None:
    """The one currency the run's amount fields are in, or None (none, or several)."""
    codes = {parts[1] for f in run.fields if (parts := amount_parts(f.value)) is not None}
    return codes.pop() if len(codes) == 1 else None


def row_label(row: dict[str, object]) -> str:
    """A line item by its description (or name, ...), quoted; else its first text."""
    label = next((row[k] for k in _ROW_LABEL_KEYS if isinstance(row.get(k), str)), None)
    label = label or next((v for v in row.values() if isinstance(v, str)), "")
    return quote(str(label), limit=60, marks="typographic") if label else "(no description)"


def _row_summary(row: object, currency: str | None) -> str:
    if not isinstance(row, dict):
        return format_value(row, HUMAN)
    key = next((k for k in _ROW_AMOUNT_KEYS if k in row), None)
    if key is None:
        return row_label(row)
    return f"{row_label(row)}, {row_amount(row[key], currency)}"


def row_amount(value: object, currency: str | None) -> str:
    """A line item's amount; a bare number is written in the run's currency (``€500.00``)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return HUMAN.money(value, currency)
    return format_value(value, HUMAN)


_TAX_WORDS = frozenset({"tax", "vat", "gst", "hst", "mwst"})
_RATE_WORDS = frozenset({"rate", "percent", "percentage", "pct"})
_RATE_IN_TEXT = re.compile(r"(?<![\d.,])\d{1,3}(?:[.,]\d{1,3})?\s?%")


def _name_words(name: str) -> set[str]:
    return set(format_field_name(name).lower().split())


def _is_tax(name: str) -> bool:
    return bool(_name_words(name) & _TAX_WORDS)


def _is_rate(name: str) -> bool:
    return bool(_name_words(name) & _RATE_WORDS)


def rate_field(run: Run) -> ExtractedField | None:
    """The run's field that holds a tax rate itself ("vat_rate"), if it has one."""
    return next((f for f in run.fields if _is_tax(f.name) and _is_rate(f.name)), None)


def quoted_rate_sentence(run: Run, extracted: ExtractedField, label: str) -> str | None:
    """The rate a tax amount's reference text shows ("VAT 20%"), said to be read from that
    quote; None when no citation shows one."""
    for citation in extracted.citations:
        ref = citation.reference_text or ""
        rates = list({r.replace(" ", ""): r for r in _RATE_IN_TEXT.findall(ref)}.values())
        if not rates:
            continue
        page = f" on page {citation.page}" if citation.page is not None else ""
        quoted = quote(ref, limit=MAX_QUOTE, marks="typographic")
        return (
            f"The {label} rate on {run.id} is {and_list(rates)}, as read from the {label}'s "
            f"reference text {quoted}{page}; no field holds the rate. "
            f"The {label} itself is {format_value(extracted.value, HUMAN)}."
        )
    return None
