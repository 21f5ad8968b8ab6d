"""Removals a person asks for: "remove the urgent tag", "untag q3", "clear cost_center".

A tag is taken out of the run's ``tags`` list. A metadata key cannot be deleted
(Extend merges metadata key by key at the top level and deletes nothing), so
"remove the po_number key" becomes po_number set to null, and the proposal says
so; a key the run does not have is refused by the tools (nothing to remove), so
no null key is ever added. The words must say which: "tag"/"label" (or "untag") for a tag,
"key"/"metadata"/"field"/"value" (or "clear"/"unset") for a key; "remove urgent"
alone is unclear and the person is asked. Removing a run itself is not
something this assistant does (``agent.offline.intents`` says so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from agent.names import RUN_ID_IN_TEXT

__all__ = ["Removal", "requested_removal"]

_TARGET = (
    r"(?:it|this(?:\s+run)?|that(?:\s+run)?|the\s+(?:same\s+|last\s+)?run|"
    rf"{RUN_ID_IN_TEXT.pattern})"
)
_START = r"^\s*(?:please\s+|pls\s+)?(?:(?:can|could|would)\s+you\s+(?:please\s+)?)?"
_FROM = rf"(?:\s+(?:from|on|off(?:\s+of)?|of|for)\s+{_TARGET})?"
_END = r"\s*(?:,?\s*(?:please|thanks|thank\s+you)\b)?\s*[.!]*\s*$"
_VERB = r"(?:remove|delete|drop|take\s+off|take\s+out|take|strip|clear|unset|erase)"
_TAG_WORD = r"(?:tags?|labels?)"
_KEY_WORD = r"(?:metadata\s+)?(?:keys?|fields?|values?|metadata|entry|entries)"
_NAME = r"[A-Za-z0-9_][\w.:-]*"
_NAMES = rf"{_NAME}(?:\s*(?:,|\band\b|&)\s*{_NAME})*"


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """The removal phrasings, compiled on first use (they are long: import stays cheap)."""
    forms = (
        # remove the urgent tag (from it) / remove the urgent and q3 tags
        ("tag", rf"{_VERB}\s+(?:the\s+)?(?P<names>{_NAMES})\s+{_TAG_WORD}"),
        # remove tag urgent (from it) / remove the tags urgent and q3 from X
        ("tag", rf"{_VERB}\s+(?:the\s+)?{_TAG_WORD}\s+(?P<names>{_NAMES})"),
        # untag urgent (from X) / untag X urgent
        ("tag", rf"untag\s+(?:{_TARGET}\s+)?(?P<names>{_NAMES})"),
        # remove the po_number key / clear the cost_center metadata (on X)
        ("key", rf"{_VERB}\s+(?:the\s+)?(?P<names>{_NAMES})\s+{_KEY_WORD}"),
        # remove the metadata key po_number / delete key po_number from X
        ("key", rf"{_VERB}\s+(?:the\s+)?{_KEY_WORD}\s+(?P<names>{_NAMES})"),
        # clear cost_center (on X) / unset vendor
        ("key", rf"(?:clear|unset|null)\s+(?:the\s+)?(?P<names>{_NAMES})"),
        # remove urgent from X: a tag or a key?
        ("either", rf"{_VERB}\s+(?:the\s+)?(?P<names>{_NAMES})"),
    )
    return tuple(
        (kind, re.compile(f"{_START}{form}{_FROM}{_END}", re.IGNORECASE)) for kind, form in forms
    )


_NOT_NAMES = frozenset(
    {"it", "this", "that", "run", "the", "a", "an", "all", "everything", "name", "tag", "tags"}
)


@dataclass(frozen=True)
class Removal:
    """Tags to take out, metadata keys to set to null, or why the words are unclear."""

    tags: tuple[str, ...] = ()
    keys: tuple[str, ...] = ()
    unclear: str | None = None


def requested_removal(text: str) -> Removal | None:
    """The removal ``text`` asks for; None when it asks for no removal of a tag or key."""
    for kind, pattern in _patterns():
        match = pattern.match(text)
        if match is None:
            continue
        names = _names(match.group("names"))
        if not names or any(n.lower() in _NOT_NAMES or RUN_ID_IN_TEXT.match(n) for n in names):
            return None  # "delete workflow_run_1234", "remove it": not a tag or key
        if kind == "tag":
            return Removal(tags=names)
        if kind == "key":
            return Removal(keys=names)
        shown = " and ".join(names)
        return Removal(
            unclear=f"Do you mean the tag {shown} or the metadata key {shown}? Say “remove the "
            f"{shown} tag” or “remove the {shown} key” (a key is set to null: Extend cannot "
            "delete metadata keys)."
        )
    return None


def _names(raw: str) -> tuple[str, ...]:
    parts = re.split(r"\s*(?:,|\band\b|&)\s*", raw.strip(), flags=re.IGNORECASE)
    return tuple(dict.fromkeys(p.strip() for p in parts if p.strip()))
