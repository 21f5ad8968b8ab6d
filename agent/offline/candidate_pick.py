"""A pick from the runs just offered: "the second one", "2", "the last one", "yes".

When the previous turn asked which of several runs a reference meant ("3 runs match
“INV invoice”; which one do you mean?") or offered runs one typo away ("No run
matches “Acmee invoice”. Did you mean this one?"), a reply that picks one by its
place in that list (or "yes" to a single one offered) asks the previous question
again about the picked run, by its id. The id comes from the listing's structured
artifact (Extend's list, in the order shown), never from text; a write asked that
way still goes through the same approval.
"""

from __future__ import annotations

import re
from dataclasses import replace

from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from agent.names import run_ids_in
from agent.offline.conversation import Turn, message_text
from tools.faces.tool_names import FIND_RUNS

__all__ = ["picked_candidate", "with_candidate_picked"]

_PLACES = {
    **dict.fromkeys(("first", "1st", "top"), 1),
    **dict.fromkeys(("second", "2nd"), 2),
    **dict.fromkeys(("third", "3rd"), 3),
    **dict.fromkeys(("fourth", "4th"), 4),
    **dict.fromkeys(("fifth", "5th"), 5),
    "last": -1,
}
_PICK = re.compile(
    r"^\s*(?:(?:i\s+mean[t]?|it'?s|it\s+is|that'?s|the\s+answer\s+is)\s+)?(?:the\s+)?"
    rf"(?:(?P<place>{'|'.join(_PLACES)})(?:\s+(?:one|run|invoice|document|file|match))?"
    r"|(?:number|no\.?|option|#)\s*(?P<number>[1-9])|(?P<digit>[1-9]))"
    r"(?:\s*(?:,\s*)?(?:please|thanks|thank\s+you))?\s*[.!?]*\s*$",
    re.IGNORECASE,
)


_THE_BEFORE = re.compile(r"\b(?:the|that|this)\s+$", re.IGNORECASE)


_YES = re.compile(
    r"^\s*(?:yes|yeah|yep|yup|yes\s+please|correct|right|exactly|that\s+one|"
    r"that'?s\s+(?:it|the\s+one|right)|i\s+did)"
    r"(?:\s*[,!.]?\s*(?:that\s+one|that'?s\s+(?:it|the\s+one)|please|thanks|thank\s+you))*"
    r"\s*[.!]*\s*$",
    re.IGNORECASE,
)
_YES_PLACE = 0
"""``picked_candidate`` for "yes": the one run offered, when only one was."""


def picked_candidate(text: str) -> int | None:
    """The place in a list ``text`` picks (1-based, -1 for the last, 0 for "yes"), or None."""
    if _YES.match(text):
        return _YES_PLACE
    found = _PICK.match(text)
    if found is None:
        return None
    if found.group("place"):
        return _PLACES[found.group("place").casefold()]
    return int(found.group("number") or found.group("digit"))


def with_candidate_picked(turn: Turn) -> Turn:
    """``turn`` with its question replaced by the previous one about the picked run, when it
    picks from the runs the previous turn offered; else ``turn`` as it is."""
    place = picked_candidate(turn.question)
    if place is None:
        return turn
    asked = _previous_question_and_candidates(turn)
    if asked is None:
        return turn
    question, reference, candidates = asked
    if place == _YES_PLACE:
        if len(candidates) != 1:  # "yes" to "which one do you mean?" picks nothing
            return turn
        place = 1
    if place > len(candidates):
        return turn
    run_id = candidates[place - 1] if place > 0 else candidates[-1]
    start = question.casefold().find(reference.casefold())
    if start < 0:
        return turn
    before = _THE_BEFORE.sub("", question[:start])  # "rename the INV invoice" -> "rename <id>"
    rewritten = before + run_id + question[start + len(reference) :]
    return replace(turn, question=rewritten)


def _previous_question_and_candidates(turn: Turn) -> tuple[str, str, list[str]] | None:
    """The previous question, the words it named a run by, and the runs offered for them."""
    history = turn.history
    last_human = next(
        (i for i in range(len(history) - 1, -1, -1) if isinstance(history[i], HumanMessage)),
        None,
    )
    if last_human is None:
        return None
    references: dict[str, str] = {}
    offered: list[tuple[str, list[str]]] = []
    for message in history[last_human + 1 :]:
        if isinstance(message, AIMessage):
            for call in message.tool_calls:
                reference = (call.get("args") or {}).get("reference")
                if call.get("name") == FIND_RUNS and isinstance(reference, str) and call.get("id"):
                    references[str(call["id"])] = reference
        elif isinstance(message, ToolMessage) and message.name == FIND_RUNS:
            candidates = _candidates(message)
            reference = references.get(message.tool_call_id)
            if candidates and reference:
                offered.append((reference, candidates))
    if len(offered) != 1:  # none offered, or two lists at once: "the second one" of which?
        return None
    reference, candidates = offered[0]
    return message_text(history[last_human]), reference, candidates


def _candidates(result: ToolMessage) -> list[str]:
    """The runs a ``find_runs`` result offered for a reference: several that matched, or
    those one typo away when none did."""
    artifact = result.artifact if isinstance(result.artifact, dict) else {}
    resolution = artifact.get("resolution")
    if not isinstance(resolution, dict) or resolution.get("run_id") is not None:
        return []
    ids = [
        item["id"]
        for item in artifact.get("runs") or []
        if isinstance(item, dict) and isinstance(item.get("id"), str) and run_ids_in(item["id"])
    ]
    return ids if len(ids) > 1 or resolution.get("outcome") == "none" else []
