"""The offline model's words around a change: the proposal, and what happened after the decision.

A proposal says what will change and that nothing is written before an approval;
after an approved write the answer reads the run as Extend now holds it; after a
"no" it says plainly that nothing was written. A change the tools refused because
it would do nothing ("Nothing to change: ...", "... nothing to remove") is said as
that reason alone, in a person's quotation marks.
"""

from __future__ import annotations

import json
import re
from typing import Any

from agent.change_text import REFUSED_PREFIX, and_list, change_phrase
from agent.names import shown_id, with_shown_ids
from agent.offline.answers import without_step_prefix
from agent.offline.wording import MAX_QUOTE
from tools.faces.run_change import NOT_SENT
from tools.runs.models import Run
from tools.text.formatting import format_value
from tools.text.quoting import quote

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"')


def proposal_text(args: dict[str, Any]) -> str:
    """What the model is about to ask permission for, in words."""
    phrase = change_phrase(args) or "make no change"
    return f"I'll change {args.get('run_id')}: {phrase}. Nothing is written until you approve."


def changed_answer(args: dict[str, Any], run: Run | None, tool_text: str) -> str:
    """After an approved, successful write: what the run looks like now."""
    run_id = args.get("run_id") or (run.id if run else "the run")
    if run is None:
        return f"Done: {run_id} was changed. {tool_text}".strip()
    parts = []
    if args.get("name") is not None:
        parts.append(f"is now named {quote(run.name or '', limit=MAX_QUOTE, marks='typographic')}")
    if args.get("add_tags"):
        parts.append(_tags_now(run))
    for key, asked in (args.get("metadata") or {}).items():
        if asked is None and key not in run.metadata:  # a key it never had: left out
            parts.append(f"has no {key} key (there was nothing to remove)")
            continue
        value = run.metadata.get(key)
        parts.append(f"has {key} = {'null' if value is None else format_value(value)}")
    if args.get("remove_tags"):
        parts.append(_tags_now(run))
    return f"Done: {run.id} " + (and_list(parts) or "was updated") + "."


def _tags_now(run: Run) -> str:
    return f"is tagged {and_list(run.tags)}" if run.tags else "has no tags now"


def refusal_reason(tool_text: str) -> str | None:
    """Why the change was never offered (the tools refused it as proposed), if that was it."""
    start = tool_text.find(REFUSED_PREFIX)
    if start < 0:
        return None
    reason = tool_text[start + len(REFUSED_PREFIX) :]
    end = reason.find(" Tell the user plainly")
    return without_step_prefix(reason[:end] if end >= 0 else reason)


def refused_answer(run_id: str, reason: str) -> str:
    """Why a change was never offered; a no-op is just that ("Nothing to change: ...")."""
    reason = with_shown_ids(reason, run_id)
    if reason.startswith("Nothing to change") or "nothing to remove" in reason:
        said = reason.rsplit(NOT_SENT.rstrip("."), 1)[0].strip()
        return _JSON_STRING.sub(_typographic, said)
    return f"I didn't propose that change to {shown_id(run_id)}, and nothing was written: {reason}"


def _typographic(match: re.Match[str]) -> str:
    """A JSON-quoted name or tag from the tools' text, in a person's quotation marks."""
    try:
        text = json.loads(match.group())
    except ValueError:
        return match.group()
    return quote(str(text), limit=MAX_QUOTE, marks="typographic")


def declined_answer(run_id: str) -> str:
    return (
        f"OK, I did not change {shown_id(run_id)}: the change was not approved, so nothing "
        "was written."
    )


def failed_change_answer(run_id: str, message: str) -> str:
    reason = with_shown_ids(without_step_prefix(message), run_id)
    return f"I could not change {shown_id(run_id)}: {reason}"
