"""How values read as text: the one value formatter of summaries, the CLI and Slack.

Amounts read as ``15,735.10 USD``; nested objects as ``key: value`` pairs; lists as
``a, b``; a missing value as ``(empty)``, true/false as ``yes``/``no``. Nothing is
rounded away: an amount with more than two decimals keeps them all.

``format_value`` writes a value in one of three styles, which differ only where
their readers do:

- ``PLAIN`` (the default) for a table or a listing: text as it is (the CLI and
  Slack escape it for their own markup), ISO dates and ``1,420.00 USD`` kept as
  the run states them, lists of objects (line items) one numbered item each;
- ``QUOTED`` for the run summary a model reads (``tools.text.summary``): text as a
  JSON string literal (``tools.text.quoting.quote``), so document text stays
  delimited data and the summary states every fact as ``tools.text.facts`` requires,
  nested objects and lists in braces and brackets, and a field's line items as a
  count (the summary lists them one line each);
- ``HUMAN`` for sentences and cards a person reads (the human summary, Slack run
  cards, the offline model's answers): ``$1,420.00``, ``Oct 31, 2024``, ``74% (low)``;
  text on one line (line breaks read as spaces), every other control and bidi mark
  shown as an escape, and cut at ``MAX_HUMAN_TEXT`` characters, so a document's text
  can neither forge a line nor drive a terminal inside a sentence.

The human formats follow one rule for money, whatever the document's own style:
English digit grouping (``1,948.63``), the currency's symbol in front for the three
whose symbol is unambiguous (USD ``$``, EUR ``€``, GBP ``£``), otherwise the ISO code
after the number (``1,948.63 CHF``). A human confidence is whole percent, rounded
down, so a score just under a threshold never reads as the threshold itself. Text for
models and JSON keep ISO values. ``format_date``, ``format_timestamp``,
``format_confidence``, ``format_amount`` and ``format_field_name`` are the same
formats for single values.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from tools.text.quoting import plain_or_quoted, quote, terminal_safe

__all__ = [
    "CURRENCY_SYMBOLS",
    "EMPTY",
    "HUMAN",
    "PLAIN",
    "QUOTED",
    "ValueStyle",
    "amount_parts",
    "format_amount",
    "format_confidence",
    "format_date",
    "format_field_name",
    "format_money",
    "format_timestamp",
    "format_value",
    "money",
    "plain_amount",
]

CURRENCY_KEYS = ("iso_4217_currency_code", "currency", "currency_code")
AMOUNT_KEYS = ("amount", "value")
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}
EMPTY = "(empty)"
NONE = "(none)"
_CURRENCY_CODE = re.compile(r"[A-Za-z]{1,10}")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_ISO_DATETIME = re.compile(r"^(\d{4})-(\d{2})-(\d{2})[T ]\d{2}:\d{2}")
_ACRONYMS = {
    "po": "PO",
    "id": "ID",
    "vat": "VAT",
    "iban": "IBAN",
    "bic": "BIC",
    "swift": "SWIFT",
    "sku": "SKU",
    "url": "URL",
    "gst": "GST",
    "ein": "EIN",
}
_NAME_PARTS = re.compile(r"[A-Za-z][a-z]*|[A-Z]+(?![a-z])|\d+")


# -- single values -------------------------------------------------------------------------


def money(amount: float | int | Decimal, currency: str | None = None) -> str:
    """``15735.1`` -> ``15,735.10``; keeps extra decimals rather than rounding them off."""
    try:
        exact = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    exponent = exact.as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    text = f"{exact:,.{places}f}"
    return f"{text} {currency}" if currency else text


def _human_money(amount: float | int | Decimal, currency: str | None = None) -> str:
    """``(1420, "USD")`` -> ``$1,420.00``; ``(1948.63, "CHF")`` -> ``1,948.63 CHF``."""
    try:
        exact = Decimal(str(amount))
    except InvalidOperation:
        return f"{amount} {currency}" if currency else str(amount)
    if not exact.is_finite():
        return f"{amount} {currency}" if currency else str(amount)
    exponent = exact.as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    digits = f"{abs(exact):,.{places}f}"
    sign = "-" if exact < 0 else ""
    code = (currency or "").strip().upper()
    symbol = CURRENCY_SYMBOLS.get(code)
    if symbol:
        return f"{sign}{symbol}{digits}"
    return f"{sign}{digits} {currency.strip()}" if currency and currency.strip() else sign + digits


def format_date(value: str) -> str:
    """``2024-10-31`` (or an ISO timestamp) -> ``Oct 31, 2024``; anything else unchanged."""
    text = value.strip()
    match = _ISO_DATE.match(text) or _ISO_DATETIME.match(text)
    if match is None:
        return value
    try:
        day = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        return value
    return f"{day:%b} {day.day}, {day.year}"


MAX_HUMAN_TEXT = 500
_LINE_BREAKS = re.compile(r"\s*[\r\n\u2028\u2029\x85\x0b\x0c]+\s*")


def human_text(value: str) -> str:
    """A text value inside a sentence: a date as ``Oct 31, 2024``, else one inert line."""
    text = format_date(value)
    if len(text) > MAX_HUMAN_TEXT:
        text = text[: MAX_HUMAN_TEXT - 1].rstrip() + "…"
    return terminal_safe(_LINE_BREAKS.sub(" ", text))


def format_timestamp(value: str) -> str:
    """An ISO timestamp's day, as ``format_date``; kept as given if it does not parse."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return format_date(value)
    return f"{moment:%b} {moment.day}, {moment.year}"


def _iso_confidence(score: float) -> str:
    return f"{score:.0%}" if score in (0, 1) else f"{score:.1%}"


def _human_confidence(score: float) -> str:
    return f"{max(0, min(100, math.floor(score * 100 + 1e-9)))}%"


def format_field_name(name: str) -> str:
    """A field's name for people: ``due_date`` -> ``due date``, ``po_number`` -> ``PO number``."""
    words = _NAME_PARTS.findall(name) or [name]
    shown = [
        _ACRONYMS.get(w.lower(), w if w.isupper() and len(w) > 1 else w.lower()) for w in words
    ]
    return " ".join(shown)


# -- styles --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ValueStyle:
    """What differs between readers: how text, keys, money and scores are written."""

    text: Callable[[str], str]
    """A text value (never blank: blank text reads ``(empty)``)."""
    key: Callable[[str], str]
    """An object's key."""
    bracketed: bool
    """Nested objects in ``{}`` and lists in ``[]``; a top-level list of objects as a count."""
    money: Callable[[float | int | Decimal, str | None], str] = money
    """An amount and its currency code."""
    confidence: Callable[[float], str] = _iso_confidence
    """A 0-1 score."""


PLAIN = ValueStyle(text=str, key=str, bracketed=False)
QUOTED = ValueStyle(text=quote, key=plain_or_quoted, bracketed=True)
HUMAN = ValueStyle(
    text=human_text,
    key=format_field_name,
    bracketed=False,
    money=_human_money,
    confidence=_human_confidence,
)


def format_money(
    amount: float | int | Decimal, currency: str | None, style: ValueStyle = PLAIN
) -> str:
    """An amount with its currency in ``style``: ``1,420.00 USD`` or (``HUMAN``) ``$1,420.00``."""
    return style.money(amount, currency)


def format_confidence(score: float | None, style: ValueStyle = PLAIN, *, low: bool = False) -> str:
    """``0.74`` -> ``74.0%`` (``HUMAN``: ``74%``); `` (low)`` appended when ``low``."""
    if score is None:
        return "n/a"
    return style.confidence(score) + (" (low)" if low else "")


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


def format_amount(value: Any, style: ValueStyle = PLAIN) -> str | None:
    """An extracted amount object (any currency text) as money in ``style``; else None."""
    parts = amount_parts(value)
    return None if parts is None else style.money(*parts)


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
        return style.money(*amount)
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
