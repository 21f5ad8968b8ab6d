"""Dates in a person's words ("after 2024-09-20", "last week", "in September") as a day window.

Questions about many runs name a window of days; ``find_runs`` takes ISO dates
(``created_after`` inclusive, ``created_before`` exclusive), so each phrase becomes
``[first day, day after the last)``. Relative words ("last week", "yesterday", "in
September" without a year) are read against ``today``, which callers pass in tests.
A month named without a year is also kept as ``month`` so a due date can match it
in any year ("due in October").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from tools.faces.run_query import parse_when

__all__ = ["DayWindow", "date_window", "today_utc"]

_MONTHS = (
    "january", "february", "march", "april", "may", "june",
    "july", "august", "september", "october", "november", "december",
)  # fmt: skip
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?"
_DAY = (
    r"(?:\d{4}-\d{2}-\d{2}"
    rf"|{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?"
    rf"|\d{{1,2}}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+\d{{4}})?)"
)
_BETWEEN = re.compile(rf"\bbetween\s+(?P<a>{_DAY})\s+and\s+(?P<b>{_DAY})", re.I)
_BOUND = re.compile(
    rf"\b(?P<word>after|since|from|before|until|till|up\s+to|on)\s+(?:the\s+)?(?P<day>{_DAY})\b",
    re.I,
)
_IN_MONTH = re.compile(
    rf"\b(?:in|during|for|of)\s+(?P<month>{_MONTH})(?:\s+(?P<year>\d{{4}}))?(?![\w-])", re.I
)
_RELATIVE = re.compile(
    r"\b(?P<word>today|yesterday|tomorrow|(?:this|last|past|previous|next)\s+(?:week|month|year)|"
    r"(?:in\s+the\s+)?(?P<way>last|past|next)\s+(?P<count>\d{1,3})\s+(?P<unit>days?|weeks?))\b",
    re.I,
)


@dataclass(frozen=True)
class DayWindow:
    """Days from ``after`` (inclusive) to ``before`` (exclusive); either may be open."""

    after: date | None
    before: date | None
    start: int
    end: int
    """Where the words are in the text (so they are not read again as a name)."""
    month: int | None = None
    """A month named without a year (1-12): a due date may match it in any year."""

    def filters(self, prefix: str = "created") -> dict[str, str]:
        """``{"created_after": "2024-09-21", ...}`` for ``find_runs``."""
        found: dict[str, str] = {}
        if self.after is not None:
            found[f"{prefix}_after"] = self.after.isoformat()
        if self.before is not None:
            found[f"{prefix}_before"] = self.before.isoformat()
        return found

    def holds(self, day: date) -> bool:
        """Whether ``day`` is in the window (any year, for a month named without one)."""
        if self.month is not None:
            return day.month == self.month
        return (self.after is None or day >= self.after) and (
            self.before is None or day < self.before
        )


def today_utc() -> date:
    return datetime.now(UTC).date()


def date_window(text: str, today: date | None = None) -> DayWindow | None:
    """The window of days ``text`` names, or None when it names none."""
    today = today or today_utc()
    between = _BETWEEN.search(text)
    if between:
        first, last = _day(between.group("a"), today), _day(between.group("b"), today)
        if first and last:
            if first > last:  # "between Sep 1 and Sep 15 2024": the year given once
                first = first.replace(year=last.year)
            return DayWindow(first, last + timedelta(days=1), *between.span())
    bound = _BOUND.search(text)
    if bound:
        day = _day(bound.group("day"), today)
        if day is not None:
            word = " ".join(bound.group("word").casefold().split())
            span = bound.span()
            if word == "after":
                return DayWindow(day + timedelta(days=1), None, *span)
            if word in ("since", "from"):
                return DayWindow(day, None, *span)
            if word == "before":
                return DayWindow(None, day, *span)
            if word == "on":
                return DayWindow(day, day + timedelta(days=1), *span)
            return DayWindow(None, day + timedelta(days=1), *span)  # until, till, up to
    relative = _RELATIVE.search(text)
    if relative:
        return _relative(relative, today)
    month = _IN_MONTH.search(text)
    if month:
        number = _month_number(month.group("month"))
        if number is not None:
            year = int(month.group("year")) if month.group("year") else None
            if year is None:
                year = today.year if number <= today.month else today.year - 1
            first = date(year, number, 1)
            after_it = date(year + number // 12, number % 12 + 1, 1)
            without_year = None if month.group("year") else number
            return DayWindow(first, after_it, *month.span(), month=without_year)
    return None


def _relative(found: re.Match[str], today: date) -> DayWindow:
    word = " ".join(found.group("word").casefold().split())
    span = found.span()
    tomorrow = today + timedelta(days=1)
    if found.group("count"):
        days = int(found.group("count")) * (7 if found.group("unit").startswith("week") else 1)
        if found.group("way").casefold() == "next":
            return DayWindow(today, today + timedelta(days=days), *span)
        return DayWindow(today - timedelta(days=days - 1), tomorrow, *span)
    monday = today - timedelta(days=today.weekday())
    month = today.replace(day=1)
    last_month = (month - timedelta(days=1)).replace(day=1)
    next_month = (month + timedelta(days=31)).replace(day=1)
    year = date(today.year, 1, 1)
    windows = {
        "today": (today, tomorrow),
        "yesterday": (today - timedelta(days=1), today),
        "tomorrow": (tomorrow, tomorrow + timedelta(days=1)),
        "this week": (monday, monday + timedelta(days=7)),
        "last week": (monday - timedelta(days=7), monday),
        "previous week": (monday - timedelta(days=7), monday),
        "next week": (monday + timedelta(days=7), monday + timedelta(days=14)),
        "past week": (today - timedelta(days=6), tomorrow),
        "this month": (month, next_month),
        "last month": (last_month, month),
        "previous month": (last_month, month),
        "next month": (next_month, (next_month + timedelta(days=31)).replace(day=1)),
        "past month": (today - timedelta(days=29), tomorrow),
        "this year": (year, year.replace(year=today.year + 1)),
        "last year": (year.replace(year=today.year - 1), year),
        "previous year": (year.replace(year=today.year - 1), year),
        "next year": (year.replace(year=today.year + 1), year.replace(year=today.year + 2)),
        "past year": (today - timedelta(days=364), tomorrow),
    }
    after, before = windows[word]
    return DayWindow(after, before, *span)


def _day(text: str, today: date) -> date | None:
    """``2024-09-20``, ``Sep 20``, ``20th of September 2024``; no year: the latest one so far."""
    iso = parse_when(text) if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text.strip()) else None
    if iso is not None:
        return iso.date()
    words = re.findall(r"[a-z]+|\d+", text.casefold())
    month = next((n for w in words if (n := _month_number(w)) is not None), None)
    numbers = [int(w) for w in words if w.isdigit()]
    if month is None or not numbers:
        return None
    day, year = numbers[0], numbers[1] if len(numbers) > 1 else None
    try:
        found = date(year or today.year, month, day)
        if year is None and found > today:
            found = found.replace(year=today.year - 1)
    except ValueError:
        return None
    return found


def _month_number(word: str) -> int | None:
    word = word.casefold().rstrip(".")
    if len(word) < 3:
        return None
    for number, name in enumerate(_MONTHS, start=1):
        if name.startswith(word) or (word == "sept" and number == 9):
            return number
    return None
