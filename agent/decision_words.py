"""Reading a typed reply as a decision on a waiting change: "yes", "go ahead", "no thanks".

Chat-style front ends let a person answer a proposed change in words. Only short,
unambiguous replies count ("yes please", "👍", "cancel"); anything longer or mixed
("yes, and also rename the other run") is not a decision, so the person is asked
again rather than guessed at.
"""

from __future__ import annotations

import re

_YES = frozenset(
    {
        *("y", "yes", "yep", "yeah", "yup", "sure", "ok", "okay", "approve", "approved"),
        *("confirm", "confirmed", "apply", "go", "do", "proceed", "lgtm", "👍", "✅"),
    }
)
_NO = frozenset(
    {
        *("n", "no", "nope", "nah", "cancel", "reject", "rejected", "decline", "declined"),
        *("stop", "abort", "❌", "👎"),
    }
)
_FILLER = frozenset(
    {"please", "it", "that", "this", "change", "thanks", "thank", "you", "ahead", "just"}
)


def read_decision(text: str) -> bool | None:
    """``yes``/``go ahead`` -> True, ``no``/``cancel`` -> False, anything else -> None."""
    words = [w for w in re.findall(r"[\w']+|[^\w\s]", text.lower()) if w not in "!.,?"]
    meaningful = [w for w in words if w not in _FILLER]
    if not meaningful or len(meaningful) > 3:
        return None
    if all(w in _YES for w in meaningful) and "don't" not in words and "not" not in words:
        return True
    if meaningful[0] in _NO or meaningful[0] in ("don't", "not"):
        return False
    return None
