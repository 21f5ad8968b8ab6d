"""What ``ask --yes`` may apply: exactly the change the question's own words specify.

``--yes`` skips the y/N prompt, so it must never apply anything the person did not
spell out. ``requested_change_for(question, last_named_run, resolve=...)`` reads the
question as the offline model does (``agent.offline.changes``: "rename X to Y", "tag X a
and b", "set k=v on X", "set a to 1 and b to 2", "remove the urgent tag", "clear
cost_center" (null)) into an ``ExpectedChange``: one run, and the name, tags to
add or remove and metadata to set. The run is the one the question names by id,
else the one it names by a reference ("rename the Acme invoice to ...", "tag
1234 urgent"), resolved by ``find_runs``' resolver from the person's words alone
(``cli.named_runs``), else the run the conversation named last. A reading by
reference counts only when every name, tag, key and value it gives is the
question's own text, so a reference inside the new name ("rename it to Invoice
from Acme") never moves the change to another run. An undo ("undo that", "rename it back") is
the exact inverse of the conversation's last applied change, computed from the
before-values it recorded (``agent.offline.undo``). A question ("what would
happen if you set ...?"), a doubt ("should I tag ...?"), a retraction ("... no
wait, don't") or words that don't pin down one change specify no change
(``agent.request_mood``), nor does a question naming several runs.

``differences(expected, proposal)`` compares a proposed change with it: same run,
the same name (to the character), the same set of tags (as written: trimmed),
the same metadata keys with the same values, nothing extra. A typed value equals
a proposed number or true/false only when it is that value's JSON text
("amount=0" and ``0``); anything else must be the same text.
Any difference, however small, means the change is not applied without asking.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from agent.names import run_ids_in
from agent.offline.amend import amended_args, amendment
from agent.offline.changes import WriteRequest, requested_change
from agent.offline.undo import UndoScope, undo_of, undo_scope
from agent.request_mood import mood_problem, request_mood, without_interjection
from cli.named_runs import RunResolver, named_run_reference
from tools.text.quoting import json_text, plain_or_quoted, quote

if TYPE_CHECKING:
    from agent.session import PendingWrite

__all__ = ["ExpectedChange", "NoChangeAsked", "differences", "requested_change_for"]


@dataclass(frozen=True)
class ExpectedChange:
    """The change a question asks for, on one run."""

    run_id: str
    name: str | None = None
    add_tags: frozenset[str] = frozenset()
    metadata: Mapping[str, Any] = field(default_factory=dict)
    remove_tags: frozenset[str] = frozenset()


@dataclass(frozen=True)
class NoChangeAsked:
    """Why a question specifies no change ``--yes`` could apply (a sentence for the person)."""

    reason: str


def requested_change_for(
    question: str,
    last_named_run: str | None,
    last_change: Mapping[str, Any] | None = None,
    resolve: RunResolver | None = None,
) -> ExpectedChange | NoChangeAsked:
    """The change ``question`` asks for, on the run it names (else the one named last).

    ``last_change``: the conversation's last applied change (a ``RunChange`` dump),
    which an undo puts back. ``resolve``: the run a reference names ("the Acme
    invoice"), looked up only when the question asks for a change on one; without
    it, a change on a run named that way is not applied.
    """
    question = without_interjection(question)  # read as the offline model reads it
    scope = undo_scope(question)
    if scope is not None:
        return _expected_undo(question, last_change, scope)
    value = amendment(question)
    amended = amended_args(value, last_change) if value is not None else None
    if amended is not None:  # "actually make that CC-13": the last change, with this value
        return ExpectedChange(
            run_id=str(amended["run_id"]),
            name=amended.get("name"),
            add_tags=frozenset(),
            metadata=dict(amended.get("metadata") or {}),
            remove_tags=frozenset(),
        )
    problem = mood_problem(request_mood(question))
    if problem is not None:
        return NoChangeAsked(f"{problem.lower()}.")
    reference = named_run_reference(question)
    by_reference = _request_by_reference(question, reference.rest) if reference else None
    request = by_reference or requested_change(question)
    if request is None:
        return NoChangeAsked("this question asks for no change in its own words.")
    if request.unclear is not None:
        return NoChangeAsked("its words do not pin down one change.")
    named = run_ids_in(question)
    if len(named) > 1:
        return NoChangeAsked("this question names more than one run; ask for each on its own.")
    run_id = named[0] if named else last_named_run
    if by_reference is not None and reference is not None:  # named by a reference: that run
        bound = _resolved(reference.reference, resolve)
        if isinstance(bound, NoChangeAsked):
            return bound
        run_id = bound
    if run_id is None:
        return NoChangeAsked("neither this question nor this conversation names a run.")
    return ExpectedChange(
        run_id=run_id,
        name=request.name,
        add_tags=frozenset(request.add_tags),
        metadata=dict(request.metadata),
        remove_tags=frozenset(request.remove_tags),
    )


def _request_by_reference(question: str, rest: str) -> WriteRequest | None:
    """The change read with "it" for the run's words, if all it gives is the question's text."""
    request = requested_change(rest)
    if request is None:
        return None
    words = [request.name, *request.add_tags, *request.remove_tags]
    for key, value in request.metadata.items():
        words += [value]
        if key not in question and key.replace("_", " ") not in question.casefold():
            return None  # "cost center" in the question stands for the key cost_center
    return request if all(w is None or w in question for w in words) else None


def _resolved(reference: str, resolve: RunResolver | None) -> str | NoChangeAsked:
    """The one run ``reference`` names in Extend now, or why there is none to bind to."""
    if resolve is None:
        return NoChangeAsked(
            f"this question names its run as {quote(reference, limit=80)}, not by id."
        )
    run_id = resolve(reference)
    if run_id is None:
        return NoChangeAsked(f"no single run matches {quote(reference, limit=80)}.")
    return run_id


def _expected_undo(
    question: str, last_change: Mapping[str, Any] | None, scope: UndoScope
) -> ExpectedChange | NoChangeAsked:
    undo = undo_of(last_change, scope)
    if undo.args is None:
        return NoChangeAsked("there is no earlier change in this conversation to put back.")
    args = undo.args
    named = run_ids_in(question)
    if named and named != (args["run_id"],):
        return NoChangeAsked("the last change in this conversation was on another run.")
    return ExpectedChange(
        run_id=str(args["run_id"]),
        name=args.get("name"),
        add_tags=frozenset(args.get("add_tags") or ()),
        metadata=dict(args.get("metadata") or {}),
        remove_tags=frozenset(args.get("remove_tags") or ()),
    )


def differences(expected: ExpectedChange, proposal: PendingWrite) -> list[str]:
    """How ``proposal`` departs from ``expected``, one phrase each; empty when it is the same."""
    found: list[str] = []
    if proposal.run_id != expected.run_id:
        found.append(f"it is to {plain_or_quoted(proposal.run_id)}, not {expected.run_id}")
    if proposal.name != expected.name:
        if expected.name is None:
            found.append(f"it renames the run to {json_text(proposal.name)}, which you did not ask")
        else:
            found.append(
                f"it names the run {json_text(proposal.name)}, not {json_text(expected.name)}"
            )
    proposed_tags = _tags(proposal.add_tags)
    if proposed_tags is None:
        found.append("its tags are not a list of labels")
    else:
        extra = sorted(proposed_tags - expected.add_tags)
        missing = sorted(expected.add_tags - proposed_tags)
        if extra:
            found.append(f"it adds tags you did not ask for: {_listed(extra)}")
        if missing:
            found.append(f"it leaves out tags you asked for: {_listed(missing)}")
    removed = _tags(proposal.remove_tags)
    if removed is None:
        found.append("the tags it removes are not a list of labels")
    elif removed != expected.remove_tags:
        found.append(
            f"it removes the tags {_listed(sorted(removed))}, not "
            f"{_listed(sorted(expected.remove_tags))}"
        )
    found.extend(_metadata_differences(expected.metadata, proposal.metadata))
    return found


def _metadata_differences(expected: Mapping[str, Any], proposed: object) -> list[str]:
    if proposed is None:
        proposed = {}
    if not isinstance(proposed, Mapping):
        return ["its metadata is not a set of keys and values"]
    found = []
    extra = [k for k in proposed if k not in expected]
    if extra:
        found.append(
            "it sets metadata you did not ask for: "
            + ", ".join(f"{plain_or_quoted(str(k))} = {json_text(proposed[k])}" for k in extra)
        )
    missing = [k for k in expected if k not in proposed]
    if missing:
        found.append(f"it leaves out metadata you asked for: {_listed(missing)}")
    for key in (k for k in expected if k in proposed):
        if not _same_value(expected[key], proposed[key]):
            found.append(
                f"it sets {plain_or_quoted(key)} = {json_text(proposed[key])}, "
                f"not {json_text(expected[key])}"
            )
    return found


def _same_value(typed: Any, proposed: Any) -> bool:
    if not isinstance(typed, str):  # null (a removed key) or an undo's recorded value
        return type(typed) is type(proposed) and typed == proposed
    if isinstance(proposed, str):
        return proposed == typed
    if isinstance(proposed, bool | int | float) and proposed == proposed:  # not NaN
        return json.dumps(proposed) == typed
    return False


def _tags(add_tags: object) -> frozenset[str] | None:
    if add_tags is None:
        return frozenset()
    if isinstance(add_tags, str) or not isinstance(add_tags, Sequence):
        return None
    if not all(isinstance(tag, str) for tag in add_tags):
        return None
    return frozenset(tag.strip() for tag in add_tags)


def _listed(items: Sequence[str]) -> str:
    return ", ".join(json_text(item) for item in items)
