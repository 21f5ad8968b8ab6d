"""How extracted values read as text: the one value formatter of summaries, the CLI and Slack.

Amounts read as ``15,735.10 USD``; nested objects as ``key: value`` pairs; lists as
``a, b``; a missing value as ``(empty)``, true/false as ``yes``/``no``. Nothing is
rounded away: an amount with more than two decimals keeps them all.

``format_value`` writes a value in one of two styles, which differ only where
their readers do:

- ``PLAIN`` (the default) for a person: text as it is (the CLI and Slack escape it
  for their own markup), lists of objects (line items) one numbered item each;
- ``QUOTED`` for the run summary a model reads (``tools.text.summary``): text as a
  JSON string literal (``tools.text.quoting.quote``), so document text stays
  delimited data and the summary states every fact as ``tools.text.facts`` requires,
  nested objects and lists in braces and brackets, and a field's line items as a
  count (the summary lists them one line each).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from tools.text.quoting import plain_or_quoted, quote

__all__ = [
    "EMPTY",
    "PLAIN",
    "QUOTED",
    "ValueStyle",
    "amount_parts",
    "format_confidence",
    "format_value",
    "money",
    "plain_amount",
]

CURRENCY_KEYS = ("iso_4217_currency_code", "currency", "currency_code")
AMOUNT_KEYS = ("amount", "value")
EMPTY = "(empty)"
NONE = "(none)"
_CURRENCY_CODE = re.compile(r"[A-Za-z]{1,10}")


@dataclass(frozen=True)
class ValueStyle:
    """What differs between readers: how text and keys are written, and nesting marks."""

    text: Callable[[str], str]
    """A text value (never blank: blank text reads ``(empty)``)."""
    key: Callable[[str], str]
    """An object's key."""
    bracketed: bool
    """Nested objects in ``{}`` and lists in ``[]``; a top-level list of objects as a count."""


PLAIN = ValueStyle(text=str, key=str, bracketed=False)
QUOTED = ValueStyle(text=quote, key=plain_or_quoted, bracketed=True)


def money(amount: float | int, currency: str | None = None) -> str:
    """``15735.1`` -> ``15,735.10``; keeps extra decimals rather than rounding them off."""
    try:
        exact = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    exponent = exact.as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    text = f"{exact:,.{places}f}"
    return f"{text} {currency}" if currency else text


def amount_parts(value: Any) -> tuple[float | int, str | None] | None:
    """``{"amount": 1.5, "iso_4217_currency_code": "EUR"}`` -> ``(1.5, "EUR")``; else None."""
    if not isinstance(value, dict):
        return None
    amount = next((value[k] for k in AMOUNT_KEYS if k in value), None)
    if not isinstance(amount, int | float) or isinstance(amount, bool):
        return None
    currency = next((value[k] for k in CURRENCY_KEYS if isinstance(value.get(k), str)), None)
    if currency is None:
        return None
    other = set(value) - set(AMOUNT_KEYS) - set(CURRENCY_KEYS)
    return (amount, currency) if not other else None


def plain_amount(value: Any) -> tuple[float | int, str] | None:
    """``(amount, currency)`` for an amount whose currency is a plain code such as ``USD``.

    An amount with an odd currency (spaces, symbols, control characters) is not
    written as money, so its parts stay ordinary values (a number and a text).
    """
    parts = amount_parts(value)
    if parts is None or parts[1] is None or not _CURRENCY_CODE.fullmatch(parts[1]):
        return None
    return parts[0], parts[1]


def format_value(value: Any, style: ValueStyle = PLAIN, *, top: bool = True) -> str:
    """One line of text for any extracted value, in ``style`` (``top``: the field's own value).

    A field's own value (``top``) never gets braces; in the ``QUOTED`` style its
    line items read ``4 items``.
    """
    amount = plain_amount(value)
    if amount is not None:
        return money(*amount)
    if value is None:
        return EMPTY
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return style.text(value) if value.strip() else EMPTY
    if isinstance(value, dict):
        if not value:
            return EMPTY
        inner = "; ".join(
            f"{style.key(str(key))}: {format_value(item, style, top=False)}"
            for key, item in value.items()
        )
        return "{" + inner + "}" if style.bracketed and not top else inner
    if isinstance(value, list):
        return _list_text(value, style, top=top)
    return str(value)


def _list_text(items: list[Any], style: ValueStyle, *, top: bool) -> str:
    if not items:
        return NONE
    objects = all(isinstance(item, dict) for item in items)
    if style.bracketed:
        if top and objects:
            return f"{len(items)} item{'s' if len(items) > 1 else ''}"
        return "[" + ", ".join(format_value(item, style, top=False) for item in items) + "]"
    if objects:
        return " | ".join(
            f"#{index} {format_value(item, style, top=False)}"
            for index, item in enumerate(items, 1)
        )
    return ", ".join(format_value(item, style, top=False) for item in items)


def format_confidence(score: float | None) -> str:
    return "n/a" if score is None else f"{score:.0%}" if score in (0, 1) else f"{score:.1%}"
