"""Values as a person reads them: ``$1,420.00``, ``Oct 31, 2024``, ``74% (low)``.

Text for models and JSON keep ISO values (``2024-10-31``, ``1,420.00 USD``, ``74.0%``,
see ``tools.text.formatting``); text for people (the human summary, Slack and CLI
answers) uses these. One rule for money, whatever the document's own style: English
digit grouping (``1,948.63``), the currency's symbol in front for the three whose
symbol is unambiguous (USD ``$``, EUR ``€``, GBP ``£``), otherwise the ISO code after
the number (``1,948.63 CHF``). Nothing is rounded away: an amount with more than two
decimals keeps them. Confidence is shown in whole percent, rounded down, so a score
just under a threshold never reads as the threshold itself.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from tools.text.formatting import amount_parts

__all__ = [
    "CURRENCY_SYMBOLS",
    "human_amount",
    "human_confidence",
    "human_date",
    "human_field_name",
    "human_money",
    "human_timestamp",
]

CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£"}
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


def human_money(amount: float | int | Decimal, currency: str | None = None) -> str:
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


def human_amount(value: object) -> str | None:
    """An extracted amount object (``{"amount": .., "iso_4217_currency_code": ..}``) as money."""
    parts = amount_parts(value)
    if parts is None:
        return None
    return human_money(parts[0], parts[1])


def human_date(value: str) -> str:
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


def human_timestamp(value: str) -> str:
    """An ISO timestamp's day, as ``human_date``; kept as given if it does not parse."""
    try:
        moment = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        return human_date(value)
    return f"{moment:%b} {moment.day}, {moment.year}"


def human_confidence(score: float, *, low: bool = False) -> str:
    """``0.74`` -> ``74%``, or ``74% (low)`` when flagged; whole percent, rounded down."""
    percent = max(0, min(100, math.floor(score * 100 + 1e-9)))
    return f"{percent}% (low)" if low else f"{percent}%"


def human_field_name(name: str) -> str:
    """``due_date`` -> ``due date``, ``po_number`` -> ``PO number``."""
    words = _NAME_PARTS.findall(name) or [name]
    shown = [
        _ACRONYMS.get(w.lower(), w if w.isupper() and len(w) > 1 else w.lower()) for w in words
    ]
    return " ".join(shown)
