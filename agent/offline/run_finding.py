"""The offline model's turns that go through ``find_runs``: resolve first, then answer or propose.

A message that names a run by anything but its full id ("the Bluebird fax",
"1234", "INV-58213", a dashboard link) becomes one ``find_runs(reference=...)``
call; its result is the run in full (answer from it, or propose the change the
message asked for, with the resolved id and file shown), the candidates to ask
about, or what was searched when nothing matched. A question about many runs
("which runs need review?") becomes one ``find_runs`` call with filters (one per
status it names: "which runs failed or need review?" is two, answered together), and
"compare the totals of X and Y" one call per run. A question about one run stays
two model calls: the call, then the answer. A question for a value whose words
name no run ("the unit price of the ball bearings") reads the run in focus with
``get_run``: a line item of it those words name is answered, else "no run matches".

``first_call`` is the first step, ``after_find`` the second; both return None
when the turn is not theirs, and the rest of the offline model handles it.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from typing import Any

from langchain_core.messages import AIMessage, ToolMessage
from langchain_core.messages.tool import tool_call
from pydantic import ValidationError

from agent.offline import answers, change_answers
from agent.offline.comparisons import Compared, compare_answer, compared_references
from agent.offline.conversation import (
    Turn,
    artifact_run,
    earlier_questions,
    message_text,
    run_in_focus,
)
from agent.offline.intents import understand
from agent.offline.own_names import answered_by_own_names, line_item_answer, lookup_answer
from agent.offline.references import comparison, cross_run_filters, named_reference
from agent.safety import neutralize_mentions
from tools.faces.tool_names import FIND_RUNS, GET_RUN, UPDATE_RUN_METADATA
from tools.runs.models import Run
from tools.text.quoting import quote

__all__ = ["after_find", "first_call", "resolved_run"]


def first_call(turn: Turn, tool_names: Sequence[str] | None) -> AIMessage | None:
    """The ``find_runs`` call(s) this message needs first; None when it needs none."""
    if tool_names is not None and FIND_RUNS not in tool_names:
        return None
    question = turn.question
    compared = comparison(question)
    references = compared_references(compared, turn.history) if compared is not None else None
    if references is not None:
        return _calls([{"reference": ref} for ref, _ in references])
    filters = cross_run_filters(question)
    if filters is not None:
        return _calls(filters)
    named = named_reference(question)
    if named is None:
        return None
    understanding = understand(named.rest)
    if understanding.problem or not understanding.needs_run:
        return None
    return _calls([{"reference": named.reference}])


def after_find(
    turn: Turn, tool_names: Sequence[str] | None, low_confidence: float
) -> AIMessage | None:
    """The answer (or the change to propose) once ``find_runs`` answered; None otherwise."""
    last = turn.results[-1]
    call = turn.call_for(last) or {}
    if (call.get("name") or last.name) == GET_RUN:
        return _row_of_focus(turn, last)  # None unless this read follows a search that missed
    if (call.get("name") or last.name) != FIND_RUNS:
        return None
    finds = [r for r in turn.results if (turn.call_for(r) or {}).get("name") == FIND_RUNS]
    compared = comparison(turn.question)
    references = compared_references(compared, turn.history) if compared is not None else None
    if compared is not None and references is not None and len(finds) > 1:
        by_words = {(turn.call_for(r) or {}).get("args", {}).get("reference"): r for r in finds}
        runs = [
            Compared(label, by_words[ref], resolved_run(by_words[ref]))
            for ref, label in references
            if ref in by_words
        ]
        return _say(compare_answer(compared, runs, earlier_questions(turn.history)))
    args: dict[str, Any] = dict(call.get("args") or {})
    text = message_text(last)
    if "reference" not in args:  # our own tables: ids, quoted file names, statuses, dates
        searches = [
            r for r in finds if "reference" not in ((turn.call_for(r) or {}).get("args") or {})
        ]
        return _say("\n\n".join(_search_text(r) for r in searches or [last]))
    if last.status == "error":
        return _say(f"I could not search the runs: {text.strip()}")
    run = resolved_run(last)
    named = named_reference(turn.question)
    rest = named.rest if named is not None else turn.question
    if run is None:
        asked = understand(rest)
        focus = run_in_focus(turn.history)
        readable = tool_names is None or GET_RUN in tool_names
        if asked.kind == "lookup" and _found_none(last) and focus is not None and readable:
            read = tool_call(name=GET_RUN, args={"run_id": focus}, id=_call_id())
            return AIMessage(content="", tool_calls=[read])  # "the ball bearings": a row of it
        return _say(text + (" Nothing was changed." if asked.write is not None else ""))
    understanding = understand(rest, tuple(f.name for f in run.fields))
    if understanding.write is not None:
        if tool_names is not None and UPDATE_RUN_METADATA not in tool_names:
            return _say("I can't do that here: changes are not available.")
        change = understanding.write.tool_args(run.id)
        files = ", ".join(quote(f.name) for f in run.files if f.name)
        proposal = change_answers.proposal_text(change)
        if files:
            proposal = proposal.replace(f"change {run.id}:", f"change {run.id} (file {files}):", 1)
        return AIMessage(
            content=neutralize_mentions(proposal),
            tool_calls=[tool_call(name=UPDATE_RUN_METADATA, args=change, id=_call_id())],
        )
    if answered_by_own_names(understanding, run):  # the run's own names; the words may name a row
        return _say(lookup_answer(understanding, run, low_confidence, turn.question))
    if not understanding.needs_run or understanding.kind == "write":
        understanding = replace(understanding, kind="summary")
    answer = answers.answer_question(
        understanding, run, earlier=earlier_questions(turn.history), low_confidence=low_confidence
    )
    return _say(answer)


def _row_of_focus(turn: Turn, read: ToolMessage) -> AIMessage | None:
    """After "the ball bearings" named no run: the row of the run in focus it names, if any.

    Only a line item the words name is answered from the run in focus; otherwise the
    search's own "no run matches" stands, so a run named wrongly is never swapped for it.
    """
    missed = [r for r in turn.results if (turn.call_for(r) or {}).get("name") == FIND_RUNS]
    named = named_reference(turn.question)
    run = artifact_run(read)
    if not missed or not _found_none(missed[-1]) or named is None or run is None:
        return None
    rows = line_item_answer(run, named.rest, named.reference, named_rows_only=True)
    return _say(rows if rows is not None else message_text(missed[-1]))


def _found_none(result: ToolMessage) -> bool:
    """Whether a ``find_runs(reference=...)`` result says no run matched the words."""
    artifact = result.artifact if isinstance(result.artifact, dict) else {}
    resolution = artifact.get("resolution")
    return isinstance(resolution, dict) and resolution.get("outcome") == "none"


def _search_text(result: ToolMessage) -> str:
    text = message_text(result).strip()
    return f"I could not search the runs: {text}" if result.status == "error" else text


def resolved_run(result: ToolMessage) -> Run | None:
    """The run a ``find_runs(reference=...)`` resolved to one, read in full; else None."""
    artifact = result.artifact
    if not isinstance(artifact, dict) or not isinstance(artifact.get("run"), dict):
        return None
    try:
        return Run.model_validate(artifact["run"])
    except ValidationError:
        return None


def _calls(argument_sets: list[dict[str, Any]]) -> AIMessage:
    calls = [tool_call(name=FIND_RUNS, args=args, id=_call_id()) for args in argument_sets]
    return AIMessage(content="", tool_calls=calls)


def _say(text: str) -> AIMessage:
    return AIMessage(content=neutralize_mentions(text))


def _call_id() -> str:
    return f"offline_{uuid.uuid4().hex[:16]}"
