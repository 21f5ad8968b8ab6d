"""How extracted values read as text, the same in summaries, the CLI and Slack.

Amounts read as ``15,735.10 USD``; nested objects as ``key: value`` pairs; lists of
objects (line items) one numbered item each. Nothing is rounded away: an amount
with more than two decimals keeps them all.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

CURRENCY_KEYS = ("iso_4217_currency_code", "currency", "currency_code")
AMOUNT_KEYS = ("amount", "value")
EMPTY = "(empty)"


def money(amount: float | int, currency: str | None = None) -> str:
    """``15735.1`` -> ``15,735.10``; keeps extra decimals rather than rounding them off."""
    try:
        exact = Decimal(str(amount))
    except InvalidOperation:
        return str(amount)
    places = max(2, -exact.as_tuple().exponent) if isinstance(exact.as_tuple().exponent, int) else 2
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


def format_value(value: Any) -> str:
    """One line of text for any extracted value."""
    if value is None:
        return EMPTY
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        return value if value.strip() else EMPTY
    parts = amount_parts(value)
    if parts is not None:
        return money(*parts)
    if isinstance(value, dict):
        if not value:
            return EMPTY
        return "; ".join(f"{key}: {format_value(item)}" for key, item in value.items())
    if isinstance(value, list):
        if not value:
            return "(none)"
        if all(isinstance(item, dict) for item in value):
            return " | ".join(
                f"#{index} {format_value(item)}" for index, item in enumerate(value, 1)
            )
        return ", ".join(format_value(item) for item in value)
    return str(value)


def format_confidence(score: float | None) -> str:
    return "n/a" if score is None else f"{score:.0%}" if score in (0, 1) else f"{score:.1%}"
