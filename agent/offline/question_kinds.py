"""Questions with an answer of their own, not a field's value nor a summary.

"what currency is it in?", "how many pages does it have?", "what did the
reviewer change?", "does the subtotal plus tax add up to the total?" and "what's
the total in EUR?" each get a sentence or two (``agent.offline.run_answers``),
never the whole summary; so do "why was it rejected?" / "what went wrong?" and
"how confident was the classification?" (``agent.offline.outcome_answers``), and
"is it paid?" (from the run's tags and metadata: Extend records no payments).
``question_kind`` names which one a message asks, or None; ``asked_currency`` is
the currency a conversion question asks for.
"""

from __future__ import annotations

import re
from typing import Literal

__all__ = ["QuestionKind", "asked_currency", "question_kind"]

QuestionKind = Literal[
    "currency", "pages", "review_changes", "adds_up", "convert", "outcome", "classification", "paid"
]

_CURRENCY_WORDS: dict[str, str] = {
    "euro": "EUR",
    "euros": "EUR",
    "€": "EUR",
    "dollar": "USD",
    "dollars": "USD",
    "us dollars": "USD",
    "$": "USD",
    "pound": "GBP",
    "pounds": "GBP",
    "sterling": "GBP",
    "£": "GBP",
    "yen": "JPY",
    "swiss francs": "CHF",
    "francs": "CHF",
    "canadian dollars": "CAD",
}
_CODES = ("USD", "EUR", "GBP", "JPY", "CHF", "CAD", "AUD", "CNY", "INR", "SEK", "NOK", "DKK")
_CODE = "|".join((*_CODES, *(c.lower() for c in _CODES)))
_NAMED = "|".join(re.escape(w) for w in sorted(_CURRENCY_WORDS, key=len, reverse=True))
_CONVERT = re.compile(
    rf"\b(?:in|into|to)\s+(?P<target>{_CODE}|(?i:{_NAMED}))(?=\W|$)|\bconvert\b|\bexchange rate\b",
)
_CURRENCY = re.compile(
    r"\bcurrenc(?:y|ies)\b|\bwhich money\b|\bwhat money\b|\bdenominated\b", re.IGNORECASE
)
_PAGES = re.compile(
    r"\bhow many pages\b|\bpage count\b|\bnumber of pages\b|\bhow long is (?:the|it|this)\b"
    r"(?:\s+(?:document|file|pdf|invoice))?|\bpages? (?:long|does it have|has it)\b",
    re.IGNORECASE,
)
_REVIEW_CHANGES = re.compile(
    r"\bwhat (?:did|has|have) (?:the |a )?(?:reviewers?|humans?|people|someone|anyone|they) "
    r"(?:change|correct|fix|edit|amend|update)|\b(?:change|correct|fix|edit)(?:ed|s)? by (?:the )?"
    r"reviewer|\breviewer(?:'s)? (?:changes|corrections|edits)\b|\bcorrections?\b|"
    r"\b(?:did|has) (?:the |a )?(?:reviewer|anyone|someone|a human) (?:change|correct|fix|edit)|"
    r"\bwhat (?:was|got|were) (?:changed|corrected|edited|fixed)\b|\bwhich fields? (?:were|was) "
    r"(?:changed|corrected|edited)\b|\bmanual (?:changes|edits|corrections)\b",
    re.IGNORECASE,
)
_ADDS_UP = re.compile(
    r"\badds? up\b|\bsums? (?:up|correctly)\b|\bmath (?:check|right|work)|\bcheck (?:the )?"
    r"(?:math|arithmetic|sums?|totals?)\b|\barithmetic\b|\b(?:subtotal|net)\b.*\b(?:plus|\+|and)\b"
    r".*\b(?:tax|vat)\b.*\b(?:equal|match|make|give|come to|total)|\btotals? (?:match|right|"
    r"consistent|correct)\b|\bdoes the total (?:match|equal)\b",
    re.IGNORECASE,
)

_OUTCOME = re.compile(  # why it failed or was rejected: the run's own note answers, not a field
    r"\bwhy\b.*\b(?:fail(?:ed|s|ing|ure)?|reject(?:ed|s)?)\b|\b(?:went|go(?:ne)?|going) wrong\b|"
    r"\bwhat(?:'s| has)? happened (?:to|with)\b|"
    r"\brejected\b|\brejection\b|\bfailure (?:message|reason|code|note)s?\b|"
    r"\bwhat (?:was|is) the (?:error|failure|problem)\b|\b(?:error|failure) message\b",
    re.IGNORECASE,
)
_PAID = re.compile(  # "is it paid?", "has the Acme invoice been paid?", "did we pay it?"
    r"^\s*(?:is|was|has|have)\s+(?:it|this|that|they|the\s+[^?]*?)\s+(?:already\s+)?"
    r"(?:been\s+)?(?:paid|settled)\b|"
    r"\bdid\s+(?:we|you|they|anyone|someone)\s+pay\b|\bpayment\s+status\b|"
    r"\b(?:paid|unpaid)\s+(?:or\s+(?:not|unpaid|paid))\b",
    re.IGNORECASE,
)
_CLASSIFICATION = re.compile(r"\bclassif(?:y|ied|ies|ication|ier)\b", re.IGNORECASE)


def question_kind(text: str) -> QuestionKind | None:
    """Which of these questions ``text`` asks, if any (checked most specific first)."""
    if _ADDS_UP.search(text):
        return "adds_up"
    if _OUTCOME.search(text):
        return "outcome"
    if _PAID.search(text):
        return "paid"
    if _CLASSIFICATION.search(text):
        return "classification"
    if _REVIEW_CHANGES.search(text):
        return "review_changes"
    if _PAGES.search(text):
        return "pages"
    if asked_currency(text) is not None or re.search(r"\bconvert\b", text, re.IGNORECASE):
        return "convert"
    if _CURRENCY.search(text):
        return "currency"
    return None


def asked_currency(text: str) -> str | None:
    """The ISO code a question wants an amount in ("in EUR", "in euros"), or None."""
    for match in _CONVERT.finditer(text):
        target = match.group("target")
        if not target:
            continue
        code = _CURRENCY_WORDS.get(target.lower(), target.upper())
        if code.isupper() and len(code) == 3 and code.isalpha():
            return code
    return None
