"""What a person's message asks for, read with plain rules: the offline model's ear.

``understand(text)`` turns one human message into an ``Understanding``: a change
to make (rename, tags, key=value metadata), or a question (summary, status,
tags/metadata, low-confidence fields, a field's value, where it came from, why,
how confident), or help. Only messages a person typed are ever read this way;
text from documents never is, which is what keeps a document from giving orders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

from agent.offline.fields import mentions_a_field

Kind = Literal[
    "help", "thanks", "write", "summary", "status", "metadata", "low_confidence", "field", "unknown"
]
Aspect = Literal["value", "where", "why", "confidence"]

RUN_ID = re.compile(r"\bworkflow_run_[A-Za-z0-9_-]*[A-Za-z0-9]")
_TARGET = (
    r"(?:it|this(?:\s+run)?|that(?:\s+run)?|the\s+(?:same\s+|last\s+)?run|"
    r"workflow_run_[A-Za-z0-9_-]+)"
)
_QUOTES = {'"': '"', "'": "'", "“": "”", "‘": "’", "«": "»", "`": "`"}
_NEXT_CHANGE = re.compile(
    r"(?:\s*[,;]\s*(?:and\s+|then\s+|also\s+|plus\s+)*|\s+(?:and|then|also|plus)\s+)"
    r"(?:please\s+)?(?:rename|call|name|tag|label|mark|set|add)\b.*$",
    re.IGNORECASE | re.DOTALL,
)
_TRAILING_TARGET = re.compile(rf"\s+(?:on|to|for|of)\s+{_TARGET}\s*$", re.IGNORECASE)
_CLAUSE_START = re.compile(
    r"(?:^|[.,;:!?]|\b(?:please|pls|and|then|also|now|you|to))\s*$", re.IGNORECASE
)
_MANY_RUNS = re.compile(
    r"\b(?:all|every|each)\s+(?:the\s+|of\s+the\s+)?(?:runs?|workflow\s+runs?)\b|\ball of them\b",
    re.IGNORECASE,
)

_RENAME = (
    re.compile(rf"\brename\s+(?:{_TARGET}\s+)?(?:to|as)\s+(?P<name>.+)", re.IGNORECASE | re.DOTALL),
    re.compile(rf"\brename\s+{_TARGET}\s+(?P<name>(?!to\b|as\b).+)", re.IGNORECASE | re.DOTALL),
    re.compile(rf"\b(?:call|name)\s+{_TARGET}\s+(?P<name>.+)", re.IGNORECASE | re.DOTALL),
    re.compile(
        rf"\b(?:change|set|update|make)\s+(?:the\s+|its\s+)?(?:run(?:'s)?\s+)?name"
        rf"(?:\s+(?:of|on|for)\s+{_TARGET})?\s+to\s+(?P<name>.+)",
        re.IGNORECASE | re.DOTALL,
    ),
    re.compile(rf"\bgive\s+{_TARGET}\s+the\s+name\s+(?P<name>.+)", re.IGNORECASE | re.DOTALL),
)
_TAG = (
    re.compile(rf"\b(?:tag|label)\s+(?:{_TARGET}\s+)?(?:with\s+|as\s+)?(?P<tags>.+)", re.I | re.S),
    re.compile(rf"\bmark\s+{_TARGET}\s+(?:as\s+)?(?P<tags>.+)", re.I | re.S),
    re.compile(r"\badd\s+(?:the\s+|a\s+)?(?:tags?|labels?)\s+(?P<tags>.+)", re.I | re.S),
    re.compile(
        rf"\badd\s+(?P<tags>.+?)\s+as\s+(?:a\s+)?(?:tags?|labels?)(?:\s+(?:to|on)\s+{_TARGET})?",
        re.I | re.S,
    ),
)
_SET_TO = re.compile(
    r"\bset\s+(?:the\s+)?(?:metadata\s+(?:key\s+|field\s+)?)?(?P<key>[A-Za-z_][\w.:-]*)"
    r"(?:\s+metadata|\s+key)?\s+to\s+(?P<value>.+)",
    re.IGNORECASE | re.DOTALL,
)
_PAIR_KEY = re.compile(r"(?P<key>[A-Za-z_][\w.:-]*)\s*=\s*")
_SET_VERB = re.compile(r"\b(?:set|add|put|store|save|record|attach|update|metadata)\b", re.I)
_NOT_KEYS = frozenset({"name", "it", "its", "this", "that", "run", "the", "tag", "tags", "label"})
_TAG_KEYS = frozenset({"tag", "tags", "label", "labels"})
_TAG_FILLER = frozenset(
    {"tag", "tags", "label", "labels", "with", "as", "the", "a", "an", "please", "too", "also"}
)

_HELP = re.compile(
    r"^\s*(?:help|h|\?+|commands|usage|help me)\s*[.!?]*\s*$|\bwhat can (?:you|i) (?:do|ask)\b|"
    r"\bwhat do you (?:understand|know|do)\b|\bhow (?:do|can) i use\b|\bhow does this work\b",
    re.IGNORECASE,
)
_GREETING = re.compile(r"^\s*(?:hi|hello|hey|good (?:morning|afternoon|evening))\b[\s!.,]*$", re.I)
_THANKS_WORDS = frozenset(
    {
        *("thanks", "thank", "you", "thx", "cheers", "great", "perfect", "ok", "okay", "cool"),
        *("nice", "got", "it", "a", "lot", "so", "much", "very", "that's", "that", "is", "all"),
        "good",
    }
)
_LOW = re.compile(
    r"\blow[\s-]?confidence\b|\bleast (?:confident|sure|certain)\b|\bnot (?:confident|sure)\b|"
    r"\bunsure\b|\buncertain\b|\bshould i (?:check|verify|review|double[\s-]?check)\b|"
    r"\bneeds? (?:a )?(?:review|checking|attention)\b|\bdouble[\s-]?check\b|\bshaky\b|"
    r"\bdoubtful\b|\bwhich fields? (?:are|is) (?:weak|risky|unreliable)\b",
    re.IGNORECASE,
)
_WHY = re.compile(
    r"\bwhy\b|\breason(?:ing|s)?\b|\bhow did (?:it|the model|you|extend) (?:get|decide|arrive|"
    r"choose|come up|know|read)\b|\bexplain\b|\bjustif",
    re.IGNORECASE,
)
_WHERE = re.compile(
    r"\bwhere\b|\bcomes? from\b|\bcame from\b|\b(?:which|what) page\b|\bsource\b|\bcit(?:e|ed|"
    r"ation|ations)\b|\bevidence\b|\blocated\b|\bfound on\b|\bproof\b|\breference text\b|\bquote\b",
    re.IGNORECASE,
)
_CONFIDENCE = re.compile(
    r"\bconfiden(?:t|ce)\b|\bhow sure\b|\bcertain(?:ty)?\b|\bscores?\b|\baccura(?:te|cy)\b|"
    r"\breliable\b",
    re.IGNORECASE,
)
_SUMMARY_STRONG = re.compile(
    r"\bsummar|\boverview\b|\ball (?:the )?fields\b|\bevery field\b|\bbreak ?down\b|\bdescribe\b",
    re.IGNORECASE,
)
_SUMMARY = re.compile(
    r"\bsummar|\boverview\b|\bdescribe\b|\btell me about\b|\bwhat(?:'s| is) (?:in|on)\b|"
    r"\bshow (?:me )?(?:the )?(?:run|it|everything|all|workflow_run)|\bdetails?\b|\bextracted\b|"
    r"\ball (?:the )?fields\b|\bwhat did (?:it|extend|the run) (?:extract|find|read|get|pull)\b|"
    r"\blook (?:at|up)\b|\bopen\b|\bfields\b|\bbreak ?down\b|\bwhat about\b",
    re.IGNORECASE,
)
_STATUS = re.compile(
    r"\bstatus\b|\bstate\b|\bis it (?:done|finished|processed|ready|complete)\b|"
    r"\bstill (?:processing|running|pending)\b|\bdid it (?:fail|finish|succeed|work)\b|"
    r"\bhas it (?:finished|failed|been reviewed)\b|\bwho reviewed\b|\breviewed by\b",
    re.IGNORECASE,
)
_METADATA_VIEW = re.compile(
    r"\b(?:what|which|show|list|any|current|its|the)\b.*\b(?:tags|labels|metadata)\b|"
    r"\b(?:tags|labels|metadata)\b.*\?|\bwhat(?:'s| is) (?:it|the run) (?:called|named)\b|"
    r"\bwhat(?:'s| is) (?:the|its) name\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class WriteRequest:
    """A change the person asked for: any of a new name, tags to add, metadata to merge."""

    name: str | None = None
    add_tags: tuple[str, ...] = ()
    metadata: dict[str, str] = field(default_factory=dict)

    def tool_args(self, run_id: str) -> dict[str, object]:
        args: dict[str, object] = {"run_id": run_id}
        if self.name is not None:
            args["name"] = self.name
        if self.metadata:
            args["metadata"] = dict(self.metadata)
        if self.add_tags:
            args["add_tags"] = list(self.add_tags)
        return args


@dataclass(frozen=True)
class Understanding:
    """What one message asks for. ``run_ids`` are the ids it names, in order."""

    text: str
    kind: Kind
    run_ids: tuple[str, ...] = ()
    aspects: frozenset[Aspect] = frozenset()
    write: WriteRequest | None = None
    problem: str | None = None

    @property
    def run_id(self) -> str | None:
        return self.run_ids[0] if self.run_ids else None

    @property
    def needs_run(self) -> bool:
        return self.kind not in ("help", "thanks", "unknown")


def run_ids_in(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(RUN_ID.findall(text)))


def understand(text: str, known_fields: tuple[str, ...] = ()) -> Understanding:
    """Read one human message; ``known_fields`` are field names of the run in focus, if any."""
    ids = run_ids_in(text)
    write = _write_request(text)
    if write is not None:
        problem = None
        if len(ids) > 1 or _MANY_RUNS.search(text):
            problem = (
                "I change one run at a time, and only the run you name: ask me again "
                "for each run separately (e.g. “rename workflow_run_1234 to ACME March”)."
            )
        return Understanding(text, "write", ids, write=write, problem=problem)
    if not ids and (_HELP.search(text) or _GREETING.match(text)):
        return Understanding(text, "help", ids)
    if not ids and _is_thanks(text):
        return Understanding(text, "thanks", ids)
    if _LOW.search(text):
        return Understanding(text, "low_confidence", ids)
    aspects: set[Aspect] = {
        aspect
        for aspect, pattern in (("where", _WHERE), ("why", _WHY), ("confidence", _CONFIDENCE))
        if pattern.search(text)
    }
    if mentions_a_field(text, known_fields) and not _SUMMARY_STRONG.search(text):
        return Understanding(text, "field", ids, frozenset({"value", *aspects}))
    if aspects - {"confidence"}:
        return Understanding(text, "field", ids, frozenset({"value", *aspects}))
    if aspects:
        return Understanding(text, "low_confidence", ids)
    for kind, pattern in (("status", _STATUS), ("metadata", _METADATA_VIEW), ("summary", _SUMMARY)):
        if pattern.search(text):
            return Understanding(text, kind, ids)
    return Understanding(text, "summary" if ids else "unknown", ids)


def _is_thanks(text: str) -> bool:
    words = re.findall(r"[a-z']+", text.lower())
    return bool(words) and all(word in _THANKS_WORDS for word in words)


def _write_request(text: str) -> WriteRequest | None:
    name, span = _requested_name(text)
    if span is not None:  # the new name's own words are not further requests
        text = text[: span[0]] + " " * (span[1] - span[0]) + text[span[1] :]
    tags = _requested_tags(text)
    metadata = _requested_metadata(text)
    for key in [k for k in metadata if k.lower() in _TAG_KEYS]:
        tags = (*tags, *_split_tags(metadata.pop(key)))
    if name is None and not tags and not metadata:
        return None
    return WriteRequest(name=name, add_tags=tuple(dict.fromkeys(tags)), metadata=metadata)


def _at_clause_start(text: str, start: int) -> bool:
    return bool(_CLAUSE_START.search(text[:start]))


def _requested_name(text: str) -> tuple[str | None, tuple[int, int] | None]:
    """The new name asked for, and where the words it was read from sit in ``text``."""
    for pattern in _RENAME:
        match = pattern.search(text)
        if match and _at_clause_start(text, match.start()):
            name = _clean_value(match.group("name"))
            if name:
                start = text.find(name, match.start("name"))
                end = start + len(name)
                if text[end : end + 1] in _QUOTES.values():
                    end += 1
                return name, (match.start("name"), end)
    return None, None


def _requested_tags(text: str) -> tuple[str, ...]:
    for pattern in _TAG:
        match = pattern.search(text)
        if match and _at_clause_start(text, match.start()):
            tags = _split_tags(match.group("tags"))
            if tags:
                return tags
    return ()


def _requested_metadata(text: str) -> dict[str, str]:
    if not _SET_VERB.search(text):
        return {}
    keys = list(_PAIR_KEY.finditer(text))
    metadata: dict[str, str] = {}
    for index, match in enumerate(keys):
        end = keys[index + 1].start() if index + 1 < len(keys) else len(text)
        value = _clean_value(text[match.end() : end], pairs=True)
        if value:
            metadata[match.group("key")] = value
    if metadata:
        return metadata
    match = _SET_TO.search(text)
    if match and match.group("key").lower() not in _NOT_KEYS:
        value = _clean_value(match.group("value"))
        if value:
            return {match.group("key"): value}
    return {}


def _clean_value(raw: str, *, pairs: bool = False) -> str:
    """The value a person gave: quoted text as is, else up to the next change or the target."""
    text = raw.strip()
    if text[:1] in _QUOTES:
        close = text.find(_QUOTES[text[0]], 1)
        if close > 1:
            return text[1:close].strip()
    text = _NEXT_CHANGE.sub("", text)
    if pairs:
        text = re.sub(r"(?:\s*(?:,|;|\band\b))+\s*$", "", text, flags=re.IGNORECASE)
    text = re.sub(r"\s+please\s*$", "", text, flags=re.IGNORECASE)
    text = _TRAILING_TARGET.sub("", text)
    text = text.strip().rstrip(".!?;,").strip()
    if len(text) >= 2 and text[0] in _QUOTES and text[-1] == _QUOTES[text[0]]:
        text = text[1:-1].strip()
    return text


def _split_tags(raw: str) -> tuple[str, ...]:
    text = _NEXT_CHANGE.sub("", raw.strip())
    text = _TRAILING_TARGET.sub("", text)
    quoted = re.findall(r"[\"“‘'«`]([^\"”’'»`]+)[\"”’'»`]", text)
    rest = re.sub(r"[\"“‘'«`][^\"”’'»`]+[\"”’'»`]", " ", text)
    words = re.split(r"\s*(?:,|;|&|\+|\band\b|\s)\s*", rest)
    tags = [q.strip() for q in quoted]
    for word in words:
        word = word.strip().strip(".!?:;#").strip()
        if word and word.lower() not in _TAG_FILLER:
            tags.append(word)
    return tuple(dict.fromkeys(t for t in tags if t))
