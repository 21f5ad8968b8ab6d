"""Questions answered by the run's own names: "how many containers?", "the unit price of the bolts".

The offline model knows everyday words for common invoice fields; a run can have
any others (``payment_method``, ``gross_weight_kg``, line items with a
``unit_price``) and metadata keys (``cost_center``). A question for one value that
matches no known kind (a ``lookup``) is read against those names: the run's fields
(exactly, a near miss, or without a unit), its metadata keys (said exactly), then
its line items' columns, for the rows the question names by their own words (a
bare number in an amount or price column is written in the run's currency, €12.50).
Nothing matching, the answer says so and lists what the run has.
"""

from __future__ import annotations

from agent.offline.field_answers import field_answer, metadata_keys_named, no_such_field
from agent.offline.field_evidence import pages_text
from agent.offline.field_shapes import row_amount, row_label, run_currency
from agent.offline.fields import normalize_text, read_fields
from agent.offline.intents import Understanding
from tools.runs.models import Run
from tools.text.formatting import HUMAN, format_field_name, format_value

__all__ = ["answered_by_own_names", "line_item_answer", "lookup_answer"]


def lookup_answer(
    understanding: Understanding, run: Run, low_confidence: float, whole_question: str = ""
) -> str:
    """A question of no known kind ("how many containers?"), read against the run's own names.

    The run's field names (exactly, near misses, or without a unit), its metadata keys,
    then its line items' columns ("the unit price of the ball bearings"). ``whole_question``
    is the message before its run reference was taken out: it may name a line item.
    """
    keys, text = metadata_keys_named(understanding.text, run)
    reading = read_fields(text, [f.name for f in run.fields])
    if keys or reading.matches:
        return field_answer(understanding, run, (), low_confidence)
    rows = line_item_answer(run, understanding.text, whole_question or understanding.text)
    if rows is not None:
        return rows
    return no_such_field(run, reading)


def answered_by_own_names(understanding: Understanding, run: Run) -> bool:
    """Whether ``lookup_answer`` answers this: a lookup, or a field question naming a metadata
    key ("the vendor id", even on a run with no extracted fields)."""
    if understanding.kind == "lookup":
        return True
    return understanding.kind == "field" and bool(metadata_keys_named(understanding.text, run)[0])


def line_item_answer(
    run: Run, column_words: str, question: str, *, named_rows_only: bool = False
) -> str | None:
    """A column of the run's line items ("unit price"), for the rows the question names.

    Rows are named by their own words ("the ball bearings" is the row describing a
    "Deep groove ball bearing"); naming none, every row's value is listed (or, with
    ``named_rows_only``, None). None when no list field has a column ``column_words`` names.
    """
    for extracted in run.fields:
        rows = (
            [r for r in extracted.value if isinstance(r, dict)]
            if isinstance(extracted.value, list)
            else []
        )
        columns = list(dict.fromkeys(k for row in rows for k in row))
        matches = read_fields(column_words, columns).matches
        if not matches:
            continue
        column = matches[0].name
        said = {_singular(w) for w in normalize_text(question).split() if len(w) > 2}
        said -= {_singular(w) for w in normalize_text(column).split()} | _ROW_STOP
        scored = [(len(said & _row_words(row)), i, row) for i, row in enumerate(rows, 1)]
        best = max((score for score, _, _ in scored), default=0)
        chosen = [(i, row) for score, i, row in scored if score == best and best > 0]
        if named_rows_only and not chosen:
            return None
        pages = pages_text(extracted.citations)
        name = format_field_name(column)
        currency = run_currency(run) if _is_money(column) else None
        parts = [
            f"#{i} {row_label(row)}: {_cell(row, column, currency)}"
            for i, row in (chosen or list(enumerate(rows, 1)))
        ]
        where = f" ({format_field_name(extracted.name)}, {pages})" if pages else ""
        if len(chosen) == 1:
            i, row = chosen[0]
            return (
                f"The {name} of line item {i} on {run.id}, {row_label(row)}, is "
                f"{_cell(row, column, currency)}{where}."
            )
        return f"The {name} of the line items on {run.id}{where}: " + "; ".join(parts) + "."
    return None


_ROW_STOP = frozenset({"what", "whats", "the", "and", "for", "how", "much", "many", "line", "item"})


def _cell(row: dict[str, object], column: str, currency: str | None) -> str:
    value = row.get(column)
    return row_amount(value, currency) if currency else format_value(value, HUMAN)


_MONEY_WORDS = frozenset({"amount", "price", "total", "cost", "fee", "subtotal", "net", "gross"})


def _is_money(column: str) -> bool:
    """A column of amounts ("unit price", "line total"): bare numbers there are in the run's
    currency; a quantity or a weight is not."""
    return bool(set(format_field_name(column).lower().split()) & _MONEY_WORDS)


def _row_words(row: dict[str, object]) -> set[str]:
    text = " ".join(str(v) for v in row.values() if isinstance(v, str))
    return {_singular(w) for w in normalize_text(text).split()}


def _singular(word: str) -> str:
    return word[:-1] if len(word) > 3 and word.endswith("s") and not word.endswith("ss") else word
