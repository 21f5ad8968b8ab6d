"""What a person's message asks for, read with plain rules: the offline model's ear.

``understand(text)`` turns one human message into an ``Understanding``: a change
to make (rename, tags, key=value metadata; read by ``agent.offline.changes``), or
a question (summary, status, tags/metadata, low-confidence fields, a field's
value, where it came from, why, how confident, what it was before review), or
help. A question for one value that names no field we know ("what's the payment
method?") is a ``lookup``: the run's own field names and metadata keys decide.
Only messages a person typed are ever read this way; text from documents never
is, which is what keeps a document from giving orders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from agent.names import run_ids_in
from agent.offline.changes import WriteRequest, requested_change
from agent.offline.fields import mentions_a_field
from agent.offline.question_kinds import question_kind
from agent.offline.undo import UndoScope, undo_scope
from agent.request_mood import mood_problem, request_mood
from tools.faces.run_change import is_reserved_key

Kind = Literal[
    "help",
    "thanks",
    "write",
    "undo",
    "summary",
    "status",
    "metadata",
    "low_confidence",
    "field",
    "currency",
    "pages",
    "review_changes",
    "adds_up",
    "convert",
    "outcome",
    "classification",
    "paid",
    "lookup",
    "unknown",
]
Aspect = Literal["value", "where", "why", "confidence", "original"]

_MANY_RUNS = re.compile(
    r"\b(?:all|every|each)\s+(?:the\s+|of\s+the\s+)?(?:runs?|workflow\s+runs?)\b|\ball of them\b",
    re.IGNORECASE,
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
    r"\bdoubtful\b|\bwhich fields? (?:are|is) (?:weak|risky|unreliable)\b|"
    r"\b(?:anything|something|what(?:'s| is)) (?:wrong|off|odd|fishy|suspicious)\b|"
    r"\bany (?:problems?|issues?|errors?|red flags?)\b",
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
_ORIGINAL = re.compile(
    r"\boriginal(?:ly)?\b|\bbefore (?:the |a |any |it was )?(?:correct|chang|review|edit|fix)|"
    r"\binitial(?:ly)?\b|\bused to be\b|\bwas it (?:changed|corrected|edited)\b",
    re.IGNORECASE,
)
_ASKS_VALUE = re.compile(
    r"^\s*(?:and|so|ok(?:ay)?|also)?[\s,]*(?:how many\b|"
    r"what(?:'s|s| is| are| was| were)\s+(?:the|its|their)\b|"
    r"which \w+ (?:is|was|are|were)\b|who(?:'s| is| was)\s+the\b|"
    r"(?:show|give|tell)\s+me\s+the\b|the\b)",
    re.IGNORECASE,
)
"""A question for one value ("what's the payment method?", "how many containers?"): with no
known field in it, it is looked up in the run's own field names and metadata keys."""
_SUMMARY_STRONG = re.compile(
    r"\bsummar|\boverview\b|\ball (?:the )?fields\b|\bevery field\b|\bbreak ?down\b|\bdescribe\b",
    re.IGNORECASE,
)
_SUMMARY = re.compile(
    r"\bsummar|\boverview\b|\bdescribe\b|\btell me about\b|\bwhat(?:'s| is) (?:in|on)\b|"
    r"\bshow (?:me )?(?:the )?(?:run|it|everything|all|workflow_run)|\bdetails?\b|\bextracted\b|"
    r"\ball (?:the )?fields\b|\bwhat did (?:it|extend|the run) (?:extract|find|read|get|pull)\b|"
    r"\blook (?:at|up)\b|\bopen\b|\bfields\b|\bbreak ?down\b|\bwhat about\b|"
    r"\b(?:pull|bring|call) (?:it )?up\b|\b(?:get|fetch|find|grab) (?:me )?(?:it|that)\b|"
    r"\bshow (?:me )?(?:it|that)\b",
    re.IGNORECASE,
)
_STATUS = re.compile(
    r"\bstatus\b|\bstate\b|\bis it (?:done|finished|processed|ready|complete)\b|"
    r"\bstill (?:processing|running|pending)\b|\bdid it (?:fail|finish|succeed|work)\b|"
    r"\bhas it (?:finished|failed|been reviewed)\b|\breviewed by\b|"
    r"\bwho (?:reviewed|approved|checked|verified|signed off(?: on)?|looked at)\b|"
    r"\bwhen (?:will|is) (?:it|this|that) (?:be )?(?:done|ready|finished|complete|processed)\b|"
    r"\bhow long (?:will|until|till|before)\b|"
    r"\bwhen (?:was|did) (?:it|this|that) (?:get )?(?:reviewed|approved|checked|verified|"
    r"processed|finish(?:ed)?)\b|\b(?:was|is|has) (?:it|this|that) (?:been )?(?:reviewed|"
    r"approved|checked)\b",
    re.IGNORECASE,
)
_METADATA_VIEW = re.compile(
    r"\b(?:what|which|show|list|any|current|its|the)\b.*\b(?:tags|labels|metadata)\b|"
    r"\b(?:tags|labels|metadata)\b.*\?|\bwhat(?:'s| is) (?:it|the run) (?:called|named)\b|"
    r"\bwhat(?:'s| is) (?:the|its) name\b",
    re.IGNORECASE,
)


_REMOVAL = re.compile(
    r"^\s*(?:please\s+)?(?:can you\s+|could you\s+)?(?:remove|delete|clear|untag|unset|drop)\b",
    re.IGNORECASE,
)
_CHANGE_VERB = re.compile(
    r"^\s*(?:please\s+)?(?:can you\s+|could you\s+)?(?:rename|tag|label|set)\b", re.IGNORECASE
)
CANNOT_REMOVE = (
    "I can't delete runs or files: Extend's update only sets a new name and metadata. I can "
    "remove a tag (“remove the urgent tag from workflow_run_1234”) or set a metadata key to "
    "null (“remove the po_number key from workflow_run_1234”)."
)
NOT_ASKED = (
    "so I changed nothing. To make a change, ask for it plainly, e.g. "
    "“tag workflow_run_1234 urgent”; it is shown to you before anything is written."
)
RESERVED = (
    "{key} is a metadata key Extend reserves, so I don't change it from a conversation. "
    "If you mean to, set it yourself: extend-agent runs update <run id> --meta "
    "'{key}:=[...]'."
)
INCOMPLETE_CHANGE = (
    "Tell me exactly what to change, e.g. “rename workflow_run_1234 to ACME March”, "
    "“tag it urgent and q3” or “set vendor=ACME on it”."
)


@dataclass(frozen=True)
class Understanding:
    """What one message asks for. ``run_ids`` are the ids it names, in order."""

    text: str
    kind: Kind
    run_ids: tuple[str, ...] = ()
    aspects: frozenset[Aspect] = frozenset()
    write: WriteRequest | None = None
    problem: str | None = None
    undo: UndoScope | None = None

    @property
    def run_id(self) -> str | None:
        return self.run_ids[0] if self.run_ids else None

    @property
    def needs_run(self) -> bool:
        return self.kind not in ("help", "thanks", "unknown")


def understand(text: str, known_fields: tuple[str, ...] = ()) -> Understanding:
    """Read one human message; ``known_fields`` are field names of the run in focus, if any."""
    ids = run_ids_in(text)
    scope = undo_scope(text)
    if scope is not None:  # "undo that", "rename it back": the last change, inverted
        return Understanding(text, "undo", ids, undo=scope)
    write = requested_change(text)
    if write is not None:
        not_asked = mood_problem(request_mood(text))
        if not_asked is not None:  # "what if you set ...?", "should I tag ...?", "no wait"
            return Understanding(text, "unknown", ids, problem=f"{not_asked}, {NOT_ASKED}")
        if write.unclear is not None:  # "tag it as paid for march": which tags?
            return Understanding(text, "unknown", ids, problem=write.unclear)
        reserved = [key for key in write.metadata if is_reserved_key(key)]
        if reserved:
            return Understanding(text, "unknown", ids, problem=RESERVED.format(key=reserved[0]))
        problem = None
        if len(ids) > 1 or _MANY_RUNS.search(text):
            problem = (
                "I change one run at a time, and only the run you name: ask me again "
                "for each run separately (e.g. “rename workflow_run_1234 to ACME March”)."
            )
        return Understanding(text, "write", ids, write=write, problem=problem)
    if _REMOVAL.search(text):
        return Understanding(text, "unknown", ids, problem=CANNOT_REMOVE)
    if _CHANGE_VERB.search(text):
        return Understanding(text, "unknown", ids, problem=INCOMPLETE_CHANGE)
    if not ids and (_HELP.search(text) or _GREETING.match(text)):
        return Understanding(text, "help", ids)
    if not ids and _is_thanks(text):
        return Understanding(text, "thanks", ids)
    about_the_run = question_kind(text)  # currency, pages, corrections, sums, conversion
    original = about_the_run == "review_changes" or _ORIGINAL.search(text)
    if (
        original
        and about_the_run in (None, "review_changes")
        and mentions_a_field(text, known_fields)
    ):  # "what was the total before the correction?": that field's value before review
        return Understanding(text, "field", ids, frozenset({"value", "original"}))
    if about_the_run is not None:
        return Understanding(text, about_the_run, ids)
    if _LOW.search(text):
        return Understanding(text, "low_confidence", ids)
    asked: tuple[tuple[Aspect, re.Pattern[str]], ...] = (
        ("where", _WHERE),
        ("why", _WHY),
        ("confidence", _CONFIDENCE),
    )
    aspects: set[Aspect] = {aspect for aspect, pattern in asked if pattern.search(text)}
    if mentions_a_field(text, known_fields) and not _SUMMARY_STRONG.search(text):
        return Understanding(text, "field", ids, frozenset({"value", *aspects}))
    if aspects - {"confidence"}:
        return Understanding(text, "field", ids, frozenset({"value", *aspects}))
    if aspects:  # "how confident is it?": the run's scores, or the field just asked about
        return Understanding(text, "low_confidence", ids, frozenset(aspects))
    views: tuple[tuple[Kind, re.Pattern[str]], ...] = (
        ("status", _STATUS),
        ("metadata", _METADATA_VIEW),
        ("summary", _SUMMARY),
    )
    for kind, pattern in views:
        if pattern.search(text):
            return Understanding(text, kind, ids)
    if _ASKS_VALUE.search(text):
        return Understanding(text, "lookup", ids, frozenset({"value"}))
    return Understanding(text, "summary" if ids else "unknown", ids)


def _is_thanks(text: str) -> bool:
    words = re.findall(r"[a-z']+", text.lower())
    return bool(words) and all(word in _THANKS_WORDS for word in words)
