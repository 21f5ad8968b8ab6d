"""Whether a message that mentions a change asks for it, or only wonders about it.

"rename workflow_run_1234 to ACME March" asks. "what would happen if you set
status=void on it?" asks a question; "is it ok to tag it urgent, or should I
not?" doubts; "rename it to Foo; no wait, don't do that" takes it back. Only a
plain request is a request: a change may be made without asking again
(``ask --yes``) only for that, and the offline model proposes a change only for
that. The reading is deliberately cautious: when in doubt it is not a request,
which costs the person one confirmation, never a write they did not want.
Quoted text ("rename it to 'Don't Pay'") is a value, not wording, so it is read past.
"""

from __future__ import annotations

import re
from typing import Literal

__all__ = ["Mood", "mood_problem", "request_mood", "without_interjection"]

Mood = Literal["request", "question", "doubt", "retraction"]

_QUOTED = re.compile(r"\"[^\"]*\"|“[^”]*”|‘[^’]*’|«[^»]*»|`[^`]*`|(?<!\w)'[^']*'(?!\w)")
_RETRACTION = re.compile(
    r"\b(?:no\s*,?\s*wait|wait|don'?t|dont|do\s+not|never\s*mind|nvm|scratch\s+that|"
    r"forget\s+(?:it|that|about\s+it)|cancel\s+(?:it|that|this)|ignore\s+(?:it|that|this)|"
    r"hold\s+(?:on|off)|not\s+yet|actually\s*,?\s*no|on\s+second\s+thought|undo\s+that|"
    r"stop)\b|\bno\s*[,;.!]\s*$",
    re.IGNORECASE,
)
_DOUBT = re.compile(
    r"\b(?:is\s+it\s+(?:ok|okay|fine|alright|safe|wise|a\s+good\s+idea)|should\s+(?:i|we|you)|"
    r"or\s+not|or\s+should|not\s+sure|unsure|maybe|perhaps|i\s+wonder|wondering|"
    r"do\s+you\s+think|would\s+it\s+be|might|whether|ought)\b",
    re.IGNORECASE,
)
_HYPOTHETICAL = re.compile(
    r"\b(?:what\s+(?:would|will|could|might)|what\s+if|what\s+happens|would\s+happen|"
    r"suppose|supposing|hypothetical(?:ly)?|imagine|in\s+theory|if\s+(?:i|you|we|someone))\b",
    re.IGNORECASE,
)
_POLITE_REQUEST = re.compile(
    r"^\s*(?:please\s+)?(?:can|could|would|will)\s+you\s+(?:please\s+|kindly\s+)?"
    r"(?:rename|re-name|tag|label|mark|set|add|call|name|give|change|update|make|put)\b",
    re.IGNORECASE,
)
_INTERROGATIVE_START = re.compile(
    r"^\s*(?:what|which|who|whom|whose|why|how|when|where|is|are|was|were|does|do|did|"
    r"can|could|would|will|should|shall|may|has|have|had)\b",
    re.IGNORECASE,
)

_PROBLEMS: dict[Mood, str] = {
    "question": "That reads as a question about a change, not a request for one",
    "doubt": "That reads as unsure whether to make the change",
    "retraction": "That message takes the change back",
}


_INTERJECTION = re.compile(
    r"^\s*(?:(?:ok(?:ay)?|alright|all\s+right|whoops|oops|hmm+|hey|so|um+|uh+|right|great|"
    r"cool|thanks|thank\s+you|perfect|nice)\b[,!.]*\s+)+",
    re.IGNORECASE,
)


def without_interjection(text: str) -> str:
    """``text`` without a leading "ok," / "whoops," / "hey": "whoops, remove the paid tag"
    is read as "remove the paid tag" (a message of nothing else is left as it is)."""
    rest = _INTERJECTION.sub("", text, count=1)
    return rest if rest.strip() else text


def request_mood(text: str) -> Mood:
    """``request`` only for a plain request; otherwise what the message does instead."""
    words = _QUOTED.sub(" ", text).strip()
    if _RETRACTION.search(words):
        return "retraction"
    if _DOUBT.search(words):
        return "doubt"
    if _HYPOTHETICAL.search(words):
        return "question"
    if _POLITE_REQUEST.match(words):
        return "request"
    if words.rstrip().endswith("?") or _INTERROGATIVE_START.match(words):
        return "question"
    return "request"


def mood_problem(mood: Mood) -> str | None:
    """Why a message of this mood changes nothing, as the start of a sentence (None: a request)."""
    return _PROBLEMS.get(mood)
