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
``comparison(text)`` reads "compare the totals of X and Y", "compare the X and Y
invoices", "what are the totals on X and Y?" and "is the X total bigger than the Y
one?" into the field words (or none: the main fields), the references and the
relation asked about; "is that the same as the X due date?" compares the run in
focus. Only the person's own messages are read this way.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from agent.names import run_ids_in
from agent.offline.when_words import date_window

__all__ = ["Comparison", "NamedReference", "comparison", "cross_run_filters", "named_reference"]

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
# Where the words naming a run end: punctuation, " - ", or a word that starts the rest of
# the sentence ("on northwind pls", "on initech before the reviewer fixed it").
_REF_END = (
    r"\s*(?:[?!,;:\n]|\.(?:\s|$)|\s+-\s|\s+(?:and|as|with|to|please|pls|plz|thanks?|thx|"
    r"for\s+me|before|after|when|since|that|which|is|was|are|were|has|had|look|looks|seem|"
    r"seems|say|says|said|show|shows|right\s+now|now|real\s+quick|quickly)\b|$)"
)
_PHRASE_AFTER_PREP = re.compile(
    r"\b(?:on|for|of|in|from|about|called|named|(?:wrong|happened|problem|issue|up)\s+with)"
    r"\s+(?P<ref>(?:the\s+)?[^?!,;:\n]+?)"
    rf"{_REF_END}",
    re.IGNORECASE,
)
_AFTER_VERB = re.compile(
    r"^\s*(?:please\s+)?(?:summari[sz]e|show(?:\s+me)?|open|read|check|describe|look\s+at)\s+"
    rf"(?P<ref>[^?!,;:\n]+?){_REF_END}",
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


# "rename it to Invoice from Acme", "tag it as paid for March": after a write aimed at
# the run in focus comes the new value, never a run's name (a trailing "on the Acme
# invoice" still names one).
_FOCUS_WRITE = (
    re.compile(r"\brename\s+(?:(?:it|this|that)(?:\s+(?:run|one))?\s+)?(?:to|as)\s+(?=\S)", re.I),
    re.compile(
        r"\b(?:rename|call|name|tag|label|mark)\s+(?:it|this|that)(?:\s+(?:run|one))?\s+"
        r"(?:(?:to|as|with)\s+)?(?=\S)",
        re.I,
    ),
    re.compile(
        r"\b(?:change|set|update|make)\s+(?:the\s+|its\s+)?(?:run(?:'s)?\s+)?name\s+to\s+(?=\S)",
        re.I,
    ),
)
_TRAILING_REFERENCE = re.compile(
    rf"\s(?:on|for)\s+(?P<ref>the\s+(?:[\w&'.-]+\s+){{0,3}}?[\w&'.-]+\s+{_DOC_NOUN})\s*[?.!]*$",
    re.IGNORECASE,
)


def named_reference(text: str) -> NamedReference | None:
    """The one run ``text`` names by something other than a full id; None if it names none."""
    if run_ids_in(text):
        return None
    value_start = _focus_write_value_start(text)
    if value_start is not None:
        trailing = _TRAILING_REFERENCE.search(text, value_start)
        if trailing and _names_something(trailing.group("ref")):
            start, end = trailing.span("ref")
            return _replaced(text, start, end, _cleaned(trailing.group("ref")))
        text, value = text[:value_start], text[value_start:]
        found_before = _reference_in(text)
        if found_before is None:
            return None
        return NamedReference(found_before.reference, found_before.rest + value)
    return _reference_in(text)


def _focus_write_value_start(text: str) -> int | None:
    """Where the new value of a write aimed at the run in focus starts, if it is one."""
    starts = [found.end() for pattern in _FOCUS_WRITE if (found := pattern.search(text))]
    return min(starts) if starts else None


def _reference_in(text: str) -> NamedReference | None:
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


_NOUNS = r"(?:runs|invoices|documents|receipts|bills|ones|files|anything|everything)"
_MANY = r"(?:runs|invoices|documents|receipts|ones|files|anything|everything|what|which)"
# "which runs came in last week?", "what arrived today?": a date window over many runs.
_DATED = re.compile(
    rf"\b{_NOUNS}\b|\b(?:which|what)\b.*\b(?:came|arrived|created|uploaded|received|"
    r"submitted|added|updated|changed|modified)\b",
    re.I,
)
_DUE = re.compile(r"\bdue\b|\boverdue\b", re.I)
_ATTENTION = re.compile(
    r"\b(?:needs?|needing|requires?|wants?)\s+(?:my|our|your|some|any)?\s*attention\b|"
    r"\b(?:what|anything|something)\s+(?:should|do|must)\s+(?:i|we)\s+"
    r"(?:look\s+at|check|deal\s+with|handle)\b|\b(?:my|our)\s+(?:to-?do|queue|inbox)\b|"
    r"\bwhat(?:'s|\s+is)\s+waiting\s+(?:on|for)\s+(?:me|us)\b",
    re.I,
)
_UPDATED = re.compile(r"\b(?:updated|changed|modified|edited)\b", re.I)
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
    (re.compile(rf"\b{_MANY}\b.*\b(?:rejected)\b|\brejected\s+{_NOUNS}", re.I), "REJECTED"),
    (
        re.compile(
            rf"\b{_NOUNS}\b.*(?<!to be )\b(?:processed|done|complete|completed|finished|"
            rf"succeeded)\b|\b(?:processed|completed|finished|successful)\s+{_NOUNS}",
            re.I,
        ),
        "PROCESSED",
    ),
)  # fmt: skip
_TAGGED = re.compile(
    r"\b(?:runs|invoices|documents|receipts|bills|files|ones|which|what|any|anything|"
    r"everything|all)\b.*"
    r"\b(?:tagged|labell?ed|with\s+(?:the\s+)?tag)\s+[\"“']?(?P<tag>[\w:-]+)",
    re.IGNORECASE,
)
_FROM_VENDOR = re.compile(
    r"\b(?:runs|invoices|documents|receipts|bills)"
    r"(?:\s+(?:did|do|have|has|we|you|they|got|get|gotten|received|receive|sent|came|come|in))*"
    r"\s+(?:from|by|for)\s+(?:vendor\s+)?"
    r"(?P<vendor>[^?!,;:\n]+?)\s*(?:[?!.,;:\n]|$)",
    re.IGNORECASE,
)
_COMPARE = re.compile(
    r"\bcompare\s+(?:the\s+)?(?P<field>.+?)\s+(?:of|on|for|between|across)\s+(?P<refs>.+?)[?.!]*$",
    re.IGNORECASE,
)
_COMPARE_RUNS = re.compile(r"\bcompare\s+(?:between\s+)?(?P<refs>.+?)[?.!]*$", re.IGNORECASE)
_BOTH_FIELD = re.compile(
    r"^\s*(?:what(?:'s|\s+is|\s+are|\s+were|\s+was)|show(?:\s+me)?|give\s+me|tell\s+me|list)\s+"
    r"(?:the\s+)?(?P<field>[\w\s]+?)\s+(?:on|of|for|in|from)\s+(?P<refs>.+?)[?.!]*$",
    re.IGNORECASE,
)
_NOT_A_FIELD = re.compile(rf"^\s*(?:{_DOC_NOUN}|runs|status(?:es)?|ones?)\s*$", re.IGNORECASE)
_FIELD_WORDS = frozenset(
    {
        *("total", "totals", "amount", "amounts", "subtotal", "subtotals", "tax", "taxes", "vat"),
        *("due", "date", "dates", "number", "numbers", "vendor", "vendors", "name", "names"),
        *("currency", "currencies", "balance", "balances", "one", "ones"),
    }
)
_RELATIONS = (
    ("bigger", r"bigger|larger|greater|higher|more"),
    ("smaller", r"smaller|lower|less|cheaper"),
    ("earlier", r"earlier|sooner"),
    ("later", r"later"),
    ("same", r"(?:the\s+)?same|equal"),
    ("different", r"different"),
)
_RELATION_QUESTION = re.compile(
    r"^\s*(?:is|was|are)\s+(?P<first>.+?)\s+"
    rf"(?P<rel>{'|'.join(words for _, words in _RELATIONS)})\s+(?:than|as|to|from)\s+"
    r"(?P<second>.+?)[?.!]*$",
    re.IGNORECASE,
)
_FOCUS_WORDS = re.compile(r"(?:that|it|this|that\s+one|this\s+one)", re.IGNORECASE)
_NOT_A_RUN = re.compile(
    r"(?:before|earlier|now|yesterday|today|usual|expected|last\s+time|previous(?:\s+one)?)",
    re.IGNORECASE,
)
_CLAUSE_START = re.compile(
    r"\s*(?:where|what|when|why|who|how|which|is|are|does|do|did|can|could|should|will|would|"
    r"please|also|then|tell|show|give)\b",
    re.IGNORECASE,
)
_DEFAULT_FIELDS = {"bigger": "total", "smaller": "total", "earlier": "date", "later": "date"}


def cross_run_filters(text: str, today: date | None = None) -> list[dict[str, str]] | None:
    """``find_runs`` filters for a question about many runs, one search each; None otherwise.

    A question naming several statuses ("what's still processing or failed?") gets
    one search per status, in the order the question names them. A window of days
    ("created after 2024-09-20", "last week", read against ``today``) is added to each.
    """
    if run_ids_in(text) or re.search(r"\bfields?\b", text, re.I):
        return None
    if _ATTENTION.search(text):  # "anything need my attention today?": what waits on a person
        return [{"status": "NEEDS_REVIEW"}, {"status": "FAILED"}]
    window = date_window(text, today) if _DATED.search(text) and not _DUE.search(text) else None
    dated: dict[str, str] = {}
    if window is not None:  # "created after 2024-09-20", "last week": the words are not a name
        dated = window.filters("updated" if _UPDATED.search(text) else "created")
        text = f"{text[: window.start]} {text[window.end :]}"
    tagged = _TAGGED.search(text)
    if tagged:
        return [{"tag": tagged.group("tag"), **dated}]
    named = [(found.end(), status) for pattern, status in _STATUS_QUESTIONS
             if (found := pattern.search(text))]  # fmt: skip
    if named:
        return [{"status": status, **dated} for _, status in sorted(named)]
    vendor = _FROM_VENDOR.search(text)
    if vendor and _names_something(vendor.group("vendor")):
        return [{"text": _cleaned(vendor.group("vendor")), **dated}]
    return [dated] if dated else None


@dataclass(frozen=True)
class Comparison:
    """Runs to read side by side: what the person asked to compare, in their own words."""

    field: str | None  # "totals", "due date"; None: the main fields both runs have
    references: list[str]  # the words naming each run, as ``find_runs(reference=...)`` takes them
    relation: str | None = None  # "bigger", "smaller", "earlier", "later", "same", "different"
    with_focus: bool = False  # "is that the same as ...": the run in focus is compared first


def comparison(text: str) -> Comparison | None:
    """What "compare the totals of X and Y", "compare the X and Y invoices", "what are the
    totals on X and Y?" or "is the X total bigger than the Y one?" compare; None otherwise.

    "Is that the same as the Acme due date?" names one run: ``with_focus`` says the
    run the conversation is about is the other one.
    """
    relation = _RELATION_QUESTION.search(text)
    if relation:
        return _relation_comparison(relation)
    for pattern in (_COMPARE, _BOTH_FIELD):
        found = pattern.search(text)
        if found and not _NOT_A_FIELD.search(found.group("field")):
            refs = _references(found.group("refs"))
            if len(refs) >= 2:
                return Comparison(found.group("field").strip(), [r for r, _ in refs])
    found = _COMPARE_RUNS.search(text)
    if found:
        refs = _references(found.group("refs"))
        if len(refs) >= 2:
            field = next((f for _, f in refs if f), None)
            return Comparison(field, [r for r, _ in refs])
    return None


def _relation_comparison(found: re.Match[str]) -> Comparison | None:
    """ "is the Acme total bigger than the Contoso one?", "is that the same as the Acme one?"."""
    first, second = found.group("first").strip(), found.group("second").strip()
    relation = next(
        name for name, words in _RELATIONS if re.fullmatch(words, found.group("rel"), re.I)
    )
    other = _name_and_field(second)
    if other is None or _FOCUS_WORDS.fullmatch(other[0]) or _NOT_A_RUN.fullmatch(other[0]):
        return None
    with_focus = bool(_FOCUS_WORDS.fullmatch(first))
    named = None if with_focus else _name_and_field(first)
    if not with_focus and named is None:
        return None
    field = (named[1] if named else None) or other[1] or _DEFAULT_FIELDS.get(relation)
    refs = [other[0]] if with_focus else [named[0], other[0]] if named else []
    if len(set(refs)) != len(refs):
        return None
    return Comparison(field, refs, relation, with_focus)


def _references(phrase: str) -> list[tuple[str, str | None]]:
    """ "the Acme and Bluebird totals" -> [("Acme", None), ("Bluebird", "totals")]."""
    parts = re.split(r"\s*(?:,|\band\b|\bvs\.?|\bversus\b|\bwith\b|\bto\b)\s*", phrase)
    refs = [named for p in parts if p.strip() and (named := _name_and_field(p)) is not None]
    return list({ref: (ref, field) for ref, field in refs}.values())


def _name_and_field(phrase: str) -> tuple[str, str | None] | None:
    """ "the Acme total" -> ("Acme", "total"); "the Contoso one" -> ("Contoso", None)."""
    words = re.sub(r"'s\b", "", phrase.strip()).split()
    if not words or _CLAUSE_START.match(phrase) or _PRONOUNS & {w.casefold() for w in words}:
        return None  # "... and where does it come from?": a second question, not a run
    end = len(words)
    while end > 1 and words[end - 1].casefold().strip(".,") in _FIELD_WORDS:
        end -= 1
    while (
        1 < end < len(words)
        and words[end - 1].casefold() in ("invoice", "invoices")
        and words[end].casefold() in ("number", "numbers", "date", "dates", "total", "totals")
    ):
        end -= 1  # "the Bluebird invoice numbers": "invoice number" is the field
    said = [w for w in words[end:] if w.casefold() not in ("one", "ones")]
    name, field = " ".join(words[:end]), " ".join(said) or None
    if not _names_something(name):
        return None
    return _cleaned(name), field


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
