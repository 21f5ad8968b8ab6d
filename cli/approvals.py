"""Who says yes to a change in the terminal, and how far ``--yes`` reaches.

Every change the agent proposes is shown, then decided here: at a terminal the
person answers y/N; with no terminal it is declined; with ``ask --yes`` it is
applied without asking only when it is exactly the change the question's own
words specify (``cli.yes_scope``): the same run, name, tags and metadata values,
nothing extra, and at most one change per question. A question, a doubt or a
retraction specifies none, so nothing is applied for it.

So a document that talks a model into renaming a run, or into adding
``approved: true`` beside the tag the person asked for, gets nothing applied,
and every declined proposal is reported with what differed. A change left
waiting by an earlier question (a terminal closed mid-prompt) is never applied
by ``--yes``: it is shown and declined; only a y at the prompt can approve it.
The question's text itself is never taken as a decision ("go" does not approve an
earlier change). The y/N prompt itself is ``confirm_at_prompt`` (``ask``) or
``confirm_on(console)`` (``chat``); a Ctrl-D or Ctrl-C there is a no.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import typer

from cli.yes_scope import ExpectedChange, NoChangeAsked, differences

if TYPE_CHECKING:
    from rich.console import Console

    from agent.session import AgentReply, AgentSession, PendingWrite

MAX_CHANGES_PER_QUESTION = 5
"""Proposals put to a person for one question; any further one is declined."""
NO_TERMINAL_NOTICE = (
    "Not applied: there is no terminal to ask for confirmation on. "
    "Run the same request with --yes to apply it."
)
TOO_MANY_NOTICE = "Not applied: that is more changes than one question may propose."
EARLIER_NOT_APPLIED = (
    "Not applied: this change was proposed for an earlier question and never decided; "
    "--yes applies only the change this question asks for. Ask for it again if you want it."
)
APPLY_QUESTION = "Apply this change?"


def confirm_at_prompt() -> bool:
    """``ask``'s y/N prompt (default no); Ctrl-D / Ctrl-C at it is a no."""
    try:
        return typer.confirm(APPLY_QUESTION, default=False)
    except typer.Abort:  # Ctrl-D / Ctrl-C at the prompt: no means no
        print("\nNot applied.", file=sys.stderr)
        return False


def confirm_on(console: Console) -> Callable[[], bool]:
    """``chat``'s y/N prompt on its rich console (default no); no answer is not a yes."""
    from rich.prompt import Confirm

    def confirm() -> bool:
        try:
            return Confirm.ask(APPLY_QUESTION, default=False, console=console)
        except (EOFError, KeyboardInterrupt):  # no answer is not a yes
            console.print("\nNot applied.")
            return False

    return confirm


@dataclass
class TerminalApprover:
    """Decides proposed changes for one ``ask``: the y/N prompt, no terminal, or ``--yes``."""

    requested: ExpectedChange | NoChangeAsked
    assume_yes: bool
    has_terminal: bool
    confirm: Callable[[], bool]
    applied: int = 0

    def decide(self, pending: PendingWrite) -> bool:
        """A change proposed for this question."""
        print(f"Proposed change: {pending.description}")
        if self.assume_yes:
            refusal = self.refusal(pending)
            if refusal is not None:
                print(refusal, file=sys.stderr)
                return False
            self.applied += 1
            print("Applying it (--yes).")
            return True
        return self._ask_person()

    def decide_earlier(self, pending: PendingWrite) -> bool:
        """A change left waiting by an earlier question: never applied by ``--yes``."""
        print(f"Proposed change: {pending.description}")
        if self.assume_yes:
            print(EARLIER_NOT_APPLIED, file=sys.stderr)
            return False
        return self._ask_person()

    def refusal(self, pending: PendingWrite) -> str | None:
        """Why ``--yes`` does not cover this change, or None when it does."""
        if isinstance(self.requested, NoChangeAsked):
            return (
                "Not applied: --yes applies only a change you asked for, and "
                f"{self.requested.reason} (The change to {pending.run_id} was proposed by the "
                "agent.) Ask for it in your own words to apply it."
            )
        if self.applied:
            return (
                "Not applied: --yes applies one change per question and one was already "
                f"applied. Ask for this change to {pending.run_id} on its own if you want it."
            )
        found = differences(self.requested, pending)
        if not found:
            return None
        return (
            "Not applied: --yes applies only exactly the change you asked for, and this "
            f"proposal differs: {'; '.join(found)}. Nothing was written."
        )

    def _ask_person(self) -> bool:
        if not self.has_terminal:
            print(NO_TERMINAL_NOTICE, file=sys.stderr)
            return False
        return self.confirm()


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
