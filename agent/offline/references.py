"""Which run(s) a person's message names, when not by full id: the offline model's resolver input.

``named_reference(text)`` finds the words that name one run ("the Bluebird fax",
"1234", "INV-58213", a dashboard link, "../x"; "rename 1234 to ..." and "rename run
1234 to ..." name "1234") and returns them with the message
rewritten to say "it" in their place, so the question and change readers see
"what's the total on it?" or "tag it as reviewed". What it returns is only a
reference: ``find_runs(reference=...)`` decides whether it names one run, several
or none, or is invalid. Pronouns ("it", "that one") are not references.

``cross_run_filters(text)`` reads questions about many runs ("which runs need
review?", "runs from Pinnacle", "runs tagged urgent") into ``find_runs`` filters,
one search per status a question names ("which runs failed or need review?" is
two: ``find_runs`` takes one status);
``comparison(text)`` reads "compare the totals of X and Y" into the field words
and the references. Only the person's own messages are read this way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from agent.names import run_ids_in

__all__ = ["NamedReference", "comparison", "cross_run_filters", "named_reference"]

_URL = re.compile(r"<https?://[^>\s]+>|https?://[^\s<>]+")
_PATH = re.compile(r"(?<![\w.])(?:\.{1,2}/|~/|/)[^\s?!,;]*")
_FILE = re.compile(
    r"\b[\w.-]+\.(?:pdf|png|jpe?g|tiff?|xlsx?|csv|docx?|eml|txt|heic)\b", re.IGNORECASE
)
_DOC_NOUN = r"(?:invoice|invoices|run|fax|receipt|document|doc|file|bill|statement|order|one|po)"
_STOP = frozenset(
    {
        *("the", "a", "an", "this", "that", "it", "its", "same", "last", "previous", "latest"),
        *("run", "one", "my", "our", "your", "their", "there", "here", "me", "you", "them"),
        *("what", "which", "who", "where", "when", "why", "how", "is", "are", "was", "does"),
        *("total", "amount", "value", "field", "fields", "date", "number", "status", "name"),
        *("due", "vendor", "confidence", "page", "tags", "metadata", "review", "reviewer"),
        *("pages", "usd", "eur", "gbp", "dollars", "euros", "detail", "details", "short"),
        *("words", "full", "it's", "them", "all", "everything", "summary", "now", "please"),
        *("on", "of", "for", "in", "from", "about", "to", "with", "at", "by", "and", "or"),
    }
)
_PRONOUNS = frozenset({"it", "it's", "its", "them", "they"})
_CONTRACTION = re.compile(r"'s$")  # "when's", "what's": the question word, not a name
_PHRASE_BEFORE_NOUN = re.compile(
    rf"\b(?:the|that|this)\s+(?P<ref>(?:[\w&'.-]+\s+){{0,3}}?[\w&'.-]+)\s+{_DOC_NOUN}\b",
    re.IGNORECASE,
)
_PHRASE_AFTER_PREP = re.compile(
    r"\b(?:on|for|of|in|from|about|called|named|(?:wrong|happened|problem|issue|up)\s+with)"
    r"\s+(?P<ref>(?:the\s+)?[^?!,;:\n]+?)"
    r"\s*(?:[?!,;:\n]|\.(?:\s|$)|\s+(?:and|as|with|to|please|thanks?)\b|$)",
    re.IGNORECASE,
)
_AFTER_VERB = re.compile(
    r"^\s*(?:please\s+)?(?:summari[sz]e|show(?:\s+me)?|open|read|check|describe|look\s+at)\s+"
    r"(?P<ref>[^?!,;:\n]+?)\s*(?:[?!,;:\n]|\.(?:\s|$)|$)",
    re.IGNORECASE,
)
# "1234", "INV-2024-0831", "#36995": one token with a digit, at least 3 characters long.
_ID_LIKE = r"#?(?=[\w#-]{3})[A-Za-z0-9][\w-]*\d[\w-]*"
# "run 1234", "invoice INV-2024-0831": a noun before an id-like token, not part of the name.
_ID_NOUN = re.compile(rf"^(?:run|invoice|number|no\.?|id)\s+(?={_ID_LIKE}$)", re.IGNORECASE)
_WRITE_TARGET = re.compile(
    r"\b(?:tag|label|mark|rename|call)\s+"
    rf"(?P<ref>the\s+[^?!,;:\n]+?|(?:(?:run|invoice)\s+)?{_ID_LIKE})\s+(?:as|with|to)\s+",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class NamedReference:
    """The words naming a run, and the message with "it" in their place."""

    reference: str
    rest: str


def named_reference(text: str) -> NamedReference | None:
    """The one run ``text`` names by something other than a full id; None if it names none."""
    if run_ids_in(text):
        return None
    for pattern in (_URL, _PATH, _FILE):
        found = pattern.search(text)
        if found:
            return _replaced(text, found.start(), found.end(), found.group(0))
    for pattern in (_WRITE_TARGET, _PHRASE_AFTER_PREP, _AFTER_VERB, _PHRASE_BEFORE_NOUN):
        for found in pattern.finditer(text):
            phrase = found.group("ref").strip()
            if phrase.split()[0].casefold() in _PRONOUNS:
                continue  # "the notes on it say": "it" is the run in focus, not a name
            if _names_something(phrase):
                start, end = found.span("ref")
                if pattern is _PHRASE_BEFORE_NOUN:
                    start, end = found.span()
                    start += len(found.group(0)) - len(found.group(0).lstrip())
                return _replaced(text, start, end, _cleaned(phrase))
    return None


_MANY = r"(?:runs|invoices|documents|receipts|ones|files|anything|everything|what|which)"
_STATUS_QUESTIONS = (
    (re.compile(rf"\b{_MANY}\b.*\bneeds?\s+(?:a\s+)?review", re.I), "NEEDS_REVIEW"),
    (
        re.compile(rf"\b{_MANY}\b.*\b(?:failed|fail|failing)\b|\bfailed\s+runs\b", re.I),
        "FAILED",
    ),
    (
        re.compile(
            rf"\b{_MANY}\b.*\b(?:still\s+(?:processing|running|pending)|in\s+progress|pending)\b|"
            r"\bstill\s+(?:processing|running)\b.*\b(?:runs|which|what)\b",
            re.I,
        ),
        "IN_PROGRESS",
    ),
    (re.compile(rf"\b{_MANY}\b.*\b(?:rejected)\b", re.I), "REJECTED"),
)  # fmt: skip
_TAGGED = re.compile(
    r"\b(?:runs|invoices|documents|which|what|any)\b.*"
    r"\b(?:tagged|labell?ed|with\s+(?:the\s+)?tag)\s+[\"“']?(?P<tag>[\w:-]+)",
    re.IGNORECASE,
)
_FROM_VENDOR = re.compile(
    r"\b(?:runs|invoices|documents|receipts|bills)\s+(?:from|by|for)\s+(?:vendor\s+)?"
    r"(?P<vendor>[^?!,;:\n]+?)\s*(?:[?!.,;:\n]|$)",
    re.IGNORECASE,
)
_COMPARE = re.compile(
    r"\bcompare\s+(?:the\s+)?(?P<field>.+?)\s+(?:of|on|for|between|across)\s+(?P<refs>.+?)[?.!]*$",
    re.IGNORECASE,
)


def cross_run_filters(text: str) -> list[dict[str, str]] | None:
    """``find_runs`` filters for a question about many runs, one search each; None otherwise.

    A question naming several statuses ("what's still processing or failed?") gets
    one search per status, in the order the question names them.
    """
    if run_ids_in(text) or re.search(r"\bfields?\b", text, re.I):
        return None
    tagged = _TAGGED.search(text)
    if tagged:
        return [{"tag": tagged.group("tag")}]
    named = [(found.end(), status) for pattern, status in _STATUS_QUESTIONS
             if (found := pattern.search(text))]  # fmt: skip
    if named:
        return [{"status": status} for _, status in sorted(named)]
    vendor = _FROM_VENDOR.search(text)
    if vendor and _names_something(vendor.group("vendor")):
        return [{"text": _cleaned(vendor.group("vendor"))}]
    return None


def comparison(text: str) -> tuple[str, list[str]] | None:
    """("totals", ["workflow_run_a", "Contoso"]) for "compare the totals of ... and ..."."""
    found = _COMPARE.search(text)
    if not found:
        return None
    parts = re.split(r"\s*(?:,|\band\b|\bvs\.?|\bversus\b|\bwith\b)\s*", found.group("refs"))
    refs = [_cleaned(p) for p in parts if p.strip() and _names_something(p)]
    refs += [r for r in run_ids_in(found.group("refs")) if r not in refs]
    return (found.group("field"), list(dict.fromkeys(refs))) if len(refs) >= 2 else None


def _names_something(phrase: str) -> bool:
    """True when ``phrase`` has a word that can name a run (not only articles, pronouns, fields)."""
    if run_ids_in(phrase) or _URL.search(phrase) or _FILE.search(phrase):
        return True
    words = [
        _CONTRACTION.sub("", w).strip(".'") for w in re.findall(r"[\w&'.-]+", phrase.casefold())
    ]
    return any(
        w not in _STOP and not re.fullmatch(_DOC_NOUN, w) and not re.fullmatch(r"\d{1,3}", w)
        for w in words
    )


def _cleaned(phrase: str) -> str:
    """The words that name the run: no leading article, nor "run" or "#" before "1234"."""
    words = phrase.strip().strip("\"'“”‘’").split()
    while words and words[0].casefold() in ("the", "a", "an", "that", "this", "vendor"):
        words = words[1:]
    return _ID_NOUN.sub("", " ".join(words)).removeprefix("#").rstrip(".")


def _replaced(text: str, start: int, end: int, reference: str) -> NamedReference:
    return NamedReference(reference=reference, rest=f"{text[:start]}it{text[end:]}")
