"""Who says yes to a change in the terminal, and how far ``--yes`` reaches.

Every change the agent proposes is shown, then decided here: at a terminal the
person answers y/N; with no terminal it is declined; with ``ask --yes`` it is
applied without asking, but only within what the person's own words cover:

- only when the question itself asks for a change (rename, tag, set ...);
- at most one change per question;
- only to a run the question names, or, when it names none, the run the person
  last named in the conversation ("rename it to ...").

So a document that talks a model into "rename every run" while the person only
asked for a summary gets nothing applied, and every declined proposal is reported.
The question's text itself is never taken as a decision ("go" does not approve an
earlier change): only the y/N prompt or ``--yes`` do.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from agent.names import run_ids_in

if TYPE_CHECKING:
    from agent.session import AgentReply, AgentSession, PendingWrite

MAX_CHANGES_PER_QUESTION = 5
"""Proposals put to a person for one question; any further one is declined."""
NO_TERMINAL_NOTICE = (
    "Not applied: there is no terminal to ask for confirmation on. "
    "Run the same request with --yes to apply it."
)
TOO_MANY_NOTICE = "Not applied: that is more changes than one question may propose."


_ASKS_FOR_CHANGE = re.compile(
    r"\b(re-?name|name|call|title|tag|tags|label|labels|mark|set|add|put|change|update|"
    r"meta(?:data)?|remove|apply)\b",
    re.IGNORECASE,
)


def asks_for_change(question: str) -> bool:
    """Whether the person's own words ask for a change (not just a read)."""
    return bool(_ASKS_FOR_CHANGE.search(question))


def runs_covered_by(question: str, last_named_run: str | None) -> frozenset[str]:
    """The runs a question's ``--yes`` may change: those it names, else the one named last."""
    named = run_ids_in(question)
    if named:
        return frozenset(named)
    return frozenset({last_named_run}) if last_named_run else frozenset()


@dataclass
class TerminalApprover:
    """Decides proposed changes for one ``ask``: the y/N prompt, no terminal, or ``--yes``."""

    covered_runs: frozenset[str]
    assume_yes: bool
    has_terminal: bool
    confirm: Callable[[], bool]
    question_asks_change: bool = True
    applied: int = 0

    def decide(self, pending: PendingWrite) -> bool:
        print(f"Proposed change: {pending.description}")
        if self.assume_yes:
            refusal = self.refusal(pending)
            if refusal is not None:
                print(refusal, file=sys.stderr)
                return False
            self.applied += 1
            print("Applying it (--yes).")
            return True
        if not self.has_terminal:
            print(NO_TERMINAL_NOTICE, file=sys.stderr)
            return False
        return self.confirm()

    def refusal(self, pending: PendingWrite) -> str | None:
        """Why ``--yes`` does not cover this change, or None when it does."""
        if not self.question_asks_change:
            return (
                "Not applied: --yes applies only a change you asked for, and this question "
                f"asked for none (the change to {pending.run_id} was proposed by the agent). "
                "Ask for it in your own words to apply it."
            )
        if self.applied:
            return (
                "Not applied: --yes applies one change per question and one was already "
                f"applied. Ask for this change to {pending.run_id} on its own if you want it."
            )
        if pending.run_id in self.covered_runs:
            return None
        if not self.covered_runs:
            return (
                "Not applied: --yes only applies a change to a run you named, and this "
                f"conversation names none. Name {pending.run_id} yourself to change it."
            )
        named = ", ".join(sorted(self.covered_runs))
        return (
            f"Not applied: --yes only applies a change to the run you named ({named}); "
            f"this change is to {pending.run_id}, which you did not ask to change."
        )


def settle_changes(
    session: AgentSession,
    thread_id: str,
    reply: AgentReply,
    *,
    decide: Callable[[PendingWrite], bool],
    show: Callable[[AgentReply], None],
) -> AgentReply:
    """Put each proposed change to ``decide`` until none is waiting (at most a few)."""
    for _ in range(MAX_CHANGES_PER_QUESTION):
        if reply.pending is None:
            return reply
        reply = session.decide(thread_id, decide(reply.pending))
        show(reply)
    if reply.pending is not None:  # a model that keeps proposing: decline, and say so
        declined = reply.pending.description
        reply = session.decide(thread_id, False)
        show(replace(reply, text=f"{TOO_MANY_NOTICE} ({declined})\n{reply.text}"))
    return reply
